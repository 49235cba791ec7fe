package org.vccid.transport.serial.internal.line;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.function.Consumer;
import java.util.function.Supplier;

import org.vccid.ccid.Ccid;
import org.vccid.ccid.Interrupts;
import org.vccid.reader.Reader;
import org.vccid.transport.CcidDevice;
import org.vccid.transport.CcidSession;
import org.vccid.transport.HostLink;
import org.vccid.transport.serial.internal.framing.SerialLine;

/**
 * One end of the serial line (a TCP connection to socat, or the master of our own pty), served by a single I/O
 * thread: it reads and decodes the host's bytes, feeds the reader, and is the only thread that writes to the line.
 * The reader never blocks it: a card that is not non-blocking runs on the engine's workers, whose answers arrive
 * through {@link HostLink} from other threads, are queued in order and written by the I/O thread (woken through
 * {@link #wakeup()}). An answer the reader gives inline, while the I/O thread hands it a frame, goes out in the same
 * write as the frame's echo. Subclasses supply the I/O primitives ({@link TcpConnection}, {@link PtyConnection});
 * everything else (framing, settling, timeouts, the reader attachment, the write queue) is here.
 */
abstract class Connection implements HostLink, SerialLine.Output {

    private static final System.Logger LOG = System.getLogger(Connection.class.getName());
    /** Bytes queued for the host beyond which the host is considered gone (it sends but does not read). */
    static final int MAX_QUEUED_BYTES = 1 << 20;

    private final LineSettings settings;
    private final Supplier<CcidDevice> devices;
    private final Consumer<Connection> onClose;
    final String label;
    final SerialLine line;
    private final Thread ioThread;
    /** Bytes for the host, in the order they were produced (any thread); written by the I/O thread only. */
    private final ArrayDeque<ByteBuffer> pending = new ArrayDeque<>();
    private int pendingBytes;
    private boolean overflow;
    /** Whether the I/O thread waits for writability (under {@code pending}). */
    private boolean wantsWrite;
    private volatile CcidDevice device;
    private volatile CcidSession session;
    volatile boolean closed;
    private volatile boolean ready;
    long settledBytes;
    /** Framing error counters already logged: junk, bad LRC, oversize, truncated. */
    private final long[] logged = new long[4];

    Connection(String label, LineSettings settings, Supplier<CcidDevice> devices, Consumer<Connection> onClose) {
        this.settings = settings;
        this.devices = devices;
        this.onClose = onClose;
        this.label = label;
        this.line = new SerialLine(settings.type, maxMessageLength(devices.get()), settings.firmware,
                this::initialIccStatus);
        this.ioThread = new Thread(this::ioLoop, label);
        ioThread.setDaemon(true);
    }

    // ------------------------------------------------------------------ I/O primitives (subclasses)

    /**
     * I/O thread: wait until the host's bytes, writability (after {@link #wantWrite(boolean) wantWrite(true)}), a
     * {@link #wakeup()} or the timeout (milliseconds, 0 = none); then read what there is into {@code in}.
     *
     * @return bytes read, 0 when there were none, -1 when the host closed the line for good
     */
    abstract int awaitAndRead(byte[] in, long timeoutMillis) throws IOException;

    /** I/O thread: write what the line takes now without blocking; advances the buffers' positions. */
    abstract void writeSome(ByteBuffer[] batch) throws IOException;

    /** I/O thread: whether to wake up when the line can take more bytes. */
    abstract void wantWrite(boolean on) throws IOException;

    /** Any thread: make {@link #awaitAndRead} return soon. */
    abstract void wakeup();

    /** Close the line's channel (any thread, once; the I/O thread may still be running). */
    abstract void closeChannel();

    /** The I/O thread has ended: release what only it used. */
    abstract void ioEnded();

    /**
     * More than {@link #MAX_QUEUED_BYTES} queued for a host that does not read: true to close the line (a TCP
     * connection: the line holder reconnects), false to drop the queued bytes and go on (our own pty: closing it
     * under a running pcscd would make libccid spin).
     */
    abstract boolean closeOnOverflow();

    private static int maxMessageLength(CcidDevice d) {
        // libccid's serial readers take 271 (dwMaxCCIDMessageLength in its hard-coded descriptor)
        return d == null ? 271 : Math.max(271, d.maxMessageLength());
    }

    void start() {
        ioThread.start();
    }

