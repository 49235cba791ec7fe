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
import org.vccid.transport.serial.internal.framing.ReaderType;
import org.vccid.transport.serial.internal.line.LineSettings;
import org.vccid.transport.serial.internal.line.SerialLineServer;

/**
 * Our reader on a serial line in front of a private pcscd with libccidtwin.so. Start order: our side, the pty
 * line, pcscd. Stop order (close): pcscd, the pty line, our side. Never the other way round: libccid busy-loops
 * when the pty master vanishes under a running pcscd.
 */
final class Rig implements AutoCloseable {

    static final String TWIN_DRIVER = "/usr/lib/pcsc/drivers/serial/libccidtwin.so";
    static final String FRIENDLY = "vccid Serial";

    final ExecutorService pool = Executors.newCachedThreadPool();
    final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    final String name;
    final int slots;
    final ReaderType type;
    CcidEngine engine;
    SerialLineServer server;
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
        this.name = name;
        this.type = type;
        this.slots = slots;
        startOurSide(port);
    }

    /** Our side: a TPDU-level engine and its serial line on the port. */
    void startOurSide(int port) throws IOException {
        CcidEngine e = new CcidEngine(ReaderSettings.builder("serial " + name).slots(slots)
                .level(ExchangeLevel.TPDU).build(), pool, timer, new CardClaims());
        engine = e;
        server = new SerialLineServer(LineSettings.loopback(port, type), () -> e);
    }

    /** Our side goes away (JVM restart, bundle update): the pty line and pcscd stay. */
    void stopOurSide() {
        server.close();
        engine.close();
    }

    /** Full start: the pty line, then pcscd; waits until pcscd lists every slot. */
    Rig up(String name) throws Exception {
        return up(name, false);
    }

    /** As {@link #up(String)}; {@code direct}: a plain socat instead of the reconnecting line script. */
    Rig up(String name, boolean direct) throws Exception {
        line = direct ? PtyLine.startDirect(name, server.port()) : PtyLine.start(name, server.port());
        if (!server.awaitLineReady(10_000)) {
            throw new AssertionError("the pty line did not connect to port " + server.port());
        }
        startPcscd(name);
        return this;
    }

    void startPcscd(String name) throws Exception {
        String conf = "FRIENDLYNAME \"" + FRIENDLY + "\"\nDEVICENAME " + line.deviceName(type.name())
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
