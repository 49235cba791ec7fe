package org.vccid.iso7816;

import java.util.Arrays;

/**
 * An Answer To Reset (ISO 7816-3 §8), parsed strictly, and a {@link Builder} that emits the minimal correct encoding.
 * Immutable.
 *
 * <p>Layout (§8.2): {@code TS T0 {TAi TBi TCi TDi} T1..TK [TCK]}. TS is {@code 3B} (direct convention) or
 * {@code 3F} (inverse convention; the bytes after TS are given as decoded values). T0's high nibble Y1 says which of
 * TA1..TD1 follow, its low nibble K is the number of historical bytes. Each TDi's high nibble says which of
 * TA(i+1)..TD(i+1) follow and its low nibble is a protocol type T. TCK (§8.2.5) is present unless only T=0 is
 * indicated; the XOR of T0..TCK is then 0. At most 33 bytes in all.
 *
 * <p>Interpretation (§8.3): TA1 = Fi/Di (default {@code 11}); TC1 = extra guard time N (default 0); TA2 present
 * means specific mode; TC2 = T=0 waiting integer WI (default 10); for T=1 the first TAi/TBi/TCi (i &ge; 3) after a
 * TD(i-1) indicating T=1 give IFSC (default 32), BWI/CWI (default 4/13) and the error detection code (b1 = 1 for
 * CRC, else LRC) (§11.4).
 *
 * <pre>
 * Atr a = Atr.parse(Hex.decode("3B 88 81 31 FE 45 45 4D 55 2D 54 31 43 44 91"));
 * a.protocolMask(); // 0b10: T=1 only
 * a.t1Ifsc();       // 254
 * byte[] b = Atr.builder().protocols(1).t1Ifsc(254).historicalBytes(h).build().bytes();
 * </pre>
 */
public final class Atr {

    /** TS for the direct convention. */
    public static final int TS_DIRECT = 0x3B;
    /** TS for the inverse convention. */
    public static final int TS_INVERSE = 0x3F;
    /** ISO 7816-3 §8.2.1: TS plus at most 32 characters. */
    public static final int MAX_LENGTH = 33;

    private final byte[] bytes;
    private final int histOffset;
    private final int histLength;
    private final int protocolMask;
    private final int defaultProtocol;
    private final int ta1;
    private final boolean hasTa2;
    private final int ta2;
    private final int tc1;
    private final int t0Wi;
    private final int t1Ifsc;
    private final int t1Bwi;
    private final int t1Cwi;
    private final boolean t1Crc;
    private final int tck; // -1 when absent

    private Atr(byte[] bytes, int histOffset, int histLength, int protocolMask, int defaultProtocol, int ta1,
            boolean hasTa2, int ta2, int tc1, int t0Wi, int t1Ifsc, int t1Bwi, int t1Cwi, boolean t1Crc, int tck) {
        this.bytes = bytes;
        this.histOffset = histOffset;
        this.histLength = histLength;
        this.protocolMask = protocolMask;
        this.defaultProtocol = defaultProtocol;
        this.ta1 = ta1;
        this.hasTa2 = hasTa2;
        this.ta2 = ta2;
        this.tc1 = tc1;
        this.t0Wi = t0Wi;
        this.t1Ifsc = t1Ifsc;
        this.t1Bwi = t1Bwi;
        this.t1Cwi = t1Cwi;
        this.t1Crc = t1Crc;
        this.tck = tck;
    }

    /**
     * Parse an ATR strictly; the bytes are copied.
     *
     * @throws IllegalArgumentException with the precise reason: truncated, bad TS, bad TCK, too long or trailing
     *     bytes
     */
    public static Atr parse(byte[] atr) {
        return parse(atr, 0, atr.length);
    }

