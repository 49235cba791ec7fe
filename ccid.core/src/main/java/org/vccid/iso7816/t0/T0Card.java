package org.vccid.iso7816.t0;

/**
 * The CARD side of T=0 at CCID TPDU level, one per slot. The host driver (libccid) sends a TPDU in an XfrBlock and
 * expects response data + SW1 SW2 back; procedure bytes (ACK, NULL, §10.3.3) stay inside the reader and are not
 * visible here. This class plays a real T=0 card in front of a card that only speaks APDUs. Pure state machine: no
 * I/O, no threads, not thread safe, no allocation per TPDU; the caller supplies output buffers of at least
 * {@link #MAX_ANSWER} bytes.
 *
 * <pre>
 * int n = t0.receive(tpdu, 0, len, out, 0);
 * if (n == T0Card.APDU_READY) {
 *     byte[] r = card.transmit(t0.apduBuffer(), 0, t0.apduLength());
 *     n = t0.respond(r, 0, r.length, out, 0);
 * }
 * send(out, 0, n);
 * </pre>
 *
 * <p>Rules (ISO 7816-3:2006 §10.3.2 command header, §12.2 transport of short APDUs; ISO 7816-4 §5.6 61xx and 6Cxx
 * and the GET RESPONSE command):
 * <ul>
 * <li>A TPDU is {@code CLA INS P1 P2 P3 [data]}: 4 bytes (P3 absent) count as case 1; 5 bytes are case 1 or case 2
 * with Le = P3 (00 = 256); longer ones are case 3 (the T=0 form of case 3 and case 4) with P3 = Lc 1..255 and
 * exactly Lc data bytes. Shorter than 4, longer than 260, P3 = 00 with data, or Lc not matching the data length:
 * {@code 6700}. CLA {@code FF} (reserved for PPS: a PPS request right after the ATR is not a TPDU, the reader
 * answers it with {@link org.vccid.iso7816.Pps} before calling this class): {@code 6E00}. INS {@code 6X} or {@code 9X} (invalid, they
 * would be procedure bytes): {@code 6D00}. None of these reaches the card.</li>
 * <li>The card gets the TPDU unchanged as its command APDU: a 4-byte case 1, a 5-byte case 2 APDU (Ne = P3, 00 =
 * 256), or a case 3 APDU.</li>
 * <li>Case 1/2 (5 bytes): when the card answers only SW1 SW2, that passes through (case 1). When it returns data
 * of exactly Le bytes, data + SW pass through. With any other data length the answer is {@code 6C xx}, xx the
 * available length (00 for 256), and the data is dropped; the host re-issues the command with P3 = xx (§12.2.3).
 * When P3 = 00 and the card returns more than 256 bytes, the first 256 go out with {@code 61 xx} and the rest is
 * held for GET RESPONSE.</li>
 * <li>Case 3 and 4-byte case 1: SW only passes through (also a 61xx the card produces itself: it then serves GET
 * RESPONSE itself). Data is held and the answer is {@code 61 xx}, xx = min(length, 256), 00 for 256 (§12.2.5).</li>
 * <li>GET RESPONSE ({@code INS C0}, 5 bytes) while data is held is served from it, not by the card: P3 = 00 means
 * 256; P3 greater than what is left gives {@code 6C xx} (data kept); otherwise P3 bytes go out, followed by
 * {@code 61 xx} when more remains, or by the card's own SW1 SW2 on the last part. P1-P2 other than 0000 gives
 * {@code 6B00} (data kept), a 4-byte GET RESPONSE {@code 6700} (data kept). Any other TPDU drops the held data and
 * goes to the card (as does GET RESPONSE when nothing is held).</li>
 * <li>A TPDU received while a command is pending (after {@link #APDU_READY}, before {@link #respond}) means the host
 * stopped waiting: the command is forgotten and the late {@link #respond} returns {@link #DISCARDED}.</li>
 * <li>A card answer shorter than SW1 SW2 becomes {@code 6F00}.</li>
 * </ul>
 */
public final class T0Card {

    /** {@link #receive}: a command APDU is in {@link #apduBuffer()}; call the card, then {@link #respond}. */
    public static final int APDU_READY = -1;
    /** {@link #respond}: no command was pending; send nothing. */
    public static final int DISCARDED = -3;
    /** Largest TPDU: header, P3 and 255 data bytes. */
    public static final int MAX_TPDU = 260;
    /** Largest answer: 256 data bytes and SW1 SW2. */
    public static final int MAX_ANSWER = 258;

    private static final int INS_GET_RESPONSE = 0xC0;
    private static final int NONE = 0;
    private static final int CASE_1_SHORT = 1; // 4 bytes
    private static final int CASE_2 = 2; // 5 bytes
    private static final int CASE_3 = 3; // data

    private final byte[] apdu = new byte[MAX_TPDU];
    private int apduLength;
    private int pending = NONE;
    private int ne;

