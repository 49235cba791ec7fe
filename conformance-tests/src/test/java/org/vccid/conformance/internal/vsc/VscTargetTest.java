package org.vccid.conformance.internal.vsc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.vccid.card.Card;
import org.vccid.conformance.internal.card.ConformanceCard;
import org.vccid.conformance.internal.runner.Filters;
import org.vccid.conformance.internal.runner.Library;
import org.vccid.conformance.internal.runner.Outcome;
import org.vccid.conformance.internal.runner.Runner;
import org.vccid.conformance.internal.runner.Targets;
import org.vccid.conformance.internal.runner.VectorResult;
import org.vccid.conformance.internal.vector.Step;
import org.vccid.conformance.internal.vector.Vector;
import org.vccid.conformance.internal.vector.VectorParser;
import org.vccid.conformance.target.CardSource;
import org.vccid.conformance.target.NotSupportedException;
import org.vccid.conformance.target.ReaderSpec;
import org.vccid.iso7816.Hex;
import org.vccid.transport.vsc.protocol.Vsc;
import org.vccid.transport.vsc.protocol.VscMessage;

/**
 * The vsc target on a plain class path: the runner plays QEMU's passthru on 127.0.0.1 (ports 37662-37665) and
 * ccid.transport.vsc's card side (its client class, built directly) serves the card of the run. The same target
 * runs inside Felix with the card side configured by ConfigAdmin in {@code VscTargetIT}.
 */
class VscTargetTest {

    static final String HOST = "127.0.0.1";

    static final java.util.logging.Logger VSC_LOG = quietVscLogs();

    /** ccid.transport.vsc logs every connection at INFO: keep its warnings only. */
    static java.util.logging.Logger quietVscLogs() {
        java.util.logging.Logger l = java.util.logging.Logger.getLogger("org.vccid.transport.vsc");
        l.setLevel(java.util.logging.Level.WARNING);
        return l;
    }

    /** The target's ports: a range, since one of them may be held for a while by some client's ephemeral port. */
    static final int PORT = 37662;
    static final int PORTS = 4;

    private static VscTarget target(CardSides sides, long connectMs, long answerMs) {
        return new VscTarget(new VscTarget.Settings(HOST, PORT, PORTS, connectMs, answerMs), sides);
    }

    /** Runs the whole library; returns vector name -> "OUTCOME: message". */
    static Map<String, VectorResult> library(VscTarget t, CardSource card) throws Exception {
        Map<String, VectorResult> got = new LinkedHashMap<>();
        for (Vector v : Library.builtIn(List.of())) {
            got.put(v.name(), new Runner().run(v, t, card));
        }
        return got;
    }

    /** Whether a vector uses CCID pipes (an APDU-only host cannot run it). */
    static boolean usesPipes(Vector v) {
        return v.steps().stream().anyMatch(s -> Set.of(Step.Kind.SEND, Step.Kind.EXPECT, Step.Kind.QUIET,
                Step.Kind.INTERRUPT, Step.Kind.NO_INTERRUPT, Step.Kind.CONTROL).contains(s.kind()));
    }

    /** Whether a vector powers one inserted card on more than once (expects a power cycle to reset it). */
    static boolean powersTwice(Vector v) {
        int on = 0;
        for (Step s : v.steps()) {
            if (s.kind() == Step.Kind.INSERT) {
                on = 0;
            } else if (s.kind() == Step.Kind.POWER_ON && ++on > 1) {
                return true;
            }
        }
        return false;
    }

