package org.vccid.conformance.internal.vector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.vccid.conformance.target.ReaderSpec;

class VectorParserTest {

    @Test
    void parsesHeadersStepsAndComments() throws Exception {
        Vector v = VectorParser.parse("x.vec", String.join("\n",
                "# title: a title",
                "# clause: CCID 1.1 §6.1.3",
                "# clause: CCID 1.1 §6.2.2",
                "# reader: slots=2 level=SHORT_APDU maxMessageLength=300 timeExtension=50",
                "# requires: (vccid.card.type=conformance)",
                "# just a comment",
                "",
                "insert 1",
                "slot 1",
                "power-on",
                "send 65 L4 01 SQ 00 00 00   # trailing comment",
                "expect 81 L4 01 SQ 00 00 00",
                "control 21 01 00 NQ 00 00 00 00 -> EMPTY",
                "control A1 07 00 00 00 00 04 00 -> STALL",
                "apdu 80 5A 90 00 -> .. 90 00",
                "interrupt 50 03",
                "no-interrupt",
                "quiet",
                "remove",
                "power-off 0"));
        assertEquals("a title", v.title());
        assertEquals(List.of("CCID 1.1 §6.1.3", "CCID 1.1 §6.2.2"), v.clauses());
        assertEquals(new ReaderSpec(2, ReaderSpec.Level.SHORT_APDU, 300, 50), v.reader());
        assertEquals("(vccid.card.type=conformance)", v.requires());
        assertEquals(13, v.steps().size());
        Step send = v.steps().get(3);
        assertEquals(Step.Kind.SEND, send.kind());
        assertEquals(11, send.line());
        assertEquals("65 L4 01 SQ 00 00 00", send.bytes().text());
        assertEquals(1, v.steps().get(0).slot());
        assertEquals(-1, v.steps().get(2).slot(), "power-on without a slot uses the current slot");
        assertNull(v.steps().get(6).answer(), "STALL");
        assertEquals(Step.Kind.APDU, v.steps().get(7).kind());
    }

    @Test
    void defaultsToOneSlotExtendedLevel() throws Exception {
        Vector v = VectorParser.parse("d.vec", "# clause: c\nquiet\n");
        assertEquals(new ReaderSpec(1, ReaderSpec.Level.EXTENDED_APDU, 0, 1000), v.reader());
        assertEquals("d.vec", v.title());
        assertNull(v.requires());
    }

    /** The format's bad-input table: every mistake names the file, the line and the problem. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "quiet | no \"# clause:\" header",
            "# clause: c | no steps",
            "# clause: c\\nfrobnicate | unknown step \"frobnicate\"",
            "# clause: c\\nsend 6F XX | only fits an expected answer",
            "# clause: c\\nexpect | the expected bytes are missing",
            "# clause: c\\ninsert x | slot must be a number",
            "# clause: c\\ninsert 64 | slot must be 0..63",
            "# clause: c\\nslot | slot number missing",
            "# clause: c\\nquiet 1 | takes no argument",
            "# clause: c\\ncontrol 21 01 00 00 -> EMPTY | a setup packet has 8 bytes",
            "# clause: c\\napdu 80 5A 90 00 | expected \"<bytes> -> <answer>\"",
            "# clause: c\\n# reader: slots=0\\nquiet | slots must be 1..64",
            "# clause: c\\n# reader: level=T2\\nquiet | level is TPDU",
            "# clause: c\\n# reader: colour=red\\nquiet | unknown reader setting",
            "# clause: c\\n# reader: slots\\nquiet | key=value",
            "# clause: c\\n# reader: slots=1\\n# reader: slots=2\\nquiet | a second reader header",
            "# clause:\\nquiet | empty clause",
            "# clause: c\\n# reader: level=TPDU\\napdu 80 5A 90 00 -> 90 00 | apdu steps need an APDU level reader" })
    void badFilesAreRejectedWithFileAndLine(String text, String reason) {
        VectorFormatException e = assertThrows(VectorFormatException.class,
                () -> VectorParser.parse("bad.vec", text.replace("\\n", "\n")));
        assertTrue(e.getMessage().startsWith("bad.vec:"), e.getMessage());
        assertTrue(e.getMessage().contains(reason), e.getMessage());
    }
}
