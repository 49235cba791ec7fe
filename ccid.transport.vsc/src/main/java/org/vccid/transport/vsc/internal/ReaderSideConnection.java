package org.vccid.transport.vsc.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.HashMap;
import java.util.Map;

import org.vccid.transport.vsc.protocol.Vsc;
import org.vccid.transport.vsc.protocol.VscDecoder;
import org.vccid.transport.vsc.protocol.VscMessage;
import org.vccid.transport.vsc.protocol.VscProtocolException;
import org.vccid.transport.vsc.session.ReaderSideSession;

/** One VSC client of a {@link ReaderSideServer}: its I/O thread, its session, its {@link RemoteCard}s. */
final class ReaderSideConnection implements ReaderSideSession.Output, Runnable {

    private static final System.Logger LOG = System.getLogger(ReaderSideConnection.class.getName());

    private final ReaderSideServer server;
    private final Socket socket;
    private final OutputStream out;
    private final int number;
    private final String remote;
    private final ReaderSideSession session;
    private final Map<Integer, RemoteCard> cards = new HashMap<>();
    private volatile String closeReason;

    ReaderSideConnection(ReaderSideServer server, Socket socket, int number) throws IOException {
        this.server = server;
        this.socket = socket;
        this.out = socket.getOutputStream();
        this.number = number;
        this.remote = socket.getRemoteSocketAddress().toString();
        this.session = new ReaderSideSession(server.settings.maxReaders, this);
    }

    String remote() {
        return remote;
    }

    @Override
    public void run() {
        VscDecoder decoder = new VscDecoder(server.settings.maxPayload);
        byte[] buf = new byte[16 * 1024];
        String why = "closed by client";
        try {
            InputStream in = socket.getInputStream();
            while (true) {
                int n = in.read(buf);
                if (n < 0) {
                    if (decoder.pending() > 0) {
                        why = "client closed in the middle of a message (" + decoder.pending() + " bytes)";
                    }
                    break;
                }
                decoder.feed(buf, 0, n);
                for (VscMessage m; (m = decoder.poll()) != null;) {
                    synchronized (session) {
                        session.onMessage(m);
                    }
                    if (closeReason != null) {
                        throw new IOException(closeReason);
                    }
                }
            }
        } catch (VscProtocolException e) {
            why = e.getMessage();
        } catch (IOException e) {
            why = closeReason != null ? closeReason : e.getMessage();
        } finally {
            synchronized (session) {
                session.disconnected();
            }
            ReaderSideServer.closeQuietly(socket);
            LOG.log(System.Logger.Level.INFO, "VSC client {0} (#{1}) gone: {2}", remote, number, why);
            server.connectionEnded(this);
        }
    }

    /** Send an APDU to a card (caller's thread). */
    boolean transmit(int readerId, byte[] apdu, int offset, int length) {
        synchronized (session) {
            return session.transmit(readerId, apdu, offset, length);
        }
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
        try {
            out.write(message.encode());
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
        if (closeReason == null) {
            closeReason = reason;
            LOG.log(System.Logger.Level.WARNING, "VSC client {0}: closing: {1}", remote, reason);
        }
        ReaderSideServer.closeQuietly(socket);
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
