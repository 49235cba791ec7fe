package org.vccid.transport.serial.internal.framing;

import org.vccid.transport.serial.framing.Twin;

/**
 * Cuts a byte stream from the host into GemPC Twin frames. Input may arrive in any chunks (TCP). Pure and
 * single-threaded: one decoder per line, fed by the line's reader thread.
 *
 * <ul>
 * <li>Bytes outside a frame that are not SYNC are junk: reported one by one and skipped.</li>
 * <li>SYNC followed by anything but CTRL ACK is junk too (the host only sends ACK frames); the second byte is
 * examined again as a possible SYNC.</li>
 * <li>The frame length comes from dwLength (CCID header bytes 1..4). A length over the reader's
 * dwMaxCCIDMessageLength is reported at once; the rest of that frame cannot be delimited, so the decoder drops
 * everything until the line goes quiet ({@link #idle}).</li>
 * <li>A frame cut short (the line goes quiet inside it) is reported by {@link #idle}.</li>
 * </ul>
 */
public final class FrameDecoder {

    /** What the decoder found. The buffer passed is only valid during the call. */
    public interface Listener {
        /** A whole frame with a good LRC: {@code frame[0..length)} is SYNC CTRL message LRC. */
        void frame(byte[] frame, int length);

        /** A whole frame whose LRC is wrong. */
        void badLrc(byte[] frame, int length);

        /** A header announcing more than the reader takes; the decoder now drops input until the line is idle. */
        void oversize(long dwLength);

        /** A byte outside any frame. */
        void junk(int b);

        /** The line went quiet inside a frame; {@code have} bytes of it were received and are dropped. */
        void truncated(int have);
    }

    private enum State { SYNC, CTRL, FRAME, DISCARD }

    /** SYNC CTRL and the first five header bytes: enough to read dwLength. */
    private static final int LENGTH_KNOWN = 2 + 5;

    private final int maxMessageLength;
    private final byte[] buf;
    private State state = State.SYNC;
    private int have;
    private int need;
    private long discarded;

    /** @param maxMessageLength dwMaxCCIDMessageLength, header included (271 for libccid's serial readers) */
    public FrameDecoder(int maxMessageLength) {
        if (maxMessageLength < 10) {
            throw new IllegalArgumentException("maxMessageLength " + maxMessageLength);
        }
        this.maxMessageLength = maxMessageLength;
        this.buf = new byte[maxMessageLength + Twin.OVERHEAD];
    }

    /** Whether a frame has begun and not ended (the caller then runs an inter-character timer). */
    public boolean inFrame() {
        return state != State.SYNC;
    }

    /** Bytes dropped after an oversize header, so far. */
    public long discarded() {
        return discarded;
    }

    public void feed(byte[] b, int off, int len, Listener l) {
        int end = off + len;
        int i = off;
        while (i < end) {
            switch (state) {
            case SYNC: {
                int c = b[i++] & 0xFF;
                if (c == Twin.SYNC) {
                    buf[0] = (byte) c;
                    have = 1;
                    state = State.CTRL;
                } else {
                    l.junk(c);
                }
                break;
            }
            case CTRL: {
                int c = b[i] & 0xFF;
                if (c == Twin.CTRL_ACK) {
                    buf[1] = (byte) c;
                    have = 2;
                    need = LENGTH_KNOWN;
                    state = State.FRAME;
                    i++;
                } else {
                    l.junk(Twin.SYNC); // the SYNC was junk; look at this byte again
                    state = State.SYNC;
                }
                break;
            }
            case FRAME: {
                int n = Math.min(need - have, end - i);
                System.arraycopy(b, i, buf, have, n);
                have += n;
                i += n;
                if (have < need) {
                    break;
                }
                if (need == LENGTH_KNOWN) {
                    long dwLength = (buf[3] & 0xFFL) | (buf[4] & 0xFFL) << 8 | (buf[5] & 0xFFL) << 16
                            | (buf[6] & 0xFFL) << 24;
                    if (dwLength > maxMessageLength - 10) {
                        state = State.DISCARD;
                        discarded = 0;
                        l.oversize(dwLength);
                        break;
                    }
                    need = 2 + 10 + (int) dwLength + 1;
                    break;
                }
                state = State.SYNC;
                if (Twin.lrc(buf, 0, have) == 0) {
                    l.frame(buf, have);
                } else {
                    l.badLrc(buf, have);
                }
                break;
            }
            case DISCARD:
            default:
                discarded += end - i;
                i = end;
                break;
            }
        }
    }

    /** The line has been quiet for the inter-character timeout: drop a partial frame, end a discard. */
    public void idle(Listener l) {
        State s = state;
        state = State.SYNC;
        if (s == State.CTRL) {
            l.junk(Twin.SYNC);
        } else if (s == State.FRAME) {
            l.truncated(have);
        }
    }
}
