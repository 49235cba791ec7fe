package org.vccid.iso7816;

/**
 * Protocol and Parameters Selection (ISO 7816-3 §9), the card's side. After the ATR, a driver at TPDU level (libccid
 * when the reader lacks automatic PPS and the ATR has TA1 other than 11 or several protocols) sends
 * {@code PPSS PPS0 [PPS1] [PPS2] [PPS3] PCK} through an XfrBlock; it is not a TPDU, so the reader answers it here
 * before the T=0 or T=1 engine sees anything.
 *
 * <p>PPSS = FF; PPS0 b5, b6, b7 announce PPS1 (Fi/Di), PPS2 (SPU) and PPS3 (RFU), b4-b1 the protocol T, b8 is 0;
 * PCK makes the XOR of all bytes 0 (§9.2). The card's answer (§9.3): PPSS, PPS0 with the same T, PPS1 echoed when
 * accepted (absent means the defaults Fd/Dd), PPS2/PPS3 not echoed, and a fresh PCK. libccid's {@code PPS_Match}
 * accepts exactly that: an identical answer, or a shorter one without PPS1.
 *
 * <pre>
 * if (Pps.isPps(xfr, 0, len)) { int n = Pps.answer(xfr, 0, len, atr, out, 0); if (n &lt; 0) { ...mute... } }
 * </pre>
 */
public final class Pps {

    /** PPSS, the first byte of a PPS request. */
    public static final int PPSS = 0xFF;
    /** Longest PPS message: PPSS PPS0 PPS1 PPS2 PPS3 PCK. */
    public static final int MAX_LENGTH = 6;

    private Pps() {
    }

    /** Whether a block starts like a PPS request (PPSS = FF). */
    public static boolean isPps(byte[] b, int off, int len) {
        return len > 0 && (b[off] & 0xFF) == PPSS;
    }

    /**
     * Check a PPS request's form.
     *
     * @return {@code null} when well formed, else why not
     */
    public static String check(byte[] b, int off, int len) {
        if (len < 3) {
            return "PPS request shorter than PPSS PPS0 PCK (" + len + " bytes)";
        }
        if ((b[off] & 0xFF) != PPSS) {
            return String.format("PPSS is %02X, not FF", b[off] & 0xFF);
        }
        int pps0 = b[off + 1] & 0xFF;
        if ((pps0 & 0x80) != 0) {
            return String.format("PPS0 %02X has the reserved bit b8 set", pps0);
        }
        int expected = 3 + Integer.bitCount(pps0 & 0x70);
        if (len != expected) {
            return String.format("PPS0 %02X announces a %d-byte request, got %d bytes", pps0, expected, len);
        }
        int x = 0;
        for (int i = 0; i < len; i++) {
            x ^= b[off + i];
        }
        if ((x & 0xFF) != 0) {
            return String.format("bad PCK %02X", b[off + len - 1] & 0xFF);
        }
        return null;
    }

    /**
     * The card's answer to a PPS request: PPS1 is echoed when it equals the ATR's TA1 or is the default 11, else
     * left out (the card keeps Fd/Dd); the protocol must be one the ATR offers.
     *
     * @param out room for {@link #MAX_LENGTH} bytes
     * @return the answer length, or -1 when the request is malformed or asks for a protocol the card does not offer:
     *     a real card then stays silent (the reader reports the card mute)
     */
    public static int answer(byte[] req, int off, int len, Atr atr, byte[] out, int outOff) {
        if (check(req, off, len) != null) {
            return -1;
        }
        int pps0 = req[off + 1] & 0xFF;
        int t = pps0 & 0x0F;
        if (!atr.offers(t)) {
            return -1;
        }
        boolean pps1 = (pps0 & 0x10) != 0;
        int fiDi = pps1 ? req[off + 2] & 0xFF : 0x11;
        boolean echo = pps1 && (fiDi == atr.ta1() || fiDi == 0x11);
        int n = 0;
        out[outOff + n++] = (byte) PPSS;
        out[outOff + n++] = (byte) (t | (echo ? 0x10 : 0));
        if (echo) {
            out[outOff + n++] = (byte) fiDi;
        }
        int x = 0;
        for (int i = 0; i < n; i++) {
            x ^= out[outOff + i];
        }
        out[outOff + n++] = (byte) x;
        return n;
    }

    /** A PPS request for protocol {@code t}, with PPS1 when {@code fiDi} &ge; 0 (as a driver builds it). */
    public static byte[] request(int t, int fiDi) {
        byte[] b = new byte[fiDi >= 0 ? 4 : 3];
        b[0] = (byte) PPSS;
        b[1] = (byte) ((t & 0x0F) | (fiDi >= 0 ? 0x10 : 0));
        if (fiDi >= 0) {
            b[2] = (byte) fiDi;
        }
        int x = 0;
        for (int i = 0; i < b.length - 1; i++) {
            x ^= b[i];
        }
        b[b.length - 1] = (byte) x;
        return b;
    }
}
