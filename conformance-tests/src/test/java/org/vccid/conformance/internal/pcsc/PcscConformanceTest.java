package org.vccid.conformance.internal.pcsc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.vccid.conformance.internal.runner.Library;
import org.vccid.conformance.internal.runner.Outcome;
import org.vccid.conformance.internal.runner.Runner;
import org.vccid.conformance.internal.runner.Targets;
import org.vccid.conformance.internal.runner.VectorResult;
import org.vccid.conformance.internal.vector.Vector;
import org.vccid.conformance.internal.vector.VectorParser;
import org.vccid.conformance.target.CardSource;
import org.vccid.conformance.target.Target;
import org.vccid.pcsc.Pcsc;

/**
 * The vector library through real PC/SC: javax.smartcardio's natives -> a private pcscd -> (vpcd -> our card) or
 * (libccid's serial driver -> pty -> ccid.transport.serial -> our reader engine -> our card), for the reference card
 * and card.cac's CAC. Every built-in vector runs; the ones made of insert / remove / power / apdu steps for the
 * card must pass, the rest must be skipped for the reason the runner names (CCID pipes a PC/SC host cannot reach,
 * a card that does not fit). Runs in its own surefire execution (pcsc-real-peer: PCSCLITE_CSOCK_NAME and the
 * add-opens set for this JVM); skips with the reason when pcscd, vpcd, libccid, socat or root are missing.
 */
@org.junit.jupiter.api.TestMethodOrder(org.junit.jupiter.api.MethodOrderer.OrderAnnotation.class)
class PcscConformanceTest {

    private static PcscRig rig;
    private static String unavailable;
    private static final List<String[]> SUMMARY = new ArrayList<>();

    @BeforeAll
    static void up() throws Exception {
        unavailable = PcscRig.unavailableReason();
        if (unavailable != null) {
            System.out.println("SKIPPED (PC/SC targets): " + unavailable);
            return;
        }
        rig = new PcscRig();
        try {
            rig.start();
        } catch (Exception | AssertionError e) {
            rig.close();
            rig = null;
            throw e;
        }
    }

    @AfterAll
    static void down() {
        // one line per target x card, for the README's matrix
        Map<String, int[]> counts = new java.util.TreeMap<>();
        synchronized (SUMMARY) {
            for (String[] r : SUMMARY) {
                int[] c = counts.computeIfAbsent(r[0], k -> new int[3]);
                c[r[1].equals("PASSED") ? 0 : r[1].equals("SKIPPED") ? 2 : 1]++;
            }
        }
        counts.forEach((k, c) -> System.out.println("pcsc matrix " + k + ": " + c[0] + " passed, " + c[1]
                + " failed, " + c[2] + " skipped"));
        closeMirrorRig();
        if (rig != null) {
            rig.close();
        }
    }

    private static void assumePeers() {
        Assumptions.assumeTrue(unavailable == null, unavailable);
    }

    /** The vectors each card must pass through every PC/SC target; all others are skipped. */
    static final Map<String, Set<String>> PASS = Map.of(
            "conformance", Set.of("apdu/iso7816-cases-short.vec", "apdu/iso7816-cases-extended.vec"),
            "cac", Set.of("cac/cac-basics.vec", "cac/bad-commands.vec", "cac/change-pin.vec",
                    "cac/read-buffer-errors.vec", "cac/verify-pin.vec", "cac/get-acr.vec", "cac/get-challenge.vec",
                    "cac/get-properties.vec", "cac/gp-msft-get-data.vec", "cac/read-buffer-get-response.vec",
                    "cac/read-ccc.vec", "cac/read-certificate.vec", "cac/select-applets.vec",
                    "cac/sign-after-verify.vec", "cac/sign-errors.vec", "cac/sign-without-verify.vec"));

    /**
     * Through libccid's serial reader the CAC (a T=0-only card) runs at T=0 TPDU level: the vectors whose APDUs with
     * Le the card answers with a T=0 procedure (61xx, 6Cxx) are declined at that step (the host application would
     * complete them), so only these pass there.
     */
    static final Set<String> PASS_CAC_T0 = Set.of("cac/cac-basics.vec", "cac/bad-commands.vec",
            "cac/change-pin.vec", "cac/read-buffer-errors.vec", "cac/verify-pin.vec");

