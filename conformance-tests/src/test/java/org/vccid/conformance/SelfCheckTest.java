package org.vccid.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.vccid.conformance.internal.inprocess.EngineReaders;
import org.vccid.conformance.internal.runner.Outcome;
import org.vccid.conformance.internal.runner.Runner;
import org.vccid.conformance.internal.runner.Targets;
import org.vccid.conformance.internal.runner.VectorResult;
import org.vccid.conformance.internal.vector.VectorParser;

/** Deliberately wrong vectors must fail, each with a readable account of expected vs actual bytes. */
class SelfCheckTest {

    private static EngineReaders readers;

    @BeforeAll
    static void readers() {
        readers = new EngineReaders();
    }

    @AfterAll
    static void close() {
        readers.close();
    }

    private static VectorResult run(String steps) throws Exception {
        String text = "# clause: self-check\n# reader: slots=1 level=SHORT_APDU\n" + steps;
        return new Runner(300).run(VectorParser.parse("wrong.vec", text), EngineReaders.target(readers),
                Targets.conformanceCard());
    }

    @Test
    void aWrongStatusWordShowsBothMessagesAndMarksTheDifference() throws Exception {
        VectorResult r = run("insert\npower-on\n"
                + "send   6F L4 00 SQ 00 00 00 00 A4 04 00 03 A0 00 00   # SELECT an unknown name\n"
                + "expect 80 L4 00 SQ 00 00 00 90 00                     # wrong: the card says 6A 82\n");
        assertEquals(Outcome.FAILED, r.outcome());
        assertEquals("line 6 (expect 80 L4 00 SQ 00 00 00 90 00): byte 10 (abData[0]): expected 90, got 6A",
                r.message());
        String d = r.detail();
        assertTrue(d.contains("0000 expected: 80 02 00 00 00 00 01 00 00 00 90 00"), d);
        assertTrue(d.contains("0000 actual:   80 02 00 00 00 00 01 00 00 00 6A 82"), d);
        assertTrue(d.contains("^^ ^^"), "both SW bytes marked:\n" + d);
        assertTrue(d.contains("2 byte(s) differ"), d);
        assertTrue(d.contains("> 6F 08 00 00 00 00 01 00 00 00 00 A4 04 00 03 A0 00 00"), "transcript:\n" + d);
    }

    @Test
    void aLengthDifferenceIsNamed() throws Exception {
        VectorResult r = run("insert\npower-on\napdu 80 B0 00 04 -> CNT*3 90 00\n");
        assertEquals(Outcome.FAILED, r.outcome());
        assertTrue(r.message().contains("byte 3: expected 90, got 03"), r.message());
        assertTrue(r.detail().contains("length: expected 5 bytes, actual 6"), r.detail());
        assertTrue(r.detail().contains("expected: 00 01 02 90 00 --"), r.detail());
    }

    @Test
    void aMissingAnswerTimesOut() throws Exception {
        VectorResult r = run("send 72 L4 00 SQ 00 00 00\nexpect 81 L4 00 SQ 02 00 00\n");
        assertEquals(Outcome.FAILED, r.outcome());
        assertTrue(r.message().contains("no answer within 300 ms"), r.message());
    }

    @Test
    void anUnexpectedAnswerAtTheEndFails() throws Exception {
        VectorResult r = run("send 65 L4 00 SQ 00 00 00\n");
        assertEquals(Outcome.FAILED, r.outcome());
        assertTrue(r.message().contains("an answer nobody asked for"), r.message());
    }

    @Test
    void interruptAndControlMismatches() throws Exception {
        assertEquals(Outcome.FAILED, run("insert\ninterrupt 50 02\n").outcome());
        assertEquals(Outcome.FAILED, run("insert\nno-interrupt\n").outcome());
        assertEquals(Outcome.FAILED, run("interrupt 50 03\n").outcome());
        VectorResult stall = run("control A1 02 00 00 00 00 04 00 -> STALL\n");
        assertEquals(Outcome.FAILED, stall.outcome());
        assertTrue(stall.message().contains("expected a STALL, got data stage [A0 0F 00 00]"), stall.message());
        assertEquals(Outcome.FAILED, run("control A1 07 00 00 00 00 04 00 -> 00\n").outcome());
    }

    @Test
    void aWrongTimeExtensionExpectationFails() throws Exception {
        VectorResult r = run("insert\npower-on\nsend 6F L4 00 SQ 00 00 00 80 5A 90 00\nexpect 80 L4 00 SQ 80 01 00\n");
        assertEquals(Outcome.FAILED, r.outcome());
        assertTrue(r.message().contains("bStatus"), r.message());
    }

    @Test
    void aStepThatCannotRunIsAnError() throws Exception {
        VectorResult r = run("insert 3\n");
        assertEquals(Outcome.ERROR, r.outcome());
        assertTrue(r.message().contains("no slot 3"), r.message());
    }

    @Test
    void aSingletonCardFitsOneSlotOnly() throws Exception {
        org.vccid.card.Card one = new org.vccid.conformance.internal.card.ConformanceCard();
        VectorResult r = new Runner(300).run(VectorParser.parse("two.vec",
                "# clause: self-check\n# reader: slots=2\ninsert 0\ninsert 1\n"), EngineReaders.target(readers),
                new org.vccid.conformance.internal.runner.ClassCardSource(java.util.Map.of("vccid.card.type", "one"),
                        () -> one));
        assertEquals(Outcome.ERROR, r.outcome());
        assertTrue(r.message().contains("line 4 (insert 1): java.lang.IllegalStateException: cannot insert a card in"
                + " slot 1: the card is already in another slot"), r.message());
    }

    @Test
    void aCardThatDoesNotFitIsSkipped() throws Exception {
        VectorResult r = run("# requires: (vccid.card.type=cac)\nquiet\n");
        assertEquals(Outcome.SKIPPED, r.outcome());
    }

    @Test
    void theCorrectVersionsPass() throws Exception {
        // the same scenarios, written right, pass: the failures above come from the vectors, not the runner
        assertEquals(Outcome.PASSED, run("insert\npower-on\n"
                + "send   6F L4 00 SQ 00 00 00 00 A4 04 00 03 A0 00 00\n"
                + "expect 80 L4 00 SQ 00 00 00 6A 82\n").outcome());
        assertEquals(Outcome.PASSED, run("insert\npower-on\napdu 80 B0 00 04 -> CNT*4 90 00\n").outcome());
        assertEquals(Outcome.PASSED, run("insert\ninterrupt 50 03\nno-interrupt\n").outcome());
    }
}
