package org.vccid.conformance.internal.usbip;

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
 * The USB/IP target as a service ({@code vccid:conformance --target usbip}): readers made through ConfigAdmin,
 * exported by ccid.transport.usbip's component on the address of its configuration, imported by a USB/IP host
 * written with that bundle's exported wire packages. Those packages are an optional import: without the usbip
 * bundle this component still starts and {@link #open} fails at once, saying what is missing.
 */
@Component(name = UsbIpTargetComponent.PID, service = Target.class,
        configurationPolicy = ConfigurationPolicy.OPTIONAL, property = Target.NAME + "=" + UsbIpTarget.NAME)
@Designate(ocd = UsbIpTargetComponent.Config.class)
public class UsbIpTargetComponent implements Target {

    public static final String PID = "org.vccid.conformance.target.usbip";

    @ObjectClassDefinition(name = "vccid conformance target: USB/IP", description = "The conformance runner's"
            + " USB/IP host. It exports each vector's reader through ccid.transport.usbip on the address configured"
            + " there (PID org.vccid.transport.usbip, default 127.0.0.1:3240) and imports it.")
    public @interface Config {
        @AttributeDefinition(name = "Timeout (ms)", description = "How long making, exporting and importing a"
                + " reader may take before open() fails", min = "100")
        long timeoutMillis() default 20_000;
    }

    private final BundleContext context;
    private final ConfigurationAdmin configAdmin;
    private final long timeoutMillis;
    private volatile Target target;

    @Activate
    public UsbIpTargetComponent(BundleContext context, @Reference ConfigurationAdmin configAdmin, Config config) {
        this.context = context;
        this.configAdmin = configAdmin;
        this.timeoutMillis = config.timeoutMillis();
    }

    @Override
    public String name() {
        return UsbIpTarget.NAME;
    }

    @Override
    public TargetSession open(ReaderSpec reader, CardSource cards) throws Exception {
        Target t = target;
        if (t == null) {
            Bundles.requireActive(context, ConfigAdminExports.USBIP_BUNDLE, UsbIpTarget.NAME,
                    ConfigAdminExports.USBIP_PID);
            Bundles.requireImport(getClass(), "org.vccid.transport.usbip.wire.UsbIp", ConfigAdminExports.USBIP_BUNDLE,
                    UsbIpTarget.NAME);
            t = UsbIpTargets.create(context, configAdmin, timeoutMillis);
            target = t;
        }
        return t.open(reader, cards);
    }
}
