package org.vccid.conformance.internal.vsc;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicReference;

import org.vccid.card.Card;
import org.vccid.transport.vsc.protocol.Vsc;
import org.vccid.transport.vsc.protocol.VscMessage;

/** A card side that misbehaves on purpose: a script runs on its own thread against the host's port. */
final class ScriptedCardSides implements CardSides {

    /** The script's view of its connection. */
    static final class Peer {
        final Socket socket;
        final DataInputStream in;
        final OutputStream out;
        final AtomicReference<Card> card;

        Peer(Socket socket, AtomicReference<Card> card) throws IOException {
            this.socket = socket;
            this.in = new DataInputStream(socket.getInputStream());
            this.out = socket.getOutputStream();
            this.card = card;
        }

        void send(VscMessage m) throws IOException {
            out.write(m.encode());
        }

        VscMessage next() throws IOException {
            int type = in.readInt();
            int reader = in.readInt();
            byte[] p = new byte[in.readInt()];
            in.readFully(p);
            return new VscMessage(type, reader, p);
        }

        /** Init, then ReaderAdd with this name once the host's Init came. */
        void handshake(String readerName) throws IOException {
            send(VscMessage.init(Vsc.UNDEFINED_READER_ID));
            next(); // the host's Init
            send(VscMessage.readerAdd(readerName));
            next(); // Error(SUCCESS)
        }

        /** Wait for a card to be offered, send its ATR, read the acknowledgement. */
        void announceCard() throws Exception {
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (card.get() == null && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            send(new VscMessage(Vsc.VSC_ATR, 0, card.get().powerOn()));
            next();
        }
    }

    interface Script {
        void run(Peer peer, String readerName) throws Exception;
    }

    private final Script script;
    volatile Thread thread;
    volatile Throwable failure;
    volatile Socket socket;

    ScriptedCardSides(Script script) {
        this.script = script;
    }

    @Override
    public CardSide start(String host, int port, String readerName) {
        AtomicReference<Card> card = new AtomicReference<>();
        thread = new Thread(() -> {
            try (Socket s = new Socket(host, port)) {
                socket = s;
                script.run(new Peer(s, card), readerName);
            } catch (Throwable t) {
                failure = t;
            }
        }, "scripted VSC card side");
        thread.setDaemon(true);
        thread.start();
        return new CardSide() {
            @Override
            public void insert(Card c) {
                card.set(c);
            }

            @Override
            public void remove() {
                card.set(null);
            }

            @Override
            public void close() {
                Socket s = socket;
                if (s != null) {
                    try {
                        s.close();
                    } catch (IOException e) {
                        // closed already
                    }
                }
            }
        };
    }

    @Override
    public String describe() {
        return "a scripted card side";
    }
}
