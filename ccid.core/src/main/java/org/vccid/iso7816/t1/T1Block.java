package org.vccid.iso7816.t1;

import java.util.Arrays;

import org.vccid.iso7816.Hex;

/**
 * The T=1 block codec (ISO 7816-3 §11.3): {@code NAD PCB LEN INF EDC}. Static methods work on caller buffers and
 * never allocate; {@link #parse} gives an immutable view for tests and logs.
 *
 * <p>PCB coding (§11.3.2.2):
 * <ul>
 * <li>I-block {@code 0 N(S) M 00000}: information, N(S) the send sequence number, M the more-data (chaining) bit.</li>
 * <li>R-block {@code 1 0 0 N(R) eeee}: receive ready, N(R) the sequence number of the expected I-block, eeee 0 =
 * no error, 1 = EDC/parity error, 2 = other error.</li>
 * <li>S-block {@code 1 1 r ttttt}: supervisory, r 1 = response, ttttt 0 = RESYNCH, 1 = IFS, 2 = ABORT, 3 = WTX.
 * IFS and WTX carry one INF byte, RESYNCH and ABORT none.</li>
 * </ul>
 * Any other PCB is invalid ({@link #kind} returns -1). LEN {@code FF} is reserved; INF holds at most 254 bytes.
 *
 * <p>EDC (§11.4.4): LRC, one byte, the XOR of NAD..INF; or CRC, two bytes. ISO 7816-3 refers the CRC to ISO/IEC
 * 13239: polynomial x<sup>16</sup>+x<sup>12</sup>+x<sup>5</sup>+1, initial value FFFF. Implementations in the field
 * (libccid's openct {@code checksum.c}, which is the peer our reader talks to) compute it bit-reflected (0x8408),
 * with no final XOR, and send the high byte first; this class does exactly that (the "123456789" check value is
 * 6F91, as CRC-16/MCRF4XX).
 *
 * <pre>
 * byte[] out = new byte[T1Block.MAX_BLOCK];
 * int n = T1Block.sBlock(out, 0, 0, T1Block.S_IFS, false, 0xFE, false); // 00 C1 01 FE 3E
 * if (T1Block.check(in, 0, len, false) == T1Block.OK) { ... T1Block.kind(in[1]) ... }
 * </pre>
 */
public final class T1Block {

    /** NAD PCB LEN. */
    public static final int PROLOGUE = 3;
    /** Largest INF (§11.4.2: IFS 1..254). */
    public static final int MAX_INF = 254;
    /** Largest block: prologue, 254 INF bytes and a 2-byte CRC. */
    public static final int MAX_BLOCK = PROLOGUE + MAX_INF + 2;

    /** {@link #kind}: I-block. */
    public static final int I_BLOCK = 0;
    /** {@link #kind}: R-block. */
    public static final int R_BLOCK = 1;
    /** {@link #kind}: S-block. */
    public static final int S_BLOCK = 2;

    /** I-block PCB bit b7: N(S). */
    public static final int PCB_I_NS = 0x40;
    /** I-block PCB bit b6: M, more data follows. */
    public static final int PCB_I_MORE = 0x20;
    /** R-block PCB base. */
    public static final int PCB_R = 0x80;
    /** R-block PCB bit b5: N(R). */
    public static final int PCB_R_NR = 0x10;
    /** S-block PCB base. */
    public static final int PCB_S = 0xC0;
    /** S-block PCB bit b6: response. */
    public static final int PCB_S_RESPONSE = 0x20;

    /** R-block error code: none (acknowledge / request the next I-block). */
    public static final int R_OK = 0;
    /** R-block error code: EDC or parity error. */
    public static final int R_EDC_ERROR = 1;
    /** R-block error code: other error. */
    public static final int R_OTHER_ERROR = 2;

    /** S-block type: RESYNCH. */
    public static final int S_RESYNCH = 0;
    /** S-block type: IFS (one INF byte). */
    public static final int S_IFS = 1;
    /** S-block type: ABORT. */
    public static final int S_ABORT = 2;
    /** S-block type: WTX (one INF byte). */
    public static final int S_WTX = 3;