    @TestFactory
    Stream<DynamicNode> library() throws Exception {
        assumePeers();
        List<Vector> vectors = Library.builtIn(List.of());
        List<DynamicNode> matrix = new ArrayList<>();
        for (Target target : List.of(new VpcdTarget(rig), rig.serialTarget())) {
            for (CardSource card : List.of(Targets.conformanceCard(), Targets.cacCard())) {
                String type = (String) card.properties().get("vccid.card.type");
                List<DynamicNode> tests = new ArrayList<>();
                for (Vector v : vectors) {
                    tests.add(DynamicTest.dynamicTest(v.name() + " (" + String.join("; ", v.clauses()) + ")",
                            () -> check(v, target, card, (target.name().equals("serial-pcsc") && type.equals("cac")
                                    ? PASS_CAC_T0 : PASS.get(type)).contains(v.name()))));
                }
                matrix.add(DynamicContainer.dynamicContainer(target.name() + " x " + type, tests));
            }
        }
        return matrix.stream();
    }

    private static void check(Vector v, Target target, CardSource card, boolean mustPass) {
        VectorResult r = new Runner(10_000).run(v, target, card);
        synchronized (SUMMARY) {
            SUMMARY.add(new String[] {target.name() + " x " + card.properties().get("vccid.card.type"),
                    r.outcome().name()});
        }
        System.out.println(target.name() + " x " + card.properties().get("vccid.card.type") + ": " + r.outcome() + " "
                + v.name() + " " + r.millis() + " ms" + (r.message().isEmpty() ? "" : ": " + r.message()));
        if (mustPass) {
            assertEquals(Outcome.PASSED, r.outcome(), () -> r.message() + "\n" + r.detail() + "\n--- pcscd log:\n"
                    + rig.pcscdLog());
            return;
        }
        assertEquals(Outcome.SKIPPED, r.outcome(), () -> "expected a skip: " + r.message() + "\n" + r.detail());
        // the only honest reasons: the card does not fit the vector, or the vector needs CCID pipes PC/SC hides
        assertTrue(r.message().contains("does not fit") || r.message().startsWith("needs [") && r.message().endsWith(
                "; target " + target.name() + " has [APDU]") || target.name().equals("serial-pcsc")
                        && r.message().contains("at T=0 the card answered"), r.message());
        Assumptions.abort(r.message());
    }

    private static Vector vector(String text) throws Exception {
        return VectorParser.parse("pcsc.vec", "# clause: self-check\n" + text);
    }

    /** A deliberately wrong vector fails through each target with the byte diff (a test that could fail). */
    @Test
    void aWrongVectorFailsWithTheDiff() throws Exception {
        assumePeers();
        Vector wrong = vector("# reader: slots=1 level=SHORT_APDU\ninsert\npower-on\n"
                + "apdu 80 B0 00 04 -> CNT*4 90 00\napdu 80 5A 6A 82 -> 90 00\n");
        for (Target t : List.of(new VpcdTarget(rig), rig.serialTarget())) {
            VectorResult r = new Runner(10_000).run(wrong, t, Targets.conformanceCard());
            assertEquals(Outcome.FAILED, r.outcome(), t.name() + ": " + r.message() + "\n" + r.detail());
            assertEquals("line 6 (apdu 80 5A 6A 82 -> 90 00): byte 0: expected 90, got 6A", r.message(), t.name());
            assertTrue(r.detail().contains("< (apdu) 00 01 02 03 90 00"), r.detail());
            assertTrue(r.detail().contains("< (apdu) 6A 82"), r.detail());
            assertTrue(r.detail().contains("^^"), r.detail());
        }
    }

    /**
     * What a PC/SC host sees that the CCID-level vectors do not say: the card's own 61xx and a 6Cxx pass unchanged
     * (no GET RESPONSE, no re-issue by the host), two slots hold independent cards, and a card removed and another
     * inserted in the same slot is a new card (powered off, state reset).
     */
    @Test
    void slotsSwapsAndStatusWordsPassUnchanged() throws Exception {
        assumePeers();
        String common = "insert 0\ninsert 1\npower-on 0\npower-on 1\n"
                + "slot 0\napdu 00 A4 04 00 06 F0 76 63 63 69 64 -> 90 00\napdu 80 5A 61 10 -> 61 10\n"
                + "apdu 80 5A 6C 08 -> 6C 08\n"
                + "slot 1\napdu 80 B0 00 03 03 -> 00 01 02 90 00\napdu 80 EE 00 00 02 AA BB 02 -> AA BB 90 00\n"
                + "remove 0\ninsert 0\npower-on 0\nslot 0\napdu 80 B0 00 02 02 -> 00 01 90 00\npower-off 0\n"
                + "power-on 0\napdu 80 5A 90 00 -> 90 00\nremove 1\npower-off 0\n";
        Map<String, String> got = new LinkedHashMap<>();
        for (Target t : List.of(new VpcdTarget(rig), rig.serialTarget())) {
            for (String level : List.of("SHORT_APDU")) {
                for (int slots : t.name().equals("vpcd") ? new int[] {2} : new int[] {2, 3}) {
                    VectorResult r = new Runner(10_000).run(vector("# reader: slots=" + slots + " level=" + level
                            + "\n" + common), t, Targets.conformanceCard());
                    got.put(t.name() + " slots=" + slots, r.outcome() + (r.outcome() == Outcome.PASSED ? ""
                            : ": " + r.message() + "\n" + r.detail()));
                }
            }
        }
        assertEquals(Map.of("vpcd slots=2", "PASSED", "serial-pcsc slots=2", "PASSED", "serial-pcsc slots=3", "PASSED"),
                got);
    }

