package org.vccid.conformance.serial;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.vccid.conformance.internal.inprocess.EngineReaders;
import org.vccid.conformance.internal.runner.Library;
import org.vccid.conformance.internal.runner.Outcome;
import org.vccid.conformance.internal.runner.Runner;
import org.vccid.conformance.internal.runner.Targets;
import org.vccid.conformance.internal.runner.VectorResult;
import org.vccid.conformance.internal.serial.SerialTarget;
import org.vccid.conformance.internal.vector.Vector;
import org.vccid.conformance.internal.vector.VectorParser;
import org.vccid.conformance.target.CardSource;
import org.vccid.conformance.target.ReaderSpec;
import org.vccid.conformance.target.TargetSession;
import org.vccid.iso7816.Hex;

/**
 * The library through ccid.transport.serial's line (its server class on 127.0.0.1:37620-37639) and the shipped
 * serial target playing libccid's side, with the reference card and card.cac's CAC: every vector has an expected
 * outcome here, skips with their reason.
 */
class SerialConformanceTest {

    private static EngineReaders readers;
    private static SerialTarget target;

    @BeforeAll
    static void start() {
        readers = new EngineReaders();
        target = new SerialTarget(new ServerLines(readers), 10_000);
    }

    @AfterAll
    static void stop() {
        readers.close();
    }

    /** Vectors that do not run through the serial line, and the reason the runner must give. */
    static final Map<String, String> SKIPPED = Map.of(
            "ccid/abort.vec", "needs [CONTROL]; target serial has [BULK]",
            "ccid/class-requests.vec", "needs [CONTROL]; target serial has [BULK]",
            "ccid/notify-slot-change.vec", "needs [INTERRUPT]; target serial has [BULK]",
            "ccid/notify-slot-change-many-slots.vec", "needs [INTERRUPT]; target serial has [BULK]",
            "ccid/remove-in-flight.vec", "needs [INTERRUPT]; target serial has [BULK]",
            "ccid/replace-card-in-flight.vec", "needs [INTERRUPT]; target serial has [BULK]",
            // the line is framed by dwLength: a wrong dwLength cannot be delimited, an oversize one is NAKed
            "ccid/malformed.vec", "target serial: line 11 (send   65 01000000 00 SQ 00 00 00): dwLength 1"
                    + " disagrees with the 0 data byte(s) sent",
            "apdu/iso7816-extended-one-message.vec", "target serial: line 13 (send   6F L4 00 SQ 00 00 00 00*65546):"
                    + " a 65556-byte message exceeds dwMaxCCIDMessageLength 65555: the line NAKs it");

    @TestFactory
    Stream<DynamicNode> libraryOverSerial() throws Exception {
        List<DynamicNode> matrix = new ArrayList<>();
        for (CardSource card : List.of(Targets.conformanceCard(), Targets.cacCard())) {
            List<DynamicNode> tests = new ArrayList<>();
            for (Vector v : Library.builtIn(List.of())) {
                tests.add(DynamicTest.dynamicTest("serial x " + card + " " + v.name(), () -> {
                    VectorResult r = new Runner().run(v, target, card);
                    System.out.println("serial x " + card + " " + r.line());
                    String skip = SKIPPED.get(v.name());
                    if (v.requires() != null
                            && !org.vccid.conformance.internal.runner.Filters.matches(v.requires(), card.properties())) {
                        assertEquals(Outcome.SKIPPED, r.outcome(), r.message());
                        assertTrue(r.message().contains("does not fit"), r.message());
                    } else if (skip != null) {
                        assertEquals(Outcome.SKIPPED, r.outcome(), () -> r.message() + "\n" + r.detail());
                        assertTrue(r.message().startsWith(skip), r.message());
                    } else {
                        assertEquals(Outcome.PASSED, r.outcome(), () -> r.message() + "\n" + r.detail());
                    }
                }));
            }
            matrix.add(DynamicContainer.dynamicContainer("serial x " + card, tests));
        }
        return matrix.stream();
    }

