package org.vccid.conformance.internal.slots;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.vccid.card.Card;
import org.vccid.conformance.target.CardSource;
import org.vccid.reader.Reader;
import org.vccid.reader.Slot;

/**
 * The cards a target has put into the slots of one of our readers (the vector's insert / remove steps), taken from
 * the run's {@link CardSource} and given back to it when they leave. Shared by every target whose reader is ours.
 */
public final class SlotCards {

    private final Reader reader;
    private final CardSource cards;
    private final Map<Integer, Card> inserted = new ConcurrentHashMap<>();

    public SlotCards(Reader reader, CardSource cards) {
        this.reader = reader;
        this.cards = cards;
    }

    private Slot slot(int slot) {
        if (slot < 0 || slot >= reader.slots().size()) {
            throw new IllegalArgumentException("the reader has no slot " + slot + " (see the # reader: header)");
        }
        return reader.slot(slot);
    }

    /** A fresh card of the run into the slot (replacing the one there, if any). */
    public void insert(int slot) {
        Slot s = slot(slot);
        Card card = cards.newCard();
        try {
            s.insert(card);
        } catch (RuntimeException e) {
            cards.release(card);
            throw new IllegalStateException("cannot insert a card in slot " + slot + ": " + e.getMessage()
                    + " (a card service that is not prototype-scoped fits one slot at a time)", e);
        }
        release(inserted.put(slot, card));
    }

    /** Take the slot's card out. */
    public void remove(int slot) {
        slot(slot).eject();
        release(inserted.remove(slot));
    }

    /** Give every card back (the session ends; the reader is going away with them). */
    public void releaseAll() {
        inserted.values().forEach(cards::release);
        inserted.clear();
    }

    private void release(Card card) {
        if (card != null) {
            cards.release(card);
        }
    }
}