    private byte[] held;
    private int heldOff;
    private int heldLength;
    private int heldSw1;
    private int heldSw2;

    /** Power-on state: held data and pending command dropped. */
    public void reset() {
        pending = NONE;
        apduLength = 0;
        drop();
    }

    private void drop() {
        held = null;
        heldLength = 0;
    }

    /**
     * Feed one TPDU from the host.
     *
     * @param out receives the answer (room for {@link #MAX_ANSWER} bytes)
     * @return the answer length written to {@code out} (send it), or {@link #APDU_READY}
     */
    public int receive(byte[] in, int off, int len, byte[] out, int outOff) {
        pending = NONE;
        if (len >= 4 && len <= MAX_TPDU && (in[off + 1] & 0xFF) == INS_GET_RESPONSE && held != null) {
            if (len == 5) {
                return getResponse(in[off + 2] & 0xFF, in[off + 3] & 0xFF, in[off + 4] & 0xFF, out, outOff);
            }
            if (len == 4) {
                return sw(0x67, 0x00, out, outOff);
            }
        }
        drop();
        if (len < 4 || len > MAX_TPDU) {
            return sw(0x67, 0x00, out, outOff);
        }
        int cla = in[off] & 0xFF;
        int ins = in[off + 1] & 0xFF;
        if (cla == 0xFF) {
            return sw(0x6E, 0x00, out, outOff);
        }
        if ((ins & 0xF0) == 0x60 || (ins & 0xF0) == 0x90) {
            return sw(0x6D, 0x00, out, outOff);
        }
        int kind;
        if (len == 4) {
            kind = CASE_1_SHORT;
        } else if (len == 5) {
            kind = CASE_2;
            int p3 = in[off + 4] & 0xFF;
            ne = p3 == 0 ? 256 : p3;
        } else {
            int lc = in[off + 4] & 0xFF;
            if (lc == 0 || len != 5 + lc) {
                return sw(0x67, 0x00, out, outOff);
            }
            kind = CASE_3;
        }
        System.arraycopy(in, off, apdu, 0, len);
        apduLength = len;
        pending = kind;
        return APDU_READY;
    }

    private int getResponse(int p1, int p2, int p3, byte[] out, int outOff) {
        if (p1 != 0 || p2 != 0) {
            return sw(0x6B, 0x00, out, outOff);
        }
        int n = p3 == 0 ? 256 : p3;
        if (n > heldLength) {
            return sw(0x6C, heldLength, out, outOff); // heldLength < n <= 256
        }
        return serve(n, out, outOff);
    }

    /** n bytes of the held data, then 61xx or the card's SW on the last part. */
    private int serve(int n, byte[] out, int outOff) {
        System.arraycopy(held, heldOff, out, outOff, n);
        heldOff += n;
        heldLength -= n;
        if (heldLength > 0) {
            return n + sw(0x61, Math.min(heldLength, 256), out, outOff + n);
        }
        int r = n + sw(heldSw1, heldSw2, out, outOff + n);
        drop();
        return r;
    }

    /**
     * Give the card's response APDU for the command last returned with {@link #APDU_READY}.
     *
     * @param resp response data + SW1 SW2; when data is held for GET RESPONSE the card keeps a reference to
     *     {@code resp}, so do not change it
     * @return the answer length written to {@code out}, or {@link #DISCARDED}
     */
    public int respond(byte[] resp, int off, int len, byte[] out, int outOff) {
        int kind = pending;
        pending = NONE;
        if (kind == NONE) {
            return DISCARDED;
        }
        if (len < 2) {
            return sw(0x6F, 0x00, out, outOff);
        }
        int dataLength = len - 2;
        int sw1 = resp[off + len - 2] & 0xFF;
        int sw2 = resp[off + len - 1] & 0xFF;
        if (dataLength == 0) {
            return sw(sw1, sw2, out, outOff);
        }
        if (kind == CASE_2 && dataLength != ne) {
            if (ne == 256 && dataLength > 256) {
                hold(resp, off, dataLength, sw1, sw2);
                return serve(256, out, outOff);
            }
            return sw(0x6C, Math.min(dataLength, 256), out, outOff);
        }
        if (kind == CASE_2) {
            System.arraycopy(resp, off, out, outOff, len);
            return len;
        }
        hold(resp, off, dataLength, sw1, sw2);
        return sw(0x61, Math.min(dataLength, 256), out, outOff);
    }

    private void hold(byte[] resp, int off, int dataLength, int sw1, int sw2) {
        held = resp;
        heldOff = off;
        heldLength = dataLength;
        heldSw1 = sw1;
        heldSw2 = sw2;
    }

    private static int sw(int sw1, int sw2, byte[] out, int outOff) {
        out[outOff] = (byte) sw1;
        out[outOff + 1] = (byte) sw2; // 256 -> 00
        return 2;
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
        return pending != NONE;
    }

    /** Bytes held for GET RESPONSE. */
    public int heldLength() {
        return heldLength;
    }
}
