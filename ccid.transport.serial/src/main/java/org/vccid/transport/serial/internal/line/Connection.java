package org.vccid.transport.serial.internal.line;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.Arrays;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
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
 * One TCP connection carrying the serial line: a reader thread (decodes, feeds the reader) and a writer thread
 * (the only one that writes to the socket). The reader never blocks this I/O: it answers through {@link HostLink},
 * from any thread, into the writer's queue.
 */
final class Connection implements HostLink, SerialLine.Output {

    private static final System.Logger LOG = System.getLogger(Connection.class.getName());
    /** Bytes queued for the host beyond which the host is considered gone (it sends but does not read). */
    static final int MAX_QUEUED_BYTES = 1 << 20;
    private static final byte[] STOP = new byte[0];

    private final Socket socket;
    private final LineSettings settings;
    private final Supplier<CcidDevice> devices;
    private final String label;
    final SerialLine line;
    private final LinkedBlockingQueue<byte[]> queue = new LinkedBlockingQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    private final Thread readerThread;
    private final Thread writerThread;
    private final Consumer<Connection> onClose;
    private volatile CcidDevice device;
    private volatile CcidSession session;
    private volatile boolean closed;
    private volatile boolean ready;
    /**
     * What the reader thread produces while handling one chunk (echo, own escape answers, and the reader's answer
     * when it answers inline), written as one batch: one write per exchange instead of two.
     */
    private final ByteBatch batch = new ByteBatch();
    long settledBytes;

    Connection(Socket socket, LineSettings settings, Supplier<CcidDevice> devices, Consumer<Connection> onClose) {
        this.socket = socket;
        this.settings = settings;
        this.devices = devices;
        this.onClose = onClose;
        this.label = "serial " + settings.type + " :" + socket.getLocalPort() + " <- :" + socket.getPort();
        this.line = new SerialLine(settings.type, maxMessageLength(devices.get()), settings.firmware,
                this::initialIccStatus);
        this.readerThread = new Thread(this::readLoop, label + " reader");
        this.writerThread = new Thread(this::writeLoop, label + " writer");
        readerThread.setDaemon(true);
        writerThread.setDaemon(true);
    }

    private static int maxMessageLength(CcidDevice d) {
        // libccid's serial readers take 271 (dwMaxCCIDMessageLength in its hard-coded descriptor)
        return d == null ? 271 : Math.max(271, d.maxMessageLength());
    }

    void start() {
        writerThread.start();
        readerThread.start();
    }

    private int initialIccStatus(int slot) {
        CcidDevice d = device;
        if (d instanceof Reader && slot < ((Reader) d).slots().size()) {
            return ((Reader) d).slots().get(slot).state().bmIccStatus();
        }
        return Ccid.ICC_ABSENT;
    }

    // ------------------------------------------------------------------ reader thread

    private void readLoop() {
        byte[] buf = new byte[4096];
        try (InputStream in = socket.getInputStream()) {
            if (!settle(in, buf)) {
                return;
            }
            ready = true;
            LOG.log(Level.INFO, "{0}: line ready", label);
            int timeout = 0;
            while (!closed) {
                int want = line.inFrame() ? settings.interCharTimeoutMillis : 0;
                if (want != timeout) {
                    socket.setSoTimeout(want);
                    timeout = want;
                }
                int n;
                try {
                    n = in.read(buf);
                } catch (SocketTimeoutException e) {
                    LOG.log(Level.INFO, "{0}: line quiet for {1} ms inside a frame", label, timeout);
                    line.idle(this);
                    flushBatch();
                    continue;
                }
                if (n < 0) {
                    LOG.log(Level.INFO, "{0}: the host closed the line", label);
                    return;
                }
                line.receive(buf, 0, n, this);
                flushBatch();
            }
        } catch (IOException e) {
            if (!closed) {
                LOG.log(Level.INFO, "{0}: line lost: {1}", label, e.toString());
            }
        } catch (RuntimeException e) {
            LOG.log(Level.ERROR, label + ": reader thread failed", e);
        } finally {
            close();
        }
    }

