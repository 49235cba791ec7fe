package org.vccid.iso7816.t1;

/**
 * The CARD side of the T=1 block protocol (ISO 7816-3 §11), one per slot. A reader working at TPDU level plays the
 * card towards the host driver, which runs the terminal side (libccid's {@code proto-t1.c}). Pure state machine: no
 * I/O, no threads, not thread safe, and no allocation per block; the caller supplies output buffers of at least
 * {@link T1Block#MAX_BLOCK} bytes.
 *
 * <pre>
 * T1Card t1 = new T1Card(atr.t1Ifsc(), atr.t1Crc());
 * int n = t1.receive(block, 0, len, out, 0);
 * if (n &gt;= 0) { send(out, 0, n); }                          // an R- or S-block answer, or the next chained block
 * else if (n == T1Card.APDU_READY) {
 *     byte[] r = card.transmit(t1.apduBuffer(), 0, t1.apduLength());
 *     send(out, 0, t1.respond(r, 0, r.length, out, 0));      // or first t1.wtxRequest(...) while the card works
 * }
 * </pre>
 *
 * <p>Rules implemented (the rule numbers of ISO 7816-3 §11.6, as libccid's comments cite them, in brackets):
 * <ul>
 * <li>I-blocks from the terminal with the expected N(S) are accepted; with M = 1 the card acknowledges with
 * R(N(R)) (rule 5) and collects the chain; the last block completes the command ({@link #APDU_READY}). An I-block
 * acknowledges the card's previous I-block (rule 2).</li>
 * <li>{@link #respond} sends the response as I-blocks of at most IFSD bytes, M = 1 on all but the last; the
 * terminal's R(N(R)) with N(R) &ne; N(S) of the last I-block asks for the next one (rule 5), with N(R) = N(S) for
 * a retransmission (rule 7.3). An R-block outside a card chain makes the card send its last block again.</li>
 * <li>Errors (rule 7.1): a block with a bad EDC, or truncated, is answered R(N(R)) with error 1; any other invalid
 * block (bad LEN, trailing bytes, invalid PCB, INF longer than IFSC, wrong N(S), an I-block while the card sends a
 * chain, an unexpected S-block) with error 2. Error R-blocks are never recorded as "the last block", so a
 * retransmission request after one still gets the real last block.</li>
 * <li>S(IFS request) with 1..254 sets IFSD and is answered S(IFS response) with the same value; 0 and FF are
 * rejected with R(error 2). S(RESYNCH request) resets N(S), N(R), IFSD (32) and drops chains, answered S(RESYNCH
 * response) (rule 6). S(ABORT request) drops both chains and is answered S(ABORT response) (rule 9).</li>
 * <li>{@link #wtxRequest} sends S(WTX request) while the card works; the terminal's S(WTX response) with the
 * same value makes {@link #receive} return {@link #WTX_ACKNOWLEDGED} (rule 3). Any other block meanwhile (invalid,
 * an R-block, an I-block, a wrong value) gets the S(WTX request) again (rule 7.3), except S(RESYNCH request) and
 * S(ABORT request), which end the wait and drop the command.</li>
 * <li>NAD (§11.3.2.1): answers carry the NAD of the terminal's last valid block with source and destination
 * exchanged (what libccid checks).</li>
 * <li>A PPS request (first byte FF right after the ATR) is not a block: the reader answers it with
 * {@link org.vccid.iso7816.Pps} before calling this class.</li>
 * <li>A block received while a command is pending (after {@link #APDU_READY}, before {@link #respond}) means the
 * terminal stopped waiting: the command is dropped and the block handled; the late {@link #respond} then returns
 * {@link #DISCARDED}.</li>
 * </ul>
 */
public final class T1Card {