    /**
     * Per vector, what the vsc target must report, derived from the vector itself: SKIPPED when the card does not
     * fit its # requires:, when it uses CCID pipes, when it wants more than one slot, when it power-cycles a card
     * (VSC cannot reset a card); PASSED otherwise. Nothing failed; {@code mustPass} are among the passed.
     */
    static void check(Map<String, VectorResult> got, Set<String> mustPass, CardSource card) throws Exception {
        StringBuilder table = new StringBuilder("vsc x " + card.properties().get(Card.TYPE) + ":\n");
        got.forEach((k, r) -> table.append(String.format("  %-45s %s %s%n", k, r.outcome(), r.message())));
        System.out.print(table);
        Map<String, Vector> vectors = new TreeMap<>();
        for (Vector v : Library.builtIn(List.of())) {
            vectors.put(v.name(), v);
        }
        assertEquals(vectors.keySet(), new TreeMap<>(got).keySet());
        for (Map.Entry<String, VectorResult> e : got.entrySet()) {
            VectorResult r = e.getValue();
            Vector v = vectors.get(e.getKey());
            String what = e.getKey() + ": " + r.outcome() + " " + r.message() + "\n" + r.detail();
            if (v.requires() != null && !Filters.matches(v.requires(), card.properties())) {
                assertEquals(Outcome.SKIPPED, r.outcome(), what);
                assertEquals("the card " + card.properties().get(Card.TYPE) + " does not fit " + v.requires(),
                        r.message());
            } else if (usesPipes(v)) {
                assertEquals(Outcome.SKIPPED, r.outcome(), what);
                assertTrue(r.message().matches("needs \\[[A-Z, ]+\\]; target vsc has \\[APDU\\]"), what);
            } else if (v.reader().slots() > 1) {
                assertEquals(Outcome.SKIPPED, r.outcome(), what);
                assertTrue(r.message().startsWith("target vsc: VSC carries one card per connection"), what);
            } else if (powersTwice(v)) {
                assertEquals(Outcome.SKIPPED, r.outcome(), what);
                assertTrue(r.message().matches("target vsc: line \\d+ \\(power-on\\): VSC has no power control: .*"),
                        what);
            } else {
                assertEquals(Outcome.PASSED, r.outcome(), what);
            }
        }
        for (String p : mustPass) {
            assertEquals(Outcome.PASSED, got.get(p).outcome(), p);
        }
    }

    @Test
    void theLibraryWithTheReferenceCard() throws Exception {
        long threads = vscThreads();
        CardSource card = Targets.conformanceCard();
        check(library(target(new DirectCardSides(), 30_000, 30_000), card),
                Set.of("apdu/iso7816-cases-short.vec", "apdu/iso7816-cases-extended.vec"), card);
        waitFor("every session's card side threads gone", () -> vscThreads() <= threads);
    }

    @Test
    void theLibraryWithCardCacsCac() throws Exception {
        long threads = vscThreads();
        CardSource card = Targets.cacCard();
        check(library(target(new DirectCardSides(), 30_000, 30_000), card), Set.of("cac/cac-basics.vec",
                "cac/select-applets.vec", "cac/read-certificate.vec", "cac/sign-after-verify.vec"), card);
        waitFor("every session's card side threads gone", () -> vscThreads() <= threads);
    }

    @Test
    void aWrongVectorFailsWithTheDiffAndMoreSlotsAreDeclined() throws Exception {
        VscTarget t = target(new DirectCardSides(), 30_000, 30_000);
        Vector wrong = VectorParser.parse("wrong.vec", "# clause: self-check\ninsert\npower-on\n"
                + "apdu 00 A4 04 00 06 F0 76 63 63 69 64 -> 90 00\napdu 80 5A 6A 82 -> 90 00\n");
        VectorResult r = new Runner().run(wrong, t, Targets.conformanceCard());
        assertEquals(Outcome.FAILED, r.outcome(), r.message());
        assertEquals("line 5 (apdu 80 5A 6A 82 -> 90 00): byte 0: expected 90, got 6A", r.message());
        assertTrue(r.detail().contains("< (apdu) 6A 82"), r.detail());
        assertTrue(r.detail().contains("< (atr) 3B 85 80 01 76 63 63 69 64 7F"), r.detail());
        Vector twoSlots = VectorParser.parse("two.vec", "# clause: self-check\n# reader: slots=2\nslot 1\n"
                + "insert\npower-on\napdu 80 5A 90 00 -> 90 00\n");
        VectorResult s = new Runner().run(twoSlots, t, Targets.conformanceCard());
        assertEquals(Outcome.SKIPPED, s.outcome());
        assertEquals("target vsc: VSC carries one card per connection (QEMU's ccid-card-passthru is a one-slot"
                + " reader); the vector wants 2 slots", s.message());
    }

