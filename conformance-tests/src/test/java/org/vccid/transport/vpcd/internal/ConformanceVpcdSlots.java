package org.vccid.transport.vpcd.internal;

import org.vccid.card.Card;

/**
 * Test scope of conformance-tests only: a {@link VpcdSlot} (package-private in ccid.transport.vpcd) for the vpcd
 * conformance target, which inserts a card by connecting a slot to vpcd and removes it by closing the slot, exactly
 * what the bundle's DS component does when its bound card service comes and goes.
 */
public final class ConformanceVpcdSlots {

    private ConformanceVpcdSlots() {
    }

    /** Connect a card to vpcd's slot port (the card is inserted); close the result to remove it. */
    public static AutoCloseable insert(String host, int port, Card card) {
        VpcdSlot s = new VpcdSlot(host, port, 2000, 100, new VpcdSlot.Log() {
            @Override
            public void info(String m) {
                // connection chatter: not needed in the test output
            }

            @Override
            public void warn(String m) {
                System.out.println("vpcd " + port + " WARN: " + m);
            }
        });
        s.setCard(card);
        s.start();
        return s::close;
    }
}
