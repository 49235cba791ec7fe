package org.vccid.transport.vpcd.internal;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketOption;

import org.vccid.card.Card;
import org.vccid.card.CardException;
import org.vccid.iso7816.Hex;

/**
 * One vpcd slot: a thread that keeps a TCP connection to vpcd (inside pcscd) while a card is present, and serves
 * vpcd's requests with that card. No card: no connection, which vpcd reports as an empty slot. The card is called on
 * this thread only (one slot, one thread), so it may block (an RSA operation) without harming other slots.
 *
 * <p>Latency: TCP_NODELAY on, and TCP_QUICKACK set again after every read (vpcd writes a frame with one send(), but
 * without a quick ACK Linux delays ACKs about 40 ms and vpcd's next frame waits behind Nagle on its side).
 */
final class VpcdSlot {

    /** Where the slot reports what happens. */
    interface Log {
        void info(String message);

        void warn(String message);
    }

    private final InetSocketAddress address;
    private final int connectTimeoutMillis;
    private final long retryMillis;
    private final Log log;
    private final Thread thread;
    private final Object lock = new Object();

    // guarded by lock
    private Card card;
    private Socket socket;
    private boolean closed;

    VpcdSlot(String host, int port, int connectTimeoutMillis, long retryMillis, Log log) {
        this.address = new InetSocketAddress(host, port);
        this.connectTimeoutMillis = connectTimeoutMillis;
        this.retryMillis = retryMillis;
        this.log = log;
        this.thread = new Thread(this::run, "vccid-vpcd-" + host + ":" + port);
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** Insert a card (or remove it with {@code null}); a different card drops the current connection first. */
    void setCard(Card c) {
        synchronized (lock) {
            if (card == c) {
                return;
            }
            card = c;
            closeSocket();
            lock.notifyAll();
        }
    }

    /** Stop the thread and close the connection; waits up to 5 s for the thread. */
    void close() {
        synchronized (lock) {
            closed = true;
            closeSocket();
            lock.notifyAll();
        }
        thread.interrupt();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    boolean isConnected() {
        synchronized (lock) {
            return socket != null;
        }
    }

    private void closeSocket() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException e) {
                // nothing left to do
            }
            socket = null;
        }
    }

    private void run() {
        boolean failing = false;
        while (true) {
            Card c;
            synchronized (lock) {
                while (!closed && card == null) {
                    try {
                        lock.wait();
                    } catch (InterruptedException e) {
                        if (closed) {
                            return;
                        }
                    }
                }
                if (closed) {
                    return;
                }
                c = card;
            }
            Socket s = new Socket();
            try {
                s.setTcpNoDelay(true);
                s.connect(address, connectTimeoutMillis);
            } catch (IOException e) {
                close(s);
                if (!failing) {
                    log.info("vpcd at " + address + " not reachable (" + e.getMessage() + "); retrying every "
                            + retryMillis + " ms");
                    failing = true;
                }
                if (!pause()) {
                    return;
                }
                continue;
            }
            synchronized (lock) {
                if (closed || card != c) {
                    close(s);
                    continue;
                }
                socket = s;
            }
            failing = false;
            log.info("card inserted into vpcd at " + address + " (TCP_NODELAY " + noDelay(s) + ", TCP_QUICKACK "
                    + (quickAckOption(s) != null ? "after every read" : "unavailable: expect 40 ms stalls") + ")");
            boolean dropped = false;
            try {
                serve(s, c);
            } catch (IOException e) {
                synchronized (lock) {
                    dropped = !closed && card == c;
                }
                if (dropped) {
                    log.info("vpcd connection " + address + " lost (" + e.getMessage() + "); reconnecting");
                } else {
                    log.info("card removed from vpcd at " + address);
                }
            } catch (CardException e) {
                log.warn("card did not answer (" + e.getMessage() + "); reported as removed to vpcd at " + address);
                dropped = true;
            } catch (RuntimeException e) {
                log.warn("card failed (" + e + "); reported as removed to vpcd at " + address);
                dropped = true;
            } finally {
                synchronized (lock) {
                    if (socket == s) {
                        socket = null;
                    }
                }
                close(s);
            }
            if (dropped && !pause()) {
                return;
            }
        }
    }

    /** Wait before reconnecting; false when the slot was closed meanwhile. */
    private boolean pause() {
        synchronized (lock) {
            if (closed) {
                return false;
            }
            try {
                lock.wait(retryMillis);
            } catch (InterruptedException e) {
                // closed, or a new card: look again
            }
            return !closed;
        }
    }

    private static boolean noDelay(Socket s) {
        try {
            return s.getTcpNoDelay();
        } catch (IOException e) {
            return false;
        }
    }

    private static void close(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // nothing left to do
        }
    }

    private void serve(Socket s, Card c) throws IOException, CardException {
        FrameReader in = new FrameReader(s);
        OutputStream out = s.getOutputStream();
        byte[] buf = new byte[Vpcd.MAX_PAYLOAD];
        byte[] header = new byte[2];
        while (true) {
            if (!in.readFully(header, 2, true)) {
                throw new EOFException("vpcd closed the connection");
            }
            int n = Vpcd.length(header[0], header[1]);
            in.readFully(buf, n, false);
            switch (Vpcd.classify(buf, n)) {
            case POWER_OFF:
                c.powerOff();
                break;
            case POWER_ON:
                c.powerOn();
                break;
            case RESET:
                c.warmReset();
                break;
            case GET_ATR:
                // vpcd's presence poll, about 3 per second: answer from the card without touching its state
                out.write(Vpcd.frame(c.atr()));
                break;
            case APDU:
                out.write(Vpcd.frame(c.transmit(buf, 0, n)));
                break;
            case UNKNOWN_CONTROL:
                log.warn("vpcd sent unknown control code " + Hex.encode(buf, 0, 1) + "; ignored (no answer)");
                break;
            default:
                log.warn("vpcd sent an empty frame; ignored");
                break;
            }
        }
    }

    /**
     * Reads frames with TCP_QUICKACK set again after every read system call. vpcd 0.8 sends a frame's length and its
     * payload with two send() calls: Nagle on vpcd's side holds the payload until the length is ACKed, so the ACK
     * must leave at once (Linux would delay it about 40 ms: 20 APDU/s).
     */
    private static final class FrameReader {
        private final Socket socket;
        private final InputStream in;
        private final SocketOption<Boolean> quickAck;
        private final byte[] buffer = new byte[Vpcd.MAX_PAYLOAD + 2];
        private int pos;
        private int limit;

        FrameReader(Socket socket) throws IOException {
            this.socket = socket;
            this.in = socket.getInputStream();
            this.quickAck = quickAckOption(socket);
        }

        /** @return false on a clean EOF before the first byte (only when {@code eofAllowed}) */
        boolean readFully(byte[] b, int n, boolean eofAllowed) throws IOException {
            int off = 0;
            while (off < n) {
                if (pos == limit) {
                    int r = in.read(buffer, 0, buffer.length);
                    if (r < 0) {
                        if (eofAllowed && off == 0) {
                            return false;
                        }
                        throw new EOFException("vpcd closed the connection inside a frame (" + off + " of " + n
                                + " bytes)");
                    }
                    if (quickAck != null) {
                        socket.setOption(quickAck, Boolean.TRUE); // Linux clears it after each ACK
                    }
                    pos = 0;
                    limit = r;
                }
                int k = Math.min(n - off, limit - pos);
                System.arraycopy(buffer, pos, b, off, k);
                pos += k;
                off += k;
            }
            return true;
        }
    }

    /** jdk.net.ExtendedSocketOptions.TCP_QUICKACK, found by name so that no jdk.net import is needed in OSGi. */
    @SuppressWarnings("unchecked")
    static SocketOption<Boolean> quickAckOption(Socket s) {
        for (SocketOption<?> o : s.supportedOptions()) {
            if ("TCP_QUICKACK".equals(o.name()) && o.type() == Boolean.class) {
                return (SocketOption<Boolean>) o;
            }
        }
        return null;
    }
}
