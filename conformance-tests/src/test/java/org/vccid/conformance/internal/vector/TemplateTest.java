package org.vccid.conformance.internal.vector;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.vccid.iso7816.Hex;

class TemplateTest {

    private static final Template.Context CTX = new Template.Context(7, 8);

    @Test
    void buildsHexWithAndWithoutSpacesAndPlaceholders() {
        byte[] b = Template.parse("6F L4 00 SQ 00 0000 80 5A 9000", false).build(CTX);
        assertArrayEquals(Hex.decode("6F 04000000 00 07 00 0000 805A9000"), b);
    }

    @Test
    void nextSeqAndBackwardSeq() {
        assertArrayEquals(Hex.decode("08 07 06 05"), Template.parse("NQ SQ SQ-1 SQ-2", false).build(CTX));
        assertTrue(Template.parse("65 SQ", false).usesSeq());
        assertFalse(Template.parse("65 SQ-1", false).usesSeq(), "SQ-n refers back: it does not allocate a bSeq");
    }

    @Test
    void repeatsCountsAndLrc() {
        byte[] b = Template.parse("6F L4 00 00 00 00 00 00 40 03 AA*2 CNT*1 LRC", false).build(CTX);
        // abData = 00 40 03 AA AA 00, LRC = 00^40^03^AA^AA^00 = 43
        assertArrayEquals(Hex.decode("6F 07000000 00 00 00 0000 00 40 03 AA AA 00 43"), b);
        assertEquals(300, Template.parse("CNT*300", false).build(CTX).length);
        assertEquals((byte) 0x2B, Template.parse("CNT*300", false).build(CTX)[299]);
    }

    @Test
    void masksMatchAnyByteAndAnyRun() {
        Template t = Template.parse("XX*2 .. 90 00", true);
        assertTrue(t.matches(Hex.decode("01 02 90 00"), CTX));
        assertTrue(t.matches(Hex.decode("01 02 03 04 05 90 00"), CTX));
        assertFalse(t.matches(Hex.decode("01 90 00"), CTX), "XX*2 needs two bytes");
        assertFalse(t.matches(Hex.decode("01 02 03 6A 82"), CTX));
        assertTrue(Template.parse("EMPTY", true).matches(new byte[0], CTX));
        assertFalse(Template.parse("EMPTY", true).matches(new byte[1], CTX));
    }

    @Test
    void matchChecksLengthSeqAndLrc() {
        Template t = Template.parse("80 L4 00 SQ 00 00 00 90 00", true);
        assertTrue(t.matches(Hex.decode("80 02000000 00 07 00 00 00 90 00"), CTX));
        assertFalse(t.matches(Hex.decode("80 02000000 00 06 00 00 00 90 00"), CTX), "wrong bSeq");
        assertFalse(t.matches(Hex.decode("80 03000000 00 07 00 00 00 90 00"), CTX), "dwLength disagrees");
        assertFalse(t.matches(Hex.decode("80 02000000 00 07 00 00 00 90 00 00"), CTX), "one byte too many");
        Template lrc = Template.parse("80 L4 00 SQ 00 00 00 00 00 02 90 00 LRC", true);
        assertTrue(lrc.matches(Hex.decode("80 06000000 00 07 00 00 00 00 00 02 90 00 92"), CTX));
        assertFalse(lrc.matches(Hex.decode("80 06000000 00 07 00 00 00 00 00 02 90 00 93"), CTX));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "6F 0 | odd number of hex digits",
            "6F GG | not hex",
            "XX | only fits an expected answer",
            ".. | only fits an expected answer",
            "AA*x | bad repeat count",
            "AA*-1 | repeat count",
            "AA*99999999 | out of range",
            "CNT | CNT needs a count" })
    void rejectsBadSendTemplates(String text, String reason) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Template.parse(text, false));
        assertTrue(e.getMessage().contains(reason), e.getMessage());
    }

    @Test
    void emptySendIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> Template.parse("", false));
    }

    @Test
    void restAppearsOnce() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Template.parse(".. 90 ..", true));
        assertTrue(e.getMessage().contains("once"), e.getMessage());
    }
}