    /** Drop what the host wrote before we listened, until the line is quiet; false if it closed meanwhile. */
    private boolean settle(InputStream in, byte[] buf) throws IOException {
        if (settings.settleMillis == 0) {
            return true;
        }
        socket.setSoTimeout(settings.settleMillis);
        long deadline = System.nanoTime() + 20L * settings.settleMillis * 1_000_000L;
        try {
            while (System.nanoTime() < deadline) {
                int n = in.read(buf);
                if (n < 0) {
                    return false;
                }
                settledBytes += n;
            }
        } catch (SocketTimeoutException quiet) {
            // the line is quiet: start listening
        } finally {
            socket.setSoTimeout(0);
        }
        if (settledBytes > 0) {
            LOG.log(Level.INFO, "{0}: dropped {1} stale byte(s) written before we listened", label, settledBytes);
        }
        return true;
    }

    @Override
    public void toLine(byte[] b, int off, int len) {
        send(b, off, len);
    }

    /** Queue bytes for the host; the reader thread batches them until its chunk is handled. */
    private void send(byte[] b, int off, int len) {
        synchronized (batch) {
            if (Thread.currentThread() == readerThread) {
                batch.append(b, off, len);
                return;
            }
            // another thread (a card worker): what the reader thread batched so far goes first
            flushBatchLocked();
            enqueue(Arrays.copyOfRange(b, off, off + len));
        }
    }

    private void flushBatch() {
        synchronized (batch) {
            flushBatchLocked();
        }
    }

    private void flushBatchLocked() {
        if (batch.length > 0) {
            enqueue(batch.take());
        }
    }

    /** A growable byte buffer. */
    private static final class ByteBatch {
        byte[] bytes = new byte[1024];
        int length;

        void append(byte[] b, int off, int len) {
            if (length + len > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + len));
            }
            System.arraycopy(b, off, bytes, length, len);
            length += len;
        }

        byte[] take() {
            byte[] r = Arrays.copyOf(bytes, length);
            length = 0;
            return r;
        }
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
                        d.name(), d.slotCount(), settings.type.slots(), settings.type);
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
        synchronized (this) {
            session = null;
            device = null;
        }
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

    // ------------------------------------------------------------------ writer thread

    private void enqueue(byte[] b) {
        if (closed) {
            return;
        }
        if (queued.addAndGet(b.length) > MAX_QUEUED_BYTES) {
            // may run under the reader's lock: let the writer thread close the line
            LOG.log(Level.WARNING, "{0}: host does not read ({1} bytes queued): closing the line", label,
                    String.valueOf(queued.get()));
            queue.add(STOP);
            return;
        }
        queue.add(b);
    }

    private void writeLoop() {
        byte[] buf = new byte[8192];
        try (OutputStream out = socket.getOutputStream()) {
            while (true) {
                byte[] b = queue.take();
                if (b == STOP) {
                    return;
                }
                int n = 0;
                // coalesce what is already queued (echo + notifications + answer) into one write
                do {
                    queued.addAndGet(-b.length);
                    if (n + b.length > buf.length) {
                        if (n > 0) {
                            out.write(buf, 0, n);
                            n = 0;
                        }
                        if (b.length > buf.length) {
                            out.write(b);
                            continue;
                        }
                    }
                    System.arraycopy(b, 0, buf, n, b.length);
                    n += b.length;
                } while ((b = queue.peek()) != null && b != STOP && queue.poll() != null);
                out.write(buf, 0, n);
            }
        } catch (IOException e) {
            if (!closed) {
                LOG.log(Level.INFO, "{0}: write failed: {1}", label, e.toString());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            close();
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
        queue.add(STOP);
        try {
            socket.close();
        } catch (IOException e) {
            // closing anyway
        }
        if (s != null) {
            s.close();
        }
        onClose.accept(this);
    }

    /** Wait for both threads (after close). */
    void join(long millis) throws InterruptedException {
        readerThread.join(millis);
        writerThread.join(millis);
    }

    @Override
    public String toString() {
        return label;
    }
}
