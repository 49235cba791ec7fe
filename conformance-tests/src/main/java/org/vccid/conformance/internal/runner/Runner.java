package org.vccid.conformance.internal.runner;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.vccid.ccid.Ccid;
import org.vccid.conformance.internal.vector.Step;
import org.vccid.conformance.internal.vector.Template;
import org.vccid.conformance.internal.vector.Vector;
import org.vccid.conformance.target.CardSource;
import org.vccid.conformance.target.NotSupportedException;
import org.vccid.conformance.target.ReaderSpec;
import org.vccid.conformance.target.Target;
import org.vccid.conformance.target.TargetSession;

/**
 * Replays vectors through a {@link Target}: one fresh reader and session per vector, bSeq managed here, time
 * extensions skipped unless a step expects one, APDUs chained as the reader's level needs.
 */
public final class Runner {

    /** How long a step waits for an answer. */
    private final long timeoutMillis;

    public Runner(long timeoutMillis) {
        this.timeoutMillis = timeoutMillis;
    }

    public Runner() {
        this(5000);
    }

    /** The most slots holding a card at the same time in a vector (from its insert / remove / slot steps). */
    static int cardsAtOnce(Vector v) {
        java.util.Set<Integer> full = new java.util.HashSet<>();
        int current = 0;
        int most = 0;
        for (Step s : v.steps()) {
            int slot = s.slot() >= 0 ? s.slot() : current;
            switch (s.kind()) {
            case SLOT:
                current = s.slot();
                break;
            case INSERT:
                full.add(slot);
                most = Math.max(most, full.size());
                break;
            case REMOVE:
                full.remove(slot);
                break;
            default:
                break;
            }
        }
        return most;
    }

    /**
     * The target features a vector's steps use. {@code power-on}, {@code power-off} and {@code apdu} need
     * {@link Target.Feature#BULK} or {@link Target.Feature#APDU}; that choice is made in {@link #missing}.
     */
    static java.util.Set<Target.Feature> uses(Vector v) {
        java.util.Set<Target.Feature> f = java.util.EnumSet.noneOf(Target.Feature.class);
        for (Step s : v.steps()) {
            switch (s.kind()) {
            case SEND:
            case EXPECT:
            case QUIET:
                f.add(Target.Feature.BULK);
                break;
            case INTERRUPT:
            case NO_INTERRUPT:
                f.add(Target.Feature.INTERRUPT);
                break;
            case CONTROL:
                f.add(Target.Feature.CONTROL);
                break;
            case POWER_ON:
            case POWER_OFF:
            case APDU:
                f.add(Target.Feature.APDU);
                break;
            default:
                break;
            }
        }
        return f;
    }

    /** What the vector needs and the target lacks (empty: it can run). */
    static java.util.Set<Target.Feature> missing(Vector v, java.util.Set<Target.Feature> has) {
        java.util.Set<Target.Feature> need = uses(v);
        if (has.contains(Target.Feature.BULK)) {
            need.remove(Target.Feature.APDU); // card steps go through XfrBlock
        }
        need.removeAll(has);
        return need;
    }

