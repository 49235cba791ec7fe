package org.vccid.conformance.internal.pcsc;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.vccid.conformance.target.CardSource;
import org.vccid.conformance.target.ReaderSpec;
import org.vccid.conformance.target.Target;
import org.vccid.conformance.target.TargetSession;
import org.vccid.reader.Reader;
import org.vccid.pcsc.JdkPcsc;

/**
 * The {@code serial-pcsc} conformance target as a service: one of our readers (an {@code org.vccid.reader}
 * configuration at TPDU level, with empty {@code slot.cards}) served by ccid.transport.serial to a pcscd whose
 * libccid serial driver opened it; the host is a PC/SC application. See {@link ReaderPcscTarget} for what runs and
 * what is declined. Configuration required: the reader's name and the PC/SC names pcscd gave its slots.
 *
 * <p>Needs, in the framework's JVM: {@code --add-opens java.smartcardio/sun.security.smartcardio=ALL-UNNAMED} (see
 * {@link org.vccid.pcsc.JdkPcsc}) and {@code PCSCLITE_CSOCK_NAME} when that pcscd is not the system's.
 */
@Component(name = SerialPcscTargetComponent.PID, service = Target.class,
        configurationPolicy = ConfigurationPolicy.REQUIRE, property = Target.NAME + "=serial-pcsc")
@Designate(ocd = SerialPcscTargetComponent.Config.class)
public class SerialPcscTargetComponent implements Target {

    public static final String PID = "org.vccid.conformance.pcsc.serial";

    @ObjectClassDefinition(name = "vccid conformance target: serial-pcsc", description = "Runs the conformance"
            + " vectors made of card steps through pcscd + libccid's serial driver: our reader on a serial line"
            + " (ccid.transport.serial), PC/SC as the host")
    public @interface Config {
        @AttributeDefinition(name = "Reader", description = "Name of our reader (vccid.reader.name): TPDU level,"
                + " as many slots as the serial reader type, no slot.cards")
        String reader();

        @AttributeDefinition(name = "PC/SC readers", description = "The PC/SC name of each of its slots, slot 0"
                + " first (pcscd names them FRIENDLYNAME nn ss)")
        String[] pcscReaders();

        @AttributeDefinition(name = "Protocol", description = "AUTO: T=1 when the card offers it, else T=0")
        ReaderPcscTarget.Protocol protocol() default ReaderPcscTarget.Protocol.AUTO;

        @AttributeDefinition(name = "Presence timeout (ms)", description = "How long insert / remove wait for PC/SC"
                + " to see the card come or go", min = "100")
        long presenceTimeoutMillis() default 30000;
    }

    private final Map<String, Reader> readers = new ConcurrentHashMap<>();
    private final ReaderPcscTarget target;

    @Activate
    public SerialPcscTargetComponent(Config config) {
        if (config.reader() == null || config.reader().isEmpty()) {
            throw new IllegalArgumentException("reader: name our reader (vccid.reader.name)");
        }
        if (config.pcscReaders() == null || config.pcscReaders().length == 0) {
            throw new IllegalArgumentException("pcscReaders: name the PC/SC reader of slot 0 at least");
        }
        String name = config.reader();
        this.target = new ReaderPcscTarget("serial-pcsc", List.of(new ReaderPcscTarget.Line("reader \"" + name + "\"",
                () -> readers.get(name), List.of(config.pcscReaders()))), config.protocol(),
                new PcscContext(new JdkPcsc()), config.presenceTimeoutMillis());
    }

    @Reference(service = Reader.class, cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void bindReader(Reader reader, Map<String, Object> properties) {
        Object n = properties.get(Reader.NAME);
        readers.put(n != null ? n.toString() : reader.name(), reader);
    }

    void unbindReader(Reader reader, Map<String, Object> properties) {
        readers.values().removeIf(r -> r == reader);
    }

    @Override
    public String name() {
        return target.name();
    }

    @Override
    public Set<Feature> features() {
        return target.features();
    }

    @Override
    public TargetSession open(ReaderSpec reader, CardSource cards) throws Exception {
        return target.open(reader, cards);
    }
}
