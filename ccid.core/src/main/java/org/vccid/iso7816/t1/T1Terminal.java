package org.vccid.iso7816.t1;

import java.io.IOException;
import java.util.Arrays;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * The TERMINAL side of T=1 (ISO 7816-3 §11), a small helper for tests and the conformance runner: it chains a
 * command APDU into I-blocks of at most IFSC bytes, acknowledges the card's chained blocks, answers S(WTX) and
 * S(IFS) requests, and recovers from errors the way libccid's {@code proto-t1.c} does (R-blocks with an error code,
 * three retries, then S(RESYNCH) and a fresh start, three times at most). Allocates freely; not for a hot path.
 *
 * <pre>
 * T1Terminal t = new T1Terminal(atr.t1Ifsc(), 254, atr.t1Crc());
 * t.negotiateIfsd(link);                                   // S(IFS request) 254
 * byte[] response = t.transceive(apdu, link);              // link: one block out, one block back
 * </pre>
 */
public final class T1Terminal {

    /** One block to the card and its answer back (e.g. a CCID XfrBlock in TPDU mode). */
    @ConsumerType
    @FunctionalInterface
    public interface Link {
        /**
         * @return the card's block; {@code null} or empty when the card did not answer in time (treated as an
         *     error, as a BWT time-out)
         */
        byte[] exchange(byte[] block) throws IOException;
    }

    /** Retries of one block before resynchronisation (libccid's value). */
    public static final int RETRIES = 3;
    /** Resynchronisations per exchange before giving up. */
    public static final int RESYNCHS = 3;

    private int ifsc;
    private final int ifsd;
    private final boolean crc;
    private final int nad;
    private int ns;
    private int nr;
    private int blocksSent;
    private int errorsSeen;

    /**
     * @param ifsc the card's IFSC (1..254), the longest INF the terminal sends
     * @param ifsd the terminal's IFSD (1..254), announced by {@link #negotiateIfsd}
     * @param crc CRC instead of LRC
     */
    public T1Terminal(int ifsc, int ifsd, boolean crc) {
        this(ifsc, ifsd, crc, 0);
    }

    /** As {@link #T1Terminal(int, int, boolean)}, with a NAD (DAD in the low nibble, SAD in the high one). */
    public T1Terminal(int ifsc, int ifsd, boolean crc, int nad) {
        if (ifsc < 1 || ifsc > 254 || ifsd < 1 || ifsd > 254) {
            throw new IllegalArgumentException("IFSC " + ifsc + " / IFSD " + ifsd + " outside 1..254");
        }
        this.ifsc = ifsc;
        this.ifsd = ifsd;
        this.crc = crc;
        this.nad = nad & 0xFF;
    }

    /** Power-on state of the sequence numbers (after a card reset). */
    public void reset() {
        ns = 0;
        nr = 0;
    }

    /** The IFSC in use (the card may change it with S(IFS request)). */
    public int ifsc() {
        return ifsc;
    }

    /** Blocks sent so far. */
    public int blocksSent() {
        return blocksSent;
    }

    /** Invalid or unexpected blocks received so far. */
    public int errorsSeen() {
        return errorsSeen;
    }

    private byte[] block(int pcb, byte[] inf, int off, int len) {
        byte[] b = new byte[T1Block.PROLOGUE + len + T1Block.edcLength(crc)];
        T1Block.build(b, 0, nad, pcb, inf, off, len, crc);
        return b;
    }

    private byte[] s(int type, boolean response, int value) {
        byte[] b = new byte[T1Block.PROLOGUE + 1 + T1Block.edcLength(crc)];
        int n = T1Block.sBlock(b, 0, nad, type, response, value, crc);
        return Arrays.copyOf(b, n);
    }

    private byte[] r(int error) {
        return block(T1Block.PCB_R | nr << 4 | error, null, 0, 0);
    }

    private byte[] send(Link link, byte[] block) throws IOException {
        blocksSent++;
        byte[] answer = link.exchange(block);
        return answer == null ? new byte[0] : answer;
    }

    /**
     * Send S(IFS request) with this terminal's IFSD until the card answers S(IFS response) with the same value
     * (libccid's {@code t1_negotiate_ifsd}).
     *
     * @throws IOException from the link, or when the card never answers correctly
     */
    public void negotiateIfsd(Link link) throws IOException {
        byte[] req = s(T1Block.S_IFS, false, ifsd);
        byte[] expected = new byte[T1Block.MAX_BLOCK];
        expected = Arrays.copyOf(expected,
                T1Block.sBlock(expected, 0, T1Block.swapNad(nad), T1Block.S_IFS, true, ifsd, crc));
        for (int i = 0; i < RETRIES; i++) {
            if (Arrays.equals(send(link, req), expected)) {
                return;
            }
            errorsSeen++;
        }
        throw new IOException("T=1: no valid S(IFS response) " + ifsd + " after " + RETRIES + " tries");
    }

