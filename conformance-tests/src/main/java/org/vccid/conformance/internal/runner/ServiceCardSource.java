package org.vccid.conformance.internal.runner;

import java.util.Collections;
import java.util.HashMap;
import java.util.Map;

import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceObjects;
import org.osgi.framework.ServiceReference;
import org.vccid.card.Card;
import org.vccid.conformance.target.CardSource;

/**
 * Cards from a card service (OSGi). A prototype-scoped service gives a new card per insert; any other gives the
 * same card, which then fits in one slot at a time.
 */
public final class ServiceCardSource implements CardSource {

    private final ServiceObjects<Card> objects;
    private final Map<String, Object> properties;

    public ServiceCardSource(BundleContext context, ServiceReference<Card> reference) {
        this.objects = context.getServiceObjects(reference);
        if (objects == null) {
            throw new IllegalStateException("the card service " + reference + " went away");
        }
        Map<String, Object> p = new HashMap<>();
        for (String k : reference.getPropertyKeys()) {
            p.put(k, reference.getProperty(k));
        }
        this.properties = Collections.unmodifiableMap(p);
    }

    @Override
    public Map<String, Object> properties() {
        return properties;
    }

    @Override
    public Card newCard() {
        Card c = objects.getService();
        if (c == null) {
            throw new IllegalStateException("the card service went away");
        }
        return c;
    }

    @Override
    public void release(Card card) {
        try {
            objects.ungetService(card);
        } catch (IllegalStateException | IllegalArgumentException e) {
            // the service is gone already
        }
    }

    @Override
    public String toString() {
        return String.valueOf(properties.get(Card.TYPE));
    }
}
