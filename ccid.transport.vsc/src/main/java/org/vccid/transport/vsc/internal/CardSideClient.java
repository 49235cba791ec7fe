package org.vccid.transport.vsc.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.vccid.card.Card;
import org.vccid.card.CardException;
import org.vccid.transport.vsc.protocol.Vsc;
import org.vccid.transport.vsc.protocol.VscDecoder;
import org.vccid.transport.vsc.protocol.VscMessage;
import org.vccid.transport.vsc.protocol.VscProtocolException;
import org.vccid.transport.vsc.session.CardSideSession;

/**
 * The card side for one QEMU card device: connects to a ccid-card-passthru chardev socket (retrying with backoff),
 * runs a {@link CardSideSession} on it and serves the bound {@link Card}. One I/O thread reads the socket; a card
 * that is not {@link Card#isNonBlocking() non-blocking} is called on a worker thread of this client, never on the
 * I/O thread. Writes are whole messages, serialised by the session lock.
 */
public final class CardSideClient implements AutoCloseable {

    /** Settings of one client. */
    public static final class Settings {
        final String host;
        final int port;
        final String readerName;
        final int connectTimeoutMillis;
        final int retryMinMillis;
        final int retryMaxMillis;
        final int maxPayload;

        public Settings(String host, int port, String readerName, int connectTimeoutMillis, int retryMinMillis,
                int retryMaxMillis, int maxPayload) {
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("port " + port);
            }
            this.host = host;
            this.port = port;
            this.readerName = readerName;
            this.connectTimeoutMillis = Math.max(1, connectTimeoutMillis);
            this.retryMinMillis = Math.max(1, retryMinMillis);
            this.retryMaxMillis = Math.max(this.retryMinMillis, retryMaxMillis);
            this.maxPayload = maxPayload;
        }

        public Settings(String host, int port, String readerName) {
            this(host, port, readerName, 2000, 100, 5000, Vsc.DEFAULT_MAX_PAYLOAD);
        }

