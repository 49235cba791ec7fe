package org.vccid.reader;

import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;
import org.vccid.card.Card;

/** One card slot of a reader. */
@ProviderType
public interface Slot {

    /** The slot's index in its reader (CCID bSlot). */
    int index();

    /** The reader this slot belongs to. */
    Reader reader();

    /** The card's state as the CCID bmICCStatus reports it. */
    IccState state();

    /** The card in the slot, if any. */
    Optional<Card> card();

    /**
     * Put a card in the slot, replacing the card there (the host then sees a removal and an insertion). An APDU in
     * flight for the old card ends with an error answer.
     *
     * @throws IllegalStateException if the card is already in another slot
     */
    void insert(Card card);

    /** Take the card out of the slot, if there is one. An APDU in flight ends with an error answer. */
    void eject();

    /** Observe this slot's events. */
    void addListener(SlotListener listener);

    void removeListener(SlotListener listener);
}
