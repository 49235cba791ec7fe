package org.vccid.conformance.internal.serial;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.vccid.transport.serial.framing.ReaderType;
import org.vccid.transport.serial.framing.Twin;

/**
 * libccid's side of one GemPC Twin serial line ({@code ccid_serial.c}), pure: CCID messages in, frame bytes out;
 * line bytes in, events out. No I/O, no threads (the caller serialises {@link #command} and {@link #feed}).
 *
 * <ul>
 * <li>Frame: {@code 03 06 <CCID message> LRC}, LRC = XOR of every preceding byte of the frame.</li>
 * <li>Echo ({@link ReaderType#echo()}, GemPC Twin): the reader sends every command frame back unchanged before its
 * answer. libccid only parses the echo as a frame; this host is stricter: the echo must equal the oldest command
 * frame not yet echoed, and no answer may arrive for a command (same bSlot and bSeq) before its echo.</li>
 * <li>Between frames: {@code 50 02} (card removed) and {@code 50 03} (card inserted) are card movement notices
 * ({@link Event.Notice}); they carry no slot number. {@code 03 15 16} is a NAK: the reader rejected a frame
 * ({@link Event.Nak}).</li>
 * <li>Anything else is a line error ({@link LineError}: junk between frames, a bad LRC, an unknown CTRL byte, a
 * frame longer than the reader's dwMaxCCIDMessageLength, a PC_to_RDR frame that is not the expected echo); after
 * one the line is out of step and every later {@link #feed} throws it again.</li>
 * </ul>
 */
public final class TwinHost {

    private static final int HEADER = 10;

    /** What the line delivered. */
    public interface Event {
        /** A whole RDR_to_PC message (the frame without SYNC, CTRL and LRC). */
        record Answer(byte[] message) implements Event {
        }

        /** {@code 50 03} (card inserted) or {@code 50 02} (card removed), no slot number. */
        record Notice(boolean present) implements Event {
        }

        /** {@code 03 15 16}: the reader rejected a frame (bad LRC, oversize, cut short). */
        record Nak() implements Event {
        }
    }

    /** The line is out of step (the host cannot tell frames apart any more). */
    public static final class LineError extends IOException {
        private static final long serialVersionUID = 1L;

        public LineError(String message) {
            super(message);
        }
    }

    private enum State { IDLE, CTRL, NAK_LRC, NOTICE, FRAME }

    private final ReaderType type;
    private final int maxMessageLength;
    private final ArrayDeque<byte[]> unechoed = new ArrayDeque<>();
    private final byte[] buf;
    private State state = State.IDLE;
    private int have;
    private int need;
    private LineError error;
    private long echoes;

    /**
     * @param type the reader type the line was configured with (echo or not)
     * @param maxMessageLength the reader's dwMaxCCIDMessageLength (header included): a longer frame is an error,
     *        as libccid's "Wrong value for frame size"
     */
    public TwinHost(ReaderType type, int maxMessageLength) {
        if (maxMessageLength < HEADER) {
            throw new IllegalArgumentException("maxMessageLength " + maxMessageLength);
        }
        this.type = type;
        this.maxMessageLength = maxMessageLength;
        this.buf = new byte[maxMessageLength + Twin.OVERHEAD];
    }

    public ReaderType type() {
        return type;
    }

    /** Echoes seen so far (GemPC Twin). */
    public long echoes() {
        return echoes;
    }

    /** Command frames whose echo has not come yet. */
    public int unechoed() {
        return unechoed.size();
    }

    /**
     * Why this line cannot carry {@code message} as one command frame that reaches the reader, or null if it can.
     * The reader side delimits frames by dwLength (a message whose dwLength disagrees with its size, or a header
     * cut short, runs into the next frame or times out and is NAKed), NAKs a dwLength above its
     * dwMaxCCIDMessageLength, and answers the Gemalto escapes libccid opens with itself.
     */
    public String cannotCarry(byte[] message) {
        if (message.length < HEADER) {
            return "a " + message.length + "-byte message is shorter than the CCID header: the line is framed by"
                    + " dwLength and cannot delimit it (the reader side waits for the rest, then NAKs)";
        }
        long dwLength = (message[1] & 0xFFL) | (message[2] & 0xFFL) << 8 | (message[3] & 0xFFL) << 16
                | (message[4] & 0xFFL) << 24;
        if (dwLength != message.length - HEADER) {
            return "dwLength " + dwLength + " disagrees with the " + (message.length - HEADER) + " data byte(s)"
                    + " sent: the line is framed by dwLength and cannot carry such a message as one frame";
        }
        if (message.length > maxMessageLength) {
            return "a " + message.length + "-byte message exceeds dwMaxCCIDMessageLength " + maxMessageLength
                    + ": the line NAKs it (03 15 16) instead of passing it to the reader";
        }
        if ((message[0] & 0xFF) == 0x6B) {
            int n = message.length - HEADER;
            int e0 = n > 0 ? message[HEADER] & 0xFF : -1;
            if (n == 1 && (e0 == 0x02 || e0 == type.openEscape() || e0 == 0x6A)
                    || n == 3 && e0 == 0x01 && message[HEADER + 1] == 1 && message[HEADER + 2] == 1) {
                return "Escape " + String.format("%02X", e0) + (n == 3 ? " 01 01" : "") + " is a Gemalto escape the"
                        + " serial line answers itself (libccid's open sequence); the reader never sees it";
            }
        }
        return null;
    }

