package org.vccid.conformance.usbip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.vccid.conformance.internal.inprocess.EngineReaders;
import org.vccid.conformance.internal.runner.Filters;
import org.vccid.conformance.internal.runner.Library;
import org.vccid.conformance.internal.runner.Outcome;
import org.vccid.conformance.internal.runner.Runner;
import org.vccid.conformance.internal.runner.Targets;
import org.vccid.conformance.internal.runner.VectorResult;
import org.vccid.conformance.internal.usbip.UsbIpTarget;
import org.vccid.conformance.internal.vector.Vector;
import org.vccid.conformance.internal.vector.VectorParser;
import org.vccid.conformance.target.ReaderSpec;
import org.vccid.conformance.target.TargetSession;
import org.vccid.iso7816.Hex;
import org.vccid.conformance.target.CardSource;

/** The library through ccid.transport.usbip (server on loopback, a USB/IP host in Java) with the reference card. */
class UsbIpConformanceTest {

    private static EngineReaders readers;
    private static ServerExports exports;
    private static UsbIpTarget target;

    @BeforeAll
    static void start() throws Exception {
        readers = new EngineReaders();
        exports = new ServerExports(readers);
        target = new UsbIpTarget(exports, 5000);
    }

    @AfterAll
    static void stop() {
        exports.close();
        readers.close();
    }

    @Test
    void theRunnerReallyTalksUsbIpAndAWrongVectorFails() throws Exception {
        try (TargetSession s = target.open(new ReaderSpec(1, ReaderSpec.Level.SHORT_APDU, 0, 1000),
                Targets.conformanceCard())) {
            assertEquals(1, exports.server.connectionCount(), "one imported USB/IP connection");
            assertEquals(1, target.openSessions());
            s.send(Hex.decode("65 00000000 00 07 00 00 00"));
            assertEquals("81 00 00 00 00 00 07 02 00 00", Hex.spaced(s.receive(5000)));
            assertNull(s.control(0xA1, 0x07, 0, 4), "an unknown class request STALLs");
        }
        VectorResult r = new Runner(2000).run(VectorParser.parse("wrong.vec",
                "# clause: self-check\ninsert\npower-on\napdu 80 5A 90 00 -> 6A 82\n"), target, Targets.conformanceCard());
        assertEquals(Outcome.FAILED, r.outcome());
        assertTrue(r.message().contains("byte 0: expected 6A, got 90"), r.message());
    }

    @TestFactory
    Stream<DynamicNode> libraryOverUsbIp() throws Exception {
        CardSource card = Targets.conformanceCard();
        List<DynamicNode> tests = new ArrayList<>();
        for (Vector v : Library.builtIn(List.of())) {
            if (v.requires() != null && !Filters.matches(v.requires(), card.properties())) {
                continue;
            }
            tests.add(DynamicTest.dynamicTest("usbip x conformance " + v.name(), () -> {
                VectorResult r = new Runner().run(v, target, card);
                assertEquals(Outcome.PASSED, r.outcome(), () -> r.message() + "\n" + r.detail());
            }));
        }
        return tests.stream();
    }
}