    /** {@link #check}: well formed. */
    public static final int OK = 0;
    /** {@link #check}: fewer bytes than a block can have, or fewer than LEN announces. */
    public static final int TRUNCATED = 1;
    /** {@link #check}: more bytes than LEN announces. */
    public static final int TRAILING_BYTES = 2;
    /** {@link #check}: LEN = FF (reserved). */
    public static final int BAD_LEN = 3;
    /** {@link #check}: the EDC does not match. */
    public static final int BAD_EDC = 4;
    /** {@link #check}: the PCB is none of the I/R/S codings. */
    public static final int BAD_PCB = 5;
    /** {@link #check}: the INF length does not suit the S-block type (IFS/WTX 1, RESYNCH/ABORT 0) or R-block (0). */
    public static final int BAD_INF_LENGTH = 6;

    private static final String[] CHECK_TEXT = { "ok", "truncated block", "trailing bytes after the EDC",
            "LEN FF is reserved", "EDC mismatch", "invalid PCB", "INF length does not suit the block type" };

    private static final int[] CRC_TABLE = new int[256];

    static {
        for (int i = 0; i < 256; i++) {
            int c = i;
            for (int k = 0; k < 8; k++) {
                c = (c & 1) != 0 ? c >>> 1 ^ 0x8408 : c >>> 1;
            }
            CRC_TABLE[i] = c;
        }
    }

    /** The EDC length: 2 for CRC, 1 for LRC. */
    public static int edcLength(boolean crc) {
        return crc ? 2 : 1;
    }

    /** LRC: XOR of the bytes. */
    public static int lrc(byte[] b, int off, int len) {
        int x = 0;
        for (int i = 0; i < len; i++) {
            x ^= b[off + i];
        }
        return x & 0xFF;
    }

    /** CRC as libccid computes it (see the class comment); the high byte is sent first. */
    public static int crc(byte[] b, int off, int len) {
        int v = 0xFFFF;
        for (int i = 0; i < len; i++) {
            v = v >>> 8 ^ CRC_TABLE[(v ^ b[off + i]) & 0xFF];
        }
        return v & 0xFFFF;
    }

    /**
     * The block kind of a PCB.
     *
     * @return {@link #I_BLOCK}, {@link #R_BLOCK}, {@link #S_BLOCK}, or -1 for an invalid PCB (RFU bits set, an
     *     unknown R error code or S type)
     */
    public static int kind(int pcb) {
        pcb &= 0xFF;
        if ((pcb & 0x80) == 0) {
            return (pcb & 0x1F) == 0 ? I_BLOCK : -1;
        }
        if ((pcb & 0x40) == 0) {
            return (pcb & 0x20) == 0 && (pcb & 0x0F) <= R_OTHER_ERROR ? R_BLOCK : -1;
        }
        return (pcb & 0x1F) <= S_WTX ? S_BLOCK : -1;
    }

