package org.vccid.conformance.internal.vsc;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.vccid.card.Card;
import org.vccid.conformance.target.CardSource;
import org.vccid.transport.vsc.internal.ReaderSideServer;
import org.vccid.transport.vsc.internal.RemoteCard;
import org.vccid.transport.vsc.protocol.Vsc;

/**
 * Cards that live across VSC: ccid.transport.vsc's reader side listens on 127.0.0.1, a VSC client connects per card
 * and the card arrives as a {@link RemoteCard} (what the reader side component registers as a {@code Card} service,
 * {@code vccid.card.type=vsc-remote}). {@link #newCard()} starts a client with a fresh card and hands out its remote
 * card; {@link #release} stops that client (the remote card goes). Plain class path: the reader side's classes are
 * private to its bundle.
 */
class VscRemoteCards implements CardSource, AutoCloseable {

    /** One VSC client holding one card. */
    interface Client extends AutoCloseable {
        @Override
        void close();
    }

    /** Starts the client for the n-th card, connecting to the reader side's port. */
    interface Clients {
        Client start(int port, int n) throws Exception;
    }

    private final Map<String, Object> properties;
    private final ReaderSideServer server;
    private final Clients clients;
    private final BlockingQueue<RemoteCard> arrived = new LinkedBlockingQueue<>();
    private final Map<Card, Client> held = new ConcurrentHashMap<>();
    private int started;

    /**
     * @param ports candidate ports for the reader side, the first that can be bound is used (one may be held for a
     *        while by some client socket that got it as its ephemeral port)
     */
    VscRemoteCards(Map<String, Object> properties, int[] ports, Clients clients) throws IOException {
        this.properties = Map.copyOf(properties);
        this.clients = clients;
        ReaderSideServer s = null;
        IOException last = null;
        for (int port : ports) {
            try {
                s = new ReaderSideServer(new ReaderSideServer.Settings("127.0.0.1", port, 16, 1, 30_000,
                        "conformance", Vsc.DEFAULT_MAX_PAYLOAD), new ReaderSideServer.CardSink() {
                            @Override
                            public void cardArrived(RemoteCard card) {
                                arrived.add(card);
                            }

                            @Override
                            public void cardGone(RemoteCard card) {
                                // RemoteCard.isGone() says it
                            }
                        });
                break;
            } catch (IOException e) {
                last = e;
            }
        }
        if (s == null) {
            throw last;
        }
        this.server = s;
    }

    /** Our own card side (ccid.transport.vsc's client class) serving a fresh card from {@code cards}. */
    static Clients cardSide(Supplier<Card> cards) {
        return (port, n) -> {
            org.vccid.transport.vsc.internal.CardSideClient c = new org.vccid.transport.vsc.internal.CardSideClient(
                    new org.vccid.transport.vsc.internal.CardSideClient.Settings("127.0.0.1", port,
                            "conformance card " + n, 2000, 50, 500, Vsc.DEFAULT_MAX_PAYLOAD), cards.get(), null)
                    .start();
            return c::close;
        };
    }

    @Override
    public Map<String, Object> properties() {
        return properties;
    }

    @Override
    public synchronized Card newCard() {
        arrived.clear(); // cards of released clients that arrived late
        Client client;
        try {
            client = clients.start(server.port(), ++started);
        } catch (Exception e) {
            throw new IllegalStateException("could not start VSC client " + started + ": " + e.getMessage(), e);
        }
        try {
            RemoteCard card = arrived.poll(30, TimeUnit.SECONDS);
            if (card == null) {
                throw new IllegalStateException("VSC client " + started + " brought no card to 127.0.0.1:"
                        + server.port() + " within 30 s");
            }
            held.put(card, client);
            return card;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            client.close();
            throw new IllegalStateException("interrupted");
        } catch (RuntimeException e) {
            client.close();
            throw e;
        }
    }

    @Override
    public void release(Card card) {
        Client c = held.remove(card);
        if (c != null) {
            c.close();
        }
    }

    /** Clients connected now (for leak checks). */
    int clientCount() {
        return server.clientCount();
    }

    @Override
    public void close() {
        held.values().forEach(Client::close);
        held.clear();
        server.close();
    }

    @Override
    public String toString() {
        return properties.get(Card.TYPE) + " across VSC";
    }
}
