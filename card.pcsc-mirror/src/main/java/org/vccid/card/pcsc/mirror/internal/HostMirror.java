package org.vccid.card.pcsc.mirror.internal;

import org.vccid.pcsc.Pcsc;
import org.vccid.pcsc.PcscException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.vccid.card.Card;

/**
 * Watches the host PC/SC readers on a thread of its own and keeps one {@link MirrorCard} registered per present
 * card in a mirrored reader.
 *
 * <p>The thread sleeps in SCardGetStatusChange (the PC/SC change notification, as javax.smartcardio's
 * waitForChange) on all mirrored readers plus pcsc-lite's PnP pseudo reader, so it wakes on card insertion and
 * removal (and on a reader plugged or unplugged) without polling; each wait is bounded by
 * {@link Settings#waitMillis} only so that the thread can stop. Card events are recognised by the presence bit
 * and by pcsc-lite's event counter (high 16 bits of the reader state), so a card pulled and put back between two
 * wake-ups is still seen as removed and inserted.
 *
 * <p>Contexts: pcsc-lite serialises all calls on one context, and SCardGetStatusChange holds that lock for its
 * whole wait, so an APDU on a card handle of the watcher's context would wait for the watcher (measured: 3
 * APDU/s). Each mirrored reader therefore gets a context of its own for its cards, made at its first card and
 * kept while the reader and the service exist. The JDK has no SCardReleaseContext, so a context is left behind
 * (one socket in libpcsclite) only when its reader disappears or the service is lost.
 *
 * <p>When the PC/SC service is missing or goes away (pcscd not running or restarted, libpcsclite missing) every
 * mirrored card is unregistered, the problem is logged once, and the thread retries every
 * {@link Settings#retryMillis} with a new PC/SC context.
 */
final class HostMirror {

    /** Publishes a mirrored card (an OSGi service registration in a framework). */
    interface Registrar {
        Registration register(MirrorCard card, Map<String, Object> properties);
    }

    interface Registration {
        void unregister();
    }

    /** Card type of the mirrored cards. */
    static final String TYPE = "pcsc-mirror";
    /** Service property: the host PC/SC reader name. */
    static final String HOST_READER = "vccid.pcsc.reader";
    /** Service property: the host card's protocol (T=0/T=1). */
    static final String HOST_PROTOCOL = "vccid.pcsc.protocol";

    private static final class HostReader {
        final String name;
        int state = Pcsc.SCARD_STATE_UNAWARE;
        /** The cards' own PC/SC context for this reader (0: none yet); see the class comment. */
        long cardContext;
        MirrorCard card;
        Registration registration;
        String lastProblem;

        HostReader(String name) {
            this.name = name;
        }
    }

    private final Pcsc pcsc;
    private final Settings settings;
    private final Registrar registrar;
    private final MirrorLog log;
    private final Object sleeper = new Object();
    private final Map<String, HostReader> readers = new LinkedHashMap<>();
    private volatile boolean running;
    private Thread thread;

    private long context;
    private int pnpState = Pcsc.SCARD_STATE_UNAWARE;
    private boolean pnpUsable = true;
    private String serviceProblem;
    private int quickWakeups;
    private int unknownReaderStreak;
    private String otherProblem;

    HostMirror(Pcsc pcsc, Settings settings, Registrar registrar, MirrorLog log) {
        this.pcsc = pcsc;
        this.settings = settings;
        this.registrar = registrar;
        this.log = log;
    }

    synchronized void start() {
        if (running) {
            return;
        }
        running = true;
        thread = new Thread(this::run, "vccid-pcsc-mirror");
        thread.setDaemon(true);
        thread.start();
    }