    /** Parse {@code len} bytes at {@code off}; see {@link #parse(byte[])}. */
    public static Atr parse(byte[] b, int off, int len) {
        if (len < 2) {
            throw bad("truncated: an ATR has at least TS and T0, got " + len + " byte(s)", b, off, len);
        }
        if (len > MAX_LENGTH) {
            throw bad("too long: " + len + " bytes, ISO 7816-3 §8.2.1 allows at most " + MAX_LENGTH, b, off, len);
        }
        int ts = b[off] & 0xFF;
        if (ts != TS_DIRECT && ts != TS_INVERSE) {
            throw bad(String.format("bad TS %02X: must be 3B (direct) or 3F (inverse convention)", ts), b, off, len);
        }
        int t0 = b[off + 1] & 0xFF;
        int k = t0 & 0x0F;
        int y = t0 >>> 4;
        int p = 2; // index of the next byte, relative to off
        int i = 1; // interface byte group
        int mask = 0;
        int defaultProtocol = -1;
        boolean tckNeeded = false;
        int ta1 = 0x11;
        int tc1 = 0;
        boolean hasTa2 = false;
        int ta2 = 0;
        int t0Wi = 10;
        int ifsc = 32;
        int bwi = 4;
        int cwi = 13;
        boolean crc = false;
        boolean seenT1A = false;
        boolean seenT1B = false;
        boolean seenT1C = false;
        int groupProtocol = -1; // T indicated by TD(i-1), -1 for group 1
        while (true) {
            int ta = -1;
            int tb = -1;
            int tc = -1;
            int td = -1;
            int[] present = { y & 1, y & 2, y & 4, y & 8 };
            for (int bit = 0; bit < 4; bit++) {
                if (present[bit] == 0) {
                    continue;
                }
                if (p >= len) {
                    throw bad("truncated: T" + "ABCD".charAt(bit) + i + " announced but the ATR ends after "
                            + len + " bytes", b, off, len);
                }
                int v = b[off + p++] & 0xFF;
                switch (bit) {
                case 0: ta = v; break;
                case 1: tb = v; break;
                case 2: tc = v; break;
                default: td = v; break;
                }
            }
            if (i == 1) {
                if (ta >= 0) {
                    ta1 = ta;
                }
                if (tc >= 0) {
                    tc1 = tc;
                }
            } else if (i == 2) {
                if (ta >= 0) {
                    hasTa2 = true;
                    ta2 = ta;
                }
                if (tc >= 0 && groupProtocol == 0) {
                    t0Wi = tc; // §10.2: TC2 is specific to T=0
                }
            }
            if (i >= 3 && groupProtocol == 1) { // §11.4: first TAi/TBi/TCi for T=1, i >= 3
                if (ta >= 0 && !seenT1A) {
                    seenT1A = true;
                    ifsc = ta;
                }
                if (tb >= 0 && !seenT1B) {
                    seenT1B = true;
                    bwi = tb >>> 4;
                    cwi = tb & 0x0F;
                }
                if (tc >= 0 && !seenT1C) {
                    seenT1C = true;
                    crc = (tc & 1) != 0;
                }
            }
            if (td < 0) {
                break;
            }
            int t = td & 0x0F;
            if (t != 0) {
                tckNeeded = true;
            }
            if (t != 15) {
                mask |= 1 << t;
                if (defaultProtocol < 0) {
                    defaultProtocol = t;
                }
            }
            groupProtocol = t;
            y = td >>> 4;
            i++;
        }
        if (defaultProtocol < 0) {
            defaultProtocol = 0;
            mask |= 1; // §8.2.3: no TD1 means T=0
        }
        int histOffset = p;
        if (p + k > len) {
            throw bad("truncated: " + k + " historical bytes announced by T0 but only " + (len - p) + " left", b, off,
                    len);
        }
        p += k;
        int tck = -1;
        if (tckNeeded) {
            if (p >= len) {
                throw bad("truncated: TCK missing (required because a protocol other than T=0 is indicated)", b, off,
                        len);
            }
            tck = b[off + p] & 0xFF;
            int x = 0;
            for (int j = 1; j <= p; j++) {
                x ^= b[off + j];
            }
            if ((x & 0xFF) != 0) {
                throw bad(String.format("bad TCK %02X: XOR of T0..TCK is %02X, not 00 (the right TCK is %02X)", tck,
                        x & 0xFF, (x ^ tck) & 0xFF), b, off, len);
            }
            p++;
        }
        if (p != len) {
            throw bad((len - p) + " trailing byte(s) after the " + (tckNeeded ? "TCK" : "historical bytes"
                    + " (only T=0 is indicated, so there is no TCK)"), b, off, len);
        }
        return new Atr(Arrays.copyOfRange(b, off, off + len), histOffset, k, mask, defaultProtocol, ta1, hasTa2, ta2,
                tc1, t0Wi, ifsc, bwi, cwi, crc, tck);
    }

    private static IllegalArgumentException bad(String why, byte[] b, int off, int len) {
        return new IllegalArgumentException("ATR " + why + ": " + Hex.spaced(b, off, Math.min(len, 40)));
    }

