package org.vccid.iso7816.t0;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.UnaryOperator;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.vccid.iso7816.CommandApdu;
import org.vccid.iso7816.Hex;

class T0CardTest {

    private final byte[] out = new byte[T0Card.MAX_ANSWER];
    private final T0Card t0 = new T0Card();
    /** APDUs the card saw. */
    private final List<String> seen = new ArrayList<>();

    /** Send a TPDU; when the card is asked, it answers {@code card}. */
    private String tpdu(String hex, String card) {
        byte[] in = Hex.decode(hex);
        int n = t0.receive(in, 0, in.length, out, 0);
        if (n == T0Card.APDU_READY) {
            seen.add(Hex.spaced(t0.apduBuffer(), 0, t0.apduLength()));
            byte[] r = Hex.decode(card);
            n = t0.respond(r, 0, r.length, out, 0);
        }
        return n == T0Card.DISCARDED ? "DISCARDED" : Hex.spaced(out, 0, n);
    }

    /** A TPDU the card must not see. */
    private String local(String hex) {
        int before = seen.size();
        String r = tpdu(hex, "6F 00");
        assertEquals(before, seen.size(), "the card was asked for " + hex);
        return r;
    }

    private static String bytes(int n, int seed) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (seed + i);
        }
        return Hex.spaced(b);
    }

    private static String join(String... parts) {
        StringBuilder sb = new StringBuilder();
        for (String p : parts) {
            if (!p.isEmpty()) {
                sb.append(sb.length() > 0 ? " " : "").append(p);
            }
        }
        return sb.toString();
    }

    @Test
    void libccidGetChallenge() {
        String random = bytes(8, 0x40);
        assertEquals(random + " 90 00", tpdu("00 84 00 00 08", random + " 90 00"));
        assertEquals(List.of("00 84 00 00 08"), seen);
    }

    @Test
    void case1SwOnlyPassesThrough() {
        assertEquals("90 00", tpdu("00 A4 00 00 00", "90 00"));
        assertEquals("6D 00", tpdu("80 CA 00 00 00", "6D 00"));
        assertEquals("90 00", tpdu("00 A4 00 00", "90 00")); // 4-byte TPDU
        assertEquals(List.of("00 A4 00 00 00", "80 CA 00 00 00", "00 A4 00 00"), seen);
    }

    @Test
    void case2WrongLeGives6CxxAndTheHostReissues() {
        String data = bytes(100, 1);
        assertEquals("6C 64", tpdu("00 B0 00 00 00", data + " 90 00")); // Le 256, 100 available
        assertEquals(0, t0.heldLength()); // the data is dropped
        assertEquals(data + " 90 00", tpdu("00 B0 00 00 64", data + " 90 00"));
        assertEquals("6C 10", tpdu("00 84 00 00 08", bytes(16, 0) + " 90 00")); // more than Le
        assertEquals("6C 00", tpdu("00 B0 00 00 10", bytes(256, 0) + " 90 00")); // 256 available
        assertEquals("6C 00", tpdu("00 B0 00 00 10", bytes(300, 0) + " 90 00"));
    }

    @Test
    void case2ExactLengthPassesThroughIncludingWarnings() {
        assertEquals(bytes(256, 3) + " 90 00", tpdu("00 B0 00 00 00", bytes(256, 3) + " 90 00"));
        assertEquals(bytes(5, 3) + " 62 82", tpdu("00 B0 00 00 05", bytes(5, 3) + " 62 82"));
        assertEquals(bytes(5, 3) + " 61 10", tpdu("00 B0 00 00 05", bytes(5, 3) + " 61 10"));
    }

    @Test
    void case2WithMoreThan256BytesAndLe256Chains() {
        String data = bytes(300, 7);
        String first = data.substring(0, 256 * 3 - 1);
        String rest = data.substring(256 * 3);
        assertEquals(first + " 61 2C", tpdu("00 B0 00 00 00", data + " 90 00"));
        assertEquals(44, t0.heldLength());
        assertEquals(rest + " 90 00", local("00 C0 00 00 2C"));
        assertEquals(0, t0.heldLength());
    }

    @Test
    void case3SwOnlyPassesThrough() {
        assertEquals("90 00", tpdu("00 A4 04 00 07 A0 00 00 00 03 00 00", "90 00"));
        assertEquals("6A 82", tpdu("00 A4 04 00 02 3F 00", "6A 82"));
        assertEquals("61 10", tpdu("00 A4 04 00 02 3F 00", "61 10")); // the card chains itself
        // nothing is held, so GET RESPONSE goes to the card, which serves its own chain
        assertEquals(bytes(16, 0) + " 90 00", tpdu("00 C0 00 00 10", bytes(16, 0) + " 90 00"));
        assertEquals("00 C0 00 00 10", seen.get(3));
    }

    @Test
    void case4DataIsHeldFor61xxAndGetResponse() {
        String fci = bytes(20, 0x6F);
        assertEquals("61 14", tpdu("00 A4 04 00 07 A0 00 00 00 03 00 00", fci + " 90 00"));
        assertEquals(20, t0.heldLength());
        assertEquals(fci + " 90 00", local("00 C0 00 00 14"));
        assertEquals(1, seen.size());
    }

    @Test
    void libccid255ByteCase4Echo() {
        String data = bytes(255, 0);
        assertEquals("61 FF", tpdu("00 EE 00 00 FF " + data, data + " 90 00"));
        assertEquals(260, Hex.decode(seen.get(0)).length);
        String r = local("00 C0 00 00 FF");
        assertEquals(257, Hex.decode(r).length);
        assertEquals(data + " 90 00", r);
    }

    @Test
    void getResponseInParts() {
        String data = bytes(300, 9);
        assertEquals("61 00", tpdu("00 CB 3F FF 02 5C 00", data + " 62 82")); // 256 or more: 61 00
        String[] bytes = data.split(" ");
        assertEquals(join(String.join(" ", Arrays.copyOfRange(bytes, 0, 256)), "61 2C"), local("00 C0 00 00 00"));
        assertEquals("6C 2C", local("00 C0 00 00 30")); // asks for more than is left: data kept
        assertEquals(join(String.join(" ", Arrays.copyOfRange(bytes, 256, 264)), "61 24"), local("00 C0 00 00 08"));
        // the last part ends with the card's own status word
        assertEquals(join(String.join(" ", Arrays.copyOfRange(bytes, 264, 300)), "62 82"), local("00 C0 00 00 24"));
        assertEquals(0, t0.heldLength());
        assertEquals("6A 88", tpdu("00 C0 00 00 10", "6A 88")); // nothing held: the card answers
        assertEquals("00 C0 00 00 10", seen.get(1));
    }

    @Test
    void getResponseBadParametersKeepTheData() {
        assertEquals("61 14", tpdu("00 A4 04 00 01 00", bytes(20, 0) + " 90 00"));
        assertEquals("6B 00", local("00 C0 01 00 14"));
        assertEquals("6B 00", local("00 C0 00 01 14"));
        assertEquals("67 00", local("00 C0 00 00"));
        assertEquals(20, t0.heldLength());
        assertEquals(bytes(20, 0) + " 90 00", local("00 C0 00 00 14"));
    }

    @Test
    void anyOtherCommandDropsTheHeldData() {
        assertEquals("61 14", tpdu("00 A4 04 00 01 00", bytes(20, 0) + " 90 00"));
        assertEquals("90 00", tpdu("00 20 00 80 00", "90 00"));
        assertEquals(0, t0.heldLength());
        assertEquals("69 85", tpdu("00 C0 00 00 14", "69 85")); // now the card gets GET RESPONSE
        assertEquals(3, seen.size());
    }

    @Test
    void case4WithCardChainingPassesTheCardsOwn61xxAtTheEnd() {
        assertEquals("61 04", tpdu("00 A4 04 00 01 00", "01 02 03 04 61 10"));
        assertEquals("01 02 03 04 61 10", local("00 C0 00 00 04"));
        assertEquals(bytes(16, 0) + " 90 00", tpdu("00 C0 00 00 10", bytes(16, 0) + " 90 00"));
    }

    @Test
    void fourByteTpduWithDataBehavesAsCase4() {
        assertEquals("61 03", tpdu("00 A4 00 00", "01 02 03 90 00"));
        assertEquals("01 02 03 90 00", local("00 C0 00 00 03"));
    }

    @ParameterizedTest
    @CsvSource({
            "'', 67 00",
            "00, 67 00",
            "00 A4, 67 00",
            "00 A4 00, 67 00",
            "00 A4 04 00 00 3F, 67 00", // P3 = 00 with data
            "00 A4 04 00 05 3F 00 01, 67 00", // Lc 5, 3 bytes
            "00 A4 04 00 02 3F 00 01, 67 00", // Lc 2, 3 bytes
            "FF 10 11 FE, 6E 00", // CLA FF: PPS, not a command
            "00 60 00 00 00, 6D 00",
            "00 6F 00 00 00, 6D 00",
            "00 90 00 00 00, 6D 00",
            "00 9F 00 00 02 01 02, 6D 00" })
    void badTpdusAreAnsweredLocally(String tpdu, String sw) {
        assertEquals("61 14", tpdu("00 A4 04 00 01 00", bytes(20, 0) + " 90 00"));
        assertEquals(sw, local(tpdu));
        assertFalse(t0.commandPending());
        assertEquals(0, t0.heldLength()); // not a GET RESPONSE: held data dropped
        assertEquals("90 00", tpdu("00 A4 00 00 00", "90 00")); // and the slot still works
    }

    @Test
    void oversizeTpduIsRefused() {
        byte[] big = new byte[261];
        big[4] = (byte) 0xFF;
        assertEquals(2, t0.receive(big, 0, big.length, out, 0));
        assertEquals("67 00", Hex.spaced(out, 0, 2));
        byte[] max = Arrays.copyOf(big, 260);
        assertEquals(T0Card.APDU_READY, t0.receive(max, 0, max.length, out, 0));
        assertEquals(260, t0.apduLength());
    }

    @Test
    void cardAnswerWithoutStatusWordBecomes6F00() {
        assertEquals("6F 00", tpdu("00 B0 00 00 00", ""));
        assertEquals("6F 00", tpdu("00 B0 00 00 00", "90"));
    }

    @Test
    void respondWithoutPendingCommandIsDiscarded() {
        assertEquals(T0Card.DISCARDED, t0.respond(new byte[] { (byte) 0x90, 0 }, 0, 2, out, 0));
        byte[] cmd = Hex.decode("00 84 00 00 08");
        assertEquals(T0Card.APDU_READY, t0.receive(cmd, 0, 5, out, 0));
        assertTrue(t0.commandPending());
        assertEquals(T0Card.APDU_READY, t0.receive(cmd, 0, 5, out, 0)); // host did not wait: the first is forgotten
        assertEquals(2, t0.respond(new byte[] { (byte) 0x90, 0 }, 0, 2, out, 0));
        assertEquals(T0Card.DISCARDED, t0.respond(new byte[] { (byte) 0x90, 0 }, 0, 2, out, 0));
    }

    @Test
    void resetDropsHeldDataAndPendingCommand() {
        assertEquals("61 14", tpdu("00 A4 04 00 01 00", bytes(20, 0) + " 90 00"));
        t0.reset();
        assertEquals(0, t0.heldLength());
        assertEquals("6A 82", tpdu("00 C0 00 00 14", "6A 82"));
        byte[] cmd = Hex.decode("00 84 00 00 08");
        t0.receive(cmd, 0, 5, out, 0);
        t0.reset();
        assertFalse(t0.commandPending());
    }

    @Test
    void case2RuleForEveryLeAndLength() {
        byte[] cmd = Hex.decode("00 B0 00 00 00");
        for (int p3 = 0; p3 < 256; p3++) {
            int ne = p3 == 0 ? 256 : p3;
            for (int len = 0; len <= 300; len += len < 20 ? 1 : 7) {
                t0.reset();
                cmd[4] = (byte) p3;
                assertEquals(T0Card.APDU_READY, t0.receive(cmd, 0, 5, out, 0));
                byte[] r = new byte[len + 2];
                r[len] = (byte) 0x90;
                int n = t0.respond(r, 0, r.length, out, 0);
                String ctx = "P3 " + p3 + " len " + len;
                if (len == 0 || len == ne) {
                    assertEquals(len + 2, n, ctx);
                    assertEquals((byte) 0x90, out[len], ctx);
                } else if (ne == 256 && len > 256) {
                    assertEquals(258, n, ctx);
                    assertEquals((byte) 0x61, out[256], ctx);
                    assertEquals((byte) Math.min(len - 256, 256), out[257], ctx);
                } else {
                    assertEquals(2, n, ctx);
                    assertEquals((byte) 0x6C, out[0], ctx);
                    assertEquals((byte) Math.min(len, 256), out[1], ctx);
                }
            }
        }
    }

    /** What OpenSC and javax.smartcardio do with T=0 on top of the reader: 61xx/6Cxx handling. */
    private byte[] hostTransmit(byte[] apdu, UnaryOperator<byte[]> card) {
        CommandApdu c = CommandApdu.parse(apdu);
        byte[] tpdu = c.apduCase() == 4 ? Arrays.copyOf(apdu, apdu.length - 1) : apdu; // strip Le (case 4)
        if (c.apduCase() == 1) {
            tpdu = Arrays.copyOf(apdu, 5); // case 1 goes out with P3 = 00
        }
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        for (int guard = 0; guard < 100; guard++) {
            int n = t0.receive(tpdu, 0, tpdu.length, out, 0);
            if (n == T0Card.APDU_READY) {
                byte[] r = card.apply(Arrays.copyOf(t0.apduBuffer(), t0.apduLength()));
                n = t0.respond(r, 0, r.length, out, 0);
            }
            int sw1 = out[n - 2] & 0xFF;
            int sw2 = out[n - 1] & 0xFF;
            data.write(out, 0, n - 2);
            if (sw1 == 0x6C) {
                tpdu = tpdu.clone();
                tpdu[4] = (byte) sw2;
            } else if (sw1 == 0x61) {
                tpdu = new byte[] { tpdu[0], (byte) 0xC0, 0, 0, (byte) sw2 };
            } else {
                data.write(sw1);
                data.write(sw2);
                return data.toByteArray();
            }
        }
        throw new AssertionError("host loop did not end");
    }

    @Test
    void hostRoundTripsForAllShortCases() {
        Random rnd = new Random(0);
        for (int i = 0; i < 3000; i++) {
            int nc = rnd.nextInt(4) == 0 ? 0 : 1 + rnd.nextInt(255);
            int ne = rnd.nextInt(3) == 0 ? 0 : 1 + rnd.nextInt(256);
            byte[] cmdData = new byte[nc];
            rnd.nextBytes(cmdData);
            int available = rnd.nextInt(3) == 0 ? 0 : rnd.nextInt(600);
            byte[] respData = new byte[available];
            rnd.nextBytes(respData);
            // the card returns min(Ne, available) bytes, as ISO 7816-4 cards do; with no Le nothing
            byte[] expected = Arrays.copyOf(respData, Math.min(ne, available) + 2);
            expected[expected.length - 2] = (byte) 0x90;
            byte[] apdu = CommandApdu.of(0x00, 0xCA, 0x01, 0x02, cmdData, ne).toBytes();
            byte[] got = hostTransmit(apdu, cmd -> {
                CommandApdu seenCmd = CommandApdu.parse(cmd);
                assertArrayEquals(cmdData, seenCmd.data());
                // the card knows its command's true case from INS (T=0 cannot tell case 1 from Le=256, nor
                // case 3 from case 4): it returns min(Ne, available) bytes
                int n = Math.min(ne, available);
                byte[] r = Arrays.copyOf(respData, n + 2);
                r[n] = (byte) 0x90;
                return r;
            });
            assertArrayEquals(expected, got, "case " + CommandApdu.parse(apdu).apduCase() + " nc " + nc + " ne " + ne
                    + " available " + available);
        }
    }

    @Test
    void hotPathDoesNotAllocate() {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        byte[] cmd = Hex.decode("00 A4 04 00 07 A0 00 00 00 03 00 00");
        byte[] resp = new byte[302];
        resp[300] = (byte) 0x90;
        byte[] gr = Hex.decode("00 C0 00 00 00");
        byte[] gr2 = Hex.decode("00 C0 00 00 2C");
        Runnable round = () -> {
            if (t0.receive(cmd, 0, cmd.length, out, 0) != T0Card.APDU_READY
                    || t0.respond(resp, 0, resp.length, out, 0) != 2
                    || t0.receive(gr, 0, 5, out, 0) != 258 || t0.receive(gr2, 0, 5, out, 0) != 46) {
                throw new AssertionError();
            }
        };
        for (int i = 0; i < 20000; i++) {
            round.run();
        }
        long before = mx.getThreadAllocatedBytes(Thread.currentThread().getId());
        for (int i = 0; i < 20000; i++) {
            round.run();
        }
        long allocated = mx.getThreadAllocatedBytes(Thread.currentThread().getId()) - before;
        assertTrue(allocated < 4096, allocated + " bytes allocated for 80000 TPDUs");
    }
}
