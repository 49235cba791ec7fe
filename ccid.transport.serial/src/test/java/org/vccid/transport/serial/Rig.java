package org.vccid.transport.serial;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import org.junit.jupiter.api.Assumptions;
import org.vccid.ccid.internal.engine.CardClaims;
import org.vccid.ccid.internal.engine.CcidEngine;
import org.vccid.ccid.internal.engine.ExchangeLevel;
import org.vccid.ccid.internal.engine.ReaderSettings;
import org.vccid.testkit.Pcscd;
import org.vccid.testkit.Proc;
import org.vccid.transport.serial.framing.ReaderType;
import org.vccid.transport.serial.internal.line.LineHolder;
import org.vccid.transport.serial.internal.line.LineSettings;
import org.vccid.transport.serial.internal.line.SerialLineServer;
import org.vccid.transport.serial.internal.line.SerialPty;

/**
 * Our reader on a serial line in front of a private pcscd with libccidtwin.so. Start order: our side, the pty
 * line, pcscd. Stop order (close): pcscd, the pty line, our side. Never the other way round: libccid busy-loops
 * when the pty master vanishes under a running pcscd. In {@link Mode#OWN_PTY} our side is the pty line.
 */
final class Rig implements AutoCloseable {

    /** Who makes the pty pcscd opens. */
    enum Mode {
        /** bin/vccid-serial-line.sh: socat holds the pty and reconnects to our TCP port (restart-proof). */
        LINE_SCRIPT,
        /** a plain socat PTY ... TCP:...: one hop less, but the pty goes with the TCP connection. */
        PLAIN_SOCAT,
        /** our own pty (SerialPty, JNA): no socat, no TCP. */
        OWN_PTY;

        /** The modes every real-peer functional test runs in. */
        static final Mode[] TESTED = { LINE_SCRIPT, OWN_PTY };
    }

    static final String TWIN_DRIVER = "/usr/lib/pcsc/drivers/serial/libccidtwin.so";
    static final String FRIENDLY = "vccid Serial";

    final ExecutorService pool = Executors.newCachedThreadPool();
    final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    final String name;
    final int slots;
    final ReaderType type;
    final Mode mode;
    CcidEngine engine;
    LineHolder server;
    PtyLine line;
    Pcscd pcscd;
    /** pcscd -d and LIBCCID_ifdLogLevel 0x0003 (off for benchmarks: the log costs throughput). */
    boolean debug = true;

    /** Skip the test (with the reason printed) when a peer is missing. */
    static void assumePeers() {
        String r = Pcscd.unavailableReason();
        if (r == null) {
            r = PtyLine.unavailableReason();
        }
        if (r == null && !new java.io.File(TWIN_DRIVER).exists()) {
            r = TWIN_DRIVER + " is missing (apt-get install libccid)";
        }
        if (r != null) {
            System.out.println("SKIPPED: " + r);
        }
        Assumptions.assumeTrue(r == null, r);
    }

    Rig(String name, ReaderType type, int slots, int port) throws IOException {
        this(name, type, slots, port, Mode.LINE_SCRIPT);
    }

    Rig(String name, ReaderType type, int slots, int port, Mode mode) throws IOException {
        this.name = name;
        this.type = type;
        this.slots = slots;
        this.mode = mode;
        if (mode == Mode.OWN_PTY) {
            String r = ptyUnavailableReason();
            if (r != null) {
                System.out.println("SKIPPED: " + r);
            }
            Assumptions.assumeTrue(r == null, r);
        }
        startOurSide(port);
    }

    /** Why our own pty cannot be made here (JNA's native part, Linux), or null. */
    static String ptyUnavailableReason() {
        try {
            Class.forName("com.sun.jna.Native").getMethod("getNativeSize", Class.class).invoke(null, int.class);
            return null;
        } catch (ReflectiveOperationException | LinkageError e) {
            return "JNA cannot load here: " + e;
        }
    }

    /** The pty link of our own pty (OWN_PTY). */
    java.nio.file.Path ptyLink() {
        return java.nio.file.Path.of("/tmp/vccid-serial-pty-" + name);
    }

    /** Our side: a TPDU-level engine and its serial line on the port (or its own pty). */
    void startOurSide(int port) throws IOException {
        CcidEngine e = new CcidEngine(ReaderSettings.builder("serial " + name).slots(slots)
                .level(ExchangeLevel.TPDU).build(), pool, timer, new CardClaims());
        engine = e;
        server = mode == Mode.OWN_PTY ? new SerialPty(ptyLink(), LineSettings.loopback(port, type), () -> e)
                : new SerialLineServer(LineSettings.loopback(port, type), () -> e);
    }

    /** Our side goes away (JVM restart, bundle update): the pty line and pcscd stay. */
    void stopOurSide() {
        server.close();
        engine.close();
    }

