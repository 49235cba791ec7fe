package org.vccid.conformance.internal.serial;

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
import org.vccid.conformance.target.CardSource;
import org.vccid.conformance.target.ReaderSpec;
import org.vccid.conformance.target.Target;
import org.vccid.conformance.target.TargetSession;

/**
 * The serial target as a service ({@code vccid:conformance --target serial}): each vector's reader and a
 * ccid.transport.serial line for it are made through ConfigAdmin; the runner plays libccid's side of the line over
 * TCP. Only ConfigAdmin ties it to ccid.transport.serial: without that bundle this component still starts and
 * {@link #open} fails at once, saying what is missing.
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

    private final SerialTarget target;

    @Activate
    public SerialTargetComponent(BundleContext context, @Reference ConfigurationAdmin configAdmin, Config config) {
        this.target = new SerialTarget(new ConfigAdminLines(context, configAdmin, config.firstPort(),
                config.lastPort(), config.timeoutMillis()), config.timeoutMillis());
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
