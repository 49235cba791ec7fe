package org.vccid.ccid.internal.ds;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Hashtable;
import java.util.List;

import org.osgi.framework.BundleContext;
import org.osgi.framework.Filter;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.util.tracker.ServiceTracker;
import org.vccid.card.Card;
import org.vccid.ccid.internal.engine.CcidEngine;
import org.vccid.ccid.internal.engine.ExchangeLevel;
import org.vccid.ccid.internal.engine.ReaderSettings;
import org.vccid.reader.Reader;
import org.vccid.reader.Slot;
import org.vccid.transport.CcidDevice;

/**
 * One virtual reader per factory configuration. Registers the engine as {@link Reader} and {@link CcidDevice}, and
 * keeps each slot filled with a card service matching the slot's filter: when that service goes, the slot reports
 * the card removed; when a matching service (re)appears, the card is inserted. A changed configuration restarts
 * the reader (the host sees it unplugged and plugged again).
 */
@Component(name = ReaderComponent.PID, configurationPolicy = ConfigurationPolicy.REQUIRE, service = {})
@Designate(ocd = ReaderConfig.class, factory = true)
public class ReaderComponent {

    public static final String PID = "org.vccid.reader";

    private static final System.Logger LOG = System.getLogger(ReaderComponent.class.getName());

    private final EngineRuntime runtime;
    private CcidEngine engine;
    private ServiceRegistration<?> registration;
    private final List<ServiceTracker<Card, Card>> trackers = new ArrayList<>();

    @Activate
    public ReaderComponent(@Reference EngineRuntime runtime, BundleContext context, ReaderConfig config)
            throws InvalidSyntaxException {
        this.runtime = runtime;
        ReaderSettings settings = settings(config);
        engine = new CcidEngine(settings, runtime.pool(), runtime.timer(), runtime.claims());
        String[] filters = config.slot_cards();
        for (int i = 0; i < settings.slots() && i < filters.length; i++) {
            String f = filters[i] == null ? "" : filters[i].trim();
            if (!f.isEmpty()) {
                trackers.add(new SlotBinder(context, engine.slot(i), f));
            }
        }
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(Reader.NAME, settings.name());
        props.put("vccid.reader.slots", settings.slots());
        props.put("vccid.reader.level", settings.level().name());
        registration = context.registerService(new String[] { Reader.class.getName(), CcidDevice.class.getName() },
                engine, props);
        for (ServiceTracker<Card, Card> t : trackers) {
            t.open();
        }
        LOG.log(System.Logger.Level.INFO, "reader \"{0}\": {1} slot(s), {2}", settings.name(), settings.slots(),
                settings.level());
    }

    static ReaderSettings settings(ReaderConfig c) {
        return ReaderSettings.builder(c.name())
                .slots(c.slots())
                .level(ExchangeLevel.valueOf(c.exchangeLevel().trim()))
                .protocols(c.protocols())
                .features(decode(c.features()))
                .maxMessageLength(c.maxMessageLength())
                .vendorId(decode(c.vendorId()))
                .productId(decode(c.productId()))
                .manufacturer(c.manufacturer())
                .serialNumber(c.serialNumber())
                .timeExtensionMillis(c.timeExtensionMillis())
                .build();
    }

    private static int decode(String s) {
        return s == null || s.isBlank() ? 0 : Integer.decode(s.trim());
    }

    @Deactivate
    void deactivate() {
        registration.unregister();
        for (ServiceTracker<Card, Card> t : trackers) {
            t.close();
        }
        engine.close();
    }

    /** Keeps one slot holding a card service that matches its filter. */
    private final class SlotBinder extends ServiceTracker<Card, Card> {
        private final Slot slot;

        SlotBinder(BundleContext context, Slot slot, String filter) throws InvalidSyntaxException {
            super(context, filter(context, filter), null);
            this.slot = slot;
        }

        @Override
        public Card addingService(ServiceReference<Card> reference) {
            Card card = context.getService(reference);
            if (card != null) {
                offer(card);
            }
            return card;
        }

        @Override
        public void removedService(ServiceReference<Card> reference, Card card) {
            engine.cardGone(card);
            context.ungetService(reference);
            // another matching card may be waiting
            ServiceReference<Card>[] refs = getServiceReferences();
            if (refs != null) {
                Arrays.sort(refs, Collections.reverseOrder()); // best ranking first
                for (ServiceReference<Card> r : refs) {
                    Card c = getService(r);
                    if (c != null && offer(c)) {
                        return;
                    }
                }
            }
        }

        /** An empty slot takes a matching card that no other slot holds. */
        private boolean offer(Card card) {
            if (slot.card().isPresent() || runtime.claims().isClaimed(card)) {
                return false;
            }
            try {
                slot.insert(card);
                return true;
            } catch (IllegalStateException e) {
                return false; // claimed by another slot in between, or the reader is closing
            }
        }
    }

    private static Filter filter(BundleContext context, String slotFilter) throws InvalidSyntaxException {
        return context.createFilter("(&(objectClass=" + Card.class.getName() + ")" + slotFilter + ")");
    }

}