    private int initialIccStatus(int slot) {
        CcidDevice d = device;
        if (d instanceof Reader && slot < ((Reader) d).slots().size()) {
            return ((Reader) d).slots().get(slot).state().bmIccStatus();
        }
        return Ccid.ICC_ABSENT;
    }

    // ------------------------------------------------------------------ I/O thread

    private void ioLoop() {
        byte[] in = new byte[4096];
        try {
            // attach now rather than at the first frame: libccid's open allows only 100 ms for its second
            // GetSlotStatus, and a late answer shifts every later answer by one
            session();
            if (!settle(in)) {
                return;
            }
            ready = true;
            LOG.log(Level.INFO, "{0}: line ready", label);
            long lastInput = System.nanoTime();
            while (!closed) {
                long timeout = 0;
                if (line.inFrame()) {
                    long left = settings.interCharTimeoutMillis - (System.nanoTime() - lastInput) / 1_000_000L;
                    if (left <= 0) {
                        LOG.log(Level.INFO, "{0}: line quiet for {1} ms inside a frame", label,
                                String.valueOf(settings.interCharTimeoutMillis));
                        line.idle(this);
                        logFramingErrors();
                        flush();
                        continue;
                    }
                    timeout = left;
                }
                int n = awaitAndRead(in, timeout);
                if (closed) {
                    return;
                }
                if (n < 0) {
                    LOG.log(Level.INFO, "{0}: the host closed the line", label);
                    return;
                }
                if (n > 0) {
                    lastInput = System.nanoTime();
                    line.receive(in, 0, n, this);
                    logFramingErrors();
                }
                flush();
            }
        } catch (IOException e) {
            if (!closed) {
                LOG.log(Level.INFO, "{0}: line lost: {1}", label, e.toString());
            }
        } catch (RuntimeException e) {
            LOG.log(Level.ERROR, label + ": I/O thread failed", e);
        } finally {
            close();
            ioEnded();
        }
    }

    /** Say what bad input the line has seen since the last call (junk is dropped, the rest NAKed). */
    private void logFramingErrors() {
        long[] now = { line.junkBytes.get(), line.lrcErrors.get(), line.oversize.get(), line.truncated.get() };
        if (now[0] == logged[0] && now[1] == logged[1] && now[2] == logged[2] && now[3] == logged[3]) {
            return;
        }
        LOG.log(Level.INFO, "{0}: bad input from the host: {1} junk byte(s) dropped, {2} bad LRC, {3} oversize"
                + " dwLength, {4} truncated frame(s) NAKed", label, String.valueOf(now[0] - logged[0]),
                String.valueOf(now[1] - logged[1]), String.valueOf(now[2] - logged[2]),
                String.valueOf(now[3] - logged[3]));
        System.arraycopy(now, 0, logged, 0, 4);
    }

    /** Drop what the host wrote before we listened, until the line is quiet; false if it closed meanwhile. */
    private boolean settle(byte[] in) throws IOException {
        if (settings.settleMillis == 0) {
            return true;
        }
        long deadline = System.nanoTime() + 20L * settings.settleMillis * 1_000_000L;
        while (System.nanoTime() < deadline && !closed) {
            int n = awaitAndRead(in, settings.settleMillis);
            if (n == 0) {
                break; // quiet
            }
            if (n < 0) {
                return false;
            }
            settledBytes += n;
        }
        if (settledBytes > 0) {
            LOG.log(Level.INFO, "{0}: dropped {1} stale byte(s) written before we listened", label,
                    String.valueOf(settledBytes));
        }
        return !closed;
    }

    /** Write what is pending (I/O thread); what the line does not take now waits for writability. */
    private void flush() throws IOException {
        ByteBuffer[] batch;
        synchronized (pending) {
            if (overflow) {
                if (closeOnOverflow()) {
                    throw new IOException("host does not read (" + pendingBytes + " bytes queued)");
                }
                pending.clear();
                pendingBytes = 0;
                overflow = false;
            }
            if (pending.isEmpty()) {
                if (wantsWrite) {
                    wantsWrite = false;
                    wantWrite(false);
                }
                return;
            }
            batch = pending.toArray(new ByteBuffer[0]);
        }
        writeSome(batch);
        synchronized (pending) {
            while (!pending.isEmpty() && !pending.peekFirst().hasRemaining()) {
                pendingBytes -= pending.removeFirst().limit();
            }
            boolean want = !pending.isEmpty();
            if (want != wantsWrite) {
                wantsWrite = want;
                wantWrite(want);
            }
        }
    }