    /**
     * Exchange one command APDU for the card's response APDU. An empty APDU goes out as an I-block with LEN 0.
     *
     * @throws IOException from the link, or when error recovery fails (the message says why)
     */
    public byte[] transceive(byte[] apdu, Link link) throws IOException {
        byte[] response = new byte[16];
        int responseLength = 0;
        int pos = 0; // start of the I-block in flight
        int chunk = Math.min(apdu.length - pos, ifsc);
        boolean sending = true;
        boolean resynching = false;
        int retries = RETRIES;
        int resynchs = RESYNCHS;
        byte[] lastR = null; // our last R-block, for rule 7.2
        boolean lastChunk = chunk == apdu.length - pos;
        byte[] out = block(ns << 6 | (lastChunk ? 0 : T1Block.PCB_I_MORE), apdu, pos, chunk);
        String why = null;
        while (true) {
            byte[] in = send(link, out);
            byte[] next = null;
            int errorCode = T1Block.R_OTHER_ERROR;
            int check = T1Block.check(in, 0, in.length, crc);
            if (in.length == 0) {
                why = "no answer";
            } else if (check != T1Block.OK) {
                why = T1Block.describe(check);
                errorCode = check == T1Block.BAD_EDC || check == T1Block.TRUNCATED ? T1Block.R_EDC_ERROR
                        : T1Block.R_OTHER_ERROR;
            } else if ((in[0] & 0xFF) != T1Block.swapNad(nad)) {
                why = String.format("NAD %02X, expected %02X", in[0] & 0xFF, T1Block.swapNad(nad));
            } else {
                int pcb = in[1] & 0xFF;
                int len = in[2] & 0xFF;
                switch (T1Block.kind(pcb)) {
                case T1Block.R_BLOCK:
                    if (resynching) {
                        why = "R-block while resynchronising";
                    } else if (sending) {
                        if ((pcb >>> 4 & 1) != ns) { // acknowledges our block in flight
                            if (lastChunk) {
                                why = "the card acknowledged the last block with an R-block";
                                break;
                            }
                            pos += chunk;
                            ns ^= 1;
                            chunk = Math.min(apdu.length - pos, ifsc);
                            lastChunk = chunk == apdu.length - pos;
                            next = block(ns << 6 | (lastChunk ? 0 : T1Block.PCB_I_MORE), apdu, pos, chunk);
                        } else if (retries > 1) { // retransmission requested
                            retries--;
                            errorsSeen++;
                            out = block(ns << 6 | (lastChunk ? 0 : T1Block.PCB_I_MORE), apdu, pos, chunk);
                            continue;
                        } else {
                            why = "retransmission requested " + RETRIES + " times";
                        }
                    } else { // receiving: the card did not get our R-block
                        why = "R-block while receiving";
                    }
                    break;
                case T1Block.I_BLOCK:
                    if (resynching) {
                        why = "I-block while resynchronising";
                        break;
                    }
                    if (sending) {
                        if (!lastChunk) {
                            why = "I-block before the command chain was complete";
                            break;
                        }
                        ns ^= 1; // the card's I-block acknowledges our last one
                        sending = false;
                    }
                    if ((pcb >>> 6 & 1) != nr) {
                        why = "I-block with unexpected N(S)";
                        break;
                    }
                    nr ^= 1;
                    if (responseLength + len > response.length) {
                        response = Arrays.copyOf(response, Math.max(response.length * 2, responseLength + len));
                    }
                    System.arraycopy(in, T1Block.PROLOGUE, response, responseLength, len);
                    responseLength += len;
                    if ((pcb & T1Block.PCB_I_MORE) == 0) {
                        return Arrays.copyOf(response, responseLength);
                    }
                    next = lastR = r(T1Block.R_OK);
                    break;
                default: // S
                    int type = pcb & 0x1F;
                    boolean isResponse = (pcb & T1Block.PCB_S_RESPONSE) != 0;
                    if (isResponse) {
                        if (resynching && type == T1Block.S_RESYNCH) {
                            resynching = false;
                            sending = true;
                            ns = 0;
                            nr = 0;
                            pos = 0;
                            responseLength = 0;
                            lastR = null;
                            retries = RETRIES;
                            chunk = Math.min(apdu.length, ifsc);
                            lastChunk = chunk == apdu.length;
                            next = block(lastChunk ? 0 : T1Block.PCB_I_MORE, apdu, 0, chunk);
                        } else {
                            why = "unexpected S-block response";
                        }
                    } else if (type == T1Block.S_WTX) {
                        next = s(T1Block.S_WTX, true, in[3] & 0xFF);
                    } else if (type == T1Block.S_IFS && (in[3] & 0xFF) >= 1 && (in[3] & 0xFF) <= 254) {
                        ifsc = in[3] & 0xFF;
                        next = s(T1Block.S_IFS, true, ifsc);
                    } else if (type == T1Block.S_ABORT) {
                        send(link, s(T1Block.S_ABORT, true, 0));
                        throw new IOException("T=1: the card aborted the exchange");
                    } else {
                        why = "invalid S-block request from the card (" + T1Block.parse(in, crc) + ")";
                    }
                    break;
                }
            }
            if (next != null) {
                out = next;
                retries = RETRIES;
                continue;
            }
            errorsSeen++;
            if (--retries > 0 && !resynching) {
                // rule 7.2: resend our R-block if that is what we sent last, else ask for a retransmission
                out = lastR != null && !sending ? lastR : r(errorCode);
                continue;
            }
            if (resynchs-- == 0) {
                throw new IOException("T=1 exchange failed after " + RESYNCHS + " resynchronisations: " + why);
            }
            resynching = true;
            retries = 1;
            out = s(T1Block.S_RESYNCH, false, 0);
        }
    }
}