    /** The encoding (a copy). */
    public byte[] bytes() {
        return bytes.clone();
    }

    /** The encoding length. */
    public int length() {
        return bytes.length;
    }

    /** TS = 3F. */
    public boolean inverseConvention() {
        return (bytes[0] & 0xFF) == TS_INVERSE;
    }

    /** T1..TK (a copy). */
    public byte[] historicalBytes() {
        return Arrays.copyOfRange(bytes, histOffset, histOffset + histLength);
    }

    /** Bit n set when T=n is offered (T=15, "global", is not a protocol and never set); T=0 when there is no TD1. */
    public int protocolMask() {
        return protocolMask;
    }

    /** Whether T=n is offered. */
    public boolean offers(int t) {
        return t >= 0 && t < 15 && (protocolMask & 1 << t) != 0;
    }

    /** The first offered protocol (TD1's T, else 0). */
    public int defaultProtocol() {
        return defaultProtocol;
    }

    /** TA1, Fi (high nibble) / Di (low nibble); {@code 0x11} when absent. */
    public int ta1() {
        return ta1;
    }

    /** Whether TA2 is present: the card is in specific mode (§6.3.1). */
    public boolean hasTa2() {
        return hasTa2;
    }

    /** TA2 when present, else -1. */
    public int ta2() {
        return hasTa2 ? ta2 : -1;
    }

    /** TC1, the extra guard time integer N; 0 when absent. */
    public int tc1() {
        return tc1;
    }

    /** TC2 after TD1 indicating T=0: the waiting integer WI (§10.2); 10 when absent. */
    public int t0WaitingInteger() {
        return t0Wi;
    }

    /** IFSC (§11.4.2): the first TAi (i &ge; 3) for T=1; 32 when absent. */
    public int t1Ifsc() {
        return t1Ifsc;
    }

    /** BWI (§11.4.3): high nibble of the first TBi (i &ge; 3) for T=1; 4 when absent. */
    public int t1Bwi() {
        return t1Bwi;
    }

    /** CWI (§11.4.3): low nibble of the first TBi (i &ge; 3) for T=1; 13 when absent. */
    public int t1Cwi() {
        return t1Cwi;
    }

    /** Error detection code (§11.4.4): bit 1 of the first TCi (i &ge; 3) for T=1; {@code true} for CRC. */
    public boolean t1Crc() {
        return t1Crc;
    }

    /** TCK, or -1 when absent (only T=0 indicated). */
    public int tck() {
        return tck;
    }