    /** Whether the source gives n different card instances at once (a prototype-scoped service does). */
    private static boolean distinctCards(CardSource cards, int n) {
        java.util.List<org.vccid.card.Card> got = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                got.add(cards.newCard());
            }
            java.util.Set<org.vccid.card.Card> distinct = java.util.Collections.newSetFromMap(
                    new java.util.IdentityHashMap<>());
            distinct.addAll(got);
            return distinct.size() == n;
        } catch (RuntimeException e) {
            return false;
        } finally {
            got.forEach(cards::release);
        }
    }

    /** Run one vector. Never throws: problems become FAILED or ERROR results. */
    public VectorResult run(Vector v, Target target, CardSource cards) {
        long t0 = System.nanoTime();
        if (v.requires() != null && !matches(v.requires(), cards.properties())) {
            return result(v, Outcome.SKIPPED, "the card " + cards.properties().get("vccid.card.type")
                    + " does not fit " + v.requires(), "", t0);
        }
        int atOnce = cardsAtOnce(v);
        if (atOnce > 1 && !distinctCards(cards, atOnce)) {
            return result(v, Outcome.SKIPPED, "needs " + atOnce + " cards at once; the card "
                    + cards.properties().get("vccid.card.type") + " is one instance (not prototype-scoped)", "", t0);
        }
        java.util.Set<Target.Feature> features = target.features();
        java.util.Set<Target.Feature> lacking = missing(v, features);
        if (!lacking.isEmpty()) {
            return result(v, Outcome.SKIPPED, "needs " + lacking + "; target " + target.name() + " has " + features,
                    "", t0);
        }
        TargetSession session;
        try {
            session = target.open(v.reader(), cards);
        } catch (NotSupportedException e) {
            return result(v, Outcome.SKIPPED, "target " + target.name() + ": " + e.getMessage(), "", t0);
        } catch (Exception e) {
            return result(v, Outcome.ERROR, "target " + target.name() + " could not open a reader (" + v.reader()
                    + "): " + e, "", t0);
        }
        Execution x = new Execution(v, session, features.contains(Target.Feature.BULK));
        try {
            for (Step s : v.steps()) {
                x.step = s;
                x.transcript.add("   " + s.line() + ": " + s.text());
                x.run(s);
            }
            byte[] extra = x.bulk ? session.receive(0) : null;
            if (extra != null) {
                throw new StepFailure("an answer nobody asked for arrived after the last step: " + Diff.describe(extra),
                        "  extra: " + hex(extra) + "\n");
            }
            return result(v, Outcome.PASSED, "", "", t0);
        } catch (NotSupportedException e) {
            // the transport cannot carry this step as written (a target declines it): not a failure, but say
            // where the vector stopped and what ran before
            String where = x.step == null ? "" : "line " + x.step.line() + " (" + x.step.text() + "): ";
            return result(v, Outcome.SKIPPED, "target " + target.name() + ": " + where + e.getMessage(),
                    transcript(x.transcript), t0);
        } catch (StepFailure f) {
            String where = "line " + x.step.line() + " (" + x.step.text() + ")";
            return result(v, Outcome.FAILED, where + ": " + f.getMessage(), "vector " + v.name() + ", " + where
                    + "\n" + f.diff + transcript(x.transcript), t0);
        } catch (Exception e) {
            String where = x.step == null ? "" : "line " + x.step.line() + " (" + x.step.text() + "): ";
            return result(v, Outcome.ERROR, where + e, transcript(x.transcript), t0);
        } finally {
            session.close();
        }
    }

    private static String transcript(List<String> t) {
        StringBuilder sb = new StringBuilder("transcript (> host to reader, < reader to host):\n");
        int from = Math.max(0, t.size() - 40);
        if (from > 0) {
            sb.append("  ... ").append(from).append(" earlier lines\n");
        }
        for (String l : t.subList(from, t.size())) {
            sb.append("  ").append(l).append('\n');
        }
        return sb.toString();
    }

    static boolean matches(String filter, Map<String, Object> properties) {
        return Filters.matches(filter, properties);
    }

    private static VectorResult result(Vector v, Outcome o, String message, String detail, long t0) {
        return new VectorResult(v.name(), v.title(), v.clauses(), o, message, detail,
                (System.nanoTime() - t0) / 1_000_000);
    }

    private static final char[] DIGITS = "0123456789ABCDEF".toCharArray();

    /** Spaced hex; long byte strings are cut after 300 bytes (the transcript stays readable). */
    static String hex(byte[] b) {
        int n = Math.min(b.length, 300);
        StringBuilder sb = new StringBuilder(n * 3 + 32);
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                sb.append(' ');
            }
            sb.append(DIGITS[b[i] >> 4 & 0xF]).append(DIGITS[b[i] & 0xF]);
        }
        if (n < b.length) {
            sb.append(" ... (").append(b.length).append(" bytes)");
        }
        return sb.toString();
    }

    /** A step's expectation was not met. */
    static final class StepFailure extends Exception {
        private static final long serialVersionUID = 1L;
        final String diff;

        StepFailure(String message, String diff) {
            super(message);
            this.diff = diff;
        }
    }

    /** The state of one vector's run. */
    private final class Execution {
        final Vector v;
        final TargetSession session;
        /** Card steps as CCID messages (else as whole APDUs through the session). */
        final boolean bulk;
        final List<String> transcript = new ArrayList<>();
        Step step;
        int slot;
        int seq = -1; // last bSeq sent
        int nextSeq;

        Execution(Vector v, TargetSession session, boolean bulk) {
            this.v = v;
            this.session = session;
            this.bulk = bulk;
        }

        int slot(Step s) {
            return s.slot() >= 0 ? s.slot() : slot;
        }

        Template.Context ctx() {
            return new Template.Context(seq & 0xFF, nextSeq);
        }

        void run(Step s) throws Exception {
            switch (s.kind()) {
            case SLOT:
                slot = s.slot();
                break;
            case INSERT:
                session.insert(slot(s));
                break;
            case REMOVE:
                session.remove(slot(s));
                break;
            case SEND: {
                Template.Context c = ctx();
                if (s.bytes().usesSeq()) {
                    c.seq = nextSeq;
                    seq = nextSeq;
                    nextSeq = (nextSeq + 1) & 0xFF;
                    c.nextSeq = nextSeq;
                }
                send(s.bytes().build(c));
                break;
            }
            case EXPECT:
                expect(s.bytes());
                break;
            case QUIET: {
                byte[] m = session.receive(100);
                if (m != null) {
                    transcript.add("< " + hex(m));
                    throw new StepFailure("expected no answer, got " + Diff.describe(m), "  actual: " + hex(m) + "\n");
                }
                break;
            }
            case INTERRUPT: {
                byte[] m = session.interrupt(timeoutMillis);
                if (m == null) {
                    throw new StepFailure("no interrupt message within " + timeoutMillis + " ms", "  expected: "
                            + s.bytes() + "\n");
                }
                transcript.add("< (interrupt) " + hex(m));
                compare(s.bytes(), m, false);
                break;
            }
            case NO_INTERRUPT: {
                byte[] m = session.interrupt(0);
                if (m != null) {
                    transcript.add("< (interrupt) " + hex(m));
                    throw new StepFailure("expected no interrupt message, got " + hex(m), "");
                }
                break;
            }
            case CONTROL:
                control(s);
                break;
            case POWER_ON:
                power(slot(s), true);
                break;
            case POWER_OFF:
                power(slot(s), false);
                break;
            case APDU:
                apdu(s);
                break;
            default:
                throw new IllegalStateException(s.kind().toString());
            }
        }

        void send(byte[] m) throws Exception {
            transcript.add("> " + hex(m));
            session.send(m);
        }

        /**
         * The next bulk IN message; time extensions skipped unless {@code keepTimeExtensions}. The step's timeout
         * covers the skipped time extensions too: a reader that only ever extends fails.
         */
        byte[] receive(boolean keepTimeExtensions, String expected) throws Exception {
            long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
            int extensions = 0;
            while (true) {
                long left = (deadline - System.nanoTime()) / 1_000_000L;
                byte[] m = left > 0 ? session.receive(left) : null;
                if (m == null) {
                    throw new StepFailure("no answer within " + timeoutMillis + " ms"
                            + (extensions > 0 ? " (" + extensions + " time extension(s) skipped)" : ""),
                            "  expected: " + expected + "\n");
                }
                transcript.add("< " + hex(m) + "   [" + Diff.describe(m) + "]");
                if (keepTimeExtensions || !isTimeExtension(m)) {
                    return m;
                }
                extensions++;
            }
        }

        void expect(Template t) throws Exception {
            // does the step itself expect a time extension (bmCommandStatus 2 written in byte 7)?
            int[] probe = t.expected(new byte[Math.max(10, 0)], ctx());
            boolean wantsTe = probe.length > 7 && probe[7] >= 0 && (probe[7] & 0xC0) == 0x80;
            byte[] m = receive(wantsTe, t.text());
            compare(t, m, true);
        }

        void compare(Template t, byte[] actual, boolean ccid) throws StepFailure {
            Template.Context c = ctx();
            if (!t.matches(actual, c)) {
                int[] exp = t.expected(actual, c);
                String d = Diff.render(exp, actual, ccid);
                String first = firstDifference(exp, actual, ccid);
                throw new StepFailure(first, "  pattern:  " + t.text() + "\n" + d
                        + (ccid ? "  actual decoded: " + Diff.describe(actual) + "\n" : ""));
            }
        }

        void control(Step s) throws Exception {
            byte[] setup = s.bytes().build(ctx());
            int bmRequestType = setup[0] & 0xFF;
            int bRequest = setup[1] & 0xFF;
            int wValue = (setup[2] & 0xFF) | (setup[3] & 0xFF) << 8;
            int wLength = (setup[6] & 0xFF) | (setup[7] & 0xFF) << 8;
            transcript.add("> (control) " + hex(setup));
            byte[] r = session.control(bmRequestType, bRequest, wValue, wLength);
            transcript.add("< (control) " + (r == null ? "STALL" : hex(r)));
            if (s.answer() == null) {
                if (r != null) {
                    throw new StepFailure("expected a STALL, got data stage [" + hex(r) + "]", "");
                }
                return;
            }
            if (r == null) {
                throw new StepFailure("the device STALLed the request", "  expected: " + s.answer() + "\n");
            }
            compare(s.answer(), r, false);
        }

        void power(int slot, boolean on) throws Exception {
            if (!bulk) {
                transcript.add("> (" + (on ? "power on" : "power off") + ") slot " + slot);
                try {
                    if (on) {
                        byte[] atr = session.powerOn(slot);
                        transcript.add("< (atr) " + (atr == null ? "none" : hex(atr)));
                        if (atr == null || atr.length < 2) {
                            throw new StepFailure("power on gave no ATR", "");
                        }
                    } else {
                        session.powerOff(slot);
                    }
                } catch (StepFailure | NotSupportedException f) {
                    throw f; // a declined step is skipped, not failed (TargetSession 1.1)
                } catch (Exception e) {
                    throw new StepFailure((on ? "power on" : "power off") + " failed: " + e, "");
                }
                return;
            }
            seq = nextSeq;
            nextSeq = (nextSeq + 1) & 0xFF;
            byte[] m = new byte[10];
            m[0] = (byte) (on ? Ccid.PC_TO_RDR_ICC_POWER_ON : Ccid.PC_TO_RDR_ICC_POWER_OFF);
            m[5] = (byte) slot;
            m[6] = (byte) seq;
            send(m);
            byte[] r = receive(false, on ? "RDR_to_PC_DataBlock with the ATR" : "RDR_to_PC_SlotStatus");
            int type = on ? Ccid.RDR_TO_PC_DATA_BLOCK : Ccid.RDR_TO_PC_SLOT_STATUS;
            if (r.length < 10 || (r[0] & 0xFF) != type || (r[5] & 0xFF) != slot || (r[6] & 0xFF) != seq
                    || (r[7] & 0xC0) != 0 || on && r.length < 12) {
                throw new StepFailure((on ? "power on" : "power off") + " failed: " + Diff.describe(r),
                        "  actual: " + hex(r) + "\n");
            }
        }

        /** One APDU: XfrBlock(s) out, DataBlock(s) in; command and response chaining as CCID 1.1 §6.1.4 says. */
        void apdu(Step s) throws Exception {
            int sl = slot;
            byte[] apdu = s.bytes().build(ctx());
            transcript.add("> (apdu) " + hex(apdu));
            if (!bulk) {
                byte[] rapdu = session.transmit(sl, apdu);
                transcript.add("< (apdu) " + hex(rapdu));
                compare(s.answer(), rapdu, false);
                return;
            }
            ReaderSpec spec = v.reader();
            int room = (spec.maxMessageLength() != 0 ? spec.maxMessageLength()
                    : spec.level() == ReaderSpec.Level.EXTENDED_APDU ? 65555 : 271) - 10;
            int at = 0;
            byte[] r;
            if (apdu.length <= room) {
                r = xfr(sl, 0, apdu, 0, apdu.length);
            } else {
                if (spec.level() != ReaderSpec.Level.EXTENDED_APDU) {
                    throw new IllegalStateException("a " + apdu.length + "-byte APDU needs an extended APDU level reader");
                }
                r = null;
                while (at < apdu.length) {
                    int n = Math.min(room, apdu.length - at);
                    int level = at == 0 ? Ccid.CHAIN_BEGIN : at + n == apdu.length ? Ccid.CHAIN_END : Ccid.CHAIN_CONTINUE;
                    r = xfr(sl, level, apdu, at, n);
                    at += n;
                    if (at < apdu.length && ((r[9] & 0xFF) != Ccid.CHAIN_CONTINUE_RESPONSE || r.length != 10)) {
                        throw new StepFailure("command chaining: expected an empty DataBlock with bChainParameter 10,"
                                + " got " + Diff.describe(r), "  actual: " + hex(r) + "\n");
                    }
                }
            }
            // response chaining
            java.io.ByteArrayOutputStream resp = new java.io.ByteArrayOutputStream();
            resp.write(r, 10, r.length - 10);
            int chain = r[9] & 0xFF;
            while (chain == Ccid.CHAIN_BEGIN || chain == Ccid.CHAIN_CONTINUE) {
                r = xfr(sl, Ccid.CHAIN_CONTINUE_RESPONSE, new byte[0], 0, 0);
                resp.write(r, 10, r.length - 10);
                chain = r[9] & 0xFF;
            }
            if (chain != Ccid.CHAIN_BEGIN_AND_END && chain != Ccid.CHAIN_END) {
                throw new StepFailure("response chaining: unexpected bChainParameter " + String.format("%02X", chain),
                        "  actual: " + hex(r) + "\n");
            }
            byte[] rapdu = resp.toByteArray();
            transcript.add("< (apdu) " + hex(rapdu));
            compare(s.answer(), rapdu, false);
        }

        /** One XfrBlock and its DataBlock answer (which must succeed). */
        byte[] xfr(int sl, int levelParameter, byte[] data, int off, int len) throws Exception {
            seq = nextSeq;
            nextSeq = (nextSeq + 1) & 0xFF;
            byte[] m = new byte[10 + len];
            m[0] = (byte) Ccid.PC_TO_RDR_XFR_BLOCK;
            m[1] = (byte) len;
            m[2] = (byte) (len >>> 8);
            m[3] = (byte) (len >>> 16);
            m[5] = (byte) sl;
            m[6] = (byte) seq;
            m[8] = (byte) levelParameter;
            m[9] = (byte) (levelParameter >>> 8);
            System.arraycopy(data, off, m, 10, len);
            send(m);
            byte[] r = receive(false, "RDR_to_PC_DataBlock");
            if (r.length < 10 || (r[0] & 0xFF) != Ccid.RDR_TO_PC_DATA_BLOCK || (r[6] & 0xFF) != seq
                    || (r[7] & 0xC0) != 0) {
                throw new StepFailure("XfrBlock failed: " + Diff.describe(r), "  actual: " + hex(r) + "\n");
            }
            return r;
        }
    }

    static boolean isTimeExtension(byte[] m) {
        return m.length >= 10 && (m[7] & 0xC0) == 0x80 && !Ccid.isPcToRdr(m[0] & 0xFF);
    }

    static String firstDifference(int[] exp, byte[] actual, boolean ccid) {
        for (int i = 0; i < Math.max(exp.length, actual.length); i++) {
            if (i >= exp.length) {
                return "the answer has " + (actual.length - exp.length) + " byte(s) more than expected ("
                        + actual.length + " instead of " + exp.length + ")";
            }
            if (i >= actual.length) {
                return "the answer is " + (exp.length - actual.length) + " byte(s) short (" + actual.length
                        + " instead of " + exp.length + ")";
            }
            if (exp[i] >= 0 && exp[i] != (actual[i] & 0xFF)) {
                return "byte " + i + (ccid ? " (" + Diff.field(i) + ")" : "") + ": expected "
                        + String.format("%02X", exp[i]) + ", got " + String.format("%02X", actual[i] & 0xFF);
            }
        }
        return "differs";
    }
}
