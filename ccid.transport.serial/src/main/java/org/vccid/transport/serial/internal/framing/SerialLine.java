package org.vccid.transport.serial.internal.framing;

import static org.vccid.ccid.Ccid.*;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntUnaryOperator;

import org.vccid.transport.serial.framing.ReaderType;
import org.vccid.transport.serial.framing.Twin;

/**
 * The reader's side of one GemPC Twin serial line, as libccid's serial driver expects it. Pure: bytes in, bytes
 * and messages out through an {@link Output}; no I/O, no threads.
 *
 * <ul>
 * <li>Good frame: echoed first when the reader type echoes ({@link ReaderType#echo()}); then the Gemalto escapes
 * the driver sends at open are answered here (Escape 02 / SEC1210's 06: firmware string; 01 01 01: card movement in
 * synchronous mode; 6A: not supported), and every other CCID message goes to the reader.</li>
 * <li>Bad LRC: echoed as received (echo types), then NAK {@code 03 15 16} instead of an answer.</li>
 * <li>Oversize dwLength: NAK at once (the driver retries an Escape on NAK and fails other commands); the rest of
 * the frame is dropped until the line goes quiet.</li>
 * <li>Frame cut short (the line went quiet inside it): NAK.</li>
 * <li>Junk bytes between frames: dropped and counted, never answered (an answer the driver did not ask for
 * would shift every later answer by one).</li>
 * <li>Card movement ({@link #cardMoved}): {@code 50 03} / {@code 50 02} are held back and sent just before the next
 * answer frame (after the echo), the "synchronous" mode that Escape 01 01 01 selects; the driver skips them
 * between frames.</li>
 * </ul>
 *
 * <p>Threads: {@link #receive} and {@link #idle} belong to the line's reader thread; {@link #answer} and
 * {@link #cardMoved} may be called from any thread (the reader answers from card threads). No lock is held while
 * calling the {@link Output}, so the reader may answer from inside {@link Output#toReader}.
 */
public final class SerialLine {

    /** Where the line's results go. */
    public interface Output {
        /** Bytes for the host, in order (copy them: the array may be reused). */
        void toLine(byte[] b, int off, int len);

        /** One whole PC_to_RDR message for the reader (valid only during the call). */
        void toReader(byte[] message, int off, int len);
    }

    /** Pending notifications kept at most; card movement notices are informational for the driver. */
    static final int MAX_PENDING_NOTIFICATIONS = 16;
    /** The driver reads the firmware string into a 50-byte buffer and writes a NUL after it. */
    public static final int MAX_FIRMWARE_LENGTH = 49;

    private final ReaderType type;
    private final FrameDecoder decoder;
    private final byte[] firmware;
    private final IntUnaryOperator initialIccStatus;
    private final int[] iccStatus = new int[256];
    private final ArrayDeque<byte[]> notifications = new ArrayDeque<>();
    private final Object lock = new Object();
    private boolean synchronousNotifications;

    public final AtomicLong frames = new AtomicLong();
    public final AtomicLong lrcErrors = new AtomicLong();
    public final AtomicLong junkBytes = new AtomicLong();
    public final AtomicLong oversize = new AtomicLong();
    public final AtomicLong truncated = new AtomicLong();
    public final AtomicLong naks = new AtomicLong();
    public final AtomicLong escapes = new AtomicLong();

    /**
     * @param type what the driver was told (DEVICENAME suffix)
     * @param maxMessageLength the reader's dwMaxCCIDMessageLength, header included
     * @param firmware the answer to the firmware escape, at most {@value #MAX_FIRMWARE_LENGTH} bytes
     * @param initialIccStatus bmICCStatus of a slot for which no reader answer has been seen yet
     */
    public SerialLine(ReaderType type, int maxMessageLength, String firmware, IntUnaryOperator initialIccStatus) {
        this.type = type;
        this.decoder = new FrameDecoder(maxMessageLength);
        this.firmware = firmware.getBytes(StandardCharsets.US_ASCII);
        if (this.firmware.length > MAX_FIRMWARE_LENGTH) {
            throw new IllegalArgumentException("the firmware string must be at most " + MAX_FIRMWARE_LENGTH
                    + " bytes (libccid's buffer is 50 with a NUL): \"" + firmware + "\"");
        }
        this.initialIccStatus = initialIccStatus;
        Arrays.fill(iccStatus, -1);
    }

    public ReaderType type() {
        return type;
    }

    /** Whether the line is inside a frame (run the inter-character timer). */
    public boolean inFrame() {
        return decoder.inFrame();
    }

    /** Whether the host asked for synchronous card movement notification (Escape 01 01 01). */
    public boolean synchronousNotifications() {
        synchronized (lock) {
            return synchronousNotifications;
        }
    }

    /** Bytes from the host. */
    public void receive(byte[] b, int off, int len, Output out) {
        decoder.feed(b, off, len, new Events(out));
    }

