package org.vccid.conformance.internal.vsc;

import org.vccid.card.Card;
import org.vccid.transport.vsc.internal.CardSideClient;
import org.vccid.transport.vsc.protocol.Vsc;

/**
 * Card sides without OSGi: ccid.transport.vsc's card side client (the class its DS component runs) built directly,
 * as its own tests do. Plain class path only (the class is private to that bundle).
 */
final class DirectCardSides implements CardSides {

    @Override
    public CardSide start(String host, int port, String readerName) {
        CardSideClient client = new CardSideClient(new CardSideClient.Settings(host, port, readerName, 2000, 50, 500,
                Vsc.DEFAULT_MAX_PAYLOAD), null, null).start();
        return new CardSide() {
            @Override
            public void insert(Card card) {
                client.setCard(card);
            }

            @Override
            public void remove() {
                client.setCard(null);
            }

            @Override
            public void close() {
                client.close();
            }
        };
    }

    @Override
    public String describe() {
        return "ccid.transport.vsc's CardSideClient, started directly";
    }
}
