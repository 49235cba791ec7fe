package org.vccid.transport.vsc.internal;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.vccid.card.Card;

/**
 * Card side for one QEMU card device (vscclient's role): one configuration of factory PID
 * {@value #PID} per {@code ccid-card-passthru} chardev socket. The card is the best-ranked
 * {@link Card} service matching {@code card.target}; when it goes the guest sees the card removed, when one comes
 * back, inserted.
 */
@Designate(ocd = VscCardSideComponent.Config.class, factory = true)
@Component(name = VscCardSideComponent.PID, configurationPolicy = ConfigurationPolicy.REQUIRE, service = {})
public final class VscCardSideComponent {

    public static final String PID = "org.vccid.transport.vsc.card";

    @ObjectClassDefinition(name = "VSC card side (QEMU ccid-card-passthru client)",
            description = "Connects to a QEMU ccid-card-passthru chardev socket and serves a card to the guest")
    public @interface Config {
        @AttributeDefinition(description = "Host of the QEMU chardev socket")
        String host() default "127.0.0.1";

        @AttributeDefinition(description = "Port of the QEMU chardev socket (-chardev socket,server=on,port=...)")
        int port();

        @AttributeDefinition(name = "reader.name", description = "Reader name sent in VSC_ReaderAdd")
        String reader_name() default "vccid VSC";

        @AttributeDefinition(name = "card.target",
                description = "LDAP filter picking the org.vccid.card.Card service, e.g. (vccid.card.type=cac)")
        String card_target() default "(vccid.card.type=*)";

        @AttributeDefinition(description = "Connect timeout in milliseconds")
        int connect_timeout_ms() default 2000;

        @AttributeDefinition(description = "Longest pause between connection attempts, in milliseconds")
        int retry_max_ms() default 5000;
    }

    private final Object lock = new Object();
    private Card card;
    private CardSideClient client;

    @Activate
    void activate(Config config) {
        CardSideClient.Settings settings = new CardSideClient.Settings(config.host(), config.port(),
                config.reader_name(), config.connect_timeout_ms(), 100, config.retry_max_ms(),
                org.vccid.transport.vsc.protocol.Vsc.DEFAULT_MAX_PAYLOAD);
        synchronized (lock) {
            client = new CardSideClient(settings, card, null).start();
        }
    }

    @Deactivate
    void deactivate() {
        CardSideClient c;
        synchronized (lock) {
            c = client;
            client = null;
        }
        if (c != null) {
            c.close();
        }
    }

    @Reference(name = "card", cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindCard(Card c) {
        CardSideClient cl;
        synchronized (lock) {
            card = c;
            cl = client;
        }
        if (cl != null) {
            cl.setCard(c);
        }
    }

    void unbindCard(Card c) {
        CardSideClient cl;
        synchronized (lock) {
            if (card != c) {
                return;
            }
            card = null;
            cl = client;
        }
        if (cl != null) {
            cl.clearCard(c);
        }
    }
}