    /** The line has been quiet for the inter-character timeout. */
    public void idle(Output out) {
        decoder.idle(new Events(out));
    }

    /** A card was inserted or removed: the host hears of it before the next answer. */
    public void cardMoved(boolean present) {
        synchronized (lock) {
            if (notifications.size() == MAX_PENDING_NOTIFICATIONS) {
                notifications.removeFirst();
            }
            notifications.addLast(Twin.notification(present));
        }
    }

    /**
     * An RDR_to_PC message from the reader: the bytes to send, i.e. the pending card movement notifications and the
     * message's frame.
     */
    public byte[] answer(byte[] message, int off, int len) {
        byte[] pending = null;
        synchronized (lock) {
            if (len >= HEADER_LENGTH) {
                iccStatus[message[off + OFFSET_SLOT] & 0xFF] = message[off + OFFSET_7] & 0x03;
            }
            if (!notifications.isEmpty()) {
                pending = new byte[notifications.size() * 2];
                int i = 0;
                for (byte[] n : notifications) {
                    System.arraycopy(n, 0, pending, i, 2);
                    i += 2;
                }
                notifications.clear();
            }
        }
        int p = pending == null ? 0 : pending.length;
        byte[] out = new byte[p + len + Twin.OVERHEAD];
        if (p > 0) {
            System.arraycopy(pending, 0, out, 0, p);
        }
        Twin.frame(message, off, len, out, p);
        return out;
    }

    private int iccStatusOf(int slot) {
        synchronized (lock) {
            int s = iccStatus[slot];
            return s >= 0 ? s : initialIccStatus.applyAsInt(slot) & 0x03;
        }
    }

    /** A Gemalto escape this transport answers itself, or null to pass the message to the reader. */
    private byte[] escape(byte[] f, int off, int len) {
        if ((f[off] & 0xFF) != PC_TO_RDR_ESCAPE || len < HEADER_LENGTH + 1) {
            return null;
        }
        int slot = f[off + OFFSET_SLOT] & 0xFF;
        int seq = f[off + OFFSET_SEQ] & 0xFF;
        int n = len - HEADER_LENGTH;
        int d = off + HEADER_LENGTH;
        int e0 = f[d] & 0xFF;
        if (n == 1 && (e0 == 0x02 || e0 == type.openEscape())) {
            // 02: get firmware (also sent again for GET_TLV_PROPERTIES); SEC1210 opens with 06 instead
            return escapeAnswer(slot, seq, COMMAND_STATUS_OK, 0, firmware);
        }
        if (n == 3 && e0 == 0x01 && f[d + 1] == 0x01 && f[d + 2] == 0x01) {
            synchronized (lock) {
                synchronousNotifications = true; // card movement after the command, before the answer
            }
            return escapeAnswer(slot, seq, COMMAND_STATUS_OK, 0, new byte[0]);
        }
        if (n == 1 && e0 == 0x6A) {
            // GET_FIRMWARE_FEATURES: not supported (bError 0); the driver then keeps its defaults
            return escapeAnswer(slot, seq, COMMAND_STATUS_FAILED, CMD_NOT_SUPPORTED, new byte[0]);
        }
        return null;
    }

    private byte[] escapeAnswer(int slot, int seq, int commandStatus, int error, byte[] data) {
        byte[] m = new byte[HEADER_LENGTH + data.length];
        m[0] = (byte) RDR_TO_PC_ESCAPE;
        m[1] = (byte) data.length;
        m[5] = (byte) slot;
        m[6] = (byte) seq;
        m[7] = (byte) (commandStatus << 6 | iccStatusOf(slot));
        m[8] = (byte) error;
        System.arraycopy(data, 0, m, HEADER_LENGTH, data.length);
        escapes.incrementAndGet();
        return answer(m, 0, m.length);
    }

    private final class Events implements FrameDecoder.Listener {
        private final Output out;

        Events(Output out) {
            this.out = out;
        }

        @Override
        public void frame(byte[] f, int length) {
            frames.incrementAndGet();
            if (type.echo()) {
                out.toLine(f, 0, length);
            }
            byte[] own = escape(f, 2, length - Twin.OVERHEAD);
            if (own != null) {
                out.toLine(own, 0, own.length);
            } else {
                out.toReader(f, 2, length - Twin.OVERHEAD);
            }
        }

        @Override
        public void badLrc(byte[] f, int length) {
            lrcErrors.incrementAndGet();
            if (type.echo()) {
                out.toLine(f, 0, length);
            }
            nak();
        }

        @Override
        public void oversize(long dwLength) {
            oversize.incrementAndGet();
            nak();
        }

        @Override
        public void junk(int b) {
            junkBytes.incrementAndGet();
        }

        @Override
        public void truncated(int have) {
            truncated.incrementAndGet();
            nak();
        }

        private void nak() {
            naks.incrementAndGet();
            byte[] n = Twin.nak();
            out.toLine(n, 0, n.length);
        }
    }
}