    /** Readers a target cannot give are skipped with the reason, never failed or faked. */
    @Test
    void readersTheTargetsCannotGiveAreSkipped() throws Exception {
        assumePeers();
        VectorResult vpcd3 = new Runner(10_000).run(vector("# reader: slots=3 level=SHORT_APDU\ninsert 2\n"),
                new VpcdTarget(rig), Targets.conformanceCard());
        assertEquals(Outcome.SKIPPED, vpcd3.outcome(), vpcd3.message());
        assertEquals("target vpcd: vpcd has 2 slot(s) in this pcscd (Debian's libifdvpcd is built with 2), the vector"
                + " wants 3", vpcd3.message());
        VectorResult serial6 = new Runner(10_000).run(vector("# reader: slots=6 level=SHORT_APDU\ninsert 5\n"),
                rig.serialTarget(), Targets.conformanceCard());
        assertEquals(Outcome.SKIPPED, serial6.outcome(), serial6.message());
        assertEquals("target serial-pcsc: the largest reader has 5 slot(s) (GemCorePOSPro), the vector wants 6",
                serial6.message());
        // the CAC's ATR offers T=0 only: no extended APDU through a TPDU-level serial reader
        VectorResult cacExtended = new Runner(10_000).run(vector("# reader: slots=1 level=EXTENDED_APDU\ninsert\n"
                + "power-on\napdu 00 A4 04 0C 07 A0 00 00 00 79 01 00 -> 90 00\n"), rig.serialTarget(),
                Targets.cacCard());
        assertEquals(Outcome.SKIPPED, cacExtended.outcome(), cacExtended.message());
        assertTrue(cacExtended.message().contains("offers only T=0"), cacExtended.message());
        // through vpcd the same vector runs (vpcd passes extended APDUs; this one is short anyway)
        VectorResult vpcdCac = new Runner(10_000).run(vector("# reader: slots=1 level=EXTENDED_APDU\ninsert\n"
                + "power-on\napdu 00 A4 04 0C 07 A0 00 00 00 79 01 00 -> 90 00\n"), new VpcdTarget(rig),
                Targets.cacCard());
        assertEquals(Outcome.PASSED, vpcdCac.outcome(), vpcdCac.message() + "\n" + vpcdCac.detail());
    }

