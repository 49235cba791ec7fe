package org.vccid.transport.serial.framing;

/**
 * The GemPC Twin serial framing (libccid {@code ccid_serial.c}): {@code SYNC CTRL <CCID message> LRC}, where LRC is
 * the XOR of every preceding byte of the frame, so a whole good frame XORs to 0. Pure functions, no state.
 */
public final class Twin {

    public static final int SYNC = 0x03;
    public static final int CTRL_ACK = 0x06;
    public static final int CTRL_NAK = 0x15;
    /** Unsolicited card movement: {@code 50 02} card removed, {@code 50 03} card inserted (between frames only). */
    public static final int NOTIFY_SLOT_CHANGE = 0x50;
    public static final int CARD_ABSENT = 0x02;
    public static final int CARD_PRESENT = 0x03;
    /** SYNC + CTRL before the message, LRC after it. */
    public static final int OVERHEAD = 3;

    private static final byte[] NAK_FRAME = { SYNC, CTRL_NAK, SYNC ^ CTRL_NAK };

    private Twin() {
    }

    /** XOR of {@code len} bytes. */
    public static int lrc(byte[] b, int off, int len) {
        int x = 0;
        for (int i = off; i < off + len; i++) {
            x ^= b[i];
        }
        return x & 0xFF;
    }

    /** Write {@code 03 06 <message> LRC} at {@code at}; returns the frame length. */
    public static int frame(byte[] message, int off, int len, byte[] out, int at) {
        out[at] = SYNC;
        out[at + 1] = CTRL_ACK;
        System.arraycopy(message, off, out, at + 2, len);
        out[at + 2 + len] = (byte) lrc(out, at, 2 + len);
        return len + OVERHEAD;
    }

    /** A new array holding the frame of one CCID message. */
    public static byte[] frame(byte[] message) {
        byte[] f = new byte[message.length + OVERHEAD];
        frame(message, 0, message.length, f, 0);
        return f;
    }

    /** The NAK frame {@code 03 15 16}: "frame not received, send it again". */
    public static byte[] nak() {
        return NAK_FRAME.clone();
    }

    /** The two-byte card movement notification. */
    public static byte[] notification(boolean present) {
        return new byte[] { NOTIFY_SLOT_CHANGE, (byte) (present ? CARD_PRESENT : CARD_ABSENT) };
    }
}
