package org.vccid.transport.usbip.internal;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.vccid.transport.CcidDevice;
import org.vccid.transport.usbip.wire.UsbDeviceInfo;

/**
 * The USB/IP server: a listener thread, and per connection a reader and a writer thread ({@link Connection}). Every
 * exported reader has its own busid {@code <busnum>-<n>} (n the lowest free number from 1); a reader imported by
 * one client is busy for the others until that client's connection ends. Plain Java, driven by
 * {@link UsbIpComponent} in OSGi and directly by tests.
 */
public final class UsbIpServer implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(UsbIpServer.class.getName());

    /**
     * @param idVendor override for every reader's idVendor, or -1 to use the reader's
     * @param opTimeoutMillis how long a new connection may take to send its OP request
     */
    public record Settings(String host, int port, int busnum, int idVendor, int idProduct, int maxConnections,
            int opTimeoutMillis) {
        public Settings {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be 0..65535, got " + port);
            }
            if (busnum < 1 || busnum > 0xFFFF) {
                throw new IllegalArgumentException("busnum must be 1..65535, got " + busnum);
            }
            if (idVendor < -1 || idVendor > 0xFFFF || idProduct < -1 || idProduct > 0xFFFF) {
                throw new IllegalArgumentException("idVendor/idProduct must be 0..0xFFFF (or unset)");
            }
            if (maxConnections < 1 || opTimeoutMillis < 1) {
                throw new IllegalArgumentException("maxConnections and opTimeoutMillis must be positive");
            }
        }

        /** Loopback, the given port, bus 1, the readers' own IDs, 16 connections, 30 s for the OP request. */
        public static Settings loopback(int port) {
            return new Settings("127.0.0.1", port, 1, -1, -1, 16, 30_000);
        }
    }

    private final Settings settings;
    private final Map<CcidDevice, Exported> exported = new LinkedHashMap<>();
    private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
    private final Set<Thread> readers = ConcurrentHashMap.newKeySet();
    private ServerSocket listener;
    private Thread acceptor;
    private volatile boolean closed;

    public UsbIpServer(Settings settings) {
        this.settings = settings;
    }

    public Settings settings() {
        return settings;
    }

    /** Bind and start accepting. */
    public synchronized void start() throws IOException {
        if (listener != null) {
            throw new IllegalStateException("already started");
        }
        ServerSocket ss = new ServerSocket();
        ss.setReuseAddress(true);
        ss.bind(new InetSocketAddress(InetAddress.getByName(settings.host()), settings.port()), 50);
        listener = ss;
        acceptor = new Thread(this::acceptLoop, "usbip-listen " + ss.getLocalSocketAddress());
        acceptor.setDaemon(true);
        acceptor.start();
        LOG.log(Level.INFO, "USB/IP server listening on {0}", ss.getLocalSocketAddress());
    }

    /** The bound port (useful with port 0). */
    public int port() {
        return listener.getLocalPort();
    }

    private void acceptLoop() {
        while (!closed) {
            Socket s;
            try {
                s = listener.accept();
            } catch (IOException e) {
                if (!closed) {
                    LOG.log(Level.ERROR, "USB/IP accept failed, listener stopped", e);
                }
                return;
            }
            if (connections.size() >= settings.maxConnections()) {
                LOG.log(Level.WARNING, "USB/IP: {0} connections open, refusing {1}", connections.size(),
                        s.getRemoteSocketAddress());
                try {
                    s.close();
                } catch (IOException e) {
                    // refused anyway
                }
                continue;
            }
            Connection c = new Connection(this, s);
            connections.add(c);
            Thread t = new Thread(() -> {
                try {
                    c.run();
                } finally {
                    readers.remove(Thread.currentThread());
                }
            }, "usbip-rx " + s.getRemoteSocketAddress());
            t.setDaemon(true);
            readers.add(t);
            if (closed) { // raced with close()
                c.shutdown("server stopped");
            }
            t.start();
        }
    }

    // ------------------------------------------------------------------ exported readers

    /** Offer a reader; returns its busid. */
    public synchronized String export(CcidDevice device) {
        Exported old = exported.get(device);
        if (old != null) {
            return old.busid;
        }
        int n = 1;
        while (devnumTaken(n)) {
            n++;
        }
        Exported e = new Exported(device, settings.busnum(), n, settings.idVendor(), settings.idProduct());
        exported.put(device, e);
        LOG.log(Level.INFO, "USB/IP: exporting {0}", e);
        return e.busid;
    }

    private boolean devnumTaken(int n) {
        for (Exported e : exported.values()) {
            if (e.devnum == n) {
                return true;
            }
        }
        return false;
    }

    /** Withdraw a reader; a client that imported it is disconnected. */
    public void unexport(CcidDevice device) {
        Exported e;
        Connection owner;
        synchronized (this) {
            e = exported.remove(device);
            owner = e == null ? null : e.owner;
        }
        if (e != null) {
            LOG.log(Level.INFO, "USB/IP: no longer exporting {0}", e);
        }
        if (owner != null) {
            owner.shutdown("reader " + e + " removed");
        }
    }

    /** The busid of an exported reader, or null. */
    public synchronized String busid(CcidDevice device) {
        Exported e = exported.get(device);
        return e == null ? null : e.busid;
    }

    /**
     * Every exported reader in busid order, as OP_REP_DEVLIST lists them. Like usbipd, imported ones are listed
     * too; importing them is refused with ST_DEV_BUSY until their client detaches.
     */
    synchronized List<UsbDeviceInfo> devices() {
        List<Exported> all = new ArrayList<>(exported.values());
        all.sort((a, b) -> Integer.compare(a.devnum, b.devnum));
        List<UsbDeviceInfo> r = new ArrayList<>();
        for (Exported e : all) {
            r.add(e.info);
        }
        return r;
    }

    /** Is this busid imported by a client right now? */
    public synchronized boolean isImported(String busid) {
        Exported e = find(busid);
        return e != null && e.owner != null;
    }

    synchronized boolean isExported(String busid) {
        return find(busid) != null;
    }

    /** Take a reader for a connection; null if unknown or busy. */
    synchronized Exported claim(String busid, Connection c) {
        Exported e = find(busid);
        if (e == null || e.owner != null || closed) {
            return null;
        }
        e.owner = c;
        return e;
    }

    synchronized void release(Exported e, Connection c) {
        if (e.owner == c) {
            e.owner = null;
            if (exported.containsValue(e)) {
                LOG.log(Level.INFO, "USB/IP: {0} offered again", e);
            }
        }
    }

    void connectionEnded(Connection c) {
        connections.remove(c);
    }

    /** The longest OUT URB accepted: a whole CCID message plus slack for hosts that pad. */
    long maxOutLength(Exported e) {
        return Math.max(e.device.maxMessageLength(), 4096) + 65536L;
    }

    private Exported find(String busid) {
        for (Exported e : exported.values()) {
            if (e.busid.equals(busid)) {
                return e;
            }
        }
        return null;
    }

    /** Number of open connections (for tests and diagnostics). */
    public int connectionCount() {
        return connections.size();
    }

    /** Stop listening, drop every connection, wait (a little) for their threads. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        try {
            if (listener != null) {
                listener.close();
            }
        } catch (IOException e) {
            // closing anyway
        }
        for (Connection c : connections) {
            c.shutdown("server stopped");
        }
        join(acceptor);
        for (Thread t : readers) {
            join(t);
        }
        for (Connection c : connections) {
            join(c.writerThread());
        }
        LOG.log(Level.INFO, "USB/IP server stopped");
    }

    private static void join(Thread t) {
        if (t == null) {
            return;
        }
        try {
            t.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
