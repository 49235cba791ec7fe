package org.vccid.card.cac.internal;

import org.vccid.card.Card;
import org.vccid.card.CardException;

/** What the CAC components register: the {@link Card} service, delegating to the {@link CacCard} they opened. */
abstract class CacCardService implements Card {

    /** Set by the component's activation. */
    protected CacCard card;

    @Override
    public byte[] atr() {
        return card.atr();
    }

    @Override
    public byte[] powerOn() {
        return card.powerOn();
    }

    @Override
    public byte[] warmReset() {
        return card.warmReset();
    }

    @Override
    public void powerOff() {
        card.powerOff();
    }

    @Override
    public byte[] transmit(byte[] buffer, int offset, int length) throws CardException {
        return card.transmit(buffer, offset, length);
    }

    @Override
    public boolean isNonBlocking() {
        return card.isNonBlocking();
    }
}
