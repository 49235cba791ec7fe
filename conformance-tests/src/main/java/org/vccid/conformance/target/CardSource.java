package org.vccid.conformance.target;

import java.util.Map;

import org.osgi.annotation.versioning.ProviderType;
import org.vccid.card.Card;

/** The card personality a run uses, chosen by a service filter. */
@ProviderType
public interface CardSource {

    /** The card's service properties ({@code vccid.card.type}, {@code vccid.card.name}, ...). */
    Map<String, Object> properties();

    /**
     * A card to insert. A card source gives a new instance each time when it can (a prototype-scoped card
     * service, or a card class the runner instantiates itself); otherwise the same card, which then fits in one
     * slot only.
     */
    Card newCard();

    /** Give back a card obtained from {@link #newCard()} (it was removed, or the session ended). */
    void release(Card card);
}