    @Test
    void handshakeInsertionApdusRemovalAndCloseAsQemuSeesThem() throws Exception {
        long threads = vscThreads();
        CardSource cards = Targets.conformanceCard();
        VscTargetSession s = (VscTargetSession) target(new DirectCardSides(), 30_000, 30_000)
                .open(new ReaderSpec(1, ReaderSpec.Level.SHORT_APDU, 0, 1000), cards);
        try {
            assertTrue(s.host().attached());
            assertTrue(s.host().readerName().startsWith("vccid conformance "), s.host().readerName());
            assertFalse(s.host().cardPresent());
            assertThrows(IllegalStateException.class, () -> s.powerOn(0));
            s.insert(0);
            assertArrayEquals(ConformanceCard.ATR, s.powerOn(0));
            s.powerOff(0);
            NotSupportedException again = assertThrows(NotSupportedException.class, () -> s.powerOn(0));
            assertTrue(again.getMessage().startsWith("VSC has no power control: a power cycle does not reach the"
                    + " card"), again.getMessage());
            assertEquals("9000", Hex.encode(s.transmit(0, Hex.decode("00A4040006F076636369 64"))));
            assertEquals("000102039000", Hex.encode(s.transmit(0, Hex.decode("80B0000400"))));
            s.powerOff(0);
            s.remove(0);
            assertEquals(1, s.host().cardRemoves());
            IllegalStateException none = assertThrows(IllegalStateException.class, () -> s.transmit(0,
                    Hex.decode("80B0000400")));
            assertTrue(none.getMessage().startsWith("no card in the VSC reader"), none.getMessage());
            s.insert(0); // a fresh card
            assertEquals(2, s.host().atrsAccepted());
            assertThrows(IllegalArgumentException.class, () -> s.transmit(1, Hex.decode("80B0000400")));
        } finally {
            s.close();
        }
        assertTrue(s.ended(), "the card side closed the connection");
        assertEquals(2, s.host().cardRemoves(), "close takes the card out");
        assertEquals(1, s.host().readerRemoves());
        assertEquals(List.of(), s.host().problems());
        waitFor("card side threads gone", () -> vscThreads() <= threads);
        assertPortFree(s.port());
    }

    @Test
    void aCardSideThatNeverConnectsFailsOpenInTime() throws Exception {
        CardSides nobody = new CardSides() {
            @Override
            public CardSide start(String host, int port, String readerName) {
                return new CardSide() {
                    @Override
                    public void insert(Card card) {
                    }

                    @Override
                    public void remove() {
                    }

                    @Override
                    public void close() {
                    }
                };
            }

            @Override
            public String describe() {
                return "nobody";
            }
        };
        long t0 = System.nanoTime();
        IOException e = assertThrows(IOException.class, () -> target(nobody, 1500, 1000)
                .open(new ReaderSpec(1, ReaderSpec.Level.SHORT_APDU, 0, 1000), Targets.conformanceCard()));
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("vsc target: no VSC card side connected to"
                + " 127\\.0\\.0\\.1:(\\d+) within 1500 ms \\(nobody\\)").matcher(e.getMessage());
        assertTrue(m.matches(), e.getMessage());
        int port = Integer.parseInt(m.group(1));
        assertTrue(port >= PORT && port < PORT + PORTS, e.getMessage());
        assertTrue(ms >= 1400 && ms < 20_000, ms + " ms");
        assertPortFree(port);
        // the runner reports it as an error of that vector, with the message
        VectorResult r = new Runner().run(VectorParser.parse("x.vec", "# clause: self-check\ninsert\n"),
                target(nobody, 300, 300), Targets.conformanceCard());
        assertEquals(Outcome.ERROR, r.outcome());
        assertTrue(r.message().matches(".*no VSC card side connected to 127\\.0\\.0\\.1:\\d+ within 300 ms.*"),
                r.message());
    }

