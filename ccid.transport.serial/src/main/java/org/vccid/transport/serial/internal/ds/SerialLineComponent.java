package org.vccid.transport.serial.internal.ds;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;

import org.osgi.framework.BundleContext;
import org.osgi.framework.Filter;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.util.tracker.ServiceTracker;
import org.vccid.reader.Reader;
import org.vccid.transport.CcidDevice;
import org.vccid.transport.serial.internal.framing.ReaderType;
import org.vccid.transport.serial.internal.line.LineHolder;
import org.vccid.transport.serial.internal.line.LineSettings;
import org.vccid.transport.serial.internal.line.SerialLineServer;
import org.vccid.transport.serial.internal.line.SerialPty;

/**
 * One serial line per factory configuration: creates its pty (pty mode) or listens on its TCP port, and serves the reader chosen by name and/or
 * filter among the {@link CcidDevice} services. Readers come and go at runtime: the line attaches when the host
 * sends a frame and a matching reader exists, and goes silent (like an unplugged serial reader) when it leaves.
 */
@Component(name = SerialLineComponent.PID, configurationPolicy = ConfigurationPolicy.REQUIRE, service = {})
@Designate(ocd = SerialLineConfig.class, factory = true)
public class SerialLineComponent {

    public static final String PID = "org.vccid.transport.serial";

    private static final System.Logger LOG = System.getLogger(SerialLineComponent.class.getName());

    private final ServiceTracker<CcidDevice, CcidDevice> devices;
    private final LineHolder server;

    @Activate
    public SerialLineComponent(BundleContext context, SerialLineConfig config)
            throws InvalidSyntaxException, IOException {
        ReaderType type = ReaderType.parse(config.readerType());
        String firmware = config.firmware() == null || config.firmware().isBlank()
                ? LineSettings.defaultFirmware(type) : config.firmware().trim();
        String pty = config.pty() == null ? "" : config.pty().trim();
        if (pty.isEmpty() && (config.port() < 1 || config.port() > 65535)) {
            throw new IllegalArgumentException("serial line: set pty (a path) or port (1..65535), got port "
                    + config.port());
        }
        LineSettings settings = new LineSettings(pty.isEmpty() ? new InetSocketAddress(config.host(), config.port())
                : null, type, firmware, config.interCharTimeoutMillis(), config.settleMillis());
        Filter filter = context.createFilter(filter(config.reader(), config.filter()));
        devices = new ServiceTracker<>(context, filter, null) {
            @Override
            public void removedService(ServiceReference<CcidDevice> reference, CcidDevice service) {
                LineHolder s = serverOrNull();
                if (s != null) {
                    s.deviceGone(service);
                }
                super.removedService(reference, service);
            }
        };
        devices.open();
        try {
            server = pty.isEmpty() ? new SerialLineServer(settings, devices::getService)
                    : new SerialPty(java.nio.file.Path.of(pty), settings, devices::getService);
        } catch (IOException | RuntimeException e) {
            devices.close();
            throw e;
        }
        LOG.log(Level.INFO, "serial line {0} on {1} serves {2}", type, server.describe(), filter);
    }

    private LineHolder serverOrNull() {
        return server;
    }

    /** The tracker filter: CcidDevice services, with this reader name and this extra filter when given. */
    static String filter(String readerName, String extra) {
        StringBuilder f = new StringBuilder("(&(objectClass=").append(CcidDevice.class.getName()).append(')');
        if (readerName != null && !readerName.isBlank()) {
            f.append('(').append(Reader.NAME).append('=').append(escape(readerName.trim())).append(')');
        }
        if (extra != null && !extra.isBlank()) {
            f.append(extra.trim());
        }
        return f.append(')').toString();
    }

    /** RFC 4515 escaping of a value in an LDAP filter. */
    static String escape(String v) {
        StringBuilder b = new StringBuilder();
        for (char c : v.toCharArray()) {
            if (c == '\\' || c == '*' || c == '(' || c == ')' || c == 0) {
                b.append('\\');
            }
            b.append(c);
        }
        return b.toString();
    }

    @Deactivate
    void deactivate() {
        server.close();
        devices.close();
    }
}