    /**
     * Check the framing of one block: length against LEN, LEN itself, EDC, PCB, and the INF length of R- and
     * S-blocks. Never throws.
     *
     * @return {@link #OK} or one of the error codes ({@link #TRUNCATED}, {@link #TRAILING_BYTES}, {@link #BAD_LEN},
     *     {@link #BAD_EDC}, {@link #BAD_PCB}, {@link #BAD_INF_LENGTH}); {@link #describe(int)} names them
     */
    public static int check(byte[] b, int off, int len, boolean crc) {
        int edc = edcLength(crc);
        if (len < PROLOGUE + edc) {
            return TRUNCATED;
        }
        int inf = b[off + 2] & 0xFF;
        if (inf == 0xFF) {
            return BAD_LEN;
        }
        int whole = PROLOGUE + inf + edc;
        if (len < whole) {
            return TRUNCATED;
        }
        if (len > whole) {
            return TRAILING_BYTES;
        }
        int body = PROLOGUE + inf;
        if (crc) {
            int v = crc(b, off, body);
            if ((b[off + body] & 0xFF) != v >>> 8 || (b[off + body + 1] & 0xFF) != (v & 0xFF)) {
                return BAD_EDC;
            }
        } else if (lrc(b, off, body) != (b[off + body] & 0xFF)) {
            return BAD_EDC;
        }
        int pcb = b[off + 1] & 0xFF;
        switch (kind(pcb)) {
        case I_BLOCK:
            return OK;
        case R_BLOCK:
            return inf == 0 ? OK : BAD_INF_LENGTH;
        case S_BLOCK:
            int type = pcb & 0x1F;
            return inf == (type == S_IFS || type == S_WTX ? 1 : 0) ? OK : BAD_INF_LENGTH;
        default:
            return BAD_PCB;
        }
    }

    /** Text for a {@link #check} result. */
    public static String describe(int checkResult) {
        return checkResult >= 0 && checkResult < CHECK_TEXT.length ? CHECK_TEXT[checkResult]
                : "unknown check result " + checkResult;
    }

    /**
     * Write a block: prologue, INF and EDC.
     *
     * @return the block length
     */
    public static int build(byte[] out, int off, int nad, int pcb, byte[] inf, int infOff, int infLen, boolean crc) {
        if (infLen < 0 || infLen > MAX_INF) {
            throw new IllegalArgumentException("INF length " + infLen + " outside 0.." + MAX_INF);
        }
        out[off] = (byte) nad;
        out[off + 1] = (byte) pcb;
        out[off + 2] = (byte) infLen;
        if (infLen > 0) {
            System.arraycopy(inf, infOff, out, off + PROLOGUE, infLen);
        }
        return PROLOGUE + infLen + appendEdc(out, off, PROLOGUE + infLen, crc);
    }

    private static int appendEdc(byte[] out, int off, int body, boolean crc) {
        if (crc) {
            int v = crc(out, off, body);
            out[off + body] = (byte) (v >>> 8);
            out[off + body + 1] = (byte) v;
            return 2;
        }
        out[off + body] = (byte) lrc(out, off, body);
        return 1;
    }

    /** I(N(S), M) with {@code infLen} bytes of INF. */
    public static int iBlock(byte[] out, int off, int nad, int ns, boolean more, byte[] inf, int infOff, int infLen,
            boolean crc) {
        int pcb = (ns & 1) << 6 | (more ? PCB_I_MORE : 0);
        return build(out, off, nad, pcb, inf, infOff, infLen, crc);
    }

    /** R(N(R)) with error code 0, 1 or 2. */
    public static int rBlock(byte[] out, int off, int nad, int nr, int error, boolean crc) {
        if (error < R_OK || error > R_OTHER_ERROR) {
            throw new IllegalArgumentException("R-block error code " + error + " outside 0..2");
        }
        return build(out, off, nad, PCB_R | (nr & 1) << 4 | error, null, 0, 0, crc);
    }

    /**
     * An S-block.
     *
     * @param type {@link #S_RESYNCH}, {@link #S_IFS}, {@link #S_ABORT} or {@link #S_WTX}
     * @param value the INF byte of IFS and WTX (0..255); ignored for RESYNCH and ABORT
     */
    public static int sBlock(byte[] out, int off, int nad, int type, boolean response, int value, boolean crc) {
        if (type < S_RESYNCH || type > S_WTX) {
            throw new IllegalArgumentException("S-block type " + type + " outside 0..3");
        }
        int pcb = PCB_S | (response ? PCB_S_RESPONSE : 0) | type;
        out[off] = (byte) nad;
        out[off + 1] = (byte) pcb;
        int len = 0;
        if (type == S_IFS || type == S_WTX) {
            out[off + PROLOGUE] = (byte) value;
            len = 1;
        }
        out[off + 2] = (byte) len;
        return PROLOGUE + len + appendEdc(out, off, PROLOGUE + len, crc);
    }

