package org.vccid.conformance.internal.serial;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Hashtable;

import org.osgi.framework.BundleContext;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.vccid.conformance.internal.inprocess.ConfigAdminReaders;
import org.vccid.conformance.internal.inprocess.ReaderFactory;
import org.vccid.conformance.internal.osgi.Bundles;
import org.vccid.conformance.target.ReaderSpec;
import org.vccid.reader.Reader;
import org.vccid.transport.serial.framing.ReaderType;

/**
 * Readers and lines as a user's distribution makes them: a factory configuration of {@code org.vccid.reader}
 * (ccid.core) and one of {@value #LINE_PID} (ccid.transport.serial) naming that reader, on a free port of the
 * configured range of 127.0.0.1. Both are deleted after the vector; the next line waits until the port is free.
 */
public final class ConfigAdminLines implements SerialLines {

    static final String LINE_PID = "org.vccid.transport.serial";
    static final String SERIAL_BUNDLE = "ccid.transport.serial";

    private final BundleContext context;
    private final ConfigurationAdmin configAdmin;
    private final ReaderFactory readers;
    private final int firstPort;
    private final int lastPort;
    private final long timeoutMillis;
    private int next;

    public ConfigAdminLines(BundleContext context, ConfigurationAdmin configAdmin, int firstPort, int lastPort,
            long timeoutMillis) {
        if (firstPort < 1 || lastPort > 65535 || firstPort > lastPort) {
            throw new IllegalArgumentException("bad port range " + firstPort + "-" + lastPort);
        }
        this.context = context;
        this.configAdmin = configAdmin;
        this.readers = new ConfigAdminReaders(context, configAdmin, timeoutMillis);
        this.firstPort = firstPort;
        this.lastPort = lastPort;
        this.timeoutMillis = timeoutMillis;
    }

    /** Whether nothing listens on 127.0.0.1:port (a test bind succeeds). */
    static boolean free(int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true); // as the line does; a closed connection's TIME_WAIT does not matter
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private synchronized int pickPort() throws IOException {
        int n = lastPort - firstPort + 1;
        for (int i = 0; i < n; i++) {
            int port = firstPort + (next + i) % n;
            if (free(port)) {
                next = (next + i + 1) % n;
                return port;
            }
        }
        throw new IOException("no free port in 127.0.0.1:" + firstPort + "-" + lastPort + " for a serial line");
    }

    @Override
    public Line create(String name, ReaderSpec spec, ReaderType type, String firmware) throws Exception {
        Bundles.requireActive(context, SERIAL_BUNDLE, SerialTarget.NAME, LINE_PID);
        ReaderFactory.Built built = readers.create(name, spec);
        Configuration line = null;
        try {
            int port = pickPort();
            line = configAdmin.createFactoryConfiguration(LINE_PID, "?");
            Hashtable<String, Object> p = new Hashtable<>();
            p.put("host", "127.0.0.1");
            p.put("port", port);
            p.put("readerType", type.name());
            p.put("reader", name);
            p.put("firmware", firmware);
            // the target is the only client of a line it has just made: no stale bytes to drop after connecting
            // (the settle time protects restarts under a running pcscd)
            p.put("settleMillis", 0);
            line.update(p);
            Configuration c = line;
            return new Line() {
                @Override
                public int port() {
                    return port;
                }

                @Override
                public Reader reader() {
                    return built.reader();
                }

                @Override
                public int maxMessageLength() {
                    return built.device().maxMessageLength();
                }

                @Override
                public void close() {
                    try {
                        c.delete();
                        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
                        while (!free(port) && System.nanoTime() < deadline) {
                            Thread.sleep(5);
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    } catch (IOException | RuntimeException e) {
                        System.getLogger(ConfigAdminLines.class.getName()).log(System.Logger.Level.WARNING,
                                "could not delete serial line configuration " + c.getPid(), e);
                    } finally {
                        built.close();
                    }
                }
            };
        } catch (Exception | Error e) {
            if (line != null) {
                line.delete();
            }
            built.close();
            throw e;
        }
    }
}
