package org.vccid.conformance.internal.vsc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vccid.card.Card;
import org.vccid.conformance.internal.card.ConformanceCard;
import org.vccid.conformance.internal.inprocess.EngineReaders;
import org.vccid.conformance.internal.runner.Library;
import org.vccid.conformance.internal.runner.Outcome;
import org.vccid.conformance.internal.runner.Runner;
import org.vccid.conformance.internal.runner.Targets;
import org.vccid.conformance.internal.runner.VectorResult;
import org.vccid.conformance.internal.vector.Step;
import org.vccid.conformance.internal.vector.Template;
import org.vccid.conformance.internal.vector.Vector;
import org.vccid.iso7816.Hex;
import org.vccid.conformance.target.CardSource;
import org.vccid.conformance.target.Target;

/**
 * The other VSC role: the card lives across VSC. ccid.transport.vsc's reader side (127.0.0.1:37666-37669) takes a
 * VSC client per card and the remote card goes into the in-process target's reader, so the whole library (CCID
 * level included) runs against a card that answers over VSC: (1) the reference card behind our own card side,
 * (2) libcacard's CAC behind the repository's vsc-cacard-client (skipped without gcc, libcacard-dev, certutil).
 */
class VscRemoteCardConformanceTest {

    /** ccid.transport.vsc logs every connection at INFO: keep warnings only (a strong reference keeps the level). */
    static final java.util.logging.Logger VSC_LOG = VscTargetTest.quietVscLogs();
    static final int[] LIBCACARD_PORTS = {37668, 37669};
    static final Map<String, Object> LIBCACARD = Map.of(Card.TYPE, "cac", Card.NAME, "libcacard");

    private static EngineReaders readers;

    @BeforeAll
    static void readers() {
        readers = new EngineReaders();
    }

    @AfterAll
    static void close() {
        readers.close();
    }

    static Map<String, VectorResult> run(Target t, CardSource card, List<Vector> vectors) {
        Map<String, VectorResult> got = new LinkedHashMap<>();
        for (Vector v : vectors) {
            got.put(v.name(), new Runner().run(v, t, card));
        }
        StringBuilder table = new StringBuilder(t.name() + " x " + card + ":\n");
        got.forEach((k, r) -> table.append(String.format("  %-45s %s %s%n", k, r.outcome(), r.message()
                + (r.outcome() == Outcome.FAILED || r.outcome() == Outcome.ERROR ? "\n" + r.detail() : ""))));
        System.out.print(table);
        return got;
    }

    @Test
    void theReferenceCardAcrossVscPassesWhatItPassesInProcess() throws Exception {
        List<Vector> vectors = Library.builtIn(List.of());
        Target inProcess = EngineReaders.target(readers);
        Map<String, VectorResult> direct = run(inProcess, Targets.conformanceCard(), vectors);
        Map<String, VectorResult> remote;
        try (VscRemoteCards cards = new VscRemoteCards(Map.of(Card.TYPE, "conformance", Card.NAME,
                "conformance across VSC"), new int[] {37666, 37667}, VscRemoteCards.cardSide(ConformanceCard::new))) {
            remote = run(inProcess, cards, vectors);
            VscTargetTest.waitFor("VSC clients gone", () -> cards.clientCount() == 0);
        }
        long passed = remote.values().stream().filter(r -> r.outcome() == Outcome.PASSED).count();
        assertTrue(passed >= 20, passed + " passed");
        for (Vector v : vectors) {
            VectorResult d = direct.get(v.name());
            VectorResult r = remote.get(v.name());
            assertEquals(d.outcome(), r.outcome(), () -> v.name() + ": " + r.message() + "\n" + r.detail());
            assertEquals(d.message(), r.message(), v.name());
        }
    }

