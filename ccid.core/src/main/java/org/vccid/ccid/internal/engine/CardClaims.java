package org.vccid.ccid.internal.engine;

import java.util.IdentityHashMap;
import java.util.Map;

import org.vccid.card.Card;

/** A card is in at most one slot of one reader at a time. One instance per runtime, shared by its readers. */
public final class CardClaims {

    private final Map<Card, Object> owners = new IdentityHashMap<>();

    /** Claim a card for an owner; true if it was free or already the owner's. */
    public synchronized boolean claim(Card card, Object owner) {
        Object current = owners.putIfAbsent(card, owner);
        return current == null || current == owner;
    }

    /** Release a card if the owner holds it. */
    public synchronized void release(Card card, Object owner) {
        owners.remove(card, owner);
    }

    /** Whether someone holds the card. */
    public synchronized boolean isClaimed(Card card) {
        return owners.containsKey(card);
    }
}
