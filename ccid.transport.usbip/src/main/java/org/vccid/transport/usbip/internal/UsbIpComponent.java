package org.vccid.transport.usbip.internal;

import java.io.IOException;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.metatype.annotations.Designate;
import org.vccid.transport.CcidDevice;

/**
 * DS wiring: one USB/IP server per configuration (none needed: defaults apply), exporting every
 * {@link CcidDevice} service while it exists. A changed configuration restarts the server (attached hosts see
 * their devices detach).
 */
@Component(name = UsbIpComponent.PID, configurationPolicy = ConfigurationPolicy.OPTIONAL, immediate = true,
        service = {})
@Designate(ocd = UsbIpConfig.class)
public class UsbIpComponent {

    public static final String PID = "org.vccid.transport.usbip";

    private final UsbIpServer server;

    @Activate
    public UsbIpComponent(UsbIpConfig config) throws IOException {
        server = new UsbIpServer(settings(config));
        server.start();
    }

    static UsbIpServer.Settings settings(UsbIpConfig c) {
        return new UsbIpServer.Settings(c.host().trim(), c.port(), c.busnum(), optional16(c.idVendor()),
                optional16(c.idProduct()), c.maxConnections(), c.opTimeoutMillis());
    }

    private static int optional16(String s) {
        return s == null || s.isBlank() ? -1 : Integer.decode(s.trim());
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addDevice(CcidDevice device) {
        server.export(device);
    }

    void removeDevice(CcidDevice device) {
        server.unexport(device);
    }

    @Deactivate
    void deactivate() {
        server.close();
    }
}
