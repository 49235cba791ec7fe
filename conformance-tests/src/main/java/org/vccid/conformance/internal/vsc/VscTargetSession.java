package org.vccid.conformance.internal.vsc;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayDeque;
import java.util.List;
import java.util.function.BooleanSupplier;

import org.vccid.card.Card;
import org.vccid.conformance.target.CardSource;
import org.vccid.conformance.target.NotSupportedException;
import org.vccid.conformance.target.TargetSession;
import org.vccid.transport.vsc.protocol.Vsc;
import org.vccid.transport.vsc.protocol.VscDecoder;
import org.vccid.transport.vsc.protocol.VscMessage;
import org.vccid.transport.vsc.protocol.VscProtocolException;

/**
 * One vector's VSC connection: listens like QEMU's {@code -chardev socket,server=on}, starts a card side, accepts
 * its connection and checks the handshake, then serves the runner's steps on the runner's thread (blocking reads
 * with deadlines: no thread of its own). Every wait is bounded; a broken connection fails every later step with
 * the reason.
 */
final class VscTargetSession implements TargetSession {

    private static final System.Logger LOG = System.getLogger(VscTargetSession.class.getName());
    private static final int TRANSCRIPT_LINES = 40;

    private final VscTarget.Settings settings;
    private final CardSource cards;
    private final String readerName;
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final VscDecoder decoder = new VscDecoder(Vsc.DEFAULT_MAX_PAYLOAD);
    private final PassthruHost host;
    private final ArrayDeque<String> transcript = new ArrayDeque<>();
    private final byte[] buf = new byte[16 * 1024];
    private CardSides.CardSide side;
    private Card card;
    private String broken;
    private int problemsReported;
    private boolean ended;
    private int port;
    /** The card in the slot had its one power on (the card side powers a card on once, when it is inserted). */
    private boolean poweredOn;

    private VscTargetSession(VscTarget.Settings settings, CardSource cards, String readerName, Socket socket)
            throws IOException {
        this.settings = settings;
        this.cards = cards;
        this.readerName = readerName;
        this.socket = socket;
        socket.setTcpNoDelay(true);
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
        this.host = new PassthruHost(this::write);
    }

    /**
     * Listen, start a card side, take its connection and wait for VSC_Init + VSC_ReaderAdd (answered as QEMU
     * does). Connections adding a reader under another name (a card side of an earlier session) are closed.
     */
    static VscTargetSession open(VscTarget.Settings settings, CardSides cardSides, CardSource cards,
            String readerName) throws Exception {
        ServerSocket server = listen(settings);
        String where = settings.host + ":" + server.getLocalPort();
        CardSides.CardSide side = null;
        try {
            side = cardSides.start(settings.host, server.getLocalPort(), readerName);
            long deadline = System.nanoTime() + settings.connectTimeoutMillis * 1_000_000L;
            while (true) {
                long left = millisLeft(deadline);
                if (left <= 0) {
                    throw new IOException("vsc target: no VSC card side connected to " + where + " within "
                            + settings.connectTimeoutMillis + " ms (" + cardSides.describe() + ")");
                }
                server.setSoTimeout((int) Math.min(Integer.MAX_VALUE, left));
                Socket s;
                try {
                    s = server.accept();
                } catch (SocketTimeoutException e) {
                    continue;
                }
                VscTargetSession session = new VscTargetSession(settings, cards, readerName, s);
                try {
                    session.await(session.host::attached, millisLeft(deadline), "VSC_Init and VSC_ReaderAdd from"
                            + " the card side that connected to " + where);
                } catch (IOException | RuntimeException e) {
                    session.closeSocket();
                    throw e;
                }
                if (!readerName.equals(session.host.readerName())) {
                    LOG.log(System.Logger.Level.WARNING, "vsc target: a card side with reader \"{0}\" connected to"
                            + " {1}, expected \"{2}\": closed", session.host.readerName(), where, readerName);
                    session.closeSocket();
                    continue;
                }
                session.side = side;
                session.port = server.getLocalPort();
                return session;
            }
        } catch (Exception | Error e) {
            if (side != null) {
                side.close();
            }
            throw e;
        } finally {
            closeQuietly(server); // QEMU keeps listening for reconnects; a session needs one connection only
        }
    }

