package org.vccid.conformance.serial;

import java.io.IOException;
import java.net.InetSocketAddress;

import org.vccid.conformance.internal.inprocess.EngineReaders;
import org.vccid.conformance.internal.inprocess.ReaderFactory;
import org.vccid.conformance.internal.serial.SerialLines;
import org.vccid.conformance.internal.serial.TwinHost;
import org.vccid.conformance.target.ReaderSpec;
import org.vccid.reader.Reader;
import org.vccid.transport.serial.framing.ReaderType;
import org.vccid.transport.serial.internal.line.LineSettings;
import org.vccid.transport.serial.internal.line.SerialLineServer;

/**
 * Test scope, plain class path: readers from ccid.core's engine on ccid.transport.serial's line server class
 * (private to that bundle), on a port of 127.0.0.1:37620-37639. In OSGi the shipped target uses ConfigAdmin.
 */
final class ServerLines implements SerialLines {

    private final EngineReaders readers;
    private int next;

    ServerLines(EngineReaders readers) {
        this.readers = readers;
    }

    @Override
    public Line create(String name, ReaderSpec spec, ReaderType type, String firmware) throws Exception {
        ReaderFactory.Built built = readers.create(name, spec);
        SerialLineServer server = null;
        IOException last = null;
        for (int i = 0; i < 20 && server == null; i++) {
            int port = 37620 + (next++ % 20);
            try {
                server = new SerialLineServer(new LineSettings(new InetSocketAddress("127.0.0.1", port),
                        ReaderType.parse(type.name()), firmware, 100, 0), built::device);
            } catch (IOException e) {
                last = e; // taken
            }
        }
        if (server == null) {
            built.close();
            throw last;
        }
        SerialLineServer s = server;
        return new Line() {
            @Override
            public int port() {
                return s.port();
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
                s.close();
                built.close();
            }
        };
    }
}