    /** {@link #receive}: a complete command APDU is in {@link #apduBuffer()}. */
    public static final int APDU_READY = -1;
    /** {@link #receive}: the terminal acknowledged the WTX request; send the {@link #respond} block when done. */
    public static final int WTX_ACKNOWLEDGED = -2;
    /** {@link #respond}: no command is pending any more (aborted, resynchronised or abandoned); send nothing. */
    public static final int DISCARDED = -3;
    /** Largest command APDU: extended case 4 with Nc 65535. */
    public static final int MAX_APDU = 65544;
    /** IFSD until the terminal sends S(IFS request) (§11.4.2). */
    public static final int INITIAL_IFSD = 32;

    private static final int IDLE = 0;
    private static final int RECEIVING = 1; // terminal chain in progress
    private static final int PROCESSING = 2; // APDU_READY returned
    private static final int WTX = 3; // S(WTX request) sent
    private static final int SENDING = 4; // card chain in progress

    private final int ifsc;
    private final boolean crc;
    private final byte[] apdu = new byte[MAX_APDU];
    private final byte[] last = new byte[T1Block.MAX_BLOCK];

    private int state;
    private int ifsd;
    private int ns; // N(S) of the card's next I-block
    private int nr; // N(S) expected in the terminal's next I-block
    private int nad; // NAD of the card's blocks
    private int apduLength;
    private int lastLength;
    private int wtxValue;
    private byte[] resp;
    private int respOff;
    private int respLength;
    private int chunkStart;
    private int chunkLength;
    private String lastError;

    /**
     * @param ifsc the card's IFSC from its ATR (1..254): the longest INF it accepts
     * @param crc CRC instead of LRC, from the ATR
     */
    public T1Card(int ifsc, boolean crc) {
        if (ifsc < 1 || ifsc > T1Block.MAX_INF) {
            throw new IllegalArgumentException("IFSC " + ifsc + " outside 1..254");
        }
        this.ifsc = ifsc;
        this.crc = crc;
        reset();
    }

    /** Power-on state: N(S) = N(R) = 0, IFSD 32, chains and pending commands dropped. */
    public void reset() {
        state = IDLE;
        ifsd = INITIAL_IFSD;
        ns = 0;
        nr = 0;
        nad = 0;
        apduLength = 0;
        lastLength = 0;
        resp = null;
        lastError = null;
    }

    /**
     * Feed one block from the terminal.
     *
     * @param out receives the answer block (room for {@link T1Block#MAX_BLOCK} bytes)
     * @return the length of the block written to {@code out} (send it), {@link #APDU_READY} or
     *     {@link #WTX_ACKNOWLEDGED}
     */
    public int receive(byte[] in, int off, int len, byte[] out, int outOff) {
        int check = T1Block.check(in, off, len, crc);
        if (check != T1Block.OK) {
            lastError = T1Block.describe(check);
            if (state == WTX) { // rule 7.3: an S(request) was sent, resend it
                return resendLast(out, outOff);
            }
            boolean transmission = check == T1Block.TRUNCATED || check == T1Block.BAD_EDC;
            return error(transmission ? T1Block.R_EDC_ERROR : T1Block.R_OTHER_ERROR, out, outOff);
        }
        int pcb = in[off + 1] & 0xFF;
        int inf = in[off + 2] & 0xFF;
        nad = T1Block.swapNad(in[off] & 0xFF);
        if (state == WTX && !wtxRelevant(pcb)) { // rule 7.3 again: not the S(WTX response)
            lastError = "block other than S(WTX response) after S(WTX request)";
            return resendLast(out, outOff);
        }
        if (state == PROCESSING) { // the terminal stopped waiting for the pending command
            state = IDLE;
            apduLength = 0;
        }
        switch (T1Block.kind(pcb)) {
        case T1Block.I_BLOCK:
            return iBlock(in, off, pcb, inf, out, outOff);
        case T1Block.R_BLOCK:
            return rBlock(pcb, out, outOff);
        default:
            return sBlock(pcb, inf == 1 ? in[off + 3] & 0xFF : -1, out, outOff);
        }
    }

