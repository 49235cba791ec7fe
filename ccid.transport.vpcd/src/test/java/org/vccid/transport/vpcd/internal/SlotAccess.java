package org.vccid.transport.vpcd.internal;

import org.vccid.card.Card;

/** Starts a {@link VpcdSlot} for tests and benchmarks in other packages. */
public final class SlotAccess {

    private SlotAccess() {
    }

    public static AutoCloseable start(String host, int port, Card card) {
        VpcdSlot s = new VpcdSlot(host, port, 2000, 100, new VpcdSlot.Log() {
            @Override
            public void info(String m) {
                System.out.println("vpcd " + port + ": " + m);
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
