package org.vccid.conformance.internal.card;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ServiceScope;
import org.vccid.card.Card;

/**
 * Registers the {@link ConformanceCard} (a test fixture shipped with the suite) as a prototype-scoped card service
 * with {@code vccid.card.type=conformance}: every slot that asks gets a card of its own.
 */
@Component(service = Card.class, scope = ServiceScope.PROTOTYPE,
        property = { Card.TYPE + "=conformance", Card.NAME + "=conformance" })
public class ConformanceCardComponent implements Card {

    private final ConformanceCard card = new ConformanceCard();

    @Override
    public byte[] atr() {
        return card.atr();
    }

    @Override
    public byte[] powerOn() {
        return card.powerOn();
    }

    @Override
    public void powerOff() {
        card.powerOff();
    }

    @Override
    public byte[] transmit(byte[] buffer, int offset, int length) {
        return card.transmit(buffer, offset, length);
    }
}
