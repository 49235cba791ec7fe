package org.vccid.transport.vsc.internal;

import java.io.IOException;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.vccid.card.Card;
import org.vccid.transport.vsc.protocol.Vsc;

/**
 * Reader side (QEMU's role): listens for VSC clients and registers each client's card as a {@link Card} service
 * ({@code vccid.card.type=vsc-remote}) for as long as the client's card is in, so our readers can hold a remote card.
 * One configuration of factory PID {@value #PID} per listener.
 */
@Designate(ocd = VscReaderSideComponent.Config.class, factory = true)
@Component(name = VscReaderSideComponent.PID, configurationPolicy = ConfigurationPolicy.REQUIRE, service = {})
public final class VscReaderSideComponent implements ReaderSideServer.CardSink {

    public static final String PID = "org.vccid.transport.vsc.reader";
    /** {@link Card#TYPE} of the cards this component registers. */
    public static final String CARD_TYPE = "vsc-remote";

    @ObjectClassDefinition(name = "VSC reader side (accepts vscclient-style clients)",
            description = "Accepts VSC clients and offers their cards as org.vccid.card.Card services")
    public @interface Config {
        @AttributeDefinition(name = "bind.address", description = "Address to listen on (loopback unless you mean it)")
        String bind_address() default "127.0.0.1";

        @AttributeDefinition(description = "TCP port to listen on")
        int port() default 2001;

        @AttributeDefinition(name = "max.clients", description = "Clients connected at once")
        int max_clients() default 16;

        @AttributeDefinition(name = "max.readers", description = "Readers per client")
        int max_readers() default 4;

        @AttributeDefinition(name = "apdu.timeout.ms", description = "Wait this long for a client's answer to an APDU")
        long apdu_timeout_ms() default 60_000;

        @AttributeDefinition(name = "name.prefix", description = "vccid.card.name is <prefix>-<client#>-<reader id>")
        String name_prefix() default "vsc";
    }

    private final Map<RemoteCard, ServiceRegistration<Card>> registrations = new HashMap<>();
    private ExecutorService registrar;
    private BundleContext context;
    private ReaderSideServer server;

    @Activate
    void activate(BundleContext ctx, Config config) throws IOException {
        context = ctx;
        registrar = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "vsc-reader registrar :" + config.port());
            t.setDaemon(true);
            return t;
        });
        server = new ReaderSideServer(new ReaderSideServer.Settings(config.bind_address(), config.port(),
                config.max_clients(), config.max_readers(), config.apdu_timeout_ms(), config.name_prefix(),
                Vsc.DEFAULT_MAX_PAYLOAD), this);
    }

    @Deactivate
    void deactivate() {
        server.close();
        registrar.shutdown();
        try {
            registrar.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (registrations) {
            registrations.values().forEach(VscReaderSideComponent::unregister);
            registrations.clear();
        }
    }

    // Registration happens off the client's I/O thread: service listeners may call the card right away.
    @Override
    public void cardArrived(RemoteCard card) {
        registrar.execute(() -> {
            if (card.isGone()) {
                return;
            }
            Dictionary<String, Object> props = new Hashtable<>();
            props.put(Card.TYPE, CARD_TYPE);
            props.put(Card.NAME, card.name());
            props.put("vsc.reader.name", card.readerName());
            props.put("vsc.reader.id", card.readerId());
            props.put("vsc.client", card.client());
            ServiceRegistration<Card> reg = context.registerService(Card.class, card, props);
            synchronized (registrations) {
                registrations.put(card, reg);
            }
        });
    }

    @Override
    public void cardGone(RemoteCard card) {
        registrar.execute(() -> {
            ServiceRegistration<Card> reg;
            synchronized (registrations) {
                reg = registrations.remove(card);
            }
            if (reg != null) {
                unregister(reg);
            }
        });
    }

    private static void unregister(ServiceRegistration<Card> reg) {
        try {
            reg.unregister();
        } catch (IllegalStateException e) {
            // already unregistered (bundle stopping)
        }
    }
}
