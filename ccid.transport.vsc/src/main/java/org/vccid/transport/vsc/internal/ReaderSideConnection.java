package org.vccid.transport.vsc.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

import org.vccid.transport.vsc.protocol.VscDecoder;
import org.vccid.transport.vsc.protocol.VscMessage;
import org.vccid.transport.vsc.protocol.VscProtocolException;
import org.vccid.transport.vsc.session.ReaderSideSession;

/**
 * One VSC client of a {@link ReaderSideServer}: its session, its {@link RemoteCard}s, and an I/O thread that waits
 * for input with a selector. Whoever holds the read lock reads: the I/O thread when input arrives, or a
 * {@link RemoteCard#transmit} caller polling for its own answer, which saves a thread hop per APDU. Messages are
 * handled under the session lock, whoever read them; writes are whole messages under the session lock.
 */
final class ReaderSideConnection implements ReaderSideSession.Output, Runnable {

    private static final System.Logger LOG = System.getLogger(ReaderSideConnection.class.getName());
    private static final long WRITE_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(10);
    /** After the last transmit caller, the I/O thread waits this long before it reads again itself. */
    private static final long CALLER_GRACE_NANOS = TimeUnit.MILLISECONDS.toNanos(2);

    private final ReaderSideServer server;
    private final SocketChannel channel;
    private final Selector selector;
    private final int number;
    private final String remote;
    private final ReaderSideSession session;
    private final Map<Integer, RemoteCard> cards = new HashMap<>();
    private final ReentrantLock readLock = new ReentrantLock();
    private final VscDecoder decoder;
    private final ByteBuffer readBuffer = ByteBuffer.allocate(16 * 1024);
    private volatile String closeReason;
    /** Transmit callers polling the socket now. */
    private final java.util.concurrent.atomic.AtomicInteger callers = new java.util.concurrent.atomic.AtomicInteger();
    private volatile Thread ioThread;
    private volatile long lastCallerNanos = System.nanoTime() - CALLER_GRACE_NANOS;

    ReaderSideConnection(ReaderSideServer server, SocketChannel channel, int number) throws IOException {
        this.server = server;
        this.channel = channel;
        this.number = number;
        this.remote = String.valueOf(channel.getRemoteAddress());
        this.session = new ReaderSideSession(server.settings.maxReaders, this);
        this.decoder = new VscDecoder(server.settings.maxPayload);
        channel.configureBlocking(false);
        this.selector = Selector.open();
        channel.register(selector, SelectionKey.OP_READ);
    }

    String remote() {
        return remote;
    }

    @Override
    public void run() {
        ioThread = Thread.currentThread();
        try {
            while (closeReason == null) {
                // while transmit callers poll the socket themselves (and for a short grace after the last one),
                // stay out of their way: reading here would only cost them a thread hop
                long quiet = lastCallerNanos + CALLER_GRACE_NANOS - System.nanoTime();
                if (callers.get() > 0 || quiet > 0) {
                    LockSupport.parkNanos(this, Math.max(quiet, 100_000));
                    continue;
                }
                selector.select(); // woken by input, close() or a caller giving up
                selector.selectedKeys().clear();
                if (callers.get() > 0) {
                    continue;
                }
                readLock.lock();
                try {
                    pump();
                } finally {
                    readLock.unlock();
                }
            }
        } catch (IOException e) {
            close(e.getMessage());
        } finally {
            synchronized (session) {
                session.disconnected();
            }
            try {
                selector.close();
                channel.close();
            } catch (IOException e) {
                // closing anyway
            }
            LOG.log(System.Logger.Level.INFO, "VSC client {0} (#{1}) gone: {2}", remote, number, closeReason);
            server.connectionEnded(this);
        }
    }

    /** Read what is there and handle every complete message. Caller holds the read lock. */
    private void pump() {
        if (closeReason != null) {
            return;
        }
        try {
            while (true) {
                readBuffer.clear();
                int n = channel.read(readBuffer);
                if (n < 0) {
                    close(decoder.pending() > 0
                            ? "client closed in the middle of a message (" + decoder.pending() + " bytes)"
                            : "closed by client");
                    return;
                }
                if (n == 0) {
                    return;
                }
                decoder.feed(readBuffer.array(), 0, n);
                for (VscMessage m; (m = decoder.poll()) != null;) {
                    synchronized (session) {
                        session.onMessage(m);
                    }
                    if (closeReason != null) {
                        return;
                    }
                }
            }
        } catch (VscProtocolException e) {
            close(e.getMessage());
        } catch (IOException e) {
            close(e.getMessage());
        }
    }

