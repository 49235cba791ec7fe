package org.vccid.conformance.internal.serial;

import java.util.EnumSet;
import java.util.Set;

import org.osgi.framework.BundleContext;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.vccid.conformance.internal.osgi.Bundles;
import org.vccid.conformance.target.CardSource;
import org.vccid.conformance.target.ReaderSpec;
import org.vccid.conformance.target.Target;
import org.vccid.conformance.target.TargetSession;

/**
 * The serial target as a service ({@code vccid:conformance --target serial}): each vector's reader and a
 * ccid.transport.serial line for it are made through ConfigAdmin; the runner plays libccid's side of the line over
 * TCP, written with ccid.transport.serial's exported framing. That package is an optional import: without the
 * serial bundle this component still starts and {@link #open} fails at once, saying what is missing.
 */
@Component(name = SerialTargetComponent.PID, service = Target.class,
        configurationPolicy = ConfigurationPolicy.OPTIONAL, property = Target.NAME + "=" + SerialTarget.NAME)
@Designate(ocd = SerialTargetComponent.Config.class)
public class SerialTargetComponent implements Target {

    public static final String PID = "org.vccid.conformance.target.serial";

    @ObjectClassDefinition(name = "vccid conformance target: serial", description = "The conformance runner's"
            + " libccid-side host of a GemPC Twin serial line. For each vector it configures a reader and a"
            + " ccid.transport.serial line (PID org.vccid.transport.serial) on a free port of this range of"
            + " 127.0.0.1.")
    public @interface Config {
        @AttributeDefinition(name = "First port", min = "1", max = "65535")
        int firstPort() default 37620;

        @AttributeDefinition(name = "Last port", min = "1", max = "65535")
        int lastPort() default 37639;

        @AttributeDefinition(name = "Timeout (ms)", description = "How long making a reader and its line and"
                + " opening the line may take before open() fails", min = "100")
        long timeoutMillis() default 20_000;
    }

    private final BundleContext context;
    private final ConfigurationAdmin configAdmin;
    private final Config config;
    private volatile Target target;

    @Activate
    public SerialTargetComponent(BundleContext context, @Reference ConfigurationAdmin configAdmin, Config config) {
        this.context = context;
        this.configAdmin = configAdmin;
        this.config = config;
    }

    @Override
    public String name() {
        return SerialTarget.NAME;
    }

    @Override
    public Set<Feature> features() {
        return EnumSet.of(Feature.BULK); // as SerialTarget: the line carries bulk messages, no interrupt pipe
    }

    @Override
    public TargetSession open(ReaderSpec reader, CardSource cards) throws Exception {
        Target t = target;
        if (t == null) {
            Bundles.requireActive(context, ConfigAdminLines.SERIAL_BUNDLE, SerialTarget.NAME,
                    ConfigAdminLines.LINE_PID);
            Bundles.requireImport(getClass(), "org.vccid.transport.serial.framing.Twin",
                    ConfigAdminLines.SERIAL_BUNDLE, SerialTarget.NAME);
            t = new SerialTarget(new ConfigAdminLines(context, configAdmin, config.firstPort(), config.lastPort(),
                    config.timeoutMillis()), config.timeoutMillis());
            target = t;
        }
        return t.open(reader, cards);
    }
}