    @Test
    void theLineIsReallyFramedAndAWrongVectorFailsWithItsDiff() throws Exception {
        try (TargetSession s = target.open(new ReaderSpec(1, ReaderSpec.Level.TPDU, 0, 1000),
                Targets.conformanceCard())) {
            s.send(Hex.decode("65 00000000 00 07 00 00 00"));
            assertEquals("81 00 00 00 00 00 07 02 00 00", Hex.spaced(s.receive(5000)));
            s.insert(0);
            s.send(Hex.decode("65 00000000 00 08 00 00 00"));
            assertEquals("81 00 00 00 00 00 08 01 00 00", Hex.spaced(s.receive(5000)), "50 03 before it is skipped");
            // libccid's open sequence (5 commands) and the 2 above were echoed; the insertion came as 50 03
            assertTrue(s.toString().matches("serial GemPCTwin on 127\\.0\\.0\\.1:376[23]\\d: 7 echo\\(es\\), 1 card"
                    + " movement notice\\(s\\)"), s.toString());
        }
        VectorResult r = new Runner(2000).run(VectorParser.parse("wrong.vec",
                "# clause: self-check\n# reader: slots=2\ninsert 1\npower-on 1\nslot 1\napdu 80 5A 90 00 -> 6A 82\n"),
                target, Targets.conformanceCard());
        assertEquals(Outcome.FAILED, r.outcome(), r.detail());
        assertTrue(r.message().contains("byte 0: expected 6A, got 90"), r.message());
        assertTrue(r.detail().contains("0000 actual:   90 00"), r.detail());
    }

    /** No library vector needs 3-5 slots without the interrupt pipe: the GemCore POS Pro line is checked here. */
    @Test
    void fiveSlotsGoThroughAGemCorePosProLine() throws Exception {
        VectorResult r = new Runner(5000).run(VectorParser.parse("pospro.vec", "# clause: self-check\n"
                + "# reader: slots=5 level=TPDU\n"
                + "send 65 L4 04 SQ 00 00 00\nexpect 81 L4 04 SQ 02 00 00\n"          // slot 4 empty
                + "insert 4\ninsert 0\n"
                + "send 65 L4 04 SQ 00 00 00\nexpect 81 L4 04 SQ 01 00 00\n"          // present, inactive
                + "power-on 4\n"
                + "send 6F L4 04 SQ 00 00 00 80 5A 90 00\nexpect 80 L4 04 SQ 00 00 00 90 00\n" // T=0 case 1
                + "send 65 L4 05 SQ 00 00 00\nexpect 81 L4 05 SQ 42 05 00\n"          // no slot 5
                + "remove 0\nsend 65 L4 00 SQ 00 00 00\nexpect 81 L4 00 SQ 02 00 00\n"), target,
                Targets.conformanceCard());
        assertEquals(Outcome.PASSED, r.outcome(), () -> r.message() + "\n" + r.detail());
        try (TargetSession s = target.open(new ReaderSpec(5, ReaderSpec.Level.TPDU, 0, 1000),
                Targets.conformanceCard())) {
            s.insert(3);
            s.send(Hex.decode("65 00000000 03 01 00 00 00"));
            assertEquals("81 00 00 00 00 03 01 01 00 00", Hex.spaced(s.receive(5000)));
            // POS Pro does not echo; the insertion came as 50 03 before the answer
            assertTrue(s.toString().matches("serial GemCorePOSPro on 127\\.0\\.0\\.1:376[23]\\d: 0 echo\\(es\\),"
                    + " 1 card movement notice\\(s\\)"), s.toString());
        }
    }

    @Test
    void moreThanFiveSlotsAndGemaltoEscapesAreSkippedWithTheReason() throws Exception {
        VectorResult six = new Runner(2000).run(VectorParser.parse("six.vec",
                "# clause: x\n# reader: slots=6\nsend 65 L4 00 SQ 00 00 00\nexpect 81 L4 00 SQ 02 00 00\n"), target,
                Targets.conformanceCard());
        assertEquals(Outcome.SKIPPED, six.outcome());
        assertTrue(six.message().contains("at most 5 slots (GemCorePOSPro); the vector asks for 6"), six.message());
        VectorResult fw = new Runner(2000).run(VectorParser.parse("fw.vec",
                "# clause: x\nsend 65 L4 00 SQ 00 00 00\nexpect 81 L4 00 SQ 02 00 00\n"
                        + "send 6B L4 00 SQ 00 00 00 02\nexpect 83 L4 00 SQ 42 00 00\n"), target,
                Targets.conformanceCard());
        assertEquals(Outcome.SKIPPED, fw.outcome(), fw.detail());
        assertTrue(fw.message().startsWith("target serial: line 4 (send 6B L4 00 SQ 00 00 00 02): Escape 02 is a"
                + " Gemalto escape the serial line answers itself"), fw.message());
    }
}