    /** A transmit caller starts polling for its answer ({@link #poll()}); pair with {@link #callerDone()}. */
    void callerStarts() {
        callers.incrementAndGet();
    }

    void callerDone() {
        lastCallerNanos = System.nanoTime();
        callers.decrementAndGet();
    }

    /** A caller stops polling before its answer came (a slow card): the I/O thread must deliver it, now. */
    void callerGivesUp() {
        lastCallerNanos = System.nanoTime() - CALLER_GRACE_NANOS;
        callers.decrementAndGet();
        Thread t = ioThread;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    /** Read and handle input now if no other thread is reading (a transmit caller waiting for its answer). */
    void poll() {
        if (readLock.tryLock()) {
            try {
                pump();
            } finally {
                readLock.unlock();
            }
        }
    }

    /** Send an APDU to a card (caller's thread). */
    boolean transmit(int readerId, byte[] apdu, int offset, int length) {
        synchronized (session) {
            return session.transmit(readerId, apdu, offset, length);
        }
    }

    /** Why the connection closed, or null while it is open. */
    String closeReason() {
        return closeReason;
    }

    /** Give up on this client (a card did not answer in time). */
    void abort(String why) {
        close(why);
    }

    /** Close from outside (server stopping). */
    void shutdown() {
        close("server stopping");
    }

    // --- ReaderSideSession.Output (called with the session lock held) ---

    @Override
    public void send(VscMessage message) {
        ByteBuffer b = ByteBuffer.wrap(message.encode());
        long deadline = System.nanoTime() + WRITE_TIMEOUT_NANOS;
        try {
            while (b.hasRemaining()) {
                if (channel.write(b) == 0) {
                    if (System.nanoTime() - deadline > 0) {
                        close("client does not read: write timed out");
                        return;
                    }
                    LockSupport.parkNanos(100_000);
                }
            }
        } catch (IOException e) {
            close("write failed: " + e.getMessage());
        }
    }

    @Override
    public void readerAdded(int readerId, String name) {
        LOG.log(System.Logger.Level.INFO, "VSC client {0}: reader {1} \"{2}\" added", remote, readerId, name);
    }

    @Override
    public void cardInserted(int readerId, byte[] atr) {
        RemoteCard old = cards.remove(readerId);
        if (old != null) {
            old.markGone();
            server.cardGone(old);
        }
        String readerName = session.readerName(readerId);
        RemoteCard c = new RemoteCard(this, readerId, server.settings.namePrefix + "-" + number + "-" + readerId,
                readerName == null ? "" : readerName, atr, server.settings.apduTimeoutMillis);
        cards.put(readerId, c);
        server.cardArrived(c);
    }

    @Override
    public void cardRemoved(int readerId) {
        RemoteCard c = cards.remove(readerId);
        if (c != null) {
            c.markGone();
            server.cardGone(c);
        }
    }

    @Override
    public void readerRemoved(int readerId) {
        cardRemoved(readerId);
        LOG.log(System.Logger.Level.INFO, "VSC client {0}: reader {1} removed", remote, readerId);
    }

    @Override
    public void apduAnswered(int readerId, byte[] response) {
        RemoteCard c = cards.get(readerId);
        if (c != null) {
            if (response.length < 2) {
                c.fail("VSC_APDU answer of " + response.length + " bytes (no status word)");
            } else {
                c.answer(response);
            }
        }
    }

    @Override
    public void apduFailed(int readerId, String why) {
        RemoteCard c = cards.get(readerId);
        if (c != null) {
            c.fail(why);
        }
    }

    @Override
    public void close(String reason) {
        synchronized (this) {
            if (closeReason != null) {
                return;
            }
            closeReason = reason;
        }
        if (!"closed by client".equals(reason)) {
            LOG.log(System.Logger.Level.WARNING, "VSC client {0}: closing: {1}", remote, reason);
        }
        try {
            channel.close();
        } catch (IOException e) {
            // closed anyway
        }
        selector.wakeup(); // the I/O thread ends the session
        // a transmit waiting on this connection fails at once
        for (RemoteCard c : cardsSnapshot()) {
            c.fail("connection closed: " + reason);
        }
    }

    private RemoteCard[] cardsSnapshot() {
        synchronized (session) {
            return cards.values().toArray(new RemoteCard[0]);
        }
    }

    @Override
    public void log(System.Logger.Level level, String message) {
        LOG.log(level, "VSC client {0}: {1}", remote, message);
    }

    @Override
    public String toString() {
        return "VSC client #" + number + " " + remote;
    }
}
