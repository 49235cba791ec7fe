package org.vccid.conformance.internal.inprocess;

import java.util.Hashtable;

import org.osgi.framework.BundleContext;
import org.osgi.framework.Filter;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.util.tracker.ServiceTracker;
import org.vccid.conformance.target.ReaderSpec;
import org.vccid.reader.Reader;
import org.vccid.transport.CcidDevice;

/**
 * Readers as a user's distribution makes them: a factory configuration of PID {@code org.vccid.reader} per reader
 * (ccid.core's reader component), found again as a {@link CcidDevice} service by its name.
 */
public final class ConfigAdminReaders implements ReaderFactory {

    /** ccid.core's reader factory PID. */
    static final String READER_PID = "org.vccid.reader";

    private final BundleContext context;
    private final ConfigurationAdmin configAdmin;
    private final long timeoutMillis;

    public ConfigAdminReaders(BundleContext context, ConfigurationAdmin configAdmin, long timeoutMillis) {
        this.context = context;
        this.configAdmin = configAdmin;
        this.timeoutMillis = timeoutMillis;
    }

    @Override
    public Built create(String name, ReaderSpec spec) throws Exception {
        Configuration c = configAdmin.createFactoryConfiguration(READER_PID, "?");
        Hashtable<String, Object> p = new Hashtable<>();
        p.put("name", name);
        p.put("slots", spec.slots());
        p.put("exchangeLevel", spec.level().name());
        p.put("maxMessageLength", spec.maxMessageLength());
        p.put("timeExtensionMillis", spec.timeExtensionMillis());
        Filter f = context.createFilter("(&(objectClass=" + CcidDevice.class.getName() + ")(" + Reader.NAME + "="
                + name.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)").replace("*", "\\*") + "))");
        ServiceTracker<Object, Object> tracker = new ServiceTracker<>(context, f, null);
        tracker.open();
        try {
            c.update(p);
            Object service = tracker.waitForService(timeoutMillis);
            if (service == null) {
                c.delete();
                throw new IllegalStateException("no reader \"" + name + "\" appeared within " + timeoutMillis
                        + " ms after configuring " + READER_PID + " (is ccid.core active, with SCR and ConfigAdmin?)");
            }
            CcidDevice device = (CcidDevice) service;
            Reader reader = (Reader) service;
            return new Built() {
                @Override
                public CcidDevice device() {
                    return device;
                }

                @Override
                public Reader reader() {
                    return reader;
                }

                @Override
                public void close() {
                    try {
                        c.delete();
                        // wait until the reader service is gone, so that transports have dropped it (a USB/IP
                        // busid is free again) before the next reader is made
                        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
                        while (!tracker.isEmpty() && System.nanoTime() < deadline) {
                            Thread.sleep(5);
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    } catch (Exception e) {
                        System.getLogger(ConfigAdminReaders.class.getName()).log(System.Logger.Level.WARNING,
                                "could not delete reader configuration " + c.getPid(), e);
                    } finally {
                        tracker.close();
                    }
                }
            };
        } catch (Exception | Error e) {
            tracker.close();
            throw e;
        }
    }
}
