package org.vccid.transport.serial.internal.line;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;


import org.vccid.transport.CcidDevice;

import com.sun.jna.LastErrorException;

/**
 * The line as the master of our own pty: poll() on the master and an eventfd, so answers from the engine's worker
 * threads are written by the I/O thread too (one writer). Owns the eventfd and closes it when the I/O thread ends;
 * the master, the slave side and the link belong to {@link SerialPty} (which decides when the master may close).
 */
final class PtyConnection extends Connection {

    private static final System.Logger LOG = System.getLogger(PtyConnection.class.getName());
    /** How long to wait before looking at a hung-up master again (nobody has the slave open). */
    static final int HANGUP_RETRY_MILLIS = 100;
    private static final ByteBuffer ONE = ByteBuffer.allocateDirect(8).order(ByteOrder.nativeOrder()).putLong(0, 1);

    private final int master;
    private final Object fdLock = new Object();
    /** The eventfd that wakes the I/O thread; -1 once closed (under fdLock). */
    private int eventFd;
    private final AtomicBoolean woken = new AtomicBoolean();
    // I/O thread only
    private final ByteBuffer pollFds = ByteBuffer.allocateDirect(16).order(ByteOrder.nativeOrder());
    private final ByteBuffer rbuf = ByteBuffer.allocateDirect(4096);
    private final ByteBuffer wbuf = ByteBuffer.allocateDirect(64 * 1024);
    private final ByteBuffer eventBuf = ByteBuffer.allocateDirect(8);
    private boolean pollOut;
    private boolean hungUp;
    /** Times the master was found hung up (no process had the slave open); for tests and diagnostics. */
    volatile long hangups;

    PtyConnection(String label, int master, LineSettings settings, Supplier<CcidDevice> devices,
            java.util.function.Consumer<Connection> onClose) throws IOException {
        super(label, settings, devices, onClose);
        this.master = master;
        try {
            this.eventFd = Posix.eventfd(0, Posix.EFD_NONBLOCK | Posix.EFD_CLOEXEC);
        } catch (LastErrorException e) {
            throw new IOException("eventfd failed: errno " + e.getErrorCode(), e);
        }
        pollFds.putInt(0, master);
        pollFds.putInt(8, eventFd);
        pollFds.putShort(12, Posix.POLLIN);
    }

    @Override
    int awaitAndRead(byte[] buf, long timeoutMillis) throws IOException {
        int timeout = timeoutMillis <= 0 ? -1 : (int) Math.min(timeoutMillis, Integer.MAX_VALUE);
        boolean hung = hungUp;
        if (hung) {
            // a hung-up master reports POLLHUP at once, every time: look at it again only after a pause, so an
            // absent host costs no CPU (we hold the slave open, so this is only a safety net)
            timeout = timeout < 0 ? HANGUP_RETRY_MILLIS : Math.min(timeout, HANGUP_RETRY_MILLIS);
            hungUp = false;
        }
        pollFds.putShort(4, hung ? 0 : (short) (Posix.POLLIN | (pollOut ? Posix.POLLOUT : 0)));
        pollFds.putShort(6, (short) 0);
        pollFds.putShort(14, (short) 0);
        int ready;
        try {
            // when hung up, poll only the eventfd (the master's POLLHUP cannot be masked)
            ready = hung ? Posix.poll(slice(pollFds, 8), 1, timeout) : Posix.poll(pollFds, 2, timeout);
        } catch (LastErrorException e) {
            if (e.getErrorCode() == Posix.EINTR) {
                return 0;
            }
            throw new IOException("poll failed: errno " + e.getErrorCode(), e);
        }
        if (ready <= 0) {
            return 0;
        }
        if ((pollFds.getShort(14) & Posix.POLLIN) != 0) {
            try {
                Posix.read(eventFd, eventBuf, 8);
            } catch (LastErrorException e) {
                // EAGAIN: another read took it
            }
            woken.set(false);
        }
        if (hung) {
            return 0;
        }
        short revents = pollFds.getShort(6);
        if ((revents & Posix.POLLNVAL) != 0) {
            throw new IOException("the pty master is not open");
        }
        if ((revents & Posix.POLLIN) != 0) {
            long n;
            try {
                n = Posix.read(master, rbuf, Math.min(rbuf.capacity(), buf.length));
            } catch (LastErrorException e) {
                if (e.getErrorCode() == Posix.EAGAIN || e.getErrorCode() == Posix.EINTR) {
                    return 0;
                }
                if (e.getErrorCode() == Posix.EIO) {
                    hangup();
                    return 0;
                }
                throw new IOException("read from the pty master failed: errno " + e.getErrorCode(), e);
            }
            if (n > 0) {
                rbuf.get(0, buf, 0, (int) n);
                return (int) n;
            }
            return 0;
        }
        if ((revents & (Posix.POLLHUP | Posix.POLLERR)) != 0) {
            hangup();
        }
        return 0;
    }

    private void hangup() {
        hungUp = true;
        if (hangups++ == 0) {
            LOG.log(Level.INFO, "{0}: no process has the pty open (POLLHUP/EIO): waiting for one", label);
        }
    }

    private static ByteBuffer slice(ByteBuffer b, int offset) {
        return b.duplicate().position(offset).slice().order(ByteOrder.nativeOrder());
    }

    @Override
    void writeSome(ByteBuffer[] batch) throws IOException {
        int len = 0;
        for (ByteBuffer b : batch) {
            int r = Math.min(b.remaining(), wbuf.capacity() - len);
            wbuf.put(len, b, b.position(), r);
            len += r;
            if (len == wbuf.capacity()) {
                break;
            }
        }
        long n;
        try {
            n = Posix.write(master, wbuf, len);
        } catch (LastErrorException e) {
            if (e.getErrorCode() == Posix.EAGAIN || e.getErrorCode() == Posix.EINTR) {
                return; // the pty is full: wait for POLLOUT
            }
            if (e.getErrorCode() == Posix.EIO) {
                hangup();
                return;
            }
            throw new IOException("write to the pty master failed: errno " + e.getErrorCode(), e);
        }
        for (ByteBuffer b : batch) {
            if (n == 0) {
                break;
            }
            int r = (int) Math.min(b.remaining(), n);
            b.position(b.position() + r);
            n -= r;
        }
    }

    @Override
    void wantWrite(boolean on) {
        pollOut = on;
    }

    @Override
    void wakeup() {
        if (woken.compareAndSet(false, true)) {
            synchronized (fdLock) {
                if (eventFd >= 0) {
                    try {
                        Posix.write(eventFd, ONE, 8);
                    } catch (LastErrorException e) {
                        // EAGAIN: the counter is full, the thread is woken anyway
                    }
                }
            }
        }
    }

    @Override
    void closeChannel() {
        // the master stays open until the I/O thread has ended (ioEnded): never close a descriptor under poll()
    }

    @Override
    void ioEnded() {
        synchronized (fdLock) {
            if (eventFd < 0) {
                return;
            }
            closeQuietly(eventFd);
            eventFd = -1;
        }
    }

    static void closeQuietly(int fd) {
        try {
            Posix.close(fd);
        } catch (LastErrorException e) {
            // closing anyway
        }
    }

    @Override
    boolean closeOnOverflow() {
        return false;
    }
}
