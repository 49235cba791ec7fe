package org.vccid.transport.vpcd.internal;

/**
 * vsmartcard's vpcd wire protocol (virtualsmartcard doc/api.txt, src/vpcd/vpcd.c), card side. Pure: no I/O.
 *
 * <p>Every message in either direction is a 2-byte big-endian length and a payload. vpcd always speaks first. A
 * 1-byte payload is a control code: 00 power off, 01 power on, 02 reset (no answer to these three), 04 GET ATR
 * (answered with the ATR). Any other payload is a command APDU, answered with the response APDU. An empty answer to
 * GET ATR, or a closed connection, means "no card" to vpcd.
 */
final class Vpcd {

    static final int CTRL_OFF = 0x00;
    static final int CTRL_ON = 0x01;
    static final int CTRL_RESET = 0x02;
    static final int CTRL_ATR = 0x04;
    /** Largest payload the 2-byte length can carry. */
    static final int MAX_PAYLOAD = 0xFFFF;

    /** What a received payload asks for. */
    enum Kind {
        POWER_OFF, POWER_ON, RESET, GET_ATR, UNKNOWN_CONTROL, APDU, EMPTY
    }

    private Vpcd() {
    }

    static Kind classify(byte[] payload, int length) {
        if (length == 0) {
            return Kind.EMPTY;
        }
        if (length == 1) {
            switch (payload[0] & 0xFF) {
            case CTRL_OFF:
                return Kind.POWER_OFF;
            case CTRL_ON:
                return Kind.POWER_ON;
            case CTRL_RESET:
                return Kind.RESET;
            case CTRL_ATR:
                return Kind.GET_ATR;
            default:
                return Kind.UNKNOWN_CONTROL;
            }
        }
        return Kind.APDU;
    }

    /** The 2-byte big-endian length of a frame header. */
    static int length(byte hi, byte lo) {
        return (hi & 0xFF) << 8 | lo & 0xFF;
    }

    /** A frame: length + payload, in one array so it leaves in one TCP segment. */
    static byte[] frame(byte[] payload) {
        if (payload.length > MAX_PAYLOAD) {
            throw new IllegalArgumentException("vpcd payload of " + payload.length + " bytes > 65535");
        }
        byte[] f = new byte[payload.length + 2];
        f[0] = (byte) (payload.length >>> 8);
        f[1] = (byte) payload.length;
        System.arraycopy(payload, 0, f, 2, payload.length);
        return f;
    }
}
