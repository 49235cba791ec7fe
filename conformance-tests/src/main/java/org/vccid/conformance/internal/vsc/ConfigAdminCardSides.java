package org.vccid.conformance.internal.vsc;

import java.util.Hashtable;
import java.util.UUID;

import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.vccid.card.Card;

/**
 * Card sides as a user's distribution makes them: a factory configuration of ccid.transport.vsc's card side
 * component ({@value #CARD_SIDE_PID}: host, port, reader.name, card.target) per session, and each card of the run
 * registered as a {@code Card} service that only that configuration's {@code card.target} selects (property
 * {@value #CARD_PROPERTY}; no {@code vccid.card.type}, so no reader or other card side that picks cards by type
 * takes it).
 */
public final class ConfigAdminCardSides implements CardSides {

    /** ccid.transport.vsc's card side factory PID. */
    static final String CARD_SIDE_PID = "org.vccid.transport.vsc.card";
    /** The service property naming the session a card belongs to. */
    static final String CARD_PROPERTY = "vccid.conformance.vsc.card";

    private static final System.Logger LOG = System.getLogger(ConfigAdminCardSides.class.getName());

    private final BundleContext context;
    private final ConfigurationAdmin configAdmin;

    public ConfigAdminCardSides(BundleContext context, ConfigurationAdmin configAdmin) {
        this.context = context;
        this.configAdmin = configAdmin;
    }

    @Override
    public String describe() {
        return "a factory configuration of " + CARD_SIDE_PID + " was created: is ccid.transport.vsc active?";
    }

    @Override
    public CardSide start(String host, int port, String readerName) throws Exception {
        String id = UUID.randomUUID().toString();
        Configuration c = configAdmin.createFactoryConfiguration(CARD_SIDE_PID, "?");
        Hashtable<String, Object> p = new Hashtable<>();
        p.put("host", host);
        p.put("port", port);
        p.put("reader.name", readerName);
        p.put("card.target", "(" + CARD_PROPERTY + "=" + id + ")");
        p.put("connect.timeout.ms", 2000);
        p.put("retry.max.ms", 1000);
        c.update(p);
        return new CardSide() {
            private ServiceRegistration<Card> registration;

            @Override
            public synchronized void insert(Card card) {
                remove();
                Hashtable<String, Object> props = new Hashtable<>();
                props.put(CARD_PROPERTY, id);
                props.put(Card.NAME, "conformance-vsc-" + id);
                registration = context.registerService(Card.class, card, props);
            }

            @Override
            public synchronized void remove() {
                if (registration != null) {
                    try {
                        registration.unregister();
                    } catch (IllegalStateException e) {
                        // gone with the bundle already
                    }
                    registration = null;
                }
            }

            @Override
            public void close() {
                remove();
                try {
                    c.delete();
                } catch (Exception e) {
                    LOG.log(System.Logger.Level.WARNING, "could not delete card side configuration " + c.getPid(), e);
                }
            }
        };
    }
}