    @Test
    void aCardSideThatAddsNoReaderFailsOpenInTime() throws Exception {
        ScriptedCardSides mute = new ScriptedCardSides((peer, name) -> {
            peer.send(VscMessage.init(Vsc.UNDEFINED_READER_ID));
            peer.next();
            peer.in.read(); // then nothing until the host closes
        });
        IOException e = assertThrows(IOException.class, () -> target(mute, 1500, 1000)
                .open(new ReaderSpec(1, ReaderSpec.Level.SHORT_APDU, 0, 1000), Targets.conformanceCard()));
        assertTrue(e.getMessage().matches("(?s)vsc target: no VSC_Init and VSC_ReaderAdd from the card side that"
                + " connected to 127\\.0\\.0\\.1:\\d+ within .*"), e.getMessage());
        assertTrue(e.getMessage().contains("< VSC_Init(reader undefined, 12 bytes)"), e.getMessage());
        mute.thread.join(10_000);
        assertFalse(mute.thread.isAlive(), "the host closed the connection");
    }

    @Test
    void aPeerThatClosesMidApduFailsTheStepAndLeaksNothing() throws Exception {
        ScriptedCardSides halfAnswer = new ScriptedCardSides((peer, name) -> {
            peer.handshake(name);
            peer.announceCard();
            VscMessage apdu = peer.next();
            assertEquals(Vsc.VSC_APDU, apdu.type());
            byte[] whole = new VscMessage(Vsc.VSC_APDU, 0, Hex.decode("9000")).encode();
            peer.out.write(whole, 0, 6); // half a header, then gone
            peer.out.flush();
        });
        CardSource cards = Targets.conformanceCard();
        VscTargetSession s = (VscTargetSession) target(halfAnswer, 10_000, 10_000)
                .open(new ReaderSpec(1, ReaderSpec.Level.SHORT_APDU, 0, 1000), cards);
        long t0 = System.nanoTime();
        try {
            s.insert(0);
            IOException e = assertThrows(IOException.class, () -> s.transmit(0, Hex.decode("80B0000400")));
            assertTrue(e.getMessage().startsWith("vsc target: the card side closed the connection while waiting for"
                    + " VSC_APDU answer to the command 80 B0 00 04 00, with a command APDU outstanding, in the"
                    + " middle of a message (6 bytes of it received)"), e.getMessage());
            IOException again = assertThrows(IOException.class, () -> s.transmit(0, Hex.decode("80B0000400")));
            assertTrue(again.getMessage().startsWith("vsc target: the VSC connection is unusable: the card side"
                    + " closed"), again.getMessage());
        } finally {
            s.close();
        }
        assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0) < 10_000, "no wait for a dead peer");
        halfAnswer.thread.join(10_000);
        assertFalse(halfAnswer.thread.isAlive());
        assertNull(halfAnswer.failure);
        assertPortFree(s.port());
    }

    @Test
    void aPeerThatNeverAnswersFailsTheStepWithinTheAnswerTimeout() throws Exception {
        ScriptedCardSides silent = new ScriptedCardSides((peer, name) -> {
            peer.handshake(name);
            peer.announceCard();
            peer.next(); // the APDU: never answered
            peer.in.read(); // until the host closes
        });
        VscTargetSession s = (VscTargetSession) target(silent, 10_000, 1000)
                .open(new ReaderSpec(1, ReaderSpec.Level.SHORT_APDU, 0, 1000), Targets.conformanceCard());
        try {
            s.insert(0);
            long t0 = System.nanoTime();
            IOException e = assertThrows(IOException.class, () -> s.transmit(0, Hex.decode("80B0000400")));
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertTrue(e.getMessage().startsWith("vsc target: no VSC_APDU answer to the command 80 B0 00 04 00"
                    + " within 1000 ms"), e.getMessage());
            assertTrue(ms >= 900 && ms < 20_000, ms + " ms");
            assertTrue(e.getMessage().contains("> VSC_APDU(reader 0, 5 bytes)"), e.getMessage());
        } finally {
            s.close();
        }
        silent.thread.join(10_000);
        assertFalse(silent.thread.isAlive(), "the host closed the connection");
        assertPortFree(s.port());
    }

    static long vscThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("vsc-")).count();
    }

    static void waitFor(String what, java.util.function.BooleanSupplier c) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!c.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 60 s: " + what);
            }
            Thread.sleep(10);
        }
    }

    static void assertPortFree(int port) throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(InetAddress.getByName(HOST), port));
        }
    }
}
