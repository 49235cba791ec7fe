package org.vccid.conformance.internal.usbip;

import java.io.IOException;
import java.net.ConnectException;
import java.util.Dictionary;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.osgi.framework.BundleContext;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.vccid.conformance.internal.inprocess.ConfigAdminReaders;
import org.vccid.conformance.internal.inprocess.ReaderFactory;
import org.vccid.conformance.internal.osgi.Bundles;
import org.vccid.conformance.target.ReaderSpec;
import org.vccid.reader.Reader;
import org.vccid.transport.usbip.wire.UsbDeviceInfo;

/**
 * Readers exported as a user's distribution exports them: a factory configuration of {@code org.vccid.reader}
 * (ccid.core), which ccid.transport.usbip's component exports on the address its own configuration
 * ({@value #USBIP_PID}, read here, never changed) names. The new reader's busid is the one that appears in the
 * server's device list after the reader was made; the target then checks its product string.
 */
public final class ConfigAdminExports implements UsbIpExports {

    static final String USBIP_PID = "org.vccid.transport.usbip";
    static final String USBIP_BUNDLE = "ccid.transport.usbip";

    private final BundleContext context;
    private final ConfigurationAdmin configAdmin;
    private final ReaderFactory readers;
    private final long timeoutMillis;

    public ConfigAdminExports(BundleContext context, ConfigurationAdmin configAdmin, long timeoutMillis) {
        this.context = context;
        this.configAdmin = configAdmin;
        this.readers = new ConfigAdminReaders(context, configAdmin, timeoutMillis);
        this.timeoutMillis = timeoutMillis;
    }

    /** host and port of the USB/IP server, from its configuration or its defaults (127.0.0.1:3240). */
    Object[] serverAddress() throws Exception {
        String host = "127.0.0.1";
        int port = 3240;
        Configuration[] cs = configAdmin.listConfigurations("(service.pid=" + USBIP_PID + ")");
        if (cs != null && cs.length > 0 && cs[0].getProperties() != null) {
            Dictionary<String, Object> p = cs[0].getProperties();
            Object h = p.get("host");
            if (h != null && !String.valueOf(h).isBlank()) {
                host = String.valueOf(h).trim();
            }
            Object o = p.get("port");
            if (o != null) {
                port = o instanceof Number ? ((Number) o).intValue() : Integer.parseInt(String.valueOf(o).trim());
            }
        }
        if (host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]")) {
            host = "127.0.0.1"; // bound to every address: reach it on loopback
        }
        return new Object[] { host, port };
    }

    /** Busids listed now; waits (bounded) for the server to answer at all. */
    private Set<String> busids(String host, int port, long deadline) throws Exception {
        IOException last = null;
        do {
            try {
                Set<String> ids = new HashSet<>();
                for (UsbDeviceInfo d : UsbIpHost.devices(host, port, 2000)) {
                    ids.add(d.busid());
                }
                return ids;
            } catch (ConnectException e) {
                last = e; // the server is (re)starting, e.g. after a configuration change
                Thread.sleep(50);
            }
        } while (System.nanoTime() < deadline);
        throw new IOException("no USB/IP server answered on " + host + ":" + port + " within " + timeoutMillis
                + " ms (ccid.transport.usbip's address, from configuration " + USBIP_PID + " or its default): "
                + last);
    }

    @Override
    public Export export(String name, ReaderSpec spec) throws Exception {
        Bundles.requireActive(context, USBIP_BUNDLE, UsbIpTarget.NAME, USBIP_PID);
        Object[] a = serverAddress();
        String host = (String) a[0];
        int port = (Integer) a[1];
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        Set<String> before = busids(host, port, deadline);
        ReaderFactory.Built built = readers.create(name, spec);
        try {
            String busid = null;
            while (busid == null) {
                Set<String> now = busids(host, port, deadline);
                now.removeAll(before);
                if (now.size() > 1) {
                    throw new IOException("several readers appeared at once on " + host + ":" + port + " (" + now
                            + "); cannot tell which is \"" + name + "\"");
                }
                if (now.size() == 1) {
                    busid = now.iterator().next();
                } else if (System.nanoTime() > deadline) {
                    throw new IOException("the reader \"" + name + "\" was not listed by the USB/IP server on " + host
                            + ":" + port + " within " + timeoutMillis + " ms");
                } else {
                    Thread.sleep(20);
                }
            }
            String id = busid;
            return new Export() {
                @Override
                public Reader reader() {
                    return built.reader();
                }

                @Override
                public String host() {
                    return host;
                }

                @Override
                public int port() {
                    return port;
                }

                @Override
                public String busid() {
                    return id;
                }

                @Override
                public void close() {
                    built.close(); // waits until the reader service is gone
                    // and until the server no longer lists it: the next reader's busid is told apart by the list
                    long until = System.nanoTime() + timeoutMillis * 1_000_000L;
                    try {
                        while (busids(host, port, until).contains(id) && System.nanoTime() < until) {
                            Thread.sleep(5);
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    } catch (Exception e) {
                        // the server went away: nothing is listed any more
                    }
                }
            };
        } catch (Exception | Error e) {
            built.close();
            throw e;
        }
    }

    /** The devices the server lists now (for tests and messages). */
    List<UsbDeviceInfo> devices() throws Exception {
        Object[] a = serverAddress();
        return UsbIpHost.devices((String) a[0], (Integer) a[1], 2000);
    }
}