    /**
     * The serial reader negotiates T=1 for the reference card (its ATR offers T=0 first and T=1: a PPS) and T=0 for
     * the CAC (T=0 only). Forced to T=0, the reference card shows what a PC/SC application gets at T=0 when it
     * passes APDUs unchanged: a case-3 TPDU with response data gives 61xx and our engine serves GET RESPONSE, a
     * wrong Le gives 6Cxx, a case-4 APDU with Le is no T=0 TPDU (67 00).
     */
    @Test
    void serialProtocolsAndWhatT0Shows() throws Exception {
        assumePeers();
        Map<String, Integer> negotiated = new LinkedHashMap<>();
        for (CardSource card : List.of(Targets.conformanceCard(), Targets.cacCard())) {
            try (org.vccid.conformance.target.TargetSession s = rig.serialTarget().open(
                    new org.vccid.conformance.target.ReaderSpec(1, org.vccid.conformance.target.ReaderSpec.Level.SHORT_APDU,
                            0, 1000), card)) {
                s.insert(0);
                s.powerOn(0);
                negotiated.put((String) card.properties().get("vccid.card.type"), ((PcscHostSession) s).protocol(0));
            }
        }
        assertEquals(Map.of("conformance", Pcsc.SCARD_PROTOCOL_T1, "cac", Pcsc.SCARD_PROTOCOL_T0), negotiated);

        Target t0 = new ReaderPcscTarget("serial-pcsc-t0", List.of(new ReaderPcscTarget.Line("GemPCTwin",
                () -> rig.engines.get(org.vccid.transport.serial.framing.ReaderType.GemPCTwin),
                rig.serialReaders(org.vccid.transport.serial.framing.ReaderType.GemPCTwin))),
                ReaderPcscTarget.Protocol.T0, rig.pcscContext(), 30_000);
        // case 3 and case 2 with a fitting Le: the T=0 card's answers stand as they are (61xx for case 3 is final)
        VectorResult r = new Runner(10_000).run(vector("# reader: slots=1 level=SHORT_APDU\ninsert\npower-on\n"
                + "apdu 80 EE 00 00 03 01 02 03 -> 61 03\n"
                + "apdu 00 C0 00 00 03 -> 01 02 03 90 00\n"
                + "apdu 80 B0 00 10 10 -> CNT*16 90 00\n"), t0, Targets.conformanceCard());
        assertEquals(Outcome.PASSED, r.outcome(), r.message() + "\n" + r.detail());
        // case 4: the host drops Le (a T=0 TPDU has one length byte); the card's 61 03 would need GET RESPONSE from
        // the application, so the APDU-level step is declined, naming the procedure
        VectorResult case4 = new Runner(10_000).run(vector("# reader: slots=1 level=SHORT_APDU\ninsert\npower-on\n"
                + "apdu 80 EE 00 00 03 01 02 03 00 -> 01 02 03 90 00\n"), t0, Targets.conformanceCard());
        assertEquals(Outcome.SKIPPED, case4.outcome(), case4.message());
        assertTrue(case4.message().startsWith("target serial-pcsc-t0: line 5 (apdu 80 EE 00 00 03 01 02 03 00 -> 01 02 03"
                + " 90 00): at T=0 the card answered 61 03 to an APDU with Le: a T=0 host application completes that with"
                + " GET RESPONSE"), case4.message());
        // case 2 with a wrong Le: 6Cxx, the re-issue is the application's
        VectorResult wrongLe = new Runner(10_000).run(vector("# reader: slots=1 level=SHORT_APDU\ninsert\npower-on\n"
                + "apdu 80 B0 00 10 08 -> CNT*16 90 00\n"), t0, Targets.conformanceCard());
        assertEquals(Outcome.SKIPPED, wrongLe.outcome(), wrongLe.message());
        assertTrue(wrongLe.message().contains("at T=0 the card answered 6C 10 to an APDU with Le: a T=0 host"
                + " application completes that with a re-issue with P3 = SW2"), wrongLe.message());
        VectorResult ext = new Runner(10_000).run(vector("# reader: slots=1 level=EXTENDED_APDU\ninsert\n"), t0,
                Targets.conformanceCard());
        assertEquals(Outcome.SKIPPED, ext.outcome(), ext.message());
        assertEquals("target serial-pcsc-t0: T=0 configured and the reader is TPDU level: a T=0 TPDU has no extended"
                + " length (ISO 7816-3 §12.1), so no extended APDU can pass", ext.message());
    }

    // ------------------------------------------------------------------------- stretch: the mirror as a card source

    private static final List<AutoCloseable> MIRROR_RIG = new ArrayList<>();
    static final String MIRROR_TOO_LONG = "apdu/iso7816-extended-one-message.vec";

    /** Mirror first (it holds the vpcd cards), then the vpcd slots, then the engines. */
    private static void closeMirrorRig() {
        synchronized (MIRROR_RIG) {
            java.util.Collections.reverse(MIRROR_RIG);
            for (AutoCloseable c : MIRROR_RIG) {
                try {
                    c.close();
                } catch (Exception e) {
                    System.out.println("mirror rig: " + e);
                }
            }
            MIRROR_RIG.clear();
        }
    }

