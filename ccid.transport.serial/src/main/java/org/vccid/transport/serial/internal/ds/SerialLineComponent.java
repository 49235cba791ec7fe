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
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.util.tracker.ServiceTracker;
import org.vccid.reader.Reader;
import org.vccid.transport.CcidDevice;
import org.vccid.transport.serial.framing.ReaderType;
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

    private final BundleContext context;
    private ServiceTracker<CcidDevice, CcidDevice> devices;
    private volatile LineHolder server;

    @Activate
    public SerialLineComponent(BundleContext context, SerialLineConfig config)
            throws InvalidSyntaxException, IOException {
        this.context = context;
        start(config);
    }

    private void start(SerialLineConfig config) throws InvalidSyntaxException, IOException {
        LineSettings settings = settings(config);
        String pty = pty(config);
        ServiceTracker<CcidDevice, CcidDevice> tracker = tracker(config);
        try {
            server = pty.isEmpty() ? new SerialLineServer(settings, tracker::getService)
                    : new SerialPty(java.nio.file.Path.of(pty), settings, tracker::getService);
        } catch (IOException | RuntimeException e) {
            tracker.close();
            throw e;
        }
        devices = tracker;
        LOG.log(Level.INFO, "serial line {0} on {1} serves {2}", settings.type(), server.describe(),
                filter(config.reader(), config.filter()));
    }

    /**
     * A changed line configuration. Own pty at the same path: the pty stays (pcscd keeps its open line) and only
     * the line's settings and reader lookup change. Otherwise (TCP mode, another path): the line restarts.
     */
    @Modified
    void modified(SerialLineConfig config) throws InvalidSyntaxException, IOException {
        LineHolder s = server;
        String pty = pty(config);
        if (s instanceof SerialPty && !pty.isEmpty() && ((SerialPty) s).isAt(java.nio.file.Path.of(pty))) {
            LineSettings settings = settings(config);
            ServiceTracker<CcidDevice, CcidDevice> tracker = tracker(config);
            ServiceTracker<CcidDevice, CcidDevice> old = devices;
            try {
                ((SerialPty) s).reconfigure(settings, tracker::getService);
            } catch (IOException | RuntimeException e) {
                tracker.close();
                throw e;
            }
            devices = tracker;
            old.close();
            return;
        }
        deactivate();
        start(config);
    }

    private static String pty(SerialLineConfig config) {
        return config.pty() == null ? "" : config.pty().trim();
    }

    private static LineSettings settings(SerialLineConfig config) {
        ReaderType type = ReaderType.parse(config.readerType());
        String firmware = config.firmware() == null || config.firmware().isBlank()
                ? LineSettings.defaultFirmware(type) : config.firmware().trim();
        String pty = pty(config);
        if (pty.isEmpty() && (config.port() < 1 || config.port() > 65535)) {
            throw new IllegalArgumentException("serial line: set pty (a path) or port (1..65535), got port "
                    + config.port());
        }
        return new LineSettings(pty.isEmpty() ? new InetSocketAddress(config.host(), config.port()) : null, type,
                firmware, config.interCharTimeoutMillis(), config.settleMillis());
    }

    private ServiceTracker<CcidDevice, CcidDevice> tracker(SerialLineConfig config) throws InvalidSyntaxException {
        Filter filter = context.createFilter(filter(config.reader(), config.filter()));
        ServiceTracker<CcidDevice, CcidDevice> t = new ServiceTracker<>(context, filter, null) {
            @Override
            public void removedService(ServiceReference<CcidDevice> reference, CcidDevice service) {
                LineHolder s = server;
                if (s != null) {
                    s.deviceGone(service);
                }
                super.removedService(reference, service);
            }
        };
        t.open();
        return t;
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
