package org.vccid.transport.vpcd.internal;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;
import org.osgi.service.metatype.annotations.Designate;
import org.vccid.card.Card;

/**
 * A vpcd slot per factory configuration: binds one Card service (chosen by {@code card.target}) dynamically; the card
 * appears in pcscd while the service exists and disappears when it goes away.
 */
@Component(name = "org.vccid.transport.vpcd", configurationPolicy = ConfigurationPolicy.REQUIRE, immediate = true,
        service = {})
@Designate(ocd = VpcdConfig.class, factory = true)
public class VpcdTransportComponent {

    @Reference(service = LoggerFactory.class)
    private Logger log;

    private final Object lock = new Object();
    private VpcdSlot slot;
    private Card card;

    @Activate
    void activate(VpcdConfig config) {
        VpcdSlot s = new VpcdSlot(config.host(), config.port(), config.connectTimeoutMillis(),
                config.reconnectMillis(), new VpcdSlot.Log() {
                    @Override
                    public void info(String message) {
                        log.info(message);
                    }

                    @Override
                    public void warn(String message) {
                        log.warn(message);
                    }
                });
        synchronized (lock) {
            slot = s;
            s.setCard(card);
        }
        s.start();
        log.info("vpcd slot {}:{} for cards {}", config.host(), config.port(), config.card_target());
    }

    @Deactivate
    void deactivate() {
        VpcdSlot s;
        synchronized (lock) {
            s = slot;
            slot = null;
        }
        s.close();
    }

    @Reference(name = "card", service = Card.class, cardinality = ReferenceCardinality.OPTIONAL,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void bindCard(Card c) {
        synchronized (lock) {
            card = c;
            if (slot != null) {
                slot.setCard(c);
            }
        }
    }

    void unbindCard(Card c) {
        synchronized (lock) {
            if (card != c) {
                return; // a greedy replacement was bound first
            }
            card = null;
            if (slot != null) {
                slot.setCard(null);
            }
        }
    }
}