    /** The vectors the mirrored reference card must pass in-process (at CCID level); all others are skipped. */
    static final Set<String> MIRROR_PASS = Set.of("apdu/iso7816-cases-extended.vec", "apdu/iso7816-cases-short.vec",
            "apdu/multi-slot.vec", "ccid/abort.vec", "ccid/chaining-extended.vec",
            "ccid/class-requests.vec", "ccid/clock-and-rates.vec", "ccid/get-slot-status.vec", "ccid/icc-power-off.vec",
            "ccid/icc-power-on-no-card.vec", "ccid/icc-power-on.vec", "ccid/malformed.vec",
            "ccid/notify-slot-change-many-slots.vec", "ccid/notify-slot-change.vec", "ccid/parameters.vec",
            "ccid/remove-in-flight.vec", "ccid/replace-card-in-flight.vec", "ccid/short-apdu-level.vec",
            "ccid/slot-busy.vec", "ccid/time-extension.vec", "ccid/unsupported-commands.vec", "ccid/xfr-block.vec",
            "tpdu/t0.vec", "tpdu/t1.vec");

    /**
     * card.pcsc-mirror as the card source of the in-process target: two reference cards in vpcd's slots (our card ->
     * vpcd -> pcscd), mirrored back by card.pcsc-mirror (raw SCardTransmit) as two cards, and those go into the
     * in-process engine's slots, so the CCID-level vectors run with a card that lives behind real PC/SC.
     */
    @TestFactory
    @org.junit.jupiter.api.Order(Integer.MAX_VALUE) // last: it holds both vpcd slots while it runs
    Stream<DynamicNode> mirrorAsCardSource() throws Exception {
        assumePeers();
        String why = org.vccid.card.pcsc.mirror.internal.ConformanceMirror.unavailableReason();
        Assumptions.assumeTrue(why == null, why);
        MirrorPool pool = new MirrorPool();
        for (int slot = 0; slot < 2; slot++) {
            MIRROR_RIG.add(org.vccid.transport.vpcd.internal.ConformanceVpcdSlots.insert("127.0.0.1",
                    PcscRig.VPCD_PORT + slot, new org.vccid.conformance.internal.card.ConformanceCard()));
        }
        MIRROR_RIG.add(org.vccid.card.pcsc.mirror.internal.ConformanceMirror.start(
                java.util.regex.Pattern.quote(PcscRig.VPCD_NAME) + " 00 0[01]", (card, props) -> pool.add(card),
                pool::remove));
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (pool.size() < 2) {
            assertTrue(System.nanoTime() < deadline, "the mirror did not register both vpcd cards: " + pool.size());
            Thread.sleep(50);
        }
        CardSource mirrored = new CardSource() {
            @Override
            public Map<String, Object> properties() {
                // the mirrored cards are the reference card (behind vpcd): the reference card's vectors apply
                return Map.of("vccid.card.type", "conformance", "vccid.card.name", "pcsc-mirror of vpcd");
            }

            @Override
            public org.vccid.card.Card newCard() {
                return pool.take();
            }

            @Override
            public void release(org.vccid.card.Card card) {
                pool.release(card);
            }
        };
        org.vccid.conformance.internal.inprocess.EngineReaders readers =
                new org.vccid.conformance.internal.inprocess.EngineReaders();
        MIRROR_RIG.add(readers);
        Target inProcess = org.vccid.conformance.internal.inprocess.EngineReaders.target(readers);
        List<DynamicNode> tests = new ArrayList<>();
        List<Vector> vectors = new ArrayList<>(Library.builtIn(List.of()));
        // the 65535-byte response exceeds the mirror's SCardTransmit buffer (README of card.pcsc-mirror: 8 KiB in the
        // JDK's native code) and the mirror then drops that card: run it last, when nothing else needs the card
        Vector tooLong = vectors.stream().filter(v -> v.name().equals(MIRROR_TOO_LONG)).findFirst().orElseThrow();
        vectors.remove(tooLong);
        vectors.add(tooLong);
        for (Vector v : vectors) {
            tests.add(DynamicTest.dynamicTest(v.name() + " (" + String.join("; ", v.clauses()) + ")", () -> {
                VectorResult r = new Runner(10_000).run(v, inProcess, mirrored);
                synchronized (SUMMARY) {
                    SUMMARY.add(new String[] {"in-process x pcsc-mirror", v == tooLong && r.outcome() == Outcome.FAILED
                            ? "SKIPPED" : r.outcome().name()}); // the known limit below is reported as skipped
                }
                System.out.println("in-process x pcsc-mirror: " + r.outcome() + " " + v.name() + " " + r.millis()
                        + " ms" + (r.message().isEmpty() ? "" : ": " + r.message()));
                if (v == tooLong) {
                    // a known limit of the card source, not of the reader: asserted exactly, reported as skipped
                    assertEquals(Outcome.FAILED, r.outcome(), r.message());
                    assertEquals("line 11 (apdu 80 B0 FF FF 00 00 00 -> CNT*65535 90 00): XfrBlock failed:"
                            + " RDR_to_PC_DataBlock bSlot 0 bSeq 2 ICC active, failed bError FE ICC_MUTE", r.message());
                    Assumptions.abort("card.pcsc-mirror cannot return a 65535-byte response (the JDK's SCardTransmit"
                            + " buffer is 8 KiB): the mirrored card is mute for it (" + r.message() + ")");
                }
                if (MIRROR_PASS.contains(v.name())) {
                    assertEquals(Outcome.PASSED, r.outcome(), () -> r.message() + "\n" + r.detail());
                    return;
                }
                assertEquals(Outcome.SKIPPED, r.outcome(), () -> "expected a skip: " + r.message() + "\n" + r.detail());
                Assumptions.abort(r.message());
            }));
        }
        tests.add(DynamicTest.dynamicTest("the mirror and its vpcd cards go away", () -> {
            closeMirrorRig();
            for (String reader : rig.vpcdReaders()) {
                long until = System.nanoTime() + 30_000_000_000L;
                while ((PcscHostSession.state(rig.pcsc, rig.context(), reader) & Pcsc.SCARD_STATE_EMPTY) == 0) {
                    assertTrue(System.nanoTime() < until, reader + " still holds a card");
                    Thread.sleep(20);
                }
            }
        }));
        return Stream.of(DynamicContainer.dynamicContainer("in-process x pcsc-mirror (vpcd)", tests));
    }

