package org.vccid.card.pcsc.mirror.internal;

import org.vccid.pcsc.JdkPcsc;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

import javax.smartcardio.CardChannel;
import javax.smartcardio.CardTerminal;
import javax.smartcardio.CommandAPDU;
import javax.smartcardio.ResponseAPDU;
import javax.smartcardio.TerminalFactory;

import org.vccid.testkit.Pcscd;

/**
 * Benchmark, run by hand (bench.sh): GET CHALLENGE to vicc directly with javax.smartcardio next to the same APDU
 * through the mirror's {@link MirrorCard#transmit}, in one JVM run, alternating rounds so both see the same
 * machine load. Needs root (private pcscd), PCSCLITE_CSOCK_NAME = DIR/run/pcscd.comm and the add-opens.
 *
 * <p>Arguments: DIR [apdusPerBatch=200] [pairs=100]
 */
public final class MirrorBench {

    private static final byte[] GET_CHALLENGE = { 0x00, (byte) 0x84, 0x00, 0x00, 0x08 };

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int n = args.length > 1 ? Integer.parseInt(args[1]) : 200;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 100;
        String reason = ViccPeer.unavailableReason();
        if (reason == null) {
            reason = new JdkPcsc().unavailableReason();
        }
        if (reason != null) {
            System.err.println("cannot run: " + reason);
            System.exit(2);
        }
        Pcscd pcscd = ViccPeer.startPcscd(dir);
        Process vicc = ViccPeer.startVicc(dir, 0);
        Recorder rec = new Recorder();
        HostMirror mirror = new HostMirror(new JdkPcsc(), new Settings(ViccPeer.READER_0, "", "shared", "*", 1000,
                1000), rec, rec);
        try {
            mirror.start();
            if (!rec.next(20).equals("+" + ViccPeer.READER_0)) {
                throw new IllegalStateException("mirror did not register the card");
            }
            MirrorCard card = rec.cards.get(ViccPeer.READER_0);
            CardTerminal terminal = TerminalFactory.getDefault().terminals().getTerminal(ViccPeer.READER_0);
            CardChannel direct = terminal.connect("*").getBasicChannel();
            CommandAPDU cmd = new CommandAPDU(GET_CHALLENGE);

            runDirect(direct, cmd, 500); // warm-up (JIT, vicc's Python paths)
            runMirror(card, 500);
            // short alternating batches: on a shared, loaded machine the per-pair ratio cancels load swings
            double[] d = new double[rounds];
            double[] m = new double[rounds];
            double[] ratio = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                if (r % 2 == 0) {
                    d[r] = runDirect(direct, cmd, n);
                    m[r] = runMirror(card, n);
                } else {
                    m[r] = runMirror(card, n);
                    d[r] = runDirect(direct, cmd, n);
                }
                ratio[r] = d[r] / m[r]; // mirror time per APDU / direct time per APDU
            }
            double dm = median(d);
            double mm = median(m);
            double[] sorted = ratio.clone();
            Arrays.sort(sorted);
            System.out.printf(Locale.ROOT,
                    "%d alternating pairs of %d GET CHALLENGE (load %s): direct javax.smartcardio median %.0f APDU/s "
                            + "(%.1f us), mirror median %.0f APDU/s (%.1f us)%n",
                    rounds, n, loadAverage(), dm, 1e6 / dm, mm, 1e6 / mm);
            System.out.printf(Locale.ROOT,
                    "mirror time / direct time per APDU, per pair: median %.3f, quartiles %.3f .. %.3f "
                            + "=> the mirror adds %.1f %%%n",
                    median(ratio), sorted[rounds / 4], sorted[rounds * 3 / 4], (median(ratio) - 1) * 100);
            // idle cost of the watcher: CPU time of its thread over 10 s with a card present and nothing happening
            java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
            Thread watcher = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().equals("vccid-pcsc-mirror")).findFirst().orElseThrow();
            long cpu0 = mx.getThreadCpuTime(watcher.getId());
            Thread.sleep(10_000);
            long cpu1 = mx.getThreadCpuTime(watcher.getId());
            System.out.printf(Locale.ROOT, "idle watcher thread: %.1f ms CPU in 10 s (waitMillis 1000)%n",
                    (cpu1 - cpu0) / 1e6);
        } finally {
            mirror.stop();
            ViccPeer.stop(vicc);
            pcscd.close();
        }
    }

    private static double runDirect(CardChannel channel, CommandAPDU cmd, int n) throws Exception {
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            ResponseAPDU r = channel.transmit(cmd);
            if (r.getSW() != 0x9000) {
                throw new IllegalStateException("direct: SW " + Integer.toHexString(r.getSW()));
            }
        }
        return n * 1e9 / (System.nanoTime() - t0);
    }

    private static double runMirror(MirrorCard card, int n) throws Exception {
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            byte[] r = card.transmit(GET_CHALLENGE, 0, GET_CHALLENGE.length);
            if (r.length != 10 || r[8] != (byte) 0x90) {
                throw new IllegalStateException("mirror: " + Arrays.toString(r));
            }
        }
        return n * 1e9 / (System.nanoTime() - t0);
    }

    private static String loadAverage() {
        try {
            return java.nio.file.Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (java.io.IOException e) {
            return "?";
        }
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
