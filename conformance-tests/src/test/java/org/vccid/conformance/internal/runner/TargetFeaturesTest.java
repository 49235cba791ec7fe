package org.vccid.conformance.internal.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.vccid.card.Card;
import org.vccid.conformance.internal.vector.Vector;
import org.vccid.conformance.internal.vector.VectorParser;
import org.vccid.conformance.target.CardSource;
import org.vccid.conformance.target.NotSupportedException;
import org.vccid.conformance.target.ReaderSpec;
import org.vccid.conformance.target.Target;
import org.vccid.conformance.target.TargetSession;

/**
 * Targets that reach cards, not CCID messages (PC/SC, VSC): the runner sends card steps as whole APDUs, skips
 * vectors that need pipes the target lacks, and skips what a target declines with {@link NotSupportedException}.
 * The target here calls the card object directly: it stands for such a host, not for a transport.
 */
class TargetFeaturesTest {

    /** A host that sees cards only (the card object itself), at most {@code slots} slots. */
    static class CardOnlyTarget implements Target {
        final int slots;
        int opened;

        CardOnlyTarget(int slots) {
            this.slots = slots;
        }

        @Override
        public String name() {
            return "cards-only";
        }

        @Override
        public Set<Feature> features() {
            return EnumSet.of(Feature.APDU);
        }

        @Override
        public TargetSession open(ReaderSpec reader, CardSource cards) throws Exception {
            if (reader.slots() > slots) {
                throw new NotSupportedException("has " + slots + " slot(s), the vector wants " + reader.slots());
            }
            opened++;
            Map<Integer, Card> in = new HashMap<>();
            return new TargetSession() {
                @Override
                public void insert(int slot) {
                    in.put(slot, cards.newCard());
                }

                @Override
                public void remove(int slot) {
                    cards.release(in.remove(slot));
                }

                @Override
                public byte[] powerOn(int slot) throws Exception {
                    return in.get(slot).powerOn();
                }

                @Override
                public void powerOff(int slot) {
                    in.get(slot).powerOff();
                }

                @Override
                public byte[] transmit(int slot, byte[] apdu) throws Exception {
                    return in.get(slot).transmit(apdu, 0, apdu.length);
                }

                @Override
                public void close() {
                    in.values().forEach(cards::release);
                }
            };
        }
    }

    private static Vector vector(String text) throws Exception {
        return VectorParser.parse("f.vec", "# clause: self-check\n" + text);
    }

    @Test
    void apduStepsGoThroughTheSessionAsWholeApdus() throws Exception {
        CardOnlyTarget t = new CardOnlyTarget(2);
        VectorResult ok = new Runner(300).run(vector("insert\npower-on\napdu 80 B0 00 04 -> CNT*4 90 00\n"
                + "apdu 00 84 00 00 08 -> XX*8 90 00\npower-off\n"), t, Targets.conformanceCard());
        assertEquals(Outcome.PASSED, ok.outcome(), ok.message());
        VectorResult wrong = new Runner(300).run(vector("insert\npower-on\napdu 80 5A 6A 82 -> 90 00\n"), t,
                Targets.conformanceCard());
        assertEquals(Outcome.FAILED, wrong.outcome());
        assertTrue(wrong.message().contains("byte 0: expected 90, got 6A"), wrong.message());
        assertTrue(wrong.detail().contains("< (apdu) 6A 82"), wrong.detail());
    }

    @Test
    void vectorsNeedingPipesTheTargetLacksAreSkippedWithTheReason() throws Exception {
        CardOnlyTarget t = new CardOnlyTarget(2);
        VectorResult r = new Runner(300).run(vector("insert\nsend 65 L4 00 SQ 00 00 00\ninterrupt 50 03\n"), t,
                Targets.conformanceCard());
        assertEquals(Outcome.SKIPPED, r.outcome());
        assertEquals("needs [BULK, INTERRUPT]; target cards-only has [APDU]", r.message());
        assertEquals(0, t.opened, "a skipped vector opens no session");
    }