    /**
     * The two mirrored cards, handed out idle card first. replace-card-in-flight removes a card while it still works
     * on a 10-second command (the mirror's SCardTransmit to vpcd returns only when our card behind vpcd answers);
     * that card comes back to the pool at once, but a vector given it would wait for that call before its power-on
     * could run, and the step timeout is 10 s too. So a card is inserted only once it is idle: the insert step waits
     * for that (it has no answer timeout), the power-on that follows never does.
     */
    static final class MirrorPool {
        private final List<Counted> free = new ArrayList<>();
        private final Map<org.vccid.card.Card, Counted> all = new java.util.IdentityHashMap<>();

        synchronized void add(org.vccid.card.Card card) {
            Counted c = new Counted(card);
            all.put(card, c);
            free.add(c);
        }

        synchronized void remove(org.vccid.card.Card card) {
            Counted c = all.remove(card);
            free.remove(c);
        }

        synchronized int size() {
            return all.size();
        }

        /** An idle card; waits up to 30 s for a busy one to finish its call (never inside a timed step). */
        org.vccid.card.Card take() {
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (true) {
                synchronized (this) {
                    if (free.isEmpty()) {
                        throw new IllegalStateException("both mirrored cards are in use");
                    }
                    Counted pick = free.stream().filter(c -> c.calls.get() == 0).findFirst()
                            .orElse(System.nanoTime() < deadline ? null : free.get(0));
                    if (pick != null) {
                        free.remove(pick);
                        return pick;
                    }
                }
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for an idle mirrored card", e);
                }
            }
        }

        synchronized void release(org.vccid.card.Card card) {
            if (card instanceof Counted c && all.containsValue(c)) {
                free.add(c); // least recently released first, among the idle ones
            }
        }
    }

    /** A mirrored card that counts the calls in progress on it. */
    static final class Counted implements org.vccid.card.Card {
        final org.vccid.card.Card card;
        final java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();

        Counted(org.vccid.card.Card card) {
            this.card = card;
        }

        @Override
        public byte[] atr() {
            return card.atr();
        }

        @Override
        public byte[] powerOn() throws org.vccid.card.CardException {
            calls.incrementAndGet();
            try {
                return card.powerOn();
            } finally {
                calls.decrementAndGet();
            }
        }

        @Override
        public byte[] warmReset() throws org.vccid.card.CardException {
            calls.incrementAndGet();
            try {
                return card.warmReset();
            } finally {
                calls.decrementAndGet();
            }
        }

        @Override
        public void powerOff() {
            calls.incrementAndGet();
            try {
                card.powerOff();
            } finally {
                calls.decrementAndGet();
            }
        }

        @Override
        public byte[] transmit(byte[] buffer, int offset, int length) throws org.vccid.card.CardException {
            calls.incrementAndGet();
            try {
                return card.transmit(buffer, offset, length);
            } finally {
                calls.decrementAndGet();
            }
        }

        @Override
        public boolean isNonBlocking() {
            return card.isNonBlocking();
        }
    }
}
