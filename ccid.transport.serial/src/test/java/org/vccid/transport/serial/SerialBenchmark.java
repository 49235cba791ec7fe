package org.vccid.transport.serial;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.vccid.testcard.TestCard;
import org.vccid.testkit.Pcscd;
import org.vccid.testkit.Proc;
import org.vccid.transport.serial.framing.ReaderType;

/**
 * APDU/s through pcscd with javax.smartcardio (forked JVM, GET CHALLENGE 8, after 50 warm-up APDUs): our reader on
 * the serial line (libccidtwin.so, GemPC Twin, TPDU level) at T=0 and T=1, and side by side a vpcd card that
 * answers at once (libifdvpcd.so). pcscd runs without debug output. Run by hand, not in the test suite:
 *
 * <pre>
 * mvn -B -pl ccid.transport.serial -am -Pbench verify -DskipTests [-Dbench.apdus=5000 -Dbench.rounds=3]
 * </pre>
 *
 * {@code -Dbench.quick=true} (run the class directly) measures only Twin T=0 / T=1 with our own pty and with plain
 * socat, and vpcd.
 */
public final class SerialBenchmark {

    static final String VPCD_DRIVER = "/usr/lib/pcsc/drivers/serial/libifdvpcd.so";

    public static void main(String[] args) throws Exception {
        int n = Integer.getInteger("bench.apdus", 5000);
        int rounds = Integer.getInteger("bench.rounds", 3);
        Rig.assumePeers();
        List<String> rows = new ArrayList<>();
        rows.add(lineOnly(n * 3));
        rows.add(ptyOnly(n * 3));
        if (Boolean.getBoolean("bench.paired")) {
            rows.addAll(paired(n, rounds));
            System.out.println();
            System.out.printf("paired: %d x GET CHALLENGE per round, %d rounds each, interleaved, %d cores%n", n,
                    rounds, Runtime.getRuntime().availableProcessors());
            rows.forEach(System.out::println);
            return;
        }
        if (Boolean.getBoolean("bench.quick")) {
            rows.add(serial(ReaderType.GemPCTwin, "T=0", TestCard.ATR_T0, Rig.Mode.OWN_PTY, n, rounds));
            rows.add(serial(ReaderType.GemPCTwin, "T=1", TestCard.ATR_T1, Rig.Mode.OWN_PTY, n, rounds));
            rows.add(serial(ReaderType.GemPCTwin, "T=0", TestCard.ATR_T0, Rig.Mode.PLAIN_SOCAT, n, rounds));
            rows.add(serial(ReaderType.GemPCTwin, "T=1", TestCard.ATR_T1, Rig.Mode.PLAIN_SOCAT, n, rounds));
            rows.add(vpcd(n, rounds));
            System.out.println();
            rows.forEach(System.out::println);
            return;
        }
        for (Rig.Mode mode : new Rig.Mode[] { Rig.Mode.LINE_SCRIPT, Rig.Mode.PLAIN_SOCAT, Rig.Mode.OWN_PTY }) {
            rows.add(serial(ReaderType.GemPCTwin, "T=0", TestCard.ATR_T0, mode, n, rounds));
            rows.add(serial(ReaderType.GemPCTwin, "T=1", TestCard.ATR_T1, mode, n, rounds));
        }
        for (Rig.Mode mode : new Rig.Mode[] { Rig.Mode.LINE_SCRIPT, Rig.Mode.OWN_PTY }) {
            rows.add(serial(ReaderType.GemCorePOSPro, "T=0", TestCard.ATR_T0, mode, n, rounds));
            rows.add(serial(ReaderType.GemCorePOSPro, "T=1", TestCard.ATR_T1, mode, n, rounds));
        }
        if (new java.io.File(VPCD_DRIVER).exists()) {
            rows.add(vpcd(n, rounds));
        } else {
            rows.add("vpcd: " + VPCD_DRIVER + " missing, skipped");
        }
        System.out.println();
        System.out.printf("%d x GET CHALLENGE per round, %d rounds, %d cores, %s%n", n, rounds,
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
        rows.forEach(System.out::println);
    }

    static String serial(ReaderType type, String protocol, byte[] atr, Rig.Mode mode, int n, int rounds)
            throws Exception {
        try (Rig rig = new Rig("bench", type, type.slots(), 37495, mode)) {
            rig.debug = false;
            rig.engine.slot(0).insert(new TestCard(atr, true));
            rig.up("bench");
            long frames0 = rig.server.line().frames.get();
            String how = switch (mode) {
                case LINE_SCRIPT -> " (line script)";
                case PLAIN_SOCAT -> " (plain socat)";
                case OWN_PTY -> " (own pty)";
            };
            String row = row("serial " + type + " " + protocol + how,
                    rig.pcscd, Rig.readerName(0), protocol, n, rounds);
            double perApdu = (rig.server.line().frames.get() - frames0) / (double) ((n + 50) * rounds);
            return row + String.format(Locale.ROOT, "  frames/APDU %.2f", perApdu);
        }
    }

    /** One exchange with our side: write a command frame, read {@code answer} bytes back (echo included). */
    interface Exchange {
        void run(byte[] frame, int answer) throws Exception;
    }

    /** A TPDU-level engine holding a T=0 test card in slot 0, with its threads; closed after one measurement. */
    static final class BenchEngine implements AutoCloseable {
        final java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newCachedThreadPool();
        final java.util.concurrent.ScheduledExecutorService timer = java.util.concurrent.Executors
                .newSingleThreadScheduledExecutor();
        final org.vccid.ccid.internal.engine.CcidEngine engine = new org.vccid.ccid.internal.engine.CcidEngine(
                org.vccid.ccid.internal.engine.ReaderSettings.builder("line").level(
                        org.vccid.ccid.internal.engine.ExchangeLevel.TPDU).build(),
                pool, timer, new org.vccid.ccid.internal.engine.CardClaims());

        BenchEngine() {
            engine.slot(0).insert(new TestCard(TestCard.ATR_T0, true));
        }

        @Override
        public void close() {
            engine.close();
            pool.shutdownNow();
            timer.shutdownNow();
        }
    }

    /**
     * Power the card on, then time {@code n} T=0 GET CHALLENGE TPDUs (after 1,000 warm-up ones) as the driver frames
     * them on a GemPC Twin line: each answer is the echo and the DataBlock frame (8 challenge bytes, SW 90 00).
     *
     * @return exchanges per second
     */
    static double exchangesPerSecond(int n, Exchange ex) throws Exception {
        byte[] on = org.vccid.transport.serial.framing.Twin.frame(
                org.vccid.iso7816.Hex.decode("62 00 00 00 00 00 00 01 00 00"));
        ex.run(on, on.length + 17);
        byte[] xfr = org.vccid.transport.serial.framing.Twin.frame(
                org.vccid.iso7816.Hex.decode("6F 05 00 00 00 00 01 00 00 00 00 84 00 00 08"));
        int answer = xfr.length + 3 + 10 + 10;
        long t0 = 0;
        for (int i = -1000; i < n; i++) {
            if (i == 0) {
                t0 = System.nanoTime();
            }
            ex.run(xfr, answer);
        }
        return n / ((System.nanoTime() - t0) / 1e9);
    }

    /** Our side alone: a TCP client playing the driver (Twin framing, echo) sends T=0 GET CHALLENGE TPDUs. */
    static String lineOnly(int n) throws Exception {
        try (BenchEngine e = new BenchEngine();
                org.vccid.transport.serial.internal.line.SerialLineServer server =
                        new org.vccid.transport.serial.internal.line.SerialLineServer(
                                org.vccid.transport.serial.internal.line.LineSettings.loopback(37494,
                                        ReaderType.GemPCTwin), () -> e.engine);
                java.net.Socket s = new java.net.Socket("127.0.0.1", 37494)) {
            s.setTcpNoDelay(true);
            server.awaitLineReady(5000);
            java.io.InputStream in = s.getInputStream();
            java.io.OutputStream out = s.getOutputStream();
            double rate = exchangesPerSecond(n, (frame, answer) -> {
                out.write(frame);
                if (in.readNBytes(answer).length != answer) {
                    throw new IllegalStateException("line closed");
                }
            });
            return String.format(Locale.ROOT, "%-44s %6.0f exchanges/s (no pcscd, no pty: our side's ceiling)",
                    "TCP client -> our line -> engine, T=0", rate);
        }
    }

    /** Our side on its own pty: a host on the slave playing the driver (blocking I/O like libccid), no pcscd. */
    static String ptyOnly(int n) throws Exception {
        java.nio.file.Path link = java.nio.file.Path.of("/tmp/vccid-serial-pty-bench-only");
        try (BenchEngine e = new BenchEngine();
                org.vccid.transport.serial.internal.line.SerialPty pty = new org.vccid.transport.serial.internal.line
                        .SerialPty(link, org.vccid.transport.serial.internal.line.LineSettings.loopback(1,
                                ReaderType.GemPCTwin), () -> e.engine);
                org.vccid.transport.serial.internal.line.PtyBenchHost h =
                        new org.vccid.transport.serial.internal.line.PtyBenchHost(link)) {
            double rate = exchangesPerSecond(n, h::exchange);
            return String.format(Locale.ROOT, "%-44s %6.0f exchanges/s (no pcscd: our side + the pty)",
                    "pty host -> our pty -> engine, T=0", rate);
        }
    }

    /** A pcscd reader.conf for vpcd listening on {@code port}. */
    static String vpcdConf(int port) {
        return "FRIENDLYNAME \"Bench VPCD\"\nDEVICENAME /dev/null:0x" + Integer.toHexString(port)
                + "\nLIBPATH " + VPCD_DRIVER + "\nCHANNELID 0x" + Integer.toHexString(port) + "\n";
    }

    static String vpcd(int n, int rounds) throws Exception {
        int port = 37496;
        String conf = vpcdConf(port);
        try (Pcscd pcscd = Pcscd.start("bench-vpcd", conf);
                VpiccCard card = new VpiccCard(port, new TestCard(TestCard.ATR_T1, true))) {
            String reader = "Bench VPCD 00 00";
            long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
            while (!pcscd.client(Duration.ofSeconds(10), "opensc-tool", "-l").output.matches(
                    "(?s).*Yes\\s+" + reader + ".*")) {
                if (System.nanoTime() > deadline) {
                    return "vpcd: the card did not appear";
                }
                Thread.sleep(200);
            }
            return row("vpcd (card answers at once)", pcscd, reader, "*", n, rounds);
        }
    }

    /**
     * On a shared machine the load changes between rows: here the setups are all up at once (own pty T=0 and T=1,
     * plain socat T=0, vpcd, each with its own pcscd) and their rounds alternate, so each round of ours has a vpcd
     * round next to it under the same load; the ratio column is the median of the per-round ratios to vpcd.
     */
    static List<String> paired(int n, int rounds) throws Exception {
        int port = 37496;
        String conf = vpcdConf(port);
        try (Rig t0 = new Rig("bench-pty0", ReaderType.GemPCTwin, 1, 37497, Rig.Mode.OWN_PTY);
                Rig t1 = new Rig("bench-pty1", ReaderType.GemPCTwin, 1, 37498, Rig.Mode.OWN_PTY);
                Rig socat = new Rig("bench-socat", ReaderType.GemPCTwin, 1, 37495, Rig.Mode.PLAIN_SOCAT);
                Pcscd vpcd = Pcscd.start("bench-vpcd", conf);
                VpiccCard card = new VpiccCard(port, new TestCard(TestCard.ATR_T1, true))) {
            for (Rig r : List.of(t0, t1, socat)) {
                r.debug = false;
            }
            t0.engine.slot(0).insert(new TestCard(TestCard.ATR_T0, true));
            t1.engine.slot(0).insert(new TestCard(TestCard.ATR_T1, true));
            socat.engine.slot(0).insert(new TestCard(TestCard.ATR_T0, true));
            t0.up("bench-pty0");
            t1.up("bench-pty1");
            socat.up("bench-socat");
            String reader = "Bench VPCD 00 00";
            long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
            while (!vpcd.client(Duration.ofSeconds(10), "opensc-tool", "-l").output.matches(
                    "(?s).*Yes\\s+" + reader + ".*")) {
                if (System.nanoTime() > deadline) {
                    return List.of("vpcd: the card did not appear");
                }
                Thread.sleep(200);
            }
            String[] labels = { "serial GemPCTwin T=0 (own pty)", "serial GemPCTwin T=1 (own pty)",
                    "serial GemPCTwin T=0 (plain socat)", "vpcd (card answers at once)" };
            List<List<Double>> rates = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(),
                    new ArrayList<>());
            for (int i = 0; i < rounds; i++) {
                rates.get(3).add(round(labels[3], vpcd, reader, "*", n));
                rates.get(0).add(round(labels[0], t0.pcscd, Rig.readerName(0), "T=0", n));
                rates.get(1).add(round(labels[1], t1.pcscd, Rig.readerName(0), "T=1", n));
                rates.get(2).add(round(labels[2], socat.pcscd, Rig.readerName(0), "T=0", n));
            }
            List<String> out = new ArrayList<>();
            for (int k = 0; k < 4; k++) {
                List<Double> ratio = new ArrayList<>();
                for (int i = 0; i < rounds; i++) {
                    ratio.add(rates.get(k).get(i) / rates.get(3).get(i));
                }
                out.add(summary(labels[k], rates.get(k)) + String.format(Locale.ROOT, "  x vpcd (median of"
                        + " per-round ratios) %.2f", median(ratio)));
            }
            return out;
        }
    }

