package org.vccid.iso7816.t1;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.vccid.iso7816.Hex;

/** Card-side T=1 vectors. Blocks written out in full were checked by hand (LRC = XOR of NAD..INF). */
class T1CardTest {

    private final byte[] out = new byte[T1Block.MAX_BLOCK + 8];

    /** Feed a block, return the answer as hex, or "APDU_READY" / "WTX_ACKNOWLEDGED". */
    private String feed(T1Card c, String hex) {
        byte[] in = Hex.decode(hex);
        return result(c.receive(in, 0, in.length, out, 0));
    }

    private String feed(T1Card c, byte[] in) {
        return result(c.receive(in, 0, in.length, out, 0));
    }

    private String result(int n) {
        if (n == T1Card.APDU_READY) {
            return "APDU_READY";
        }
        if (n == T1Card.WTX_ACKNOWLEDGED) {
            return "WTX_ACKNOWLEDGED";
        }
        if (n == T1Card.DISCARDED) {
            return "DISCARDED";
        }
        return Hex.spaced(out, 0, n);
    }

    private String respond(T1Card c, String hex) {
        byte[] r = Hex.decode(hex);
        return result(c.respond(r, 0, r.length, out, 0));
    }

    private static byte[] block(int nad, int pcb, byte[] inf, boolean crc) {
        byte[] b = new byte[T1Block.MAX_BLOCK];
        return Arrays.copyOf(b, T1Block.build(b, 0, nad, pcb, inf, 0, inf.length, crc));
    }

    private static String apdu(T1Card c) {
        return Hex.spaced(c.apduBuffer(), 0, c.apduLength());
    }

