package org.vccid.iso7816.bench;

import org.vccid.iso7816.t0.T0Card;
import org.vccid.iso7816.t1.T1Block;
import org.vccid.iso7816.t1.T1Card;

/**
 * Throughput of the card-side protocol engines, run by hand (not a test):
 * {@code java -cp ccid.core/target/classes:ccid.core/target/test-classes org.vccid.iso7816.bench.ProtocolBench}.
 * Figures go into ccid.core/README.md.
 */
public final class ProtocolBench {

    /** Consumed results, so that the JIT cannot drop the work. */
    private static long sink;

    private ProtocolBench() {
    }

    public static void main(String[] args) {
        for (int round = 0; round < 3; round++) {
            System.out.printf("T=1 short  (I 5 bytes -> I 10 bytes), LRC: %,12.0f exchanges/s%n", t1Short(false));
            System.out.printf("T=1 short  (I 5 bytes -> I 10 bytes), CRC: %,12.0f exchanges/s%n", t1Short(true));
            System.out.printf("T=1 chained (261-byte command, 257-byte response, IFS 254): %,12.0f exchanges/s%n",
                    t1Chained());
            System.out.printf("T=0 case 2 (5-byte TPDU -> 8 bytes + SW):  %,12.0f exchanges/s%n", t0Case2());
            System.out.printf("T=0 case 4 (TPDU + 61xx + GET RESPONSE):   %,12.0f exchanges/s%n", t0Case4());
        }
        System.out.println("(sink " + sink + ")");
    }

    private static byte[] block(int pcb, int infLen, boolean crc) {
        byte[] b = new byte[T1Block.MAX_BLOCK];
        byte[] inf = new byte[infLen];
        int n = T1Block.build(b, 0, 0, pcb, inf, 0, infLen, crc);
        return java.util.Arrays.copyOf(b, n);
    }

    private static double t1Short(boolean crc) {
        T1Card c = new T1Card(254, crc);
        byte[] out = new byte[T1Block.MAX_BLOCK];
        byte[][] cmd = { block(0x00, 5, crc), block(0x40, 5, crc) };
        byte[] resp = new byte[10];
        int n = 2_000_000;
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            byte[] b = cmd[i & 1];
            if (c.receive(b, 0, b.length, out, 0) != T1Card.APDU_READY) {
                throw new AssertionError();
            }
            sink += c.respond(resp, 0, resp.length, out, 0) + out[12];
        }
        return n / ((System.nanoTime() - t0) / 1e9);
    }

    private static double t1Chained() {
        T1Card c = new T1Card(254, false);
        byte[] out = new byte[T1Block.MAX_BLOCK];
        c.receive(new byte[] { 0, (byte) 0xC1, 1, (byte) 0xFE, 0x3E }, 0, 5, out, 0);
        byte[] first = block(0x20, 254, false);
        byte[] last = block(0x40, 7, false);
        byte[] ack = { 0, (byte) 0x90, 0, (byte) 0x90 }; // the card sends I(0,M) I(1) every time: R(1) acks
        byte[] resp = new byte[257];
        int n = 300_000;
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            c.receive(first, 0, first.length, out, 0);
            if (c.receive(last, 0, last.length, out, 0) != T1Card.APDU_READY) {
                throw new AssertionError();
            }
            c.respond(resp, 0, resp.length, out, 0);
            if (c.receive(ack, 0, ack.length, out, 0) != 3 + 3 + 1) {
                throw new AssertionError();
            }
        }
        return n / ((System.nanoTime() - t0) / 1e9);
    }

    private static double t0Case2() {
        T0Card c = new T0Card();
        byte[] out = new byte[T0Card.MAX_ANSWER];
        byte[] cmd = { 0, (byte) 0x84, 0, 0, 8 };
        byte[] resp = new byte[10];
        resp[8] = (byte) 0x90;
        int n = 3_000_000;
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            c.receive(cmd, 0, 5, out, 0);
            sink += c.respond(resp, 0, resp.length, out, 0) + out[9];
        }
        return n / ((System.nanoTime() - t0) / 1e9);
    }

    private static double t0Case4() {
        T0Card c = new T0Card();
        byte[] out = new byte[T0Card.MAX_ANSWER];
        byte[] cmd = { 0, (byte) 0xA4, 4, 0, 2, 0x3F, 0 };
        byte[] gr = { 0, (byte) 0xC0, 0, 0, 20 };
        byte[] resp = new byte[22];
        resp[20] = (byte) 0x90;
        int n = 3_000_000;
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            c.receive(cmd, 0, cmd.length, out, 0);
            c.respond(resp, 0, resp.length, out, 0);
            sink += c.receive(gr, 0, 5, out, 0) + out[21];
        }
        return n / ((System.nanoTime() - t0) / 1e9);
    }
}