    /** Full start: the pty line (socat modes), then pcscd; waits until pcscd lists every slot. */
    Rig up(String name) throws Exception {
        if (mode != Mode.OWN_PTY) {
            int port = ((SerialLineServer) server).port();
            line = mode == Mode.PLAIN_SOCAT ? PtyLine.startDirect(name, port) : PtyLine.start(name, port);
        }
        if (!server.awaitLineReady(10_000)) {
            throw new AssertionError("the pty line is not ready: " + server.describe());
        }
        startPcscd(name);
        return this;
    }

    /** pcscd's DEVICENAME. */
    String deviceName() {
        return (mode == Mode.OWN_PTY ? ptyLink().toString() : line.link.toString()) + ":" + type.name();
    }

    void startPcscd(String name) throws Exception {
        String conf = "FRIENDLYNAME \"" + FRIENDLY + "\"\nDEVICENAME " + deviceName()
                + "\nLIBPATH " + TWIN_DRIVER + "\n";
        pcscd = debug ? Pcscd.start("serial-" + name, conf, Map.of("LIBCCID_ifdLogLevel", "0x0003"), "-d")
                : Pcscd.start("serial-" + name, conf, Map.of("LIBCCID_ifdLogLevel", "0x0001"));
        try {
            awaitReaders(type.slots());
        } catch (AssertionError e) {
            // libccid gives the second GetSlotStatus of its open only 100 ms; on an overloaded machine our answer
            // can be later, the open fails (and pcscd never retries). Say so, and give it one more chance.
            System.out.println("pcscd did not open the serial reader; restarting pcscd once. " + e.getMessage());
            pcscd.close();
            pcscd = debug ? Pcscd.start("serial-" + name, conf, Map.of("LIBCCID_ifdLogLevel", "0x0003"), "-d")
                    : Pcscd.start("serial-" + name, conf, Map.of("LIBCCID_ifdLogLevel", "0x0001"));
            awaitReaders(type.slots());
        }
    }

    /** Wait until pcscd has opened this many readers. */
    void awaitReaders(int n) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            Proc.Result r = pcscd.client(Duration.ofSeconds(10), "opensc-tool", "-l");
            last = r.output;
            if (readerLines(last).size() >= n) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("pcscd did not list " + n + " reader(s):\n" + last + "\n--- pcscd log:\n"
                + driverLines(pcscd.log()));
    }

    static List<String> readerLines(String openscList) {
        List<String> l = new ArrayList<>();
        for (String s : openscList.split("\n")) {
            if (s.contains(FRIENDLY)) {
                l.add(s);
            }
        }
        return l;
    }

    /** Whether opensc-tool -l shows a card in this slot's reader. */
    boolean cardShown(int slot) throws IOException {
        String out = client("opensc-tool", "-l").output;
        for (String l : out.split("\n")) {
            if (l.trim().endsWith(readerName(slot))) {
                return l.matches("\\s*\\d+\\s+Yes\\s.*");
            }
        }
        throw new AssertionError("no reader " + readerName(slot) + " in\n" + out);
    }

    /** Wait until pcscd sees the slot with or without a card. */
    void awaitCardShown(int slot, boolean present) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (cardShown(slot) != present) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("pcscd did not see slot " + slot + (present ? " filled" : " emptied")
                        + "\n" + driverLines(pcscd.log()));
            }
            Thread.sleep(100);
        }
    }

    /** PC/SC name of a slot. */
    static String readerName(int slot) {
        return FRIENDLY + " 00 " + String.format("%02d", slot);
    }

    Proc.Result client(String... command) throws IOException {
        return pcscd.client(Duration.ofSeconds(60), command);
    }

    /** The driver's and the reader factory's lines of a pcscd log (the rest is client chatter). */
    static String driverLines(String log) {
        StringBuilder b = new StringBuilder();
        for (String l : log.split("\n")) {
            if (!l.contains("winscard")) {
                b.append(l).append('\n');
            }
        }
        return tail(b.toString());
    }

    static String tail(String s) {
        return s.length() > 6000 ? s.substring(s.length() - 6000) : s;
    }

    /**
     * The safe stop order: pcscd first, then the pty line, then our side. The pty must never vanish under a running
     * pcscd (libccid's ReadChunk then loops on read() == 0 at 100 % CPU).
     */
    @Override
    public void close() throws Exception {
        try {
            if (pcscd != null) {
                pcscd.close();
                if (pcscd.isAlive()) {
                    throw new IllegalStateException("pcscd still runs: not closing the pty line under it");
                }
            }
        } finally {
            try {
                if (line != null) {
                    line.close();
                }
            } finally {
                server.close();
                engine.close();
                pool.shutdownNow();
                timer.shutdownNow();
            }
        }
    }
}