    @Test
    void aTargetCanDeclineAReader() throws Exception {
        VectorResult r = new Runner(300).run(vector("# reader: slots=3\ninsert 2\n"), new CardOnlyTarget(2),
                Targets.conformanceCard());
        assertEquals(Outcome.SKIPPED, r.outcome());
        assertEquals("target cards-only: has 2 slot(s), the vector wants 3", r.message());
    }

    @Test
    void aTargetCanDeclineAStepItCannotCarry() throws Exception {
        // a host whose transmit refuses a case-4 APDU (a stand-in for a line that cannot carry some message)
        Target t = new CardOnlyTarget(1) {
            @Override
            public TargetSession open(ReaderSpec reader, CardSource cards) throws Exception {
                TargetSession s = super.open(reader, cards);
                return new TargetSession() {
                    @Override
                    public void insert(int slot) throws Exception {
                        s.insert(slot);
                    }

                    @Override
                    public void remove(int slot) throws Exception {
                        s.remove(slot);
                    }

                    @Override
                    public byte[] powerOn(int slot) throws Exception {
                        return s.powerOn(slot);
                    }

                    @Override
                    public byte[] transmit(int slot, byte[] apdu) throws Exception {
                        if (apdu.length > 5) {
                            throw new NotSupportedException("no APDUs with data here");
                        }
                        return s.transmit(slot, apdu);
                    }

                    @Override
                    public void close() {
                        s.close();
                    }
                };
            }
        };
        VectorResult r = new Runner(300).run(vector("insert\npower-on\napdu 80 B0 00 02 -> 00 01 90 00\n"
                + "apdu 80 EE 00 00 01 AA -> AA 90 00\napdu 80 5A 6A 82 -> 90 00\n"), t, Targets.conformanceCard());
        assertEquals(Outcome.SKIPPED, r.outcome(), r.detail());
        assertEquals("target cards-only: line 5 (apdu 80 EE 00 00 01 AA -> AA 90 00): no APDUs with data here",
                r.message());
        assertTrue(r.detail().contains("< (apdu) 00 01 90 00"), "what ran before is in the detail:\n" + r.detail());
    }

    @Test
    void cardStepsUseBulkWhenTheTargetHasIt() throws Exception {
        Vector v = vector("insert\npower-on\napdu 00 84 00 00 08 -> XX*8 90 00\n");
        assertEquals(EnumSet.of(Target.Feature.APDU), Runner.uses(v));
        assertEquals(Set.of(), Runner.missing(v, EnumSet.of(Target.Feature.BULK)));
        assertEquals(Set.of(), Runner.missing(v, EnumSet.of(Target.Feature.APDU)));
        assertEquals(EnumSet.of(Target.Feature.APDU), Runner.missing(v, EnumSet.of(Target.Feature.CONTROL)));
        assertEquals(EnumSet.of(Target.Feature.CONTROL), Runner.missing(vector(
                "control A1 02 00 00 00 00 08 00 -> XX*8\n"), EnumSet.of(Target.Feature.BULK,
                        Target.Feature.INTERRUPT)));
    }

    @Test
    void theApduLevelLibraryRunsOnACardOnlyTarget() throws Exception {
        // the ISO 7816-4 case vectors use apdu steps only: they pass through whole APDUs (extended ones too);
        // the two that also check CCID messages are skipped for want of BULK
        Map<String, String> got = new HashMap<>();
        for (Vector v : Library.builtIn(Arrays.asList("apdu/"))) {
            VectorResult r = new Runner(2000).run(v, new CardOnlyTarget(2), Targets.conformanceCard());
            got.put(v.name(), r.outcome() + (r.outcome() == Outcome.PASSED ? "" : ": " + r.message()));
        }
        assertEquals(Map.of("apdu/iso7816-cases-short.vec", "PASSED", "apdu/iso7816-cases-extended.vec", "PASSED",
                "apdu/iso7816-extended-one-message.vec", "SKIPPED: needs [BULK]; target cards-only has [APDU]",
                "apdu/multi-slot.vec", "SKIPPED: needs [BULK]; target cards-only has [APDU]"), got);
    }
}