    static double median(List<Double> l) {
        List<Double> s = l.stream().sorted().toList();
        return s.size() % 2 == 1 ? s.get(s.size() / 2) : (s.get(s.size() / 2 - 1) + s.get(s.size() / 2)) / 2;
    }

    static String summary(String label, List<Double> rates) {
        return String.format(Locale.ROOT, "%-44s median %6.0f APDU/s  best %6.0f  rounds %s", label,
                median(rates), rates.stream().mapToDouble(Double::doubleValue).max().orElse(0),
                rates.stream().map(d -> String.format(Locale.ROOT, "%.0f", d)).toList());
    }

    static double round(String label, Pcscd pcscd, String reader, String protocol, int n) throws Exception {
        Proc.Result r = PcscClient.run(pcscd, Duration.ofMinutes(5), "bench", reader, protocol, Integer.toString(n));
        String line = r.output.lines().filter(l -> l.startsWith("RATE ")).findFirst()
                .orElseThrow(() -> new IllegalStateException(label + ": " + r));
        return Double.parseDouble(line.substring(5).trim());
    }

    static String row(String label, Pcscd pcscd, String reader, String protocol, int n, int rounds) throws Exception {
        List<Double> rates = new ArrayList<>();
        for (int i = 0; i < rounds; i++) {
            rates.add(round(label, pcscd, reader, protocol, n));
        }
        double best = rates.stream().mapToDouble(Double::doubleValue).max().orElse(0);
        double median = rates.stream().sorted().toList().get(rates.size() / 2);
        return String.format(Locale.ROOT, "%-44s median %6.0f APDU/s  best %6.0f  rounds %s", label, median, best,
                rates.stream().map(d -> String.format(Locale.ROOT, "%.0f", d)).toList());
    }
}
