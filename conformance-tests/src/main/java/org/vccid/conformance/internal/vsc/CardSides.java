package org.vccid.conformance.internal.vsc;

import org.vccid.card.Card;

/**
 * Brings a VSC card side to the host's port (in OSGi: a factory configuration of ccid.transport.vsc's card side
 * component) and gives it cards (in OSGi: a {@code Card} service its {@code card.target} selects).
 */
public interface CardSides {

    /** One card side, connecting to {@code host:port} and adding a reader named {@code readerName}. */
    interface CardSide extends AutoCloseable {
        /** Offer this card to the card side (it powers it on and sends VSC_ATR). */
        void insert(Card card) throws Exception;

        /** Withdraw the card offered last (the card side sends VSC_CardRemove); nothing when none. */
        void remove();

        /** Stop the card side (it sends VSC_CardRemove if a card is in, VSC_ReaderRemove, then closes). */
        @Override
        void close();
    }

    /** Start a card side. Called after the host listens, so its first connection attempt finds the port open. */
    CardSide start(String host, int port, String readerName) throws Exception;

    /** For messages: where the card side comes from. */
    String describe();
}
