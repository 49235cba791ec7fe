package org.vccid.conformance.internal.vector;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * A byte string written in a vector: hex bytes with optional spaces, plus placeholders. Pure: parses text, builds
 * bytes to send, matches received bytes.
 *
 * <ul>
 * <li>{@code 6F}, {@code 00000000}: literal bytes (an even number of hex digits per word)</li>
 * <li>{@code SQ}: the bSeq of this message (a send allocates the next one; elsewhere it is the last one sent);
 * {@code SQ-n}: the bSeq allocated n messages before the last one</li>
 * <li>{@code NQ}: the bSeq the next send will get (for an ABORT request that precedes its PC_to_RDR_Abort)</li>
 * <li>{@code L4}: dwLength, 4 bytes little endian, = message length - 10</li>
 * <li>{@code LRC}: XOR of the abData bytes before it (a T=1 block's epilogue)</li>
 * <li>{@code XX}: any byte (expected answers only)</li>
 * <li>{@code ..}: any number of bytes, also none (expected answers only, once)</li>
 * <li>{@code W*n}: word W repeated n times (decimal), e.g. {@code XX*8}, {@code 00*256}; {@code CNT*n}: the bytes
 * 00 01 02 ... (n of them, modulo 256)</li>
 * </ul>
 */
public final class Template {

    /** Token kinds. */
    enum Kind {
        LITERAL, SEQ, NEXT_SEQ, LENGTH, LRC, ANY, REST, COUNT
    }

    /** One token: {@code count} bytes of one kind. */
    static final class Token {
        final Kind kind;
        final byte[] literal;
        final int count;

        Token(Kind kind, byte[] literal, int count) {
            this.kind = kind;
            this.literal = literal;
            this.count = count;
        }

        int size() {
            switch (kind) {
            case LITERAL:
                return literal.length * count;
            case LENGTH:
                return 4 * count;
            case REST:
                return 0;
            default:
                return count;
            }
        }
    }

    /** Values the placeholders take when bytes are built or matched. */
    public static final class Context {
        /** bSeq of this message. */
        public int seq;
        /** bSeq the next send gets. */
        public int nextSeq;

        public Context(int seq, int nextSeq) {
            this.seq = seq;
            this.nextSeq = nextSeq;
        }
    }

    private final String text;
    private final List<Token> tokens;
    private final boolean hasRest;
    private final boolean usesSeq;

    private Template(String text, List<Token> tokens) {
        this.text = text;
        this.tokens = Collections.unmodifiableList(tokens);
        this.hasRest = tokens.stream().anyMatch(t -> t.kind == Kind.REST);
        this.usesSeq = tokens.stream().anyMatch(t -> t.kind == Kind.SEQ && t.literal == null);
    }

    /**
     * @param text the words after the step keyword
     * @param pattern whether masks ({@code XX}, {@code ..}) are allowed (expected answers)
     * @throws IllegalArgumentException with a readable reason
     */
    public static Template parse(String text, boolean pattern) {
        List<Token> tokens = new ArrayList<>();
        int rests = 0;
        String body = text.trim();
        if (pattern && body.equalsIgnoreCase("EMPTY")) {
            body = ""; // an empty answer (a control request's empty data stage)
        }
        for (String word : body.split("\\s+")) {
            if (word.isEmpty()) {
                continue;
            }
            int count = 1;
            String w = word;
            int star = word.indexOf('*');
            if (star >= 0) {
                w = word.substring(0, star);
                try {
                    count = Integer.parseInt(word.substring(star + 1));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("bad repeat count in \"" + word + "\"");
                }
                if (count < 0 || count > 70_000) {
                    throw new IllegalArgumentException("repeat count out of range in \"" + word + "\"");
                }
            }
            String u = w.toUpperCase(Locale.ROOT);
            if (u.matches("SQ-[0-9]{1,3}")) {
                tokens.add(new Token(Kind.SEQ, new byte[] { (byte) Integer.parseInt(u.substring(3)) }, count));
                continue;
            }
            switch (u) {
            case "SQ":
                tokens.add(new Token(Kind.SEQ, null, count));
                break;
            case "NQ":
                tokens.add(new Token(Kind.NEXT_SEQ, null, count));
                break;
            case "L4":
                tokens.add(new Token(Kind.LENGTH, null, count));
                break;
            case "LRC":
                tokens.add(new Token(Kind.LRC, null, count));
                break;
            case "CNT":
                if (star < 0) {
                    throw new IllegalArgumentException("CNT needs a count: CNT*n");
                }
                tokens.add(new Token(Kind.COUNT, null, count));
                break;
            case "XX":
                if (!pattern) {
                    throw new IllegalArgumentException("XX (any byte) only fits an expected answer");
                }
                tokens.add(new Token(Kind.ANY, null, count));
                break;
            case "..":
                if (!pattern) {
                    throw new IllegalArgumentException(".. (any bytes) only fits an expected answer");
                }
                if (star >= 0 || ++rests > 1) {
                    throw new IllegalArgumentException(".. may appear once, without a count");
                }
                tokens.add(new Token(Kind.REST, null, 1));
                break;
            default:
                tokens.add(new Token(Kind.LITERAL, hex(word, w), count));
                break;
            }
        }
        if (tokens.isEmpty() && !pattern) {
            throw new IllegalArgumentException("no bytes");
        }
        return new Template(text.trim(), tokens);
    }

    private static byte[] hex(String word, String w) {
        if (w.length() % 2 != 0) {
            throw new IllegalArgumentException("odd number of hex digits in \"" + word + "\"");
        }
        byte[] b = new byte[w.length() / 2];
        for (int i = 0; i < b.length; i++) {
            int hi = Character.digit(w.charAt(2 * i), 16);
            int lo = Character.digit(w.charAt(2 * i + 1), 16);
            if (hi < 0 || lo < 0) {
                throw new IllegalArgumentException("not hex: \"" + word + "\"");
            }
            b[i] = (byte) (hi << 4 | lo);
        }
        return b;
    }

    /** Whether the template contains {@code SQ} (a send then allocates a bSeq). */
    public boolean usesSeq() {
        return usesSeq;
    }

    /** The text as written. */
    public String text() {
        return text;
    }

    /** Fixed size (for a template without {@code ..}). */
    int fixedSize() {
        int n = 0;
        for (Token t : tokens) {
            n += t.size();
        }
        return n;
    }

    /** Bytes to send. */
    public byte[] build(Context ctx) {
        if (hasRest || tokens.stream().anyMatch(t -> t.kind == Kind.ANY)) {
            throw new IllegalStateException("a pattern cannot be sent");
        }
        byte[] out = new byte[fixedSize()];
        int at = 0;
        for (Token t : tokens) {
            for (int i = 0; i < t.count; i++) {
                switch (t.kind) {
                case LITERAL:
                    System.arraycopy(t.literal, 0, out, at, t.literal.length);
                    at += t.literal.length;
                    break;
                case SEQ:
                    out[at++] = (byte) (ctx.seq - back(t));
                    break;
                case NEXT_SEQ:
                    out[at++] = (byte) ctx.nextSeq;
                    break;
                case LENGTH:
                    putLe32(out, at, out.length - 10);
                    at += 4;
                    break;
                case LRC:
                    out[at] = (byte) lrc(out, at);
                    at++;
                    break;
                case COUNT:
                    out[at++] = (byte) i;
                    break;
                default:
                    throw new IllegalStateException();
                }
            }
        }
        return out;
    }

    private static int back(Token t) {
        return t.literal == null ? 0 : t.literal[0] & 0xFF;
    }

    private static int lrc(byte[] b, int end) {
        int x = 0;
        for (int i = Math.min(10, end); i < end; i++) {
            x ^= b[i];
        }
        return x & 0xFF;
    }

    private static void putLe32(byte[] b, int at, int v) {
        b[at] = (byte) v;
        b[at + 1] = (byte) (v >>> 8);
        b[at + 2] = (byte) (v >>> 16);
        b[at + 3] = (byte) (v >>> 24);
    }

    /**
     * The expectation resolved against an actual message: one entry per actual position (or per expected
     * position when the actual message is shorter), {@code -1} for "any byte".
     */
    public int[] expected(byte[] actual, Context ctx) {
        int fixed = fixedSize();
        int gap = hasRest ? Math.max(0, actual.length - fixed) : 0;
        int[] exp = new int[fixed + gap];
        int at = 0;
        for (Token t : tokens) {
            if (t.kind == Kind.REST) {
                for (int i = 0; i < gap; i++) {
                    exp[at++] = -1;
                }
                continue;
            }
            for (int i = 0; i < t.count; i++) {
                switch (t.kind) {
                case LITERAL:
                    for (byte b : t.literal) {
                        exp[at++] = b & 0xFF;
                    }
                    break;
                case SEQ:
                    exp[at++] = (ctx.seq - back(t)) & 0xFF;
                    break;
                case NEXT_SEQ:
                    exp[at++] = ctx.nextSeq & 0xFF;
                    break;
                case LENGTH: {
                    int len = Math.max(0, actual.length - 10);
                    for (int k = 0; k < 4; k++) {
                        exp[at++] = len >>> 8 * k & 0xFF;
                    }
                    break;
                }
                case LRC:
                    exp[at] = lrc(actual, Math.min(at, actual.length));
                    at++;
                    break;
                case COUNT:
                    exp[at++] = i & 0xFF;
                    break;
                case ANY:
                    exp[at++] = -1;
                    break;
                default:
                    throw new IllegalStateException();
                }
            }
        }
        return exp;
    }

    /** Whether the actual bytes match. */
    public boolean matches(byte[] actual, Context ctx) {
        int[] exp = expected(actual, ctx);
        if (exp.length != actual.length) {
            return false;
        }
        for (int i = 0; i < exp.length; i++) {
            if (exp[i] >= 0 && exp[i] != (actual[i] & 0xFF)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return text;
    }
}
