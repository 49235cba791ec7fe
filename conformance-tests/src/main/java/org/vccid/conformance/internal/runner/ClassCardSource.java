package org.vccid.conformance.internal.runner;

import java.util.Map;
import java.util.function.Supplier;

import org.vccid.card.Card;
import org.vccid.conformance.target.CardSource;

/** Cards made by a constructor, for plain (non-OSGi) runs: a new card per insert. */
public final class ClassCardSource implements CardSource {

    private final Map<String, Object> properties;
    private final Supplier<Card> factory;

    public ClassCardSource(Map<String, Object> properties, Supplier<Card> factory) {
        this.properties = Map.copyOf(properties);
        this.factory = factory;
    }

    @Override
    public Map<String, Object> properties() {
        return properties;
    }

    @Override
    public Card newCard() {
        return factory.get();
    }

    @Override
    public void release(Card card) {
        // nothing held
    }

    @Override
    public String toString() {
        return String.valueOf(properties.get(Card.TYPE));
    }
}
