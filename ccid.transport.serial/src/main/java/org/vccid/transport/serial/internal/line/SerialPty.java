package org.vccid.transport.serial.internal.line;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.function.Supplier;

import org.vccid.transport.CcidDevice;
import org.vccid.transport.serial.internal.framing.SerialLine;

import com.sun.jna.LastErrorException;

/**
 * A serial line on a pty of our own (no socat): posix_openpt / grantpt / unlockpt / ptsname, raw termios, and a
 * symbolic link at the configured path to the slave, which pcscd's DEVICENAME names. One I/O thread
 * ({@link PtyConnection}) owns the master for the pty's whole life.
 *
 * <p>We also keep the slave open ourselves: a pty master whose slave nobody has open reports POLLHUP and reads EIO
 * (before pcscd opens it, and again after pcscd closes it), which a poll loop would spin on. Holding the slave
 * costs nothing (we never read from it; libccid flushes the line when it opens it) and makes the pty look like a
 * serial line whose cable stays plugged in.
 *
 * <p>The pty is served as long as this object is open. {@link #close()} removes the link and stops answering, but
 * closes the master only once no other process has the slave open: a master that closes while libccid waits for
 * an answer makes it read end-of-file forever (a busy loop). While pcscd still holds the pty, the master is kept,
 * silent (input read and dropped), by a small "parked pty" thread that closes it when pcscd lets go (pcscd stopped
 * or restarted) or when the JVM exits.
 */
public final class SerialPty implements LineHolder {

    private static final System.Logger LOG = System.getLogger(SerialPty.class.getName());

    private final Path link;
    private final Path slavePath;
    private final int master;
    private final int slave;
    private volatile PtyConnection connection;
    private final String label;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
    private volatile Thread parked;

    /**
     * Create the pty and its link and start serving it.
     *
     * @param link the path pcscd opens; an existing dangling symbolic link (a pty that is gone) is replaced, anything
     *     else there (a file, a link to something that exists) is refused
     */
    public SerialPty(Path link, LineSettings settings, Supplier<CcidDevice> devices) throws IOException {
        try {
            Posix.load();
        } catch (LinkageError | RuntimeException e) {
            throw new IOException("the pty mode needs JNA and Linux: " + e, e);
        }
        this.link = link.toAbsolutePath();
        checkLinkPath(this.link);
        int master = -1;
        int held = -1;
        PtyConnection c = null;
        try {
            master = Posix.posix_openpt(Posix.O_RDWR | Posix.O_NOCTTY | Posix.O_NONBLOCK | Posix.O_CLOEXEC);
            Posix.grantpt(master);
            Posix.unlockpt(master);
            byte[] name = new byte[128];
            int err = Posix.ptsname_r(master, name, name.length);
            if (err != 0) {
                throw new IOException("ptsname_r failed: errno " + err);
            }
            int end = 0;
            while (end < name.length && name[end] != 0) {
                end++;
            }
            slavePath = Path.of(new String(name, 0, end, StandardCharsets.US_ASCII));
            held = Posix.open(slavePath.toString(), Posix.O_RDWR | Posix.O_NOCTTY | Posix.O_NONBLOCK
                    | Posix.O_CLOEXEC, 0);
            byte[] termios = new byte[Posix.TERMIOS_SIZE];
            Posix.tcgetattr(held, termios);
            Posix.cfmakeraw(termios); // no echo, no line editing, 8 bits: before anyone else opens it
            Posix.tcsetattr(held, Posix.TCSANOW, termios);
            // on a fresh pty there is nothing stale to drop: no settle time
            LineSettings s = new LineSettings(settings.address, settings.type, settings.firmware,
                    settings.interCharTimeoutMillis, 0);
            label = "serial " + settings.type + " pty " + this.link + " (" + slavePath + ")";
            c = new PtyConnection(label, master, s, devices, this::connectionClosed);
            publishLink(this.link, slavePath);
        } catch (LastErrorException e) {
            cleanUp(c, master, held);
            throw new IOException("cannot create a pty for " + link + ": errno " + e.getErrorCode() + " ("
                    + e.getMessage() + ")", e);
        } catch (IOException | RuntimeException e) {
            cleanUp(c, master, held);
            throw e;
        }
        this.master = master;
        this.slave = held;
        this.connection = c;
        c.start();
        LOG.log(Level.INFO, "serial line ({0}) on pty {1} -> {2}", settings.type, this.link, slavePath);
    }

    /**
     * New settings (firmware, timeouts, reader type) and reader lookup for the same pty: the I/O thread is replaced,
     * the pty (master, slave, link) stays, so pcscd keeps its open line. Commands in flight at that moment go
     * unanswered (libccid times out on them), like when the reader is reconfigured.
     */
    public synchronized void reconfigure(LineSettings settings, Supplier<CcidDevice> devices) throws IOException {
        if (closed.get()) {
            throw new IllegalStateException("closed");
        }
        PtyConnection old = connection;
        replacing = true;
        try {
            old.close();
            old.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while replacing the line's I/O thread", e);
        } finally {
            replacing = false;
        }
        if (old.isAlive()) {
            throw new IOException(describe() + ": the old I/O thread did not end");
        }
        LineSettings s = new LineSettings(settings.address, settings.type, settings.firmware,
                settings.interCharTimeoutMillis, 0);
        PtyConnection c = new PtyConnection("serial " + settings.type + " pty " + link + " (" + slavePath + ")",
                master, s, devices, this::connectionClosed);
        connection = c;
        c.start();
        LOG.log(Level.INFO, "{0}: reconfigured ({1}), same pty", describe(), settings.type);
    }

    private volatile boolean replacing;

