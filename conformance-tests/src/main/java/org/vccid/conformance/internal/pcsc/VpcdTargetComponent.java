package org.vccid.conformance.internal.pcsc;

import java.util.EnumSet;
import java.util.Hashtable;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.vccid.card.Card;
import org.vccid.conformance.target.CardSource;
import org.vccid.conformance.target.NotSupportedException;
import org.vccid.conformance.target.ReaderSpec;
import org.vccid.conformance.target.Target;
import org.vccid.conformance.target.TargetSession;
import org.vccid.pcsc.JdkPcsc;
import org.vccid.pcsc.Pcsc;

/**
 * The {@code vpcd} conformance target: the run's cards go into pcscd through ccid.transport.vpcd (vsmartcard's vpcd
 * driver), and the host is a PC/SC application ({@link PcscHostSession}: raw SCardTransmit, APDUs unchanged).
 *
 * <p>{@code insert} registers the card as a {@code Card} service with a property of its own
 * ({@value #INSERTION}, no {@code vccid.card.type}, so no other reader or vpcd slot takes it) and creates a
 * factory configuration of {@code org.vccid.transport.vpcd} for vpcd's slot port with {@code card.target} naming
 * that property: the vpcd bundle connects the slot and pcscd sees the card. {@code remove} deletes the
 * configuration and unregisters the card. The session waits until PC/SC reports each change.
 *
 * <p>Needs, in the framework's JVM: pcscd with vpcd (reader.conf), the ccid.transport.vpcd bundle, ConfigAdmin,
 * {@code --add-opens java.smartcardio/sun.security.smartcardio=ALL-UNNAMED} (see {@link org.vccid.pcsc.JdkPcsc}), and
 * {@code PCSCLITE_CSOCK_NAME} when that pcscd is not the system's. Configuration required: the user's pcscd
 * decides the reader names and ports.
 */
@Component(name = VpcdTargetComponent.PID, service = Target.class, configurationPolicy = ConfigurationPolicy.REQUIRE,
        property = Target.NAME + "=vpcd")
@Designate(ocd = VpcdTargetComponent.Config.class)
public class VpcdTargetComponent implements Target {

    public static final String PID = "org.vccid.conformance.pcsc.vpcd";
    /** The service property that ties an inserted card to its vpcd slot configuration. */
    public static final String INSERTION = "vccid.conformance.insertion";
    static final String VPCD_PID = "org.vccid.transport.vpcd";

    @ObjectClassDefinition(name = "vccid conformance target: vpcd", description = "Runs the conformance vectors"
            + " made of card steps through pcscd + vsmartcard's vpcd: our cards in vpcd's slots"
            + " (ccid.transport.vpcd), PC/SC as the host")
    public @interface Config {
        @AttributeDefinition(name = "PC/SC readers", description = "The PC/SC name of each vpcd slot, slot 0 first"
                + " (pcscd names them FRIENDLYNAME nn ss)")
        String[] pcscReaders() default {"Virtual PCD 00 00", "Virtual PCD 00 01"};

        @AttributeDefinition(name = "vpcd host", description = "Where pcscd with vpcd listens")
        String host() default "127.0.0.1";

        @AttributeDefinition(name = "vpcd port", description = "vpcd slot N listens on this port + N (reader.conf"
                + " DEVICENAME /dev/null:0xPORT)", min = "1", max = "65535")
        int port() default 35963;

        @AttributeDefinition(name = "Presence timeout (ms)", description = "How long insert / remove wait for PC/SC"
                + " to see the card come or go", min = "100")
        long presenceTimeoutMillis() default 30000;
    }

    private final BundleContext context;
    private final ConfigurationAdmin configAdmin;
    private final List<String> readers;
    private final String host;
    private final int port;
    private final long presenceTimeoutMillis;
    private final PcscContext pcscContext = new PcscContext(new JdkPcsc());

    @Activate
    public VpcdTargetComponent(BundleContext context, @Reference ConfigurationAdmin configAdmin, Config config) {
        this.context = context;
        this.configAdmin = configAdmin;
        this.readers = List.of(config.pcscReaders());
        this.host = config.host();
        this.port = config.port();
        this.presenceTimeoutMillis = config.presenceTimeoutMillis();
        if (readers.isEmpty()) {
            throw new IllegalArgumentException("pcscReaders: name at least one PC/SC reader (vpcd slot 0)");
        }
    }

    @Override
    public String name() {
        return "vpcd";
    }

    @Override
    public Set<Feature> features() {
        return EnumSet.of(Feature.APDU);
    }

    @Override
    public TargetSession open(ReaderSpec reader, CardSource cards) throws Exception {
        if (reader.slots() > readers.size()) {
            throw new NotSupportedException("vpcd has " + readers.size() + " slot(s) configured (pcscReaders), the"
                    + " vector wants " + reader.slots());
        }
        if (reader.level() == ReaderSpec.Level.TPDU) {
            throw new NotSupportedException("vpcd is an APDU-level reader, the vector wants a TPDU-level one");
        }
        String unavailable = pcscContext.pcsc().unavailableReason();
        if (unavailable != null) {
            throw new IllegalStateException("PC/SC cannot be used: " + unavailable);
        }
        long ctx = pcscContext.get();
        PcscHostSession.SlotWiring wiring = new PcscHostSession.SlotWiring(name(), cards, (slot, c) -> {
            String id = UUID.randomUUID().toString();
            Hashtable<String, Object> props = new Hashtable<>();
            props.put(INSERTION, id);
            ServiceRegistration<Card> reg = context.registerService(Card.class, c, props);
            Configuration cfg;
            try {
                cfg = configAdmin.createFactoryConfiguration(VPCD_PID, "?");
                Hashtable<String, Object> slotConfig = new Hashtable<>();
                slotConfig.put("host", host);
                slotConfig.put("port", port + slot);
                slotConfig.put("card.target", "(" + INSERTION + "=" + id + ")");
                slotConfig.put("reconnectMillis", 100);
                cfg.update(slotConfig);
            } catch (Exception | Error e) {
                reg.unregister();
                throw e;
            }
            return () -> {
                try {
                    cfg.delete();
                } finally {
                    reg.unregister();
                }
            };
        });
        return new PcscHostSession(pcscContext.pcsc(), ctx, readers.subList(0, reader.slots()), wiring,
                Pcsc.SCARD_PROTOCOL_T0 | Pcsc.SCARD_PROTOCOL_T1, presenceTimeoutMillis, false);
    }
}