    /** Whether TCK is present. */
    public boolean hasTck() {
        return tck >= 0;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Atr && Arrays.equals(bytes, ((Atr) o).bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return Hex.spaced(bytes);
    }

    /** A builder with everything at its ISO default: T=0 only, direct convention, no historical bytes. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Builds the minimal correct encoding: interface bytes only where a value differs from its default, TD bytes
     * only where needed, TCK whenever a protocol other than T=0 is offered.
     */
    public static final class Builder {

        private boolean t0 = true;
        private boolean t1;
        private boolean inverse;
        private int ta1 = 0x11;
        private int tc1;
        private int ta2 = -1;
        private int t0Wi = 10;
        private int ifsc = 32;
        private int bwi = 4;
        private int cwi = 13;
        private boolean crc;
        private byte[] historical = new byte[0];

        private Builder() {
        }

        /**
         * The offered protocols, 0 and/or 1, e.g. {@code protocols(0, 1)}. The first listed is not special: T=0 is
         * always indicated first when offered.
         */
        public Builder protocols(int... ts) {
            if (ts.length == 0) {
                throw new IllegalArgumentException("at least one protocol");
            }
            boolean a = false;
            boolean c = false;
            for (int t : ts) {
                if (t == 0) {
                    a = true;
                } else if (t == 1) {
                    c = true;
                } else {
                    throw new IllegalArgumentException("only T=0 and T=1 are supported, not T=" + t);
                }
            }
            t0 = a;
            t1 = c;
            return this;
        }

        /** TS = 3F instead of 3B. */
        public Builder inverseConvention(boolean inverse) {
            this.inverse = inverse;
            return this;
        }

        /** TA1 (Fi/Di), 0x11 by default (then omitted). */
        public Builder ta1(int ta1) {
            this.ta1 = check("TA1", ta1, 0, 255);
            return this;
        }

        /** TC1 (extra guard time N), 0 by default (then omitted). */
        public Builder tc1(int tc1) {
            this.tc1 = check("TC1", tc1, 0, 255);
            return this;
        }

        /** TA2 (specific mode), -1 (absent) by default. */
        public Builder ta2(int ta2) {
            this.ta2 = check("TA2", ta2, -1, 255);
            return this;
        }

        /** TC2, the T=0 waiting integer WI (1..255), 10 by default (then omitted). Ignored unless T=0 is offered. */
        public Builder t0WaitingInteger(int wi) {
            this.t0Wi = check("WI", wi, 1, 255);
            return this;
        }

        /** T=1 IFSC (1..254), 32 by default (then omitted). */
        public Builder t1Ifsc(int ifsc) {
            this.ifsc = check("IFSC", ifsc, 1, 254);
            return this;
        }

        /** T=1 BWI (0..9), 4 by default. */
        public Builder t1Bwi(int bwi) {
            this.bwi = check("BWI", bwi, 0, 9);
            return this;
        }

        /** T=1 CWI (0..15), 13 by default. */
        public Builder t1Cwi(int cwi) {
            this.cwi = check("CWI", cwi, 0, 15);
            return this;
        }

        /** T=1 error detection: CRC instead of the default LRC. */
        public Builder t1Crc(boolean crc) {
            this.crc = crc;
            return this;
        }

        /** Historical bytes (0..15), copied. */
        public Builder historicalBytes(byte[] h) {
            if (h.length > 15) {
                throw new IllegalArgumentException("at most 15 historical bytes, got " + h.length);
            }
            historical = h.clone();
            return this;
        }

        private static int check(String what, int v, int min, int max) {
            if (v < min || v > max) {
                throw new IllegalArgumentException(what + " " + v + " outside " + min + ".." + max);
            }
            return v;
        }

        /**
         * The encoding.
         *
         * @throws IllegalArgumentException if it would exceed 33 bytes
         */
        public Atr build() {
            byte[] b = new byte[64];
            int n = 0;
            b[n++] = (byte) (inverse ? TS_INVERSE : TS_DIRECT);
            int t0Index = n++;
            boolean t0Wait = t0 && t0Wi != 10;
            boolean t1Params = t1 && (ifsc != 32 || bwi != 4 || cwi != 13 || crc);
            // group 2 holds TA2 and TC2 (T=0) and needs TD1; group 3 holds the T=1 parameters and needs TD2
            boolean group2 = ta2 >= 0 || t0Wait;
            boolean needTd2 = t0 && t1 || t1 && t1Params;
            boolean needTd1 = t1 || group2 || needTd2;
            int y1 = (ta1 != 0x11 ? 1 : 0) | (tc1 != 0 ? 4 : 0) | (needTd1 ? 8 : 0);
            b[t0Index] = (byte) (y1 << 4 | historical.length);
            if (ta1 != 0x11) {
                b[n++] = (byte) ta1;
            }
            if (tc1 != 0) {
                b[n++] = (byte) tc1;
            }
            if (needTd1) {
                int y2 = (ta2 >= 0 ? 1 : 0) | (t0Wait ? 4 : 0) | (needTd2 ? 8 : 0);
                b[n++] = (byte) (y2 << 4 | (t0 ? 0 : 1));
                if (ta2 >= 0) {
                    b[n++] = (byte) ta2;
                }
                if (t0Wait) {
                    b[n++] = (byte) t0Wi;
                }
                if (needTd2) {
                    boolean a = ifsc != 32;
                    boolean bb = bwi != 4 || cwi != 13;
                    int y3 = (a ? 1 : 0) | (bb ? 2 : 0) | (crc ? 4 : 0);
                    b[n++] = (byte) (y3 << 4 | 1);
                    if (a) {
                        b[n++] = (byte) ifsc;
                    }
                    if (bb) {
                        b[n++] = (byte) (bwi << 4 | cwi);
                    }
                    if (crc) {
                        b[n++] = 1;
                    }
                }
            }
            System.arraycopy(historical, 0, b, n, historical.length);
            n += historical.length;
            if (t1) { // some protocol other than T=0 is indicated: TCK
                int x = 0;
                for (int j = 1; j < n; j++) {
                    x ^= b[j];
                }
                b[n++] = (byte) x;
            }
            if (n > MAX_LENGTH) {
                throw new IllegalArgumentException("ATR would be " + n + " bytes, more than " + MAX_LENGTH);
            }
            return parse(b, 0, n);
        }
    }
}