    /** The I/O thread ended without {@link #close()} (a bug): stop serving, park the pty rather than drop it. */
    private void connectionClosed(Connection c) {
        if (!closed.get() && !replacing && c.isAlive()) {
            LOG.log(Level.ERROR, "{0}: the line's I/O thread ended; the pty is parked (mute) until the line is"
                    + " reconfigured", describe());
            Thread t = new Thread(this::close, "serial pty close " + link);
            t.setDaemon(true);
            t.start();
        }
    }

    private static void cleanUp(PtyConnection c, int master, int held) {
        if (held >= 0) {
            PtyConnection.closeQuietly(held);
        }
        if (c != null) {
            c.close(); // never started: closes the eventfd
        }
        if (master >= 0) {
            PtyConnection.closeQuietly(master);
        }
    }

    /** Refuse a path that holds anything but a dangling symbolic link (or nothing). */
    static void checkLinkPath(Path link) throws IOException {
        if (!Files.exists(link, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (!Files.isSymbolicLink(link)) {
            throw new IOException(link + " exists and is not a symbolic link: not replacing it");
        }
        if (Files.exists(link)) {
            throw new IOException(link + " already links to " + Files.readSymbolicLink(link)
                    + ", which exists (another pty holder?): not replacing it");
        }
        LOG.log(Level.INFO, "replacing the stale link {0} -> {1}", link, Files.readSymbolicLink(link));
    }

    /** Create the link atomically (a new link renamed over a stale one). */
    private static void publishLink(Path link, Path target) throws IOException {
        Path tmp = link.resolveSibling(link.getFileName() + ".new-" + ProcessHandle.current().pid());
        Files.deleteIfExists(tmp);
        Files.createSymbolicLink(tmp, target);
        try {
            // re-check: something may have appeared since checkLinkPath
            checkLinkPath(link);
            Files.move(tmp, link, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
    }

    /** The link pcscd opens. */
    public Path link() {
        return link;
    }

    /** The pty's slave, e.g. /dev/pts/5. */
    public Path slavePath() {
        return slavePath;
    }

    @Override
    public boolean lineReady() {
        return connection.isReady();
    }

    @Override
    public SerialLine line() {
        return connection.isClosed() ? null : connection.line;
    }

    @Override
    public void deviceGone(CcidDevice device) {
        connection.deviceGone(device);
    }

    @Override
    public String describe() {
        return link + " -> " + slavePath;
    }

    /** Times the master was found with nobody holding the slave (0 while we hold it ourselves). */
    long hangups() {
        return connection.hangups;
    }

    String ioThreadName() {
        return connection.label;
    }

    /** The pty link's path as configured (absolute). */
    public boolean isAt(Path path) {
        return link.equals(path.toAbsolutePath());
    }

    /**
     * Remove the link (if it is still ours), stop the I/O thread, and close the pty now if nobody else has it open;
     * otherwise park it (silent) until the last other holder closes it.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            if (Files.isSymbolicLink(link) && Files.readSymbolicLink(link).equals(slavePath)) {
                Files.delete(link);
            }
        } catch (IOException e) {
            LOG.log(Level.WARNING, "cannot remove {0}: {1}", link, e.toString());
        }
        connection.close();
        try {
            connection.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (connection.isAlive()) {
            // the I/O thread is stuck (it never blocks; this is a safety net): leave the descriptors to it
            LOG.log(Level.WARNING, "{0}: the I/O thread did not end; the pty stays open", describe());
            return;
        }
        PtyConnection.closeQuietly(slave);
        parked = new Thread(this::park, "serial parked pty " + slavePath);
        parked.setDaemon(true);
        parked.start();
    }

    /**
     * The parked pty: read and drop what the host writes, answer nothing, and close the master once no other process
     * has the slave open (the master then reports POLLHUP). At once when nobody had it open.
     */
    private void park() {
        java.nio.ByteBuffer pfd = java.nio.ByteBuffer.allocateDirect(8).order(java.nio.ByteOrder.nativeOrder());
        java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocateDirect(4096);
        pfd.putInt(0, master);
        pfd.putShort(4, Posix.POLLIN);
        boolean logged = false;
        try {
            while (true) {
                pfd.putShort(6, (short) 0);
                int r;
                try {
                    r = Posix.poll(pfd, 1, 1000);
                } catch (LastErrorException e) {
                    if (e.getErrorCode() == Posix.EINTR) {
                        continue;
                    }
                    throw e;
                }
                short revents = pfd.getShort(6);
                if (r > 0 && (revents & (Posix.POLLHUP | Posix.POLLERR | Posix.POLLNVAL)) != 0
                        && (revents & Posix.POLLIN) == 0) {
                    break; // nobody has the slave open any more
                }
                if (r > 0 && (revents & Posix.POLLIN) != 0) {
                    try {
                        Posix.read(master, buf, buf.capacity());
                    } catch (LastErrorException e) {
                        if (e.getErrorCode() == Posix.EIO) {
                            break; // hung up
                        }
                    }
                }
                if (!logged) {
                    logged = true;
                    LOG.log(Level.WARNING, "{0}: another process (pcscd?) still has the pty open: it stays open and"
                            + " silent until that process closes it (closing it now would make libccid spin)",
                            describe());
                }
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "{0}: parked pty: {1}", describe(), e.toString());
        } finally {
            PtyConnection.closeQuietly(master);
            if (logged) {
                LOG.log(Level.INFO, "{0}: closed (nobody has it open any more)", describe());
            }
        }
    }

    /** Whether the pty is still open (served, or parked until pcscd lets go of it). */
    public boolean isOpen() {
        Thread p = parked;
        return !closed.get() || p == null || p.isAlive();
    }
}