    /** In WTX state: the S(WTX response), or an S(RESYNCH/ABORT request) which ends the wait. */
    private static boolean wtxRelevant(int pcb) {
        return pcb == (T1Block.PCB_S | T1Block.PCB_S_RESPONSE | T1Block.S_WTX)
                || pcb == (T1Block.PCB_S | T1Block.S_RESYNCH) || pcb == (T1Block.PCB_S | T1Block.S_ABORT);
    }

    private int resendLast(byte[] out, int outOff) {
        System.arraycopy(last, 0, out, outOff, lastLength);
        return lastLength;
    }

    private int iBlock(byte[] in, int off, int pcb, int inf, byte[] out, int outOff) {
        if (inf > ifsc) {
            return protocolError("I-block INF longer than IFSC", out, outOff);
        }
        if (state == SENDING) {
            return protocolError("I-block while the card sends a chain", out, outOff);
        }
        if ((pcb >>> 6 & 1) != nr) {
            return protocolError("I-block with unexpected N(S)", out, outOff);
        }
        if (state != RECEIVING) {
            apduLength = 0;
        }
        if (apduLength + inf > MAX_APDU) {
            return protocolError("chained command longer than 65544 bytes", out, outOff);
        }
        System.arraycopy(in, off + T1Block.PROLOGUE, apdu, apduLength, inf);
        apduLength += inf;
        nr ^= 1;
        resp = null;
        if ((pcb & T1Block.PCB_I_MORE) != 0) {
            state = RECEIVING;
            return record(T1Block.rBlock(out, outOff, nad, nr, T1Block.R_OK, crc), out, outOff);
        }
        state = PROCESSING;
        return APDU_READY;
    }

    private int rBlock(int pcb, byte[] out, int outOff) {
        int rnr = pcb >>> 4 & 1;
        if (state == SENDING) {
            if (rnr == ns) { // rule 5: acknowledges the chained block, asks for the next
                chunkStart += chunkLength;
                return sendChunk(out, outOff);
            }
            return resendChunk(out, outOff); // rule 7.3: N(R) = N(S) of the last I-block
        }
        if (lastLength == 0) {
            return protocolError("R-block before the card sent anything", out, outOff);
        }
        return resendLast(out, outOff);
    }

    private int sBlock(int pcb, int value, byte[] out, int outOff) {
        int type = pcb & 0x1F;
        if ((pcb & T1Block.PCB_S_RESPONSE) != 0) {
            if (type == T1Block.S_WTX && state == WTX) {
                if (value != wtxValue) {
                    lastError = "S(WTX response) value differs from the request";
                    return resendLast(out, outOff);
                }
                state = PROCESSING;
                return WTX_ACKNOWLEDGED;
            }
            return protocolError("unexpected S-block response", out, outOff);
        }
        switch (type) {
        case T1Block.S_RESYNCH:
            ns = 0;
            nr = 0;
            ifsd = INITIAL_IFSD;
            dropChains();
            return record(T1Block.sBlock(out, outOff, nad, type, true, 0, crc), out, outOff);
        case T1Block.S_IFS:
            if (value < 1 || value > T1Block.MAX_INF) {
                return protocolError("S(IFS request) with IFSD 0 or FF", out, outOff);
            }
            ifsd = value;
            return record(T1Block.sBlock(out, outOff, nad, type, true, value, crc), out, outOff);
        case T1Block.S_ABORT:
            dropChains();
            return record(T1Block.sBlock(out, outOff, nad, type, true, 0, crc), out, outOff);
        default:
            return protocolError("S(WTX request) from the terminal", out, outOff);
        }
    }

    private void dropChains() {
        state = IDLE;
        apduLength = 0;
        resp = null;
    }

