package org.vccid.iso7816;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PpsTest {

    private static final Atr CAC = Atr.parse(Hex.decode("3B 7A 18 00 00 73 66 74 65 20 63 64 31 34 34"));
    private static final Atr JCARDSIM = Atr.parse(Hex.decode("3BFA1800008131FE454A434F5033315632333298"));
    private static final Atr DUAL = Atr.parse(Hex.decode("3B F7 18 00 00 80 31 FE 45 73 66 74 65 2D 6E 66 C4"));

    private static String answer(String req, Atr atr) {
        byte[] b = Hex.decode(req);
        byte[] out = new byte[Pps.MAX_LENGTH];
        int n = Pps.answer(b, 0, b.length, atr, out, 0);
        return n < 0 ? "mute" : Hex.spaced(out, 0, n);
    }

    @Test
    void requestsAsLibccidBuildsThem() {
        assertEquals("FF 10 18 F7", Hex.spaced(Pps.request(0, 0x18))); // FF^10^18 = F7
        assertEquals("FF 11 18 F6", Hex.spaced(Pps.request(1, 0x18))); // FF^11^18 = F6
        assertEquals("FF 01 FE", Hex.spaced(Pps.request(1, -1)));
    }

    @Test
    void ta1IsEchoed() {
        assertEquals("FF 10 18 F7", answer("FF 10 18 F7", CAC));
        assertEquals("FF 11 18 F6", answer("FF 11 18 F6", JCARDSIM));
        assertEquals("FF 11 18 F6", answer("FF 11 18 F6", DUAL));
        assertEquals("FF 10 11 FE", answer("FF 10 11 FE", CAC)); // the defaults are always fine
    }

    @Test
    void otherFiDiIsLeftOutSoTheDefaultsApply() {
        assertEquals("FF 00 FF", answer("FF 10 96 79", CAC)); // FF^10^96 = 79
    }

    @Test
    void pps2AndPps3AreNotEchoed() {
        assertEquals("FF 10 18 F7", answer("FF 30 18 01 D6", CAC)); // FF^30^18^01 = D6
        assertEquals("FF 00 FF", answer("FF 60 01 02 9C", CAC)); // PPS2 PPS3 only: FF^60^01^02 = 9C
    }

    @Test
    void protocolNotOfferedGetsNoAnswer() {
        assertEquals("mute", answer("FF 11 18 F6", CAC));
        assertEquals("mute", answer("FF 10 18 F7", JCARDSIM));
        assertEquals("FF 00 FF", answer("FF 00 FF", DUAL));
    }

    @ParameterizedTest
    @CsvSource({
            "'', shorter",
            "FF 10, shorter",
            "FE 00 FE, PPSS",
            "FF 80 7F, reserved",
            "FF 10 F0, announces a 4-byte",
            "FF 00 11 EE, announces a 3-byte",
            "FF 10 18 F6, bad PCK" })
    void malformedRequests(String hex, String reason) {
        byte[] b = Hex.decode(hex);
        String why = Pps.check(b, 0, b.length);
        assertTrue(why != null && why.contains(reason), why);
        assertEquals("mute", answer(hex, DUAL));
    }

    @Test
    void detection() {
        assertTrue(Pps.isPps(Hex.decode("FF 10 18 F7"), 0, 4));
        assertFalse(Pps.isPps(Hex.decode("00 A4 04 00"), 0, 4));
        assertFalse(Pps.isPps(new byte[0], 0, 0));
        assertNull(Pps.check(Hex.decode("FF 10 18 F7"), 0, 4));
    }
}
