package org.vccid.conformance.usbip;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicInteger;

import org.vccid.conformance.internal.inprocess.EngineReaders;
import org.vccid.conformance.internal.inprocess.ReaderFactory;
import org.vccid.conformance.internal.usbip.UsbIpExports;
import org.vccid.conformance.target.ReaderSpec;
import org.vccid.reader.Reader;
import org.vccid.transport.usbip.internal.UsbIpServer;

/**
 * Test scope, plain class path: readers from ccid.core's engine exported by ccid.transport.usbip's server class
 * (private to that bundle) on a loopback port of 37600-37619. In OSGi the shipped target uses ConfigAdmin instead.
 */
final class ServerExports implements UsbIpExports, AutoCloseable {

    private final EngineReaders readers;
    final UsbIpServer server;
    final AtomicInteger exported = new AtomicInteger();

    ServerExports(EngineReaders readers) throws IOException {
        this.readers = readers;
        UsbIpServer s = null;
        IOException last = null;
        for (int port = 37600; port < 37620 && s == null; port++) {
            UsbIpServer candidate = new UsbIpServer(new UsbIpServer.Settings("127.0.0.1", port, 1, -1, -1, 16, 5_000));
            try {
                candidate.start();
                s = candidate;
            } catch (IOException e) {
                last = e; // taken
            }
        }
        if (s == null) {
            throw last;
        }
        server = s;
    }

    @Override
    public Export export(String name, ReaderSpec spec) {
        ReaderFactory.Built built = readers.create(name, spec);
        String busid = server.export(built.device());
        exported.incrementAndGet();
        return new Export() {
            @Override
            public Reader reader() {
                return built.reader();
            }

            @Override
            public String host() {
                return "127.0.0.1";
            }

            @Override
            public int port() {
                return server.port();
            }

            @Override
            public String busid() {
                return busid;
            }

            @Override
            public void close() {
                server.unexport(built.device());
                built.close();
            }
        };
    }

    @Override
    public void close() {
        server.close();
    }
}