    /**
     * Give the card's response APDU for the command last returned with {@link #APDU_READY}.
     *
     * @param resp the response; the card keeps a reference until the terminal has received it all, so do not
     *     change it
     * @param out receives the first (or only) I-block
     * @return the block length, or {@link #DISCARDED} when the command was aborted or abandoned meanwhile
     * @throws IllegalStateException after {@link #wtxRequest} before the terminal's S(WTX response) arrived
     */
    public int respond(byte[] resp, int off, int len, byte[] out, int outOff) {
        if (state == WTX) {
            throw new IllegalStateException("S(WTX request) outstanding: wait for WTX_ACKNOWLEDGED before respond()");
        }
        if (state != PROCESSING) {
            return DISCARDED;
        }
        if (len < 0 || off < 0 || off + len > resp.length) {
            throw new IndexOutOfBoundsException("response range " + off + "+" + len + " of " + resp.length);
        }
        this.resp = resp;
        respOff = off;
        respLength = len;
        chunkStart = 0;
        return sendChunk(out, outOff);
    }

    private int sendChunk(byte[] out, int outOff) {
        int rest = respLength - chunkStart;
        chunkLength = Math.min(rest, ifsd);
        boolean more = rest > chunkLength;
        int n = T1Block.iBlock(out, outOff, nad, ns, more, resp, respOff + chunkStart, chunkLength, crc);
        ns ^= 1;
        if (more) {
            state = SENDING;
        } else {
            state = IDLE;
            resp = null;
        }
        return record(n, out, outOff);
    }

    private int resendChunk(byte[] out, int outOff) {
        int rest = respLength - chunkStart;
        int n = T1Block.iBlock(out, outOff, nad, ns ^ 1, rest > chunkLength, resp, respOff + chunkStart, chunkLength,
                crc);
        return record(n, out, outOff);
    }

    /**
     * Emit S(WTX request) while the card works on the pending command (ISO 7816-3 §11.3.2.2).
     *
     * @param multiplier 1..255, the BWT multiplier
     * @return the block length
     * @throws IllegalStateException when no command is pending or a WTX request is already outstanding
     */
    public int wtxRequest(int multiplier, byte[] out, int outOff) {
        if (multiplier < 1 || multiplier > 255) {
            throw new IllegalArgumentException("WTX multiplier " + multiplier + " outside 1..255");
        }
        if (state != PROCESSING) {
            throw new IllegalStateException(state == WTX ? "a WTX request is already outstanding"
                    : "no command is pending");
        }
        wtxValue = multiplier;
        state = WTX;
        return record(T1Block.sBlock(out, outOff, nad, T1Block.S_WTX, false, multiplier, crc), out, outOff);
    }

    private int record(int n, byte[] out, int outOff) {
        System.arraycopy(out, outOff, last, 0, n);
        lastLength = n;
        return n;
    }

    private int protocolError(String why, byte[] out, int outOff) {
        lastError = why;
        return error(T1Block.R_OTHER_ERROR, out, outOff);
    }

    private int error(int code, byte[] out, int outOff) {
        return T1Block.rBlock(out, outOff, nad, nr, code, crc); // not recorded: rule 7.2 resends the real last block
    }

    /** The command APDU after {@link #APDU_READY}: valid until the next {@link #receive}. */
    public byte[] apduBuffer() {
        return apdu;
    }

    /** The command APDU length after {@link #APDU_READY}. */
    public int apduLength() {
        return apduLength;
    }

    /** Whether a command is pending (after {@link #APDU_READY}, before {@link #respond}). */
    public boolean commandPending() {
        return state == PROCESSING || state == WTX;
    }

    /** The card's IFSC. */
    public int ifsc() {
        return ifsc;
    }

    /** The terminal's IFSD: 32 until S(IFS request). */
    public int ifsd() {
        return ifsd;
    }

    /** Whether the EDC is a CRC. */
    public boolean crc() {
        return crc;
    }

    /** Why the last error R-block was sent (for logs), or {@code null}. A constant string: no allocation. */
    public String lastError() {
        return lastError;
    }
}
