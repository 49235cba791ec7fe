package org.vccid.conformance.internal.pcsc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.vccid.conformance.internal.runner.Outcome;
import org.vccid.conformance.internal.runner.Runner;
import org.vccid.conformance.internal.runner.Targets;
import org.vccid.conformance.internal.runner.VectorResult;
import org.vccid.conformance.internal.vector.VectorParser;
import org.vccid.pcsc.JdkPcsc;

/**
 * In the default surefire JVM (no {@code --add-opens java.smartcardio/...}, named *Tests so that the pcsc-real-peer
 * exclusion does not apply): a PC/SC target says what the JVM lacks, as a clean ERROR of the vector, and a reader it
 * cannot give is still a skip, decided before PC/SC is touched.
 */
class WithoutNativeAccessTests {

    private static ReaderPcscTarget target() {
        return new ReaderPcscTarget("serial-pcsc", List.of(new ReaderPcscTarget.Line("GemPCTwin", () -> null,
                List.of("vccid Serial 00 00"))), ReaderPcscTarget.Protocol.AUTO, new PcscContext(new JdkPcsc()), 1000);
    }

    @Test
    void theMissingJvmOptionIsNamed() throws Exception {
        String why = new JdkPcsc().unavailableReason();
        org.junit.jupiter.api.Assumptions.assumeTrue(why != null,
                "this JVM has the add-opens (run with -Dtest in the pcsc-real-peer execution too)");
        assertTrue(why.contains(JdkPcsc.ADD_OPENS), why);
        VectorResult r = new Runner(1000).run(VectorParser.parse("v.vec", "# clause: self-check\n"
                + "# reader: slots=1 level=SHORT_APDU\ninsert\npower-on\n"), target(), Targets.conformanceCard());
        assertEquals(Outcome.ERROR, r.outcome(), r.message());
        assertTrue(r.message().contains("PC/SC cannot be used: the JVM was started without " + JdkPcsc.ADD_OPENS),
                r.message());
    }

    @Test
    void aReaderTheTargetCannotGiveIsSkippedFirst() throws Exception {
        VectorResult r = new Runner(1000).run(VectorParser.parse("v.vec", "# clause: self-check\n"
                + "# reader: slots=2 level=SHORT_APDU\ninsert 1\n"), target(), Targets.conformanceCard());
        assertEquals(Outcome.SKIPPED, r.outcome(), r.message());
        assertEquals("target serial-pcsc: the largest reader has 1 slot(s) (GemPCTwin), the vector wants 2",
                r.message());
    }
}
