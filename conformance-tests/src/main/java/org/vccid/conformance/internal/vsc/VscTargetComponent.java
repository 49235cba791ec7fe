package org.vccid.conformance.internal.vsc;

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
 * The {@code vsc} target as a service, present while configuration {@value #PID} exists (it holds the port the
 * runner listens on, as QEMU's chardev does). Needs ccid.transport.vsc: its card side is configured per session and
 * its codec package is imported (optionally, so that this bundle resolves without it).
 */
@Designate(ocd = VscTargetComponent.Config.class)
@Component(name = VscTargetComponent.PID, configurationPolicy = ConfigurationPolicy.REQUIRE, service = Target.class,
        property = Target.NAME + "=" + VscTarget.NAME)
public class VscTargetComponent implements Target {

    public static final String PID = "org.vccid.conformance.vsc";

    @ObjectClassDefinition(name = "vccid conformance: VSC target",
            description = "The conformance runner plays QEMU's ccid-card-passthru on 127.0.0.1; the card of the run"
                    + " goes through ccid.transport.vsc's card side")
    public @interface Config {
        @AttributeDefinition(description = "Loopback port to listen on (0: any free port)")
        int port() default 0;

        @AttributeDefinition(description = "How many consecutive ports from port to try, in case one is held")
        int ports() default 1;

        @AttributeDefinition(name = "connect.timeout.ms",
                description = "How long the card side may take to connect and add its reader")
        long connect_timeout_ms() default 10_000;

        @AttributeDefinition(name = "answer.timeout.ms",
                description = "How long an ATR, an APDU answer or a card removal may take")
        long answer_timeout_ms() default 10_000;
    }

    private final VscTarget target;

    @Activate
    public VscTargetComponent(BundleContext context, @Reference ConfigurationAdmin configAdmin, Config config) {
        this.target = new VscTarget(new VscTarget.Settings("127.0.0.1", config.port(), config.ports(),
                config.connect_timeout_ms(), config.answer_timeout_ms()),
                new ConfigAdminCardSides(context, configAdmin));
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