    private static byte[] seq(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) i;
        }
        return b;
    }

    @Test
    void libccidSIfsNegotiation() {
        T1Card c = new T1Card(254, false);
        assertEquals(32, c.ifsd());
        assertEquals("00 E1 01 FE 1E", feed(c, "00 C1 01 FE 3E"));
        assertEquals(254, c.ifsd());
    }

    @Test
    void libccidSIfsNegotiationWithCrc() {
        T1Card c = new T1Card(254, true);
        assertEquals("00 E1 01 FE 57 75", feed(c, "00 C1 01 FE 54 4E"));
        assertEquals(254, c.ifsd());
    }

    @Test
    void simpleExchangesAlternateSequenceNumbers() {
        T1Card c = new T1Card(254, false);
        // I(0) GET CHALLENGE 00 84 00 00 08: LRC = 05^84^08 = 89
        assertEquals("APDU_READY", feed(c, "00 00 05 00 84 00 00 08 89"));
        assertEquals("00 84 00 00 08", apdu(c));
        assertTrue(c.commandPending());
        // response 01..08 90 00 -> I(0) LEN 0A: LRC = 0A^01^02^03^04^05^06^07^08^90 = 0A^08^90 = 92
        assertEquals("00 00 0A 01 02 03 04 05 06 07 08 90 00 92", respond(c, "01 02 03 04 05 06 07 08 90 00"));
        assertFalse(c.commandPending());
        // I(1) 00 84 00 00 08: LRC = 40^05^84^08 = C9
        assertEquals("APDU_READY", feed(c, "00 40 05 00 84 00 00 08 C9"));
        assertEquals("00 40 02 6D 00 2F", respond(c, "6D 00")); // 40^02^6D = 2F
        assertEquals("APDU_READY", feed(c, "00 00 05 00 84 00 00 08 89"));
        assertEquals("00 00 02 90 00 92", respond(c, "90 00"));
    }

    @Test
    void libccidChainingBothWays255ByteEcho() {
        T1Card c = new T1Card(254, false);
        assertEquals("00 E1 01 FE 1E", feed(c, "00 C1 01 FE 3E"));
        // case 4 ECHO with Lc=255: 261 bytes -> I(0,M) 254 bytes + I(1) 7 bytes
        byte[] data = seq(255);
        byte[] command = new byte[261];
        command[1] = (byte) 0xEE;
        command[4] = (byte) 0xFF;
        System.arraycopy(data, 0, command, 5, 255);
        byte[] first = block(0, 0x20, Arrays.copyOfRange(command, 0, 254), false);
        assertEquals("00 20 FE", Hex.spaced(first, 0, 3));
        assertEquals("00 90 00 90", feed(c, first)); // R(1)
        assertEquals("APDU_READY", feed(c, block(0, 0x40, Arrays.copyOfRange(command, 254, 261), false)));
        assertArrayEquals(command, Arrays.copyOf(c.apduBuffer(), c.apduLength()));
        // 257-byte response: I(0,M) 254 bytes, then after R(1) I(1) "FE 90 00"
        byte[] response = Arrays.copyOf(data, 257);
        response[255] = (byte) 0x90;
        int n = c.respond(response, 0, response.length, out, 0);
        assertEquals(T1Block.PROLOGUE + 254 + 1, n);
        assertEquals("00 20 FE 00 01 02", Hex.spaced(out, 0, 6));
        assertEquals(T1Block.OK, T1Block.check(out, 0, n, false));
        assertEquals("00 40 03 FE 90 00 2D", feed(c, "00 90 00 90"));
        // the next command is I(0) again: the terminal sent I(0) and I(1)
        assertEquals("APDU_READY", feed(c, "00 00 05 00 84 00 00 08 89"));
    }

    @Test
    void responseChunksFollowIfsd() {
        T1Card c = new T1Card(32, false);
        assertEquals("APDU_READY", feed(c, "00 00 05 00 84 00 00 08 89"));
        byte[] response = seq(70); // IFSD 32 by default: 32 + 32 + 6
        int n = c.respond(response, 0, 70, out, 0);
        T1Block b = T1Block.parse(out, 0, n, false);
        assertEquals("I(0,M) 32 bytes", b.toString());
        assertEquals("I(1,M) 32 bytes", T1Block.parse(Hex.decode(feed(c, "00 90 00 90")), false).toString());
        assertEquals("I(0) 6 bytes", T1Block.parse(Hex.decode(feed(c, "00 80 00 80")), false).toString());
    }

    @Test
    void badEdcIsAnsweredWithAnEdcErrorRBlockThenTheRetransmissionIsAccepted() {
        T1Card c = new T1Card(254, false);
        assertEquals("00 81 00 81", feed(c, "00 00 05 00 84 00 00 08 88"));
        assertEquals("truncated block", feedError(c, "00 00 05 00 84"));
        assertEquals("APDU_READY", feed(c, "00 00 05 00 84 00 00 08 89"));
    }

    private String feedError(T1Card c, String hex) {
        assertEquals("00 81 00 81", feed(c, hex));
        return c.lastError();
    }

    @ParameterizedTest
    @CsvSource({
            "00 00 05 00 84 00 00 08 88, 00 81 00 81", // bad LRC
            "00 00 05 00 84 00 00 08, 00 81 00 81", // truncated (EDC missing)
            "00 00 05, 00 81 00 81", // truncated prologue + nothing
            "00, 00 81 00 81",
            "'', 00 81 00 81",
            "00 00 06 00 84 00 00 08 89, 00 81 00 81", // LEN larger than the bytes
            "00 00 04 00 84 00 00 08 89, 00 82 00 82", // LEN smaller: trailing bytes
            "00 00 FF 00 84 00 00 08 89, 00 82 00 82", // LEN FF
            "00 01 00 01, 00 82 00 82", // I-block with RFU bit
            "00 C4 00 C4, 00 82 00 82", // S type 4
            "00 A0 00 A0, 00 82 00 82", // R-block with b6
            "00 83 00 83, 00 82 00 82", // R error code 3
            "00 90 01 00 91, 00 82 00 82", // R-block with INF
            "00 C1 00 C1, 00 82 00 82", // S(IFS) without value
            "00 C1 01 00 C0, 00 82 00 82", // IFSD 0
            "00 C1 01 FF 3F, 00 82 00 82", // IFSD FF
            "00 C3 01 01 C3, 00 82 00 82", // S(WTX request) from the terminal
            "00 E1 01 20 C0, 00 82 00 82", // unexpected S(IFS response)
            "00 E0 00 E0, 00 82 00 82", // unexpected S(RESYNCH response)
            "00 E3 01 01 E3, 00 82 00 82", // S(WTX response) without request
            "00 40 05 00 84 00 00 08 C9, 00 82 00 82", // I(1) when I(0) is expected
            "00 80 00 80, 00 82 00 82", // R-block before the card sent anything
    })
    void badInputAfterReset(String in, String expected) {
        T1Card c = new T1Card(254, false);
        assertEquals(expected, feed(c, in));
        assertEquals(32, c.ifsd());
        assertFalse(c.commandPending());
        assertTrue(c.lastError() != null);
        // the card still works: the next valid command goes through
        assertEquals("APDU_READY", feed(c, "00 00 05 00 84 00 00 08 89"));
    }

    @Test
    void iBlockLongerThanIfscIsRejected() {
        T1Card c = new T1Card(16, false);
        assertEquals("00 82 00 82", feed(c, block(0, 0, new byte[17], false)));
        assertEquals("I-block INF longer than IFSC", c.lastError());
        assertEquals("APDU_READY", feed(c, block(0, 0, new byte[16], false)));
    }

    @Test
    void lostResponseIsRetransmittedOnRBlock() {
        T1Card c = new T1Card(254, false);
        feed(c, "00 00 05 00 84 00 00 08 89");
        String resp = respond(c, "01 02 90 00");
        assertEquals("00 00 04 01 02 90 00 97", resp); // 04^01^02^90 = 97
        assertEquals(resp, feed(c, "00 81 00 81")); // R(0) EDC error: the terminal did not get I(0)
        assertEquals(resp, feed(c, "00 82 00 82"));
        assertEquals(resp, feed(c, "00 80 00 80")); // R(0) without error: same request
        assertEquals("APDU_READY", feed(c, "00 40 05 00 84 00 00 08 C9"));
    }

    @Test
    void cardChainRetransmissionAndNext() {
        T1Card c = new T1Card(254, false);
        feed(c, "00 00 05 00 84 00 00 08 89");
        byte[] response = seq(40); // IFSD 32: I(0,M) 32, I(1) 8
        String first = result(c.respond(response, 0, 40, out, 0));
        assertEquals(first, feed(c, "00 81 00 81")); // R(0) error: resend I(0,M)
        assertEquals(first, feed(c, "00 80 00 80"));
        // a corrupted R-block from the terminal is answered by an error R-block (not recorded)...
        assertEquals("00 91 00 91", feed(c, "00 90 00 91"));
        // ...and the terminal's resent R(1) still gets the next chained block
        String second = feed(c, "00 90 00 90");
        assertEquals("I(1) 8 bytes", T1Block.parse(Hex.decode(second), false).toString());
        assertEquals(second, feed(c, "00 91 00 91")); // resend the last one
        assertEquals(second, feed(c, "00 90 00 90"));
    }

    @Test
    void terminalChainAckIsRetransmitted() {
        T1Card c = new T1Card(32, false);
        assertEquals("00 90 00 90", feed(c, block(0, 0x20, seq(32), false)));
        assertEquals("00 90 00 90", feed(c, "00 81 00 81")); // the terminal lost our R(1)
        assertEquals("00 80 00 80", feed(c, block(0, 0x60, seq(32), false)));
        assertEquals("APDU_READY", feed(c, block(0, 0x00, seq(3), false)));
        assertEquals(67, c.apduLength());
    }

    @Test
    void iBlockDuringCardChainIsAnError() {
        T1Card c = new T1Card(254, false);
        feed(c, "00 00 05 00 84 00 00 08 89");
        c.respond(seq(40), 0, 40, out, 0);
        assertEquals("00 92 00 92", feed(c, "00 40 05 00 84 00 00 08 C9"));
        assertEquals("I(1) 8 bytes", T1Block.parse(Hex.decode(feed(c, "00 90 00 90")), false).toString());
    }

    @Test
    void sIfsDuringCardChainKeepsTheChain() {
        T1Card c = new T1Card(254, false);
        feed(c, "00 00 05 00 84 00 00 08 89");
        c.respond(seq(100), 0, 100, out, 0); // 32 sent
        assertEquals("00 E1 01 FE 1E", feed(c, "00 C1 01 FE 3E"));
        String next = feed(c, "00 90 00 90");
        assertEquals("I(1) 68 bytes", T1Block.parse(Hex.decode(next), false).toString());
    }

    @Test
    void resynchResetsSequenceNumbersAndIfsd() {
        T1Card c = new T1Card(254, false);
        feed(c, "00 C1 01 FE 3E");
        feed(c, "00 00 05 00 84 00 00 08 89");
        respond(c, "90 00");
        assertEquals("00 80 00 80", feed(c, block(0, 0x60, seq(10), false))); // I(1,M) acknowledged with R(0)
        assertEquals("00 E0 00 E0", feed(c, "00 C0 00 C0"));
        assertEquals(32, c.ifsd());
        assertEquals("00 82 00 82", feed(c, "00 40 05 00 84 00 00 08 C9")); // I(1) no longer expected
        assertEquals("APDU_READY", feed(c, "00 00 05 00 84 00 00 08 89"));
        assertEquals("00 84 00 00 08", apdu(c)); // the dropped chain left nothing behind
        assertEquals("00 00 02 90 00 92", respond(c, "90 00")); // the card's N(S) restarts at 0
    }

    @Test
    void abortDropsTheTerminalChain() {
        T1Card c = new T1Card(254, false);
        assertEquals("00 90 00 90", feed(c, block(0, 0x20, seq(10), false)));
        assertEquals("00 E2 00 E2", feed(c, "00 C2 00 C2"));
        assertEquals("APDU_READY", feed(c, "00 40 05 00 84 00 00 08 C9"));
        assertEquals("00 84 00 00 08", apdu(c));
    }

    @Test
    void abortDropsTheCardChain() {
        T1Card c = new T1Card(254, false);
        feed(c, "00 00 05 00 84 00 00 08 89");
        c.respond(seq(40), 0, 40, out, 0);
        assertEquals("00 E2 00 E2", feed(c, "00 C2 00 C2"));
        assertEquals("00 E2 00 E2", feed(c, "00 80 00 80")); // an R-block now gets the last block again
        assertEquals("APDU_READY", feed(c, "00 40 05 00 84 00 00 08 C9"));
    }

    @Test
    void waitingTimeExtension() {
        T1Card c = new T1Card(254, false);
        feed(c, "00 00 05 00 84 00 00 08 89");
        int n = c.wtxRequest(2, out, 0);
        assertEquals("00 C3 01 02 C0", Hex.spaced(out, 0, n));
        assertThrows(IllegalStateException.class, () -> c.respond(new byte[2], 0, 2, out, 0));
        assertThrows(IllegalStateException.class, () -> c.wtxRequest(2, out, 0));
        assertEquals("00 C3 01 02 C0", feed(c, "00 81 00 81")); // the terminal lost the request
        // rule 7.3: anything but the S(WTX response) gets the request again
        assertEquals("00 C3 01 02 C0", feed(c, "00 E3 01 03 E1")); // wrong value
        assertEquals("00 C3 01 02 C0", feed(c, "00 00 05 00 84 00 00 08 89")); // an I-block
        assertEquals("00 C3 01 02 C0", feed(c, "00 E3 01 02 E1")); // bad EDC
        assertEquals("00 C3 01 02 C0", feed(c, "00 C1 01 FE 3E")); // S(IFS request)
        assertEquals("WTX_ACKNOWLEDGED", feed(c, "00 E3 01 02 E0"));
        assertTrue(c.commandPending());
        assertEquals("00 C3 01 05 C7", result(c.wtxRequest(5, out, 0))); // a second extension
        assertEquals("WTX_ACKNOWLEDGED", feed(c, "00 E3 01 05 E7"));
        assertEquals("00 00 02 90 00 92", respond(c, "90 00"));
    }

    @Test
    void wtxRequestNeedsAPendingCommand() {
        T1Card c = new T1Card(254, false);
        assertThrows(IllegalStateException.class, () -> c.wtxRequest(1, out, 0));
        feed(c, "00 00 05 00 84 00 00 08 89");
        assertThrows(IllegalArgumentException.class, () -> c.wtxRequest(0, out, 0));
        assertThrows(IllegalArgumentException.class, () -> c.wtxRequest(256, out, 0));
    }

    @Test
    void abortDuringWtxDiscardsTheLateResponse() {
        T1Card c = new T1Card(254, false);
        feed(c, "00 00 05 00 84 00 00 08 89");
        c.wtxRequest(1, out, 0);
        assertEquals("00 E2 00 E2", feed(c, "00 C2 00 C2"));
        assertFalse(c.commandPending());
        assertEquals("DISCARDED", respond(c, "90 00"));
    }

    @Test
    void blockWhileProcessingAbandonsTheCommand() {
        T1Card c = new T1Card(254, false);
        feed(c, "00 00 05 00 84 00 00 08 89");
        assertEquals("00 E1 01 FE 1E", feed(c, "00 C1 01 FE 3E"));
        assertEquals("DISCARDED", respond(c, "90 00"));
        assertEquals("APDU_READY", feed(c, "00 40 05 00 84 00 00 08 C9"));
    }

    @Test
    void respondWithoutCommandIsDiscarded() {
        assertEquals("DISCARDED", respond(new T1Card(254, false), "90 00"));
    }

    @Test
    void nadIsAnsweredWithAddressesExchanged() {
        T1Card c = new T1Card(254, false);
        assertEquals("21 E1 01 FE 3F", feed(c, "12 C1 01 FE 2C")); // 12^C1^01^FE = 2C; 21^E1^01^FE = 3F
        assertEquals("APDU_READY", feed(c, block(0x12, 0, Hex.decode("00 84 00 00 08"), false)));
        assertEquals("21 00 02 90 00 B3", respond(c, "90 00")); // 21^02^90 = B3
    }

    @Test
    void chainLongerThan65544BytesIsRefused() {
        T1Card c = new T1Card(254, false);
        byte[] chunk = seq(254);
        int ns = 0;
        int accepted = 0;
        for (int i = 0; i < 258; i++) { // 258 * 254 = 65532
            assertEquals(ns == 0 ? "00 90 00 90" : "00 80 00 80", feed(c, block(0, ns << 6 | 0x20, chunk, false)));
            ns ^= 1;
            accepted += 254;
        }
        assertEquals("00 " + (ns == 0 ? "82 00 82" : "92 00 92"), feed(c, block(0, ns << 6 | 0x20, chunk, false)));
        assertEquals("chained command longer than 65544 bytes", c.lastError());
        // 12 more bytes still fit: 65544 exactly
        assertEquals("APDU_READY", feed(c, block(0, ns << 6, seq(T1Card.MAX_APDU - accepted), false)));
        assertEquals(T1Card.MAX_APDU, c.apduLength());
    }

    @Test
    void resetRestoresPowerOnState() {
        T1Card c = new T1Card(254, false);
        feed(c, "00 C1 01 FE 3E");
        feed(c, "00 00 05 00 84 00 00 08 89");
        c.reset();
        assertEquals(32, c.ifsd());
        assertFalse(c.commandPending());
        assertEquals("DISCARDED", respond(c, "90 00"));
        assertEquals("00 82 00 82", feed(c, "00 80 00 80")); // nothing sent since reset
        assertEquals("APDU_READY", feed(c, "00 00 05 00 84 00 00 08 89"));
    }

    @Test
    void constructorRejectsBadIfsc() {
        assertThrows(IllegalArgumentException.class, () -> new T1Card(0, false));
        assertThrows(IllegalArgumentException.class, () -> new T1Card(255, false));
    }

    @Test
    void hotPathDoesNotAllocate() {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        T1Card c = new T1Card(254, false);
        byte[] command1 = block(0, 0x40, Hex.decode("00 84 00 00 08"), false);
        byte[] chained = block(0, 0x20, seq(254), false);
        byte[] response = seq(600);
        byte[] rAck0 = Hex.decode("00 80 00 80");
        byte[] rAck1 = Hex.decode("00 90 00 90");
        c.receive(Hex.decode("00 C1 01 FE 3E"), 0, 5, out, 0);
        Runnable round = () -> {
            for (int i = 0; i < 2; i++) {
                // the terminal's blocks are the same every time: I(0,M) then I(1)
                if (c.receive(chained, 0, chained.length, out, 0) < 0
                        || c.receive(command1, 0, command1.length, out, 0) != T1Card.APDU_READY) {
                    throw new AssertionError("chain");
                }
                c.respond(response, 0, response.length, out, 0); // 254 + 254 + 92: card N(S) 0,1,0 then 1,0,1
                byte[] a = i == 0 ? rAck1 : rAck0;
                byte[] b = i == 0 ? rAck0 : rAck1;
                c.receive(a, 0, a.length, out, 0);
                c.receive(b, 0, b.length, out, 0);
            }
        };
        for (int i = 0; i < 20000; i++) {
            round.run(); // warm up
        }
        long before = mx.getThreadAllocatedBytes(Thread.currentThread().getId());
        for (int i = 0; i < 10000; i++) {
            round.run();
        }
        long allocated = mx.getThreadAllocatedBytes(Thread.currentThread().getId()) - before;
        assertTrue(allocated < 4096, allocated + " bytes allocated for 100000 blocks");
    }
}
