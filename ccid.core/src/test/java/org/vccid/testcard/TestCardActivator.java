package org.vccid.testcard;

import java.util.Hashtable;

import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.vccid.card.Card;

/** Makes the test card a bundle for in-framework tests: one Card service, vccid.card.type=test, while started. */
public class TestCardActivator implements BundleActivator {

    private ServiceRegistration<Card> registration;

    @Override
    public void start(BundleContext context) {
        TestCard card = new TestCard(TestCard.ATR_T0, false);
        card.slowMillis = 3000;
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(Card.TYPE, "test");
        props.put(Card.NAME, "test-card");
        registration = context.registerService(Card.class, card, props);
    }

    @Override
    public void stop(BundleContext context) {
        registration.unregister();
    }
}