        @Override
        public String toString() {
            return host + ":" + port + " \"" + readerName + "\"";
        }
    }

    /** What the client is doing, for tests and logs. */
    public interface Listener {
        default void connected() {
        }

        default void stateChanged(CardSideSession.State state, CardSideSession.CardState card) {
        }

        default void disconnected(String why) {
        }
    }

    private static final System.Logger LOG = System.getLogger(CardSideClient.class.getName());

    private final Settings settings;
    private final Listener listener;
    private final Thread ioThread;
    private final ExecutorService worker;
    private final Object cardLock = new Object();
    private final AtomicInteger cardGeneration = new AtomicInteger();
    private volatile Card card;
    private volatile boolean closed;
    private volatile Link link;

    public CardSideClient(Settings settings, Card initialCard, Listener listener) {
        this.settings = settings;
        this.listener = listener == null ? new Listener() { } : listener;
        this.card = initialCard;
        String name = "vsc-card " + settings.host + ":" + settings.port;
        this.worker = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, name + " card");
            t.setDaemon(true);
            return t;
        });
        this.ioThread = new Thread(this::run, name);
        this.ioThread.setDaemon(true);
    }

    public CardSideClient start() {
        ioThread.start();
        return this;
    }

    /** Bind a card (or null: no card). A new card is powered on and announced; the old one removed. */
    public void setCard(Card newCard) {
        Card old;
        synchronized (cardLock) {
            old = card;
            if (old == newCard) {
                return;
            }
            card = newCard;
            cardGeneration.incrementAndGet();
        }
        Link l = link;
        if (old != null && l != null) {
            synchronized (l.session) {
                l.session.cardRemoved();
            }
        }
        if (old != null) {
            submit(old::powerOff);
        }
        if (newCard != null && l != null) {
            l.announceCard();
        }
    }

    /** Remove this card if it is the bound one. */
    public void clearCard(Card gone) {
        synchronized (cardLock) {
            if (card != gone) {
                return;
            }
        }
        setCard(null);
    }

    public CardSideSession.State state() {
        Link l = link;
        if (l == null) {
            return CardSideSession.State.NEW;
        }
        synchronized (l.session) {
            return l.session.state();
        }
    }

    public CardSideSession.CardState cardState() {
        Link l = link;
        if (l == null) {
            return CardSideSession.CardState.ABSENT;
        }
        synchronized (l.session) {
            return l.session.cardState();
        }
    }

    private void submit(Runnable r) {
        try {
            worker.execute(r);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // closing
        }
    }

    private void run() {
        int backoff = settings.retryMinMillis;
        while (!closed) {
            Socket s = new Socket();
            try {
                s.setTcpNoDelay(true);
                s.connect(new InetSocketAddress(settings.host, settings.port), settings.connectTimeoutMillis);
            } catch (IOException e) {
                closeQuietly(s);
                LOG.log(System.Logger.Level.DEBUG, "connect to {0}: {1}; retry in {2} ms", settings, e.getMessage(),
                        backoff);
                if (!sleep(backoff)) {
                    return;
                }
                backoff = Math.min(settings.retryMaxMillis, backoff * 2);
                continue;
            }
            LOG.log(System.Logger.Level.INFO, "VSC card side connected to {0}", settings);
            listener.connected();
            String why = serve(s);
            LOG.log(closed ? System.Logger.Level.INFO : System.Logger.Level.WARNING,
                    "VSC connection to {0} ended: {1}", settings, why);
            listener.disconnected(why);
            backoff = settings.retryMinMillis;
            if (!closed && !sleep(backoff)) {
                return;
            }
        }
    }

    private boolean sleep(long millis) {
        try {
            Thread.sleep(millis);
            return !closed;
        } catch (InterruptedException e) {
            return false;
        }
    }

    private String serve(Socket s) {
        Link l;
        try {
            l = new Link(s);
        } catch (IOException e) {
            closeQuietly(s);
            return e.getMessage();
        }
        synchronized (l.session) {
            link = l;
            l.session.start();
        }
        if (card != null) {
            l.announceCard();
        }
        String why = "closed by peer";
        VscDecoder decoder = new VscDecoder(settings.maxPayload);
        byte[] buf = new byte[16 * 1024];
        try {
            InputStream in = s.getInputStream();
            while (true) {
                int n = in.read(buf);
                if (n < 0) {
                    if (decoder.pending() > 0) {
                        why = "closed by peer in the middle of a message (" + decoder.pending() + " bytes)";
                    }
                    break;
                }
                decoder.feed(buf, 0, n);
                for (VscMessage m; (m = decoder.poll()) != null;) {
                    synchronized (l.session) {
                        l.session.onMessage(m);
                        if (l.session.state() == CardSideSession.State.CLOSED) {
                            return l.closeReason != null ? l.closeReason : "session closed";
                        }
                    }
                }
            }
        } catch (VscProtocolException e) {
            why = e.getMessage();
        } catch (IOException e) {
            why = l.closeReason != null ? l.closeReason : e.getMessage();
        } finally {
            synchronized (l.session) {
                if (l.session.state() != CardSideSession.State.CLOSED) {
                    l.session.shutdown(); // nothing goes out: the socket is closed right after
                }
                link = null;
            }
            closeQuietly(s);
        }
        return why;
    }

    /** One TCP connection and its session. */
    private final class Link implements CardSideSession.Output {
        final Socket socket;
        final OutputStream out;
        final CardSideSession session;
        volatile String closeReason;
        private CardSideSession.State lastState;
        private CardSideSession.CardState lastCard;

        Link(Socket socket) throws IOException {
            this.socket = socket;
            this.out = socket.getOutputStream();
            this.session = new CardSideSession(settings.readerName, this);
        }

        /** Power the bound card on (off the I/O thread) and give its ATR to the session. */
        void announceCard() {
            int generation = cardGeneration.get();
            submit(() -> {
                Card c = card;
                if (c == null || generation != cardGeneration.get()) {
                    return;
                }
                byte[] atr;
                try {
                    atr = c.powerOn();
                } catch (CardException | RuntimeException e) {
                    LOG.log(System.Logger.Level.ERROR, "card for " + settings + " cannot be powered on", e);
                    return;
                }
                synchronized (session) {
                    if (generation == cardGeneration.get() && link == this) {
                        session.cardInserted(atr);
                        report();
                    }
                }
            });
        }

        @Override
        public void send(VscMessage message) {
            write(message.encode());
        }

        private void write(byte[] bytes) {
            try {
                out.write(bytes);
            } catch (IOException e) {
                if (closeReason == null) {
                    closeReason = "write failed: " + e.getMessage();
                }
                closeQuietly(socket);
            }
            report();
        }

        private void report() {
            CardSideSession.State st = session.state();
            CardSideSession.CardState cs = session.cardState();
            if (st != lastState || cs != lastCard) {
                lastState = st;
                lastCard = cs;
                listener.stateChanged(st, cs);
            }
        }

        @Override
        public void transmit(int readerId, byte[] apdu) {
            Card c = card;
            if (c == null) {
                session.apduFailed(readerId);
                return;
            }
            if (c.isNonBlocking()) {
                answer(c, readerId, apdu);
            } else {
                submit(() -> {
                    synchronized (session) {
                        if (link != this) {
                            return;
                        }
                    }
                    answer(c, readerId, apdu);
                });
            }
        }

        private void answer(Card c, int readerId, byte[] apdu) {
            byte[] response;
            try {
                response = c.transmit(apdu, 0, apdu.length);
            } catch (CardException | RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "card for " + settings + " failed an APDU: " + e);
                response = null;
            }
            synchronized (session) {
                if (response == null || response.length < 2) {
                    session.apduFailed(readerId);
                } else {
                    session.apduResponse(readerId, response);
                }
            }
        }

        @Override
        public void flush(int readerId) {
            Card c = card;
            if (c == null || c.isNonBlocking()) {
                session.flushComplete(readerId);
            } else {
                submit(() -> {
                    synchronized (session) {
                        session.flushComplete(readerId);
                    }
                });
            }
        }

        @Override
        public void close(String reason) {
            closeReason = reason;
            LOG.log(System.Logger.Level.WARNING, "VSC {0}: closing: {1}", settings, reason);
            closeQuietly(socket);
        }

        @Override
        public void log(System.Logger.Level level, String message) {
            LOG.log(level, "VSC {0}: {1}", settings, message);
            report();
        }
    }

    /** Orderly stop: VSC_CardRemove and VSC_ReaderRemove, close the socket, stop the threads. */
    @Override
    public void close() {
        closed = true;
        Link l = link;
        if (l != null) {
            synchronized (l.session) {
                l.session.shutdown();
            }
            try {
                l.socket.shutdownOutput();
            } catch (IOException e) {
                // already gone
            }
            closeQuietly(l.socket);
        }
        ioThread.interrupt();
        try {
            ioThread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Card c = card;
        if (c != null) {
            submit(c::powerOff);
        }
        worker.shutdown();
        try {
            if (!worker.awaitTermination(5, TimeUnit.SECONDS)) {
                worker.shutdownNow();
            }
        } catch (InterruptedException e) {
            worker.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // nothing to do
        }
    }
}
