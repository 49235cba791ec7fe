package org.vccid.transport.vsc.internal;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.vccid.transport.vsc.protocol.Vsc;

/**
 * The reader side (QEMU's role): accepts VSC clients and turns each client's card into a {@link RemoteCard}
 * handed to a {@link CardSink}. One accept thread, one I/O thread per client.
 */
public final class ReaderSideServer implements AutoCloseable {

    /** Where remote cards go (the DS component registers them as services). */
    public interface CardSink {
        /** Called on a client's I/O thread: must not block. */
        void cardArrived(RemoteCard card);

        /** Called on a client's I/O thread: must not block. */
        void cardGone(RemoteCard card);
    }

    /** Settings of one listener. */
    public static final class Settings {
        final String bindAddress;
        final int port;
        final int maxClients;
        final int maxReaders;
        final long apduTimeoutMillis;
        final String namePrefix;
        final int maxPayload;

        public Settings(String bindAddress, int port, int maxClients, int maxReaders, long apduTimeoutMillis,
                String namePrefix, int maxPayload) {
            this.bindAddress = bindAddress;
            this.port = port;
            this.maxClients = Math.max(1, maxClients);
            this.maxReaders = Math.max(1, maxReaders);
            this.apduTimeoutMillis = Math.max(1, apduTimeoutMillis);
            this.namePrefix = namePrefix;
            this.maxPayload = maxPayload;
        }

        public Settings(String bindAddress, int port) {
            this(bindAddress, port, 16, 4, 60_000, "vsc", Vsc.DEFAULT_MAX_PAYLOAD);
        }
    }

    private static final System.Logger LOG = System.getLogger(ReaderSideServer.class.getName());

    final Settings settings;
    private final CardSink sink;
    private final ServerSocketChannel serverSocket;
    private final Thread acceptThread;
    private final Set<ReaderSideConnection> connections = ConcurrentHashMap.newKeySet();
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean closed;
    private int counter;

    public ReaderSideServer(Settings settings, CardSink sink) throws IOException {
        this.settings = settings;
        this.sink = sink;
        this.serverSocket = ServerSocketChannel.open();
        serverSocket.setOption(StandardSocketOptions.SO_REUSEADDR, true);
        serverSocket.bind(new InetSocketAddress(InetAddress.getByName(settings.bindAddress), settings.port), 16);
        this.acceptThread = new Thread(this::acceptLoop, "vsc-reader accept " + settings.bindAddress + ":" + port());
        acceptThread.setDaemon(true);
        acceptThread.start();
        LOG.log(System.Logger.Level.INFO, "VSC reader side listening on {0}:{1}", settings.bindAddress, port());
    }

    /** The port actually bound. */
    public int port() {
        return serverSocket.socket().getLocalPort();
    }

    /** Clients connected now. */
    public int clientCount() {
        return connections.size();
    }

    private void acceptLoop() {
        while (!closed) {
            SocketChannel s;
            try {
                s = serverSocket.accept();
            } catch (IOException e) {
                if (!closed) {
                    LOG.log(System.Logger.Level.ERROR, "VSC accept failed, listener stops", e);
                }
                return;
            }
            try {
                s.setOption(StandardSocketOptions.TCP_NODELAY, true);
                if (connections.size() >= settings.maxClients) {
                    LOG.log(System.Logger.Level.WARNING, "VSC client {0} refused: {1} clients connected",
                            s.getRemoteAddress(), settings.maxClients);
                    closeQuietly(s);
                    continue;
                }
                ReaderSideConnection c = new ReaderSideConnection(this, s, ++counter);
                connections.add(c);
                Thread t = new Thread(c, "vsc-reader client #" + counter + " " + c.remote());
                t.setDaemon(true);
                synchronized (threads) {
                    threads.removeIf(x -> !x.isAlive());
                    threads.add(t);
                }
                t.start();
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "VSC client setup failed: " + e);
                closeQuietly(s);
            }
        }
    }

    void cardArrived(RemoteCard c) {
        LOG.log(System.Logger.Level.INFO, "VSC remote card {0} inserted", c);
        sink.cardArrived(c);
    }

    void cardGone(RemoteCard c) {
        LOG.log(System.Logger.Level.INFO, "VSC remote card {0} gone", c);
        sink.cardGone(c);
    }

    void connectionEnded(ReaderSideConnection c) {
        connections.remove(c);
    }

    /** Stop listening, drop every client (their cards go), wait for the threads. */
    @Override
    public void close() {
        closed = true;
        try {
            serverSocket.close();
        } catch (IOException e) {
            // nothing to do
        }
        try {
            acceptThread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        for (ReaderSideConnection c : connections) {
            c.shutdown();
        }
        List<Thread> all = new ArrayList<>();
        synchronized (threads) {
            all.addAll(threads);
        }
        for (Thread t : all) {
            try {
                t.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    static void closeQuietly(java.io.Closeable s) {
        try {
            s.close();
        } catch (IOException e) {
            // nothing to do
        }
    }
}