    @Test
    void libcacardsCacAcrossVsc(@TempDir Path dir) throws Exception {
        String missing = Libcacard.missing();
        if (missing != null) {
            System.out.println("SKIP libcacardsCacAcrossVsc: " + missing);
        }
        assumeTrue(missing == null, missing);
        Libcacard lib = Libcacard.build(dir, "12345678"); // the PIN the vector uses
        List<Vector> vectors = Library.builtIn(List.of());
        Map<String, VectorResult> got;
        try (VscRemoteCards cards = new VscRemoteCards(LIBCACARD, LIBCACARD_PORTS,
                (port, n) -> lib.start(port))) {
            got = run(EngineReaders.target(readers), cards, vectors);
            VscTargetTest.waitFor("VSC clients gone", () -> cards.clientCount() == 0);
        }
        // card-agnostic CCID vectors pass with libcacard's card in the slot
        for (String v : List.of("ccid/get-slot-status.vec", "ccid/icc-power-off.vec", "ccid/malformed.vec",
                "ccid/notify-slot-change.vec", "ccid/unsupported-commands.vec")) {
            assertEquals(Outcome.PASSED, got.get(v).outcome(), () -> v + ": " + got.get(v).message());
        }
        // the CAC vectors were written for card.cac; against libcacard they show where the two differ (the first
        // difference of each is in the table above). None of them may end in an ERROR (a transport problem).
        for (Map.Entry<String, VectorResult> e : got.entrySet()) {
            assertTrue(e.getValue().outcome() != Outcome.ERROR, () -> e.getKey() + ": " + e.getValue().message()
                    + "\n" + e.getValue().detail());
        }
        VectorResult cac = got.get("cac/cac-basics.vec");
        System.out.println("cac/cac-basics.vec with libcacard: " + cac.outcome() + " " + cac.message());

        // where libcacard differs from the vector (written for card.cac): every apdu step sent on its own to one
        // libcacard card, its answer compared with the vector's pattern
        Vector basics = Library.builtIn(List.of("cac/cac-basics.vec")).get(0);
        assertEquals("cac/cac-basics.vec", basics.name());
        Map<Integer, String> differs = new LinkedHashMap<>();
        try (VscRemoteCards cards = new VscRemoteCards(LIBCACARD, LIBCACARD_PORTS,
                (port, n) -> lib.start(port))) {
            Card card = cards.newCard();
            card.powerOn();
            Template.Context ctx = new Template.Context(0, 0);
            for (Step step : basics.steps()) {
                if (step.kind() != Step.Kind.APDU) {
                    continue;
                }
                byte[] c = step.bytes().build(ctx);
                byte[] r = card.transmit(c, 0, c.length);
                if (!step.answer().matches(r, ctx)) {
                    differs.put(step.line(), step.text() + "  => libcacard: " + Hex.spaced(r));
                }
            }
            cards.release(card);
        }
        differs.forEach((line, d) -> System.out.println("libcacard differs, cac-basics.vec line " + line + ": " + d));
        // measured with libcacard 2.8.0 (Debian 12): SELECT with P2 0C still offers FCI (61 0D); a wrong PIN gives
        // 69 85 with no retry counter (card.cac: 63 C2); VERIFY with P1 01 gives 6A 00 (card.cac: 6A 86). The
        // other steps (SELECT with FCI + GET RESPONSE, PIV's AID 6A 82, the right PIN 90 00) agree.
        assertEquals(Map.of(12, "61 0D", 14, "69 85", 16, "6A 00"), differs.entrySet().stream().collect(
                java.util.stream.Collectors.toMap(Map.Entry::getKey, e -> e.getValue().replaceAll(".*=> libcacard: ",
                        ""))), differs.toString());
        assertEquals(Outcome.FAILED, cac.outcome(), "the runner stops at the first difference");
        assertTrue(cac.message().startsWith("line 12 (apdu 00 A4 04 0C 07 A0 00 00 00 79 01 00 -> 90 00): byte 0:"
                + " expected 90, got 61"), cac.message());
    }
}
