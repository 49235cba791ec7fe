package org.vccid.transport.serial.internal.line;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.StandardSocketOptions;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.function.Supplier;

import org.vccid.transport.CcidDevice;
import org.vccid.transport.serial.internal.framing.SerialLine;

/**
 * A serial line on a TCP port: {@code socat PTY,link=/tmp/line,rawer TCP:127.0.0.1:port} makes it a pty for
 * pcscd. One connection at a time (one cable): a new connection replaces the old one, which is what a
 * reconnecting line holder needs after our side restarted. The reader is looked up when the first frame arrives
 * and again after it went away; without a reader the line is silent, like an unplugged serial reader.
 */
public final class SerialLineServer implements LineHolder {

    private static final System.Logger LOG = System.getLogger(SerialLineServer.class.getName());

    private final LineSettings settings;
    private final Supplier<CcidDevice> devices;
    private final ServerSocketChannel server;
    private final Thread acceptor;
    private volatile boolean closed;
    private Connection current;

    /** Bind and start accepting. */
    public SerialLineServer(LineSettings settings, Supplier<CcidDevice> devices) throws IOException {
        this.settings = settings;
        this.devices = devices;
        ServerSocketChannel s = ServerSocketChannel.open();
        try {
            s.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            s.bind(settings.address, 4);
        } catch (IOException e) {
            s.close();
            throw new IOException("cannot listen on " + settings.address + ": " + e.getMessage(), e);
        }
        this.server = s;
        this.acceptor = new Thread(this::acceptLoop, "serial " + settings.type + " acceptor " + port());
        acceptor.setDaemon(true);
        acceptor.start();
        LOG.log(Level.INFO, "serial line ({0}) listening on {1}:{2}", settings.type,
                settings.address.getHostString(), String.valueOf(port()));
    }

    public int port() {
        return server.socket().getLocalPort();
    }

    public LineSettings settings() {
        return settings;
    }

    private void acceptLoop() {
        while (!closed) {
            SocketChannel socket;
            try {
                socket = server.accept();
            } catch (ClosedChannelException e) {
                return; // closed
            } catch (IOException e) {
                if (!closed) {
                    LOG.log(Level.WARNING, "serial accept failed: {0}", e.toString());
                }
                continue;
            }
            Connection c;
            try {
                socket.setOption(StandardSocketOptions.TCP_NODELAY, true);
                c = new TcpConnection(socket, settings, devices, this::forget);
            } catch (IOException e) {
                LOG.log(Level.WARNING, "serial connection setup failed: {0}", e.toString());
                closeQuietly(socket);
                continue;
            }
            Connection old;
            synchronized (this) {
                if (closed) {
                    c.close();
                    return;
                }
                old = current;
                current = c;
            }
            if (old != null) {
                LOG.log(Level.INFO, "{0} replaces {1}", c, old);
                old.close();
            }
            c.start();
        }
    }

    private synchronized void forget(Connection c) {
        if (current == c) {
            current = null;
        }
    }

    /** The connection now carrying the line, or null. */
    synchronized Connection current() {
        Connection c = current;
        return c == null || c.isClosed() ? null : c;
    }

    @Override
    public boolean lineReady() {
        Connection c = current();
        return c != null && c.isReady();
    }

    @Override
    public String describe() {
        return settings.address.getHostString() + ":" + port();
    }

    @Override
    public SerialLine line() {
        Connection c = current();
        return c == null ? null : c.line;
    }

    @Override
    public void deviceGone(CcidDevice device) {
        Connection c = current();
        if (c != null) {
            c.deviceGone(device);
        }
    }

    /** Drop the current connection (the line holder reconnects); for tests of recovery. */
    public void dropConnection() {
        Connection c = current();
        if (c != null) {
            c.close();
        }
    }

    @Override
    public void close() {
        Connection c;
        synchronized (this) {
            closed = true;
            c = current;
            current = null;
        }
        try {
            server.close();
        } catch (IOException e) {
            // closing
        }
        try {
            acceptor.join(2000);
            if (c != null) {
                c.close();
                c.join(2000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(SocketChannel s) {
        try {
            s.close();
        } catch (IOException e) {
            // ignore
        }
    }
}