    /** Listen on the first port of the range that can be bound. */
    private static ServerSocket listen(VscTarget.Settings settings) throws IOException {
        IOException last = null;
        for (int i = 0; i < settings.ports; i++) {
            ServerSocket server = new ServerSocket();
            try {
                server.setReuseAddress(true);
                server.bind(new InetSocketAddress(InetAddress.getByName(settings.host), settings.port + i), 4);
                return server;
            } catch (IOException e) {
                closeQuietly(server);
                last = e;
            }
        }
        throw new IOException("vsc target: cannot listen on " + settings + ": " + last.getMessage(), last);
    }

    private static long millisLeft(long deadline) {
        return (deadline - System.nanoTime()) / 1_000_000L;
    }

    private void write(VscMessage m) {
        note("> " + m);
        if (broken != null) {
            return;
        }
        try {
            out.write(m.encode());
        } catch (IOException e) {
            broken = "writing " + m + " failed: " + e.getMessage();
        }
    }

    private void note(String line) {
        if (transcript.size() == TRANSCRIPT_LINES) {
            transcript.removeFirst();
        }
        transcript.addLast(line);
    }

    private String transcript() {
        StringBuilder sb = new StringBuilder("\n  VSC transcript (> host to card side, < card side to host):");
        transcript.forEach(l -> sb.append("\n    ").append(l));
        return sb.toString();
    }

    private void usable() throws IOException {
        if (broken != null) {
            throw new IOException("vsc target: the VSC connection is unusable: " + broken + transcript());
        }
    }

    private void checkProblems() throws IOException {
        List<String> p = host.problems();
        if (p.size() > problemsReported) {
            List<String> fresh = p.subList(problemsReported, p.size());
            problemsReported = p.size();
            throw new IOException("vsc target: the card side broke the VSC protocol: " + String.join("; ", fresh)
                    + transcript());
        }
    }

    /** Read and handle messages until {@code done}, at most {@code timeoutMillis}. */
    private void await(BooleanSupplier done, long timeoutMillis, String what) throws IOException {
        long deadline = System.nanoTime() + Math.max(0, timeoutMillis) * 1_000_000L;
        while (true) {
            usable();
            checkProblems();
            if (done.getAsBoolean()) {
                return;
            }
            long left = millisLeft(deadline);
            if (left <= 0) {
                throw new IOException("vsc target: no " + what + " within " + timeoutMillis + " ms" + transcript());
            }
            if (!read((int) Math.min(Integer.MAX_VALUE, left), what)) {
                continue;
            }
        }
    }

    /** Handle what is already there, without waiting. */
    private void drain() throws IOException {
        usable();
        try {
            while (in.available() > 0) {
                read(1, "pending messages");
            }
        } catch (IOException e) {
            if (broken == null) {
                broken = e.getMessage();
            }
        }
        usable();
        checkProblems();
    }

    /** One read: false on timeout. */
    private boolean read(int timeoutMillis, String what) throws IOException {
        int n;
        try {
            socket.setSoTimeout(Math.max(1, timeoutMillis));
            n = in.read(buf);
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            broken = "the connection failed while waiting for " + what + ": " + e.getMessage();
            throw new IOException("vsc target: " + broken + transcript(), e);
        }
        if (n < 0) {
            broken = "the card side closed the connection while waiting for " + what
                    + (host.apduPending() ? ", with a command APDU outstanding" : "")
                    + (decoder.pending() > 0 ? ", in the middle of a message (" + decoder.pending()
                            + " bytes of it received)" : "");
            note("(closed by the card side)");
            throw new IOException("vsc target: " + broken + transcript());
        }
        decoder.feed(buf, 0, n);
        try {
            for (VscMessage m; (m = decoder.poll()) != null;) {
                note("< " + m + (m.type() == Vsc.VSC_APDU || m.type() == Vsc.VSC_ATR ? " " + hex(m.payload()) : ""));
                host.onMessage(m);
            }
        } catch (VscProtocolException e) {
            broken = e.getMessage();
            throw new IOException("vsc target: " + broken + transcript());
        }
        return true;
    }

    private static void checkSlot(int slot) {
        if (slot != 0) {
            throw new IllegalArgumentException("vsc target: slot " + slot + ": a VSC reader has slot 0 only");
        }
    }

    @Override
    public void insert(int slot) throws Exception {
        checkSlot(slot);
        drain();
        if (card != null) {
            throw new IllegalStateException("vsc target: slot 0 already holds a card");
        }
        Card c = cards.newCard();
        int accepted = host.atrsAccepted();
        int refused = host.atrsRefused();
        try {
            side.insert(c);
        } catch (Exception | Error e) {
            cards.release(c);
            throw e;
        }
        card = c;
        poweredOn = false;
        await(() -> host.atrsAccepted() > accepted || host.atrsRefused() > refused, settings.answerTimeoutMillis,
                "VSC_ATR after the card was given to the card side");
        if (host.atrsRefused() > refused) {
            throw new IllegalStateException("vsc target: the card's ATR was refused as QEMU refuses it: "
                    + host.refusal() + transcript());
        }
    }