    /** Queue bytes for the host (any thread; copied). */
    private void send(byte[] b, int off, int len) {
        if (closed) {
            return;
        }
        byte[] copy = new byte[len];
        System.arraycopy(b, off, copy, 0, len);
        synchronized (pending) {
            if (overflow) {
                return;
            }
            pendingBytes += len;
            if (pendingBytes > MAX_QUEUED_BYTES) {
                overflow = true; // the I/O thread closes the line or drops the queue
                LOG.log(Level.WARNING, "{0}: host does not read ({1} bytes queued): {2}", label,
                        String.valueOf(pendingBytes), closeOnOverflow() ? "closing the line"
                                : "dropping what is queued");
            } else {
                pending.addLast(ByteBuffer.wrap(copy));
            }
        }
        if (Thread.currentThread() != ioThread) {
            wakeup();
        }
    }

    @Override
    public void toLine(byte[] b, int off, int len) {
        send(b, off, len);
    }

    @Override
    public void toReader(byte[] message, int off, int len) {
        CcidSession s = session();
        if (s == null) {
            LOG.log(Level.DEBUG, "{0}: no reader: frame dropped", label);
            return; // an unplugged reader does not answer
        }
        s.bulkOut(message, off, len);
    }

    private CcidSession session() {
        CcidSession s = session;
        if (s != null || closed) {
            return s;
        }
        CcidDevice d = devices.get();
        if (d == null) {
            return null;
        }
        synchronized (this) {
            if (session != null || closed) {
                return session;
            }
            try {
                device = d;
                s = d.attach(this);
            } catch (IllegalStateException e) {
                device = null;
                LOG.log(Level.WARNING, "{0}: cannot attach to reader {1}: {2}", label, d.name(), e.getMessage());
                return null;
            }
            if (d.slotCount() < settings.type.slots()) {
                LOG.log(Level.WARNING, "{0}: reader {1} has {2} slot(s) but libccid opens {3} for {4}", label,
                        d.name(), String.valueOf(d.slotCount()), String.valueOf(settings.type.slots()),
                        settings.type);
            }
            s.takeInterrupt(); // the reader's plug-in state: pcscd polls it anyway
            session = s;
            LOG.log(Level.INFO, "{0}: attached to reader {1}", label, d.name());
            return s;
        }
    }

    // ------------------------------------------------------------------ HostLink (any thread)

    @Override
    public void bulkIn(byte[] buffer, int offset, int length) {
        byte[] framed = line.answer(buffer, offset, length);
        send(framed, 0, framed.length);
    }

    @Override
    public void interruptAvailable() {
        CcidSession s = session;
        if (s == null) {
            return;
        }
        byte[] m = s.takeInterrupt();
        if (m == null || (m[0] & 0xFF) != Ccid.RDR_TO_PC_NOTIFY_SLOT_CHANGE) {
            return;
        }
        int slots = (m.length - 1) * 4;
        for (int i = 0; i < slots; i++) {
            if (Interrupts.isChanged(m, i)) {
                line.cardMoved(Interrupts.isPresent(m, i));
            }
        }
    }

    @Override
    public void detached() {
        // called under the reader's lock: take no lock of ours (HostLink contract)
        session = null;
        device = null;
        LOG.log(Level.INFO, "{0}: the reader went away; the line stays silent until one is back", label);
    }

    /** Detach if attached to this device (its service is going). */
    void deviceGone(CcidDevice d) {
        CcidSession s;
        synchronized (this) {
            if (device != d) {
                return;
            }
            s = session;
            session = null;
            device = null;
        }
        if (s != null) {
            s.close();
        }
    }

    // ------------------------------------------------------------------ shutdown

    /** Connected, and what the host wrote before we listened has been dropped. */
    boolean isReady() {
        return ready && !closed;
    }

    boolean isClosed() {
        return closed;
    }

    void close() {
        CcidSession s;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            s = session;
            session = null;
            device = null;
        }
        closeChannel();
        wakeup(); // the I/O thread ends
        if (ioThread.getState() == Thread.State.NEW) {
            ioEnded(); // never started
        }
        if (s != null) {
            s.close();
        }
        onClose.accept(this);
    }

    boolean isAlive() {
        return ioThread.isAlive();
    }

    /** Wait for the I/O thread (after close). */
    void join(long millis) throws InterruptedException {
        ioThread.join(millis);
    }

    @Override
    public String toString() {
        return label;
    }
}