    /** Stops the thread (within about one change wait) and unregisters every mirrored card. */
    void stop() {
        Thread t;
        synchronized (this) {
            running = false;
            t = thread;
            thread = null;
        }
        synchronized (sleeper) {
            sleeper.notifyAll();
        }
        if (t != null) {
            try {
                t.join(settings.waitMillis + 10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (t.isAlive()) {
                log.warn("PC/SC mirror thread did not stop within " + (settings.waitMillis + 10_000)
                        + " ms (a PC/SC call hangs); leaving it as a daemon thread");
            }
        }
    }

    private void run() {
        try {
            while (running) {
                try {
                    if (context == 0) {
                        connectService();
                    }
                    cycle();
                    unknownReaderStreak = 0;
                    otherProblem = null;
                } catch (PcscException e) {
                    if (!running) {
                        break;
                    }
                    if (e.serviceLost()) {
                        serviceLost(e);
                        pause(settings.retryMillis);
                    } else if (e.code == PcscException.SCARD_E_UNKNOWN_READER && ++unknownReaderStreak < 5) {
                        // a reader vanished between SCardListReaders and the wait: list again at once; if it
                        // repeats, the PnP pseudo reader may be what PC/SC does not know
                        if (unknownReaderStreak >= 2 && pnpUsable) {
                            pnpUsable = false;
                            log.debug("PC/SC refuses the PnP notification reader; new readers are seen within "
                                    + settings.waitMillis + " ms");
                        }
                        pause(50);
                    } else {
                        String problem = e.getMessage();
                        if (!problem.equals(otherProblem)) {
                            otherProblem = problem;
                            log.warn("PC/SC mirror: " + problem + "; trying again every " + settings.retryMillis
                                    + " ms, logged again only when this changes");
                        } else {
                            log.debug("PC/SC mirror, again: " + problem);
                        }
                        pause(settings.retryMillis);
                    }
                } catch (RuntimeException e) {
                    log.error("PC/SC mirror: unexpected failure; trying again in " + settings.retryMillis + " ms", e);
                    pause(settings.retryMillis);
                }
            }
        } finally {
            dropAll("mirror stopped");
        }
    }

    private void connectService() throws PcscException {
        context = pcsc.establishContext();
        pnpState = Pcsc.SCARD_STATE_UNAWARE;
        if (serviceProblem != null) {
            log.info("PC/SC service is available again");
        } else {
            log.info("PC/SC service is available");
        }
        serviceProblem = null;
    }

    private void serviceLost(PcscException e) {
        boolean hadContext = context != 0;
        context = 0; // pcsc-lite has no way to revive a context once pcscd is gone: make a new one
        dropAll("PC/SC service lost");
        readers.clear();
        String problem = problemKind(e);
        if (!problem.equals(serviceProblem)) {
            serviceProblem = problem;
            log.warn(describe(e) + (hadContext ? " (was available before)" : "") + "; the mirror retries every "
                    + settings.retryMillis + " ms and logs again only when this changes");
        } else {
            log.debug("still no PC/SC service: " + e.getMessage());
        }
    }

    /** The same kind of problem is logged once, whichever call met it. */
    private static String problemKind(PcscException e) {
        if (e.code == PcscException.SCARD_E_NO_SERVICE || e.code == PcscException.SCARD_E_SERVICE_STOPPED
                || e.code == PcscException.SCARD_F_COMM_ERROR) {
            return "no service";
        }
        return e.code == PcscException.UNAVAILABLE ? e.getMessage() : PcscException.name(e.code);
    }

    private static String describe(PcscException e) {
        if (e.code == PcscException.UNAVAILABLE) {
            return "PC/SC cannot be used: " + e.getMessage();
        }
        if (e.code == PcscException.SCARD_E_NO_SERVICE || e.code == PcscException.SCARD_E_SERVICE_STOPPED
                || e.code == PcscException.SCARD_F_COMM_ERROR) {
            String sock = System.getenv("PCSCLITE_CSOCK_NAME");
            return "no PC/SC service: pcscd is not running or not reachable at "
                    + (sock != null ? sock + " (PCSCLITE_CSOCK_NAME)" : "its default socket") + ": " + e.getMessage();
        }
        return "PC/SC service failed: " + e.getMessage();
    }

    /** One wait for changes, then bring the registered cards in line with what the host shows. */
    private void cycle() throws PcscException {
        reconcileReaders(pcsc.listReaders(context));
        List<HostReader> watched = new ArrayList<>(readers.values());
        int offset = pnpUsable ? 1 : 0;
        String[] names = new String[watched.size() + offset];
        int[] current = new int[names.length];
        if (pnpUsable) {
            names[0] = Pcsc.PNP_NOTIFICATION;
            current[0] = pnpState;
        }
        for (int i = 0; i < watched.size(); i++) {
            names[i + offset] = watched.get(i).name;
            current[i + offset] = watched.get(i).state;
        }
        if (names.length == 0) {
            pause(settings.waitMillis); // no reader and no PnP notification: nothing to wait on
            return;
        }
        long t0 = System.nanoTime();
        int[] events = pcsc.getStatusChange(context, settings.waitMillis, current, names);
        if (events == null || !running) {
            return; // timeout: list readers again (a reader may have come), or stop
        }
        boolean changed = false;
        if (pnpUsable) {
            int ev = events[0];
            if ((ev & (Pcsc.SCARD_STATE_UNKNOWN | Pcsc.SCARD_STATE_IGNORE)) != 0) {
                pnpUsable = false; // this PC/SC does not know the PnP reader: rely on the bounded wait
                log.debug("PC/SC has no PnP notification reader; new readers are seen within "
                        + settings.waitMillis + " ms");
            }
            changed |= (ev & Pcsc.SCARD_STATE_CHANGED) != 0;
            pnpState = ev & ~Pcsc.SCARD_STATE_CHANGED;
        }
        for (int i = 0; i < watched.size(); i++) {
            changed |= update(watched.get(i), events[i + offset]);
        }
        // guard against a PC/SC that keeps answering at once (changed or not): never spin. Real card and reader
        // events do not come ten times in a row within 5 ms each.
        if (System.nanoTime() - t0 < 5_000_000L) {
            if (++quickWakeups > 10) {
                log.debug("PC/SC change waits return at once (last changed: " + changed + "); slowing down");
                pause(Math.min(settings.waitMillis, 200));
            }
        } else {
            quickWakeups = 0;
        }
    }

    private void reconcileReaders(String[] hostReaders) {
        Set<String> wanted = new HashSet<>();
        for (String name : hostReaders) {
            if (settings.mirrors(name)) {
                wanted.add(name);
                if (!readers.containsKey(name)) {
                    readers.put(name, new HostReader(name));
                    log.info("host reader \"" + name + "\" is mirrored");
                }
            }
        }
        readers.values().removeIf(r -> {
            if (wanted.contains(r.name)) {
                return false;
            }
            drop(r, "host reader removed");
            log.info("host reader \"" + r.name + "\" is gone");
            return true;
        });
    }

    /** @return whether anything changed for this reader */
    private boolean update(HostReader r, int event) {
        int previous = r.state;
        r.state = event & ~Pcsc.SCARD_STATE_CHANGED;
        boolean present = (event & Pcsc.SCARD_STATE_PRESENT) != 0 && (event & Pcsc.SCARD_STATE_MUTE) == 0;
        boolean counterMoved = previous != Pcsc.SCARD_STATE_UNAWARE && (previous >>> 16) != (event >>> 16);
        boolean changed = (event & Pcsc.SCARD_STATE_CHANGED) != 0 || previous != r.state;
        if (r.card != null && (!present || counterMoved || r.card.isClosed())) {
            drop(r, present ? "host card replaced" : "host card removed");
        }
        if (present && r.card == null) {
            mirror(r);
        }
        return changed;
    }

    private void mirror(HostReader r) {
        MirrorCard card;
        try {
            if (r.cardContext == 0) {
                r.cardContext = pcsc.establishContext();
            }
            card = new MirrorCard(pcsc, r.cardContext, r.name, settings.shareMode, settings.protocols);
        } catch (PcscException e) {
            String problem = e.getMessage();
            if (!problem.equals(r.lastProblem)) {
                r.lastProblem = problem;
                log.warn("cannot connect to the card in host reader \"" + r.name + "\": " + problem
                        + "; trying again at its next state change");
            }
            return;
        }
        r.lastProblem = null;
        Map<String, Object> props = new LinkedHashMap<>();
        props.put(Card.TYPE, TYPE);
        props.put(Card.NAME, r.name);
        props.put(HOST_READER, r.name);
        props.put(HOST_PROTOCOL, card.protocolName());
        r.card = card;
        r.registration = registrar.register(card, props);
        log.info("host card in \"" + r.name + "\" mirrored (" + card.protocolName() + ", ATR "
                + org.vccid.iso7816.Hex.spaced(card.atr()) + ")");
    }

    private void drop(HostReader r, String why) {
        if (r.card == null) {
            return;
        }
        Registration reg = r.registration;
        MirrorCard card = r.card;
        r.registration = null;
        r.card = null;
        try {
            if (reg != null) {
                reg.unregister();
            }
        } catch (RuntimeException e) {
            log.debug("unregistering the card of \"" + r.name + "\": " + e);
        }
        card.close();
        log.info("host card in \"" + r.name + "\" no longer mirrored: " + why);
    }

    private void dropAll(String why) {
        for (HostReader r : readers.values()) {
            drop(r, why);
        }
    }

    private void pause(long millis) {
        long end = System.nanoTime() + millis * 1_000_000L;
        synchronized (sleeper) {
            long left;
            while (running && (left = end - System.nanoTime()) > 0) {
                try {
                    sleeper.wait(Math.max(1, left / 1_000_000L));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }
}