    @Override
    public void remove(int slot) throws Exception {
        checkSlot(slot);
        drain();
        Card c = card;
        if (c == null) {
            return;
        }
        int removes = host.cardRemoves();
        card = null;
        try {
            side.remove();
            await(() -> host.cardRemoves() > removes, settings.answerTimeoutMillis,
                    "VSC_CardRemove after the card went away");
        } finally {
            cards.release(c);
        }
    }

    @Override
    public byte[] powerOn(int slot) throws Exception {
        checkSlot(slot);
        drain();
        byte[] atr = host.powerOn();
        if (poweredOn) {
            throw new NotSupportedException("VSC has no power control: a power cycle does not reach the card (QEMU"
                    + " answers a power on with the ATR it stored; the card side powered the card on once, when it"
                    + " was inserted), so the card is not reset");
        }
        poweredOn = true;
        note("(power on: the stored ATR, nothing on the wire)");
        return atr;
    }

    @Override
    public void powerOff(int slot) throws Exception {
        checkSlot(slot);
        drain();
        note("(power off: nothing on the wire)");
    }

    @Override
    public byte[] transmit(int slot, byte[] apdu) throws Exception {
        checkSlot(slot);
        drain();
        host.command(apdu);
        usable();
        try {
            await(() -> !host.apduPending(), settings.answerTimeoutMillis, "VSC_APDU answer to the command "
                    + hex(apdu));
        } catch (IOException e) {
            if (broken == null) {
                broken = "a command APDU went unanswered"; // a late answer would be taken for the next one's
            }
            throw e;
        }
        if (host.apduFailure() != null) {
            throw new IOException("vsc target: " + host.apduFailure() + " (QEMU fails the guest's XfrBlock)"
                    + transcript());
        }
        return host.response();
    }

    /** Take the card out, stop the card side, wait (bounded) for its VSC_ReaderRemove and its close. */
    @Override
    public void close() {
        try {
            if (card != null && broken == null) {
                try {
                    remove(0);
                } catch (Exception e) {
                    LOG.log(System.Logger.Level.WARNING, "vsc target: closing: " + e.getMessage());
                }
            }
        } finally {
            if (card != null) {
                cards.release(card);
                card = null;
            }
            if (side != null) {
                side.close();
            }
            if (broken == null) {
                String end = awaitEnd(settings.answerTimeoutMillis);
                if (end != null) {
                    LOG.log(System.Logger.Level.WARNING, "vsc target: closing: " + end + transcript());
                }
            }
            closeSocket();
        }
    }

    /**
     * After the card side was told to stop: read until it closes the connection.
     *
     * @return null when it ended as it should (VSC_ReaderRemove, then the close), else what went wrong
     */
    private String awaitEnd(long timeoutMillis) {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        int removes = host.readerRemoves();
        try {
            while (true) {
                long left = millisLeft(deadline);
                if (left <= 0) {
                    return "the card side did not close the connection within " + timeoutMillis + " ms after it"
                            + " was stopped";
                }
                read((int) Math.min(Integer.MAX_VALUE, left), "the end of the connection");
            }
        } catch (IOException e) {
            ended = true;
            if (host.problems().size() > problemsReported) {
                return "protocol problems at the end: " + host.problems().subList(problemsReported,
                        host.problems().size());
            }
            return host.readerRemoves() > removes ? null : "the card side closed without VSC_ReaderRemove";
        }
    }

    /** Whether the card side closed the connection after it was stopped (for tests). */
    boolean ended() {
        return ended;
    }

    private void closeSocket() {
        closeQuietly(socket);
    }

    /** Reader removals and the state of the connection, for tests. */
    PassthruHost host() {
        return host;
    }

    /** The port this session listened on. */
    int port() {
        return port;
    }

    String broken() {
        return broken;
    }

    private static void closeQuietly(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException e) {
            // nothing to do
        }
    }

    static String hex(byte[] b) {
        StringBuilder sb = new StringBuilder();
        int n = Math.min(b.length, 64);
        for (int i = 0; i < n; i++) {
            sb.append(i == 0 ? "" : " ").append(String.format("%02X", b[i] & 0xFF));
        }
        if (n < b.length) {
            sb.append(" ... (").append(b.length).append(" bytes)");
        }
        return sb.toString();
    }
}
