package org.vccid.iso7816;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AtrTest {

    private static Atr atr(String hex) {
        return Atr.parse(Hex.decode(hex));
    }

    private static String ascii(byte[] b) {
        return new String(b, StandardCharsets.US_ASCII);
    }

    @Test
    void libcacardCacAtr() {
        // T0=7A: TA1 TB1 TC1, no TD1 (T=0 only, so no TCK), K=10
        Atr a = atr("3B 7A 18 00 00 73 66 74 65 20 63 64 31 34 34");
        assertFalse(a.inverseConvention());
        assertEquals(0x18, a.ta1());
        assertEquals(0, a.tc1());
        assertEquals(0b1, a.protocolMask());
        assertEquals(0, a.defaultProtocol());
        assertEquals("sfte cd144", ascii(a.historicalBytes()));
        assertFalse(a.hasTck());
        assertEquals(-1, a.tck());
        assertEquals(10, a.t0WaitingInteger());
        assertFalse(a.hasTa2());
    }

    @Test
    void jcardsimAtr() {
        // T0=FA: TA1=18 TB1=00 TC1=00 TD1=81 (TD2, T=1); TD2=31 (TA3 TB3, T=1); TA3=FE TB3=45; "JCOP31V232"; TCK 98
        Atr a = atr("3BFA1800008131FE454A434F5033315632333298");
        assertEquals(0x18, a.ta1());
        assertEquals(0b10, a.protocolMask());
        assertEquals(1, a.defaultProtocol());
        assertEquals(254, a.t1Ifsc());
        assertEquals(4, a.t1Bwi());
        assertEquals(5, a.t1Cwi());
        assertFalse(a.t1Crc());
        assertEquals(0x98, a.tck());
        assertEquals("JCOP31V232", ascii(a.historicalBytes()));
    }

    @Test
    void libccidSerialT1Atr() {
        Atr a = atr("3B 88 81 31 FE 45 45 4D 55 2D 54 31 43 44 91");
        assertEquals(0x11, a.ta1());
        assertEquals(0b10, a.protocolMask());
        assertEquals(1, a.defaultProtocol());
        assertEquals(254, a.t1Ifsc());
        assertEquals(4, a.t1Bwi());
        assertEquals(5, a.t1Cwi());
        assertEquals("EMU-T1CD", ascii(a.historicalBytes()));
        assertEquals(0x91, a.tck());
    }

    @Test
    void libccidSerialT0Atr() {
        Atr a = atr("3B 02 14 50");
        assertEquals(0b1, a.protocolMask());
        assertEquals(0x11, a.ta1());
        assertArrayEquals(new byte[] { 0x14, 0x50 }, a.historicalBytes());
        assertFalse(a.hasTck());
    }

    @Test
    void viccAtr() {
        // T0=95: TA1=13, TD1=81 (TD2, T=1); TD2=01 (T=1, nothing more); historical 80 73 FF 01 00; TCK 0B
        Atr a = atr("3B 95 13 81 01 80 73 FF 01 00 0B");
        assertEquals(0x13, a.ta1());
        assertEquals(0b10, a.protocolMask());
        assertEquals(32, a.t1Ifsc());
        assertEquals(4, a.t1Bwi());
        assertEquals(13, a.t1Cwi());
        assertArrayEquals(Hex.decode("80 73 FF 01 00"), a.historicalBytes());
        assertEquals(0x0B, a.tck());
    }

    @Test
    void dualProtocolAtr() {
        // TD1=80 (TD2, T=0), TD2=31 (TA3 TB3, T=1): both protocols, T=0 first
        Atr a = atr("3B F7 18 00 00 80 31 FE 45 73 66 74 65 2D 6E 66 C4");
        assertEquals(0b11, a.protocolMask());
        assertEquals(0, a.defaultProtocol());
        assertTrue(a.offers(0));
        assertTrue(a.offers(1));
        assertEquals(254, a.t1Ifsc());
        assertEquals("sfte-nf", ascii(a.historicalBytes()));
    }

    @Test
    void t1ParametersComeFromTheFirstT1Group() {
        // TD1=81: TD2, T=1; TD2=B1: TA3 TB3 TD3, T=1; TD3=71: TA4 TB4 TC4, T=1. IFSC/BWI/CWI from TA3/TB3 (TA4 and
        // TB4 are later ones and ignored); the first TC for T=1 is TC4
        Atr a = atr(withTck("3B 80 81 B1 40 23 71 FE 45 01"));
        assertEquals(0x40, a.t1Ifsc());
        assertEquals(2, a.t1Bwi());
        assertEquals(3, a.t1Cwi());
        assertTrue(a.t1Crc()); // first TC for T=1 is TC4
    }

    @Test
    void t0WaitingIntegerAndSpecificMode() {
        // TD1=50: TA2 TC2, T=0 -> T=0 only, no TCK
        Atr a = atr("3B 80 50 10 01");
        assertTrue(a.hasTa2());
        assertEquals(0x10, a.ta2());
        assertEquals(1, a.t0WaitingInteger());
        assertFalse(a.hasTck());
    }

    @Test
    void tc2IsNotWaitingIntegerWhenTd1IndicatesT1() {
        Atr a = atr(withTck("3B 80 41 05"));
        assertEquals(10, a.t0WaitingInteger());
    }

    @Test
    void inverseConvention() {
        assertTrue(atr("3F 00").inverseConvention());
    }

    @Test
    void globalT15IsNotAProtocolButNeedsTck() {
        // TD1=80 (T=0), TD2=1F (TA3, T=15), TA3=C3
        Atr a = atr(withTck("3B 80 80 1F C3"));
        assertEquals(0b1, a.protocolMask());
        assertTrue(a.hasTck());
        assertThrows(IllegalArgumentException.class, () -> atr("3B 80 80 1F C3"));
    }

    private static String withTck(String hex) {
        byte[] b = Hex.decode(hex);
        int x = 0;
        for (int i = 1; i < b.length; i++) {
            x ^= b[i];
        }
        return hex + String.format(" %02X", x & 0xFF);
    }

    @ParameterizedTest
    @CsvSource({
            "'', truncated",
            "3B, truncated",
            "3B 10, truncated", // TA1 announced, missing
            "3B 80, truncated", // TD1 announced, missing
            "3B 02 14, truncated", // 2 historical bytes announced, 1 present
            "3B 88 81 31 FE 45 45 4D 55 2D 54 31 43 44, TCK missing",
            "3B 88 81 31 FE 45 45 4D 55 2D 54 31 43 44 90, bad TCK 90",
            "3B 02 14 50 00, trailing",
            "3B 88 81 31 FE 45 45 4D 55 2D 54 31 43 44 91 00, trailing",
            "3A 02 14 50, bad TS 3A",
            "00 00, bad TS 00",
            "3B 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00, too long" })
    void rejects(String hex, String reason) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> atr(hex));
        assertTrue(e.getMessage().contains(reason), e.getMessage());
    }

    @Test
    void longestLegalAtrParses() {
        // TS T0 TA1 TB1 TC1 TD1 TA2 TB2 TC2 TD2 TA3 TB3 TC3 TD3 TA4 TB4 TC4 + 15 historical + TCK = 33 bytes
        Atr a = atr(withTck("3B FF 11 00 00 F0 00 00 0A F1 FE 45 00 71 20 45 00 000102030405060708090A0B0C0D0E"));
        assertEquals(33, a.length());
        assertEquals(15, a.historicalBytes().length);
    }

    @Test
    void builderDefaultsIsTheShortestAtr() {
        assertArrayEquals(Hex.decode("3B 00"), Atr.builder().build().bytes());
        assertArrayEquals(Hex.decode("3B 02 14 50"), Atr.builder().historicalBytes(Hex.decode("14 50")).build()
                .bytes());
    }

    @Test
    void builderReproducesTheLibccidT1Atr() {
        Atr a = Atr.builder().protocols(1).t1Ifsc(254).t1Bwi(4).t1Cwi(5)
                .historicalBytes("EMU-T1CD".getBytes(StandardCharsets.US_ASCII)).build();
        assertEquals("3B 88 81 31 FE 45 45 4D 55 2D 54 31 43 44 91", a.toString());
    }

    @Test
    void builderEncodesTheViccParametersMinimally() {
        // vicc's ATR spends a TD2 (01) that says T=1 again; the minimal encoding has TD1=01 only
        Atr vicc = atr("3B 95 13 81 01 80 73 FF 01 00 0B");
        Atr a = Atr.builder().protocols(1).ta1(0x13).historicalBytes(vicc.historicalBytes()).build();
        assertEquals("3B 95 13 01 80 73 FF 01 00 8A", a.toString());
        assertEquals(vicc.protocolMask(), a.protocolMask());
        assertEquals(vicc.ta1(), a.ta1());
        assertEquals(vicc.t1Ifsc(), a.t1Ifsc());
    }

    @Test
    void builderEncodings() {
        assertEquals("3B 80 01 81", Atr.builder().protocols(1).build().toString()); // TD1 T=1, TCK
        assertEquals("3B 80 80 01 01", Atr.builder().protocols(0, 1).build().toString()); // TD1 T=0, TD2 T=1
        assertEquals("3B 80 40 01", Atr.builder().t0WaitingInteger(1).build().toString()); // TC2, T=0 only: no TCK
        assertEquals("3B 80 81 41 01 41", Atr.builder().protocols(1).t1Crc(true).build().toString());
        assertEquals("3F 40 FF", Atr.builder().inverseConvention(true).tc1(255).build().toString());
    }

    @Test
    void builderRoundTripsManyCombinations() {
        Random rnd = new Random(7816);
        int[][] protocolSets = { { 0 }, { 1 }, { 0, 1 } };
        for (int i = 0; i < 5000; i++) {
            int[] ps = protocolSets[rnd.nextInt(3)];
            int ta1 = rnd.nextBoolean() ? 0x11 : rnd.nextInt(256);
            int tc1 = rnd.nextBoolean() ? 0 : rnd.nextInt(256);
            int ta2 = rnd.nextInt(4) == 0 ? rnd.nextInt(256) : -1;
            int wi = rnd.nextBoolean() ? 10 : 1 + rnd.nextInt(255);
            int ifsc = rnd.nextBoolean() ? 32 : 1 + rnd.nextInt(254);
            int bwi = rnd.nextBoolean() ? 4 : rnd.nextInt(10);
            int cwi = rnd.nextBoolean() ? 13 : rnd.nextInt(16);
            boolean crc = rnd.nextBoolean();
            boolean inverse = rnd.nextInt(8) == 0;
            byte[] hist = new byte[rnd.nextInt(16)];
            rnd.nextBytes(hist);
            Atr built = Atr.builder().protocols(ps).inverseConvention(inverse).ta1(ta1).tc1(tc1).ta2(ta2)
                    .t0WaitingInteger(wi).t1Ifsc(ifsc).t1Bwi(bwi).t1Cwi(cwi).t1Crc(crc).historicalBytes(hist).build();
            Atr a = Atr.parse(built.bytes());
            String ctx = built.toString();
            assertEquals(built, a);
            boolean t0 = ps[0] == 0;
            boolean t1 = ps[ps.length - 1] == 1;
            assertEquals((t0 ? 1 : 0) | (t1 ? 2 : 0), a.protocolMask(), ctx);
            assertEquals(t0 ? 0 : 1, a.defaultProtocol(), ctx);
            assertEquals(inverse, a.inverseConvention(), ctx);
            assertEquals(ta1, a.ta1(), ctx);
            assertEquals(tc1, a.tc1(), ctx);
            assertEquals(ta2 >= 0, a.hasTa2(), ctx);
            assertEquals(ta2, a.ta2(), ctx);
            assertEquals(t0 ? wi : 10, a.t0WaitingInteger(), ctx);
            assertEquals(t1 ? ifsc : 32, a.t1Ifsc(), ctx);
            assertEquals(t1 ? bwi : 4, a.t1Bwi(), ctx);
            assertEquals(t1 ? cwi : 13, a.t1Cwi(), ctx);
            assertEquals(t1 && crc, a.t1Crc(), ctx);
            assertArrayEquals(hist, a.historicalBytes(), ctx);
            assertEquals(t1, a.hasTck(), ctx);
            // minimal: no interface byte carries its default value
            assertTrue(a.length() <= 2 + (ta1 != 0x11 ? 1 : 0) + (tc1 != 0 ? 1 : 0) + 2 + (ta2 >= 0 ? 1 : 0) + 1
                    + 1 + 3 + hist.length + 1, ctx);
        }
    }

    @Test
    void builderRejectsOutOfRangeValues() {
        assertThrows(IllegalArgumentException.class, () -> Atr.builder().protocols(2));
        assertThrows(IllegalArgumentException.class, () -> Atr.builder().protocols());
        assertThrows(IllegalArgumentException.class, () -> Atr.builder().t1Ifsc(0));
        assertThrows(IllegalArgumentException.class, () -> Atr.builder().t1Ifsc(255));
        assertThrows(IllegalArgumentException.class, () -> Atr.builder().t1Bwi(10));
        assertThrows(IllegalArgumentException.class, () -> Atr.builder().t0WaitingInteger(0));
        assertThrows(IllegalArgumentException.class, () -> Atr.builder().historicalBytes(new byte[16]));
    }

    @Test
    void fuzzNeverThrowsAnythingButIllegalArgument() {
        Random rnd = new Random(3);
        int ok = 0;
        for (int i = 0; i < 4000; i++) {
            byte[] b = new byte[rnd.nextInt(36)];
            rnd.nextBytes(b);
            if (b.length > 0) {
                b[0] = (byte) (rnd.nextBoolean() ? 0x3B : 0x3F);
            }
            try {
                Atr a = Atr.parse(b);
                assertArrayEquals(b, a.bytes());
                ok++;
            } catch (IllegalArgumentException expected) {
                // the only failure mode
            }
        }
        assertTrue(ok > 0, "some random ATRs are well formed");
    }
}
