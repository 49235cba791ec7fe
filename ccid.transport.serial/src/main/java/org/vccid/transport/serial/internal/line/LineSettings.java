package org.vccid.transport.serial.internal.line;

import java.net.InetSocketAddress;

import org.vccid.transport.serial.framing.ReaderType;
import org.vccid.transport.serial.internal.framing.SerialLine;

/** What one serial line needs, immutable; built from a configuration or by tests. */
public final class LineSettings {

    final InetSocketAddress address;
    final ReaderType type;
    final String firmware;
    final int interCharTimeoutMillis;
    final int settleMillis;

    /**
     * @param address TCP listen address (socat connects here and turns the connection into a pty)
     * @param type the reader type named in pcscd's DEVICENAME suffix
     * @param firmware answer to the firmware escape (at most 49 ASCII bytes)
     * @param interCharTimeoutMillis a frame not finished after this much quiet is dropped and NAKed
     * @param settleMillis after a (re)connection, input is dropped until the line has been quiet this long: bytes
     *     the driver wrote while nobody listened belong to commands it has already given up on
     */
    public LineSettings(InetSocketAddress address, ReaderType type, String firmware, int interCharTimeoutMillis,
            int settleMillis) {
        if (firmware.length() > SerialLine.MAX_FIRMWARE_LENGTH) {
            throw new IllegalArgumentException("firmware string longer than " + SerialLine.MAX_FIRMWARE_LENGTH);
        }
        if (interCharTimeoutMillis < 1 || settleMillis < 0) {
            throw new IllegalArgumentException("interCharTimeoutMillis must be >= 1 and settleMillis >= 0");
        }
        this.address = address;
        this.type = type;
        this.firmware = firmware;
        this.interCharTimeoutMillis = interCharTimeoutMillis;
        this.settleMillis = settleMillis;
    }

    /** 127.0.0.1:port, default firmware string and timeouts. */
    public static LineSettings loopback(int port, ReaderType type) {
        return new LineSettings(new InetSocketAddress("127.0.0.1", port), type, defaultFirmware(type), 100, 100);
    }

    public static String defaultFirmware(ReaderType type) {
        return type.name() + " vccid V1.00";
    }

    public ReaderType type() {
        return type;
    }
}