    /** The frame to write for one command; remembered for its echo (echo types). */
    public byte[] command(byte[] message) {
        byte[] f = Twin.frame(message);
        if (type.echo()) {
            unechoed.addLast(f);
        }
        return f;
    }

    /**
     * Bytes from the line, in any chunks.
     *
     * @return what they completed, in order
     * @throws LineError when the line is out of step (also on every later call)
     */
    public List<Event> feed(byte[] b, int off, int len) throws LineError {
        if (error != null) {
            throw error;
        }
        List<Event> events = new ArrayList<>(2);
        int end = off + len;
        int i = off;
        while (i < end) {
            int c = b[i] & 0xFF;
            switch (state) {
            case IDLE:
                i++;
                if (c == Twin.SYNC) {
                    state = State.CTRL;
                } else if (c == Twin.NOTIFY_SLOT_CHANGE) {
                    state = State.NOTICE;
                } else {
                    fail(String.format("junk byte %02X between frames", c));
                }
                break;
            case NOTICE:
                i++;
                if (c != Twin.CARD_ABSENT && c != Twin.CARD_PRESENT) {
                    fail(String.format("50 %02X between frames is not a card movement notice (50 02 / 50 03)", c));
                }
                events.add(new Event.Notice(c == Twin.CARD_PRESENT));
                state = State.IDLE;
                break;
            case CTRL:
                i++;
                if (c == Twin.CTRL_ACK) {
                    buf[0] = Twin.SYNC;
                    buf[1] = Twin.CTRL_ACK;
                    have = 2;
                    need = 2 + 5;
                    state = State.FRAME;
                } else if (c == Twin.CTRL_NAK) {
                    state = State.NAK_LRC;
                } else {
                    fail(String.format("03 %02X: unknown CTRL byte (06 ACK, 15 NAK)", c));
                }
                break;
            case NAK_LRC:
                i++;
                if (c != (Twin.SYNC ^ Twin.CTRL_NAK)) {
                    fail(String.format("NAK frame 03 15 %02X: bad LRC (16)", c));
                }
                events.add(new Event.Nak());
                state = State.IDLE;
                break;
            case FRAME: {
                int n = Math.min(need - have, end - i);
                System.arraycopy(b, i, buf, have, n);
                have += n;
                i += n;
                if (have < need) {
                    break;
                }
                if (need == 2 + 5) {
                    long dwLength = (buf[3] & 0xFFL) | (buf[4] & 0xFFL) << 8 | (buf[5] & 0xFFL) << 16
                            | (buf[6] & 0xFFL) << 24;
                    if (dwLength > maxMessageLength - HEADER) {
                        fail("a frame announces dwLength " + dwLength + ", more than dwMaxCCIDMessageLength "
                                + maxMessageLength + " allows");
                    }
                    need = 2 + HEADER + (int) dwLength + 1;
                    break;
                }
                state = State.IDLE;
                frame(events);
                break;
            }
            default:
                throw new IllegalStateException(state.toString());
            }
        }
        return events;
    }

    private void frame(List<Event> events) throws LineError {
        if (Twin.lrc(buf, 0, have) != 0) {
            fail("bad LRC in frame " + hex(buf, have));
        }
        byte[] f = Arrays.copyOf(buf, have);
        byte[] pending = unechoed.peekFirst();
        if (pending != null && Arrays.equals(f, pending)) {
            unechoed.removeFirst();
            echoes++;
            return;
        }
        byte[] m = Arrays.copyOfRange(f, 2, have - 1);
        if ((m[0] & 0x80) == 0) {
            fail((type.echo() ? "a PC_to_RDR frame that is not the echo of the oldest command "
                    + (pending == null ? "(none is due)" : hex(pending, pending.length))
                    : "an echo from a reader type that does not echo (" + type + ")") + ": " + hex(f, have));
        }
        for (byte[] u : unechoed) {
            if (u[2 + 5] == m[5] && u[2 + 6] == m[6]) {
                fail("the answer " + hex(m, m.length) + " came before the echo of its command " + hex(u, u.length));
            }
        }
        events.add(new Event.Answer(m));
    }

    private void fail(String message) throws LineError {
        error = new LineError(message);
        throw error;
    }

    static String hex(byte[] b, int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(n, 64); i++) {
            if (i > 0) {
                sb.append(' ');
            }
            sb.append(String.format("%02X", b[i] & 0xFF));
        }
        if (n > 64) {
            sb.append(" ... (").append(n).append(" bytes)");
        }
        return sb.toString();
    }
}
