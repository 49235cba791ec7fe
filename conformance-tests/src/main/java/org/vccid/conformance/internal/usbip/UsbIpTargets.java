package org.vccid.conformance.internal.usbip;

import org.osgi.framework.BundleContext;
import org.osgi.service.cm.ConfigurationAdmin;
import org.vccid.conformance.target.Target;

/** Kept apart from the component so that loading the component never touches the usbip packages. */
final class UsbIpTargets {

    private UsbIpTargets() {
    }

    static Target create(BundleContext context, ConfigurationAdmin configAdmin, long timeoutMillis) {
        return new UsbIpTarget(new ConfigAdminExports(context, configAdmin, timeoutMillis), timeoutMillis);
    }
}