    /** NAD with source and destination addresses exchanged (§11.3.2.1), the NAD of an answer. */
    public static int swapNad(int nad) {
        return (nad & 0x0F) << 4 | (nad & 0xF0) >>> 4;
    }

    // ---------------------------------------------------------------- parsed view

    private final int nad;
    private final int pcb;
    private final byte[] inf;
    private final boolean crcEdc;

    private T1Block(int nad, int pcb, byte[] inf, boolean crc) {
        this.nad = nad;
        this.pcb = pcb;
        this.inf = inf;
        this.crcEdc = crc;
    }

    /** Parse a whole array; see {@link #parse(byte[], int, int, boolean)}. */
    public static T1Block parse(byte[] b, boolean crc) {
        return parse(b, 0, b.length, crc);
    }

    /**
     * Parse one block.
     *
     * @throws IllegalArgumentException when {@link #check} fails, with the reason
     */
    public static T1Block parse(byte[] b, int off, int len, boolean crc) {
        int r = check(b, off, len, crc);
        if (r != OK) {
            throw new IllegalArgumentException("bad T=1 block (" + describe(r) + "): "
                    + Hex.spaced(b, off, Math.min(len, 16)) + (len > 16 ? " ..." : ""));
        }
        int n = b[off + 2] & 0xFF;
        return new T1Block(b[off] & 0xFF, b[off + 1] & 0xFF, Arrays.copyOfRange(b, off + PROLOGUE, off + PROLOGUE + n),
                crc);
    }

    public int nad() {
        return nad;
    }

    public int pcb() {
        return pcb;
    }

    /** {@link #I_BLOCK}, {@link #R_BLOCK} or {@link #S_BLOCK}. */
    public int kind() {
        return kind(pcb);
    }

    /** The INF field (a copy). */
    public byte[] inf() {
        return inf.clone();
    }

    /** I-block N(S). */
    public int ns() {
        return pcb >>> 6 & 1;
    }

    /** I-block M bit. */
    public boolean more() {
        return kind() == I_BLOCK && (pcb & PCB_I_MORE) != 0;
    }

    /** R-block N(R). */
    public int nr() {
        return pcb >>> 4 & 1;
    }

    /** R-block error code. */
    public int error() {
        return pcb & 0x0F;
    }

    /** S-block type. */
    public int sType() {
        return pcb & 0x1F;
    }

    /** S-block response bit. */
    public boolean isResponse() {
        return (pcb & PCB_S_RESPONSE) != 0;
    }

    /** S-block IFS/WTX value. */
    public int value() {
        return inf.length > 0 ? inf[0] & 0xFF : -1;
    }

    /** The encoding. */
    public byte[] toBytes() {
        byte[] out = new byte[PROLOGUE + inf.length + edcLength(crcEdc)];
        build(out, 0, nad, pcb, inf, 0, inf.length, crcEdc);
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof T1Block && Arrays.equals(toBytes(), ((T1Block) o).toBytes());
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(toBytes());
    }

    /** E.g. {@code I(1,M) 254 bytes}, {@code R(0) EDC error}, {@code S(IFS request 254)}. */
    @Override
    public String toString() {
        String s;
        switch (kind()) {
        case I_BLOCK:
            s = "I(" + ns() + (more() ? ",M" : "") + ") " + inf.length + " bytes";
            break;
        case R_BLOCK:
            s = "R(" + nr() + ")" + (error() == R_EDC_ERROR ? " EDC error" : error() == R_OTHER_ERROR ? " other error"
                    : "");
            break;
        default:
            s = "S(" + new String[] { "RESYNCH", "IFS", "ABORT", "WTX" }[sType()] + (isResponse() ? " response"
                    : " request") + (value() >= 0 ? " " + value() : "") + ")";
            break;
        }
        return nad == 0 ? s : String.format("%s NAD %02X", s, nad);
    }
}
