package org.vccid.transport.usbip.wire;

import static org.vccid.transport.usbip.wire.UsbIp.*;

import java.util.Arrays;

/**
 * USBIP_CMD_SUBMIT: usbip_header_basic (command, seqnum, devid, direction, ep) then transfer_flags,
 * transfer_buffer_length, start_frame, number_of_packets, interval, setup[8]; OUT data follows the 48-byte header.
 *
 * @param setup the raw 8-byte USB SETUP packet (zeros unless ep 0)
 * @param data the OUT data (transfer_buffer_length bytes), empty for IN
 */
public record CmdSubmit(int seqnum, int devid, int direction, int ep, int transferFlags, int transferBufferLength,
        int startFrame, int numberOfPackets, int interval, byte[] setup, byte[] data) {

    public CmdSubmit {
        if (setup.length != 8) {
            throw new IllegalArgumentException("setup must be 8 bytes");
        }
    }

    public boolean isIn() {
        return direction == USBIP_DIR_IN;
    }

    /**
     * Is the number_of_packets of a non-ISO URB? Linux vhci sends 0; the rst document shows 0xffffffff. Anything
     * else announces ISO packet descriptors after the data.
     */
    public static boolean isNonIso(int numberOfPackets) {
        return numberOfPackets == 0 || numberOfPackets == -1;
    }

    /** How many data bytes follow this 48-byte CMD_SUBMIT header: transfer_buffer_length for OUT, 0 for IN. */
    public static long dataLength(byte[] header, int off) {
        int direction = be32(header, off + 0x0C);
        return direction == USBIP_DIR_OUT ? be32(header, off + 0x18) & 0xFFFFFFFFL : 0;
    }

    /** Parse a header (48 bytes at {@code off}) whose command is CMD_SUBMIT, with its OUT data. */
    public static CmdSubmit parse(byte[] h, int off, byte[] data) {
        return new CmdSubmit(be32(h, off + 0x04), be32(h, off + 0x08), be32(h, off + 0x0C), be32(h, off + 0x10),
                be32(h, off + 0x14), be32(h, off + 0x18), be32(h, off + 0x1C), be32(h, off + 0x20),
                be32(h, off + 0x24), Arrays.copyOfRange(h, off + 0x28, off + 0x30), data);
    }

    public byte[] toBytes() {
        byte[] b = new byte[URB_HEADER_LENGTH + (isIn() ? 0 : data.length)];
        putBe32(b, 0x00, USBIP_CMD_SUBMIT);
        putBe32(b, 0x04, seqnum);
        putBe32(b, 0x08, devid);
        putBe32(b, 0x0C, direction);
        putBe32(b, 0x10, ep);
        putBe32(b, 0x14, transferFlags);
        putBe32(b, 0x18, transferBufferLength);
        putBe32(b, 0x1C, startFrame);
        putBe32(b, 0x20, numberOfPackets);
        putBe32(b, 0x24, interval);
        System.arraycopy(setup, 0, b, 0x28, 8);
        if (!isIn()) {
            System.arraycopy(data, 0, b, URB_HEADER_LENGTH, data.length);
        }
        return b;
    }

    @Override
    public String toString() {
        return String.format("CMD_SUBMIT(seq %d, devid 0x%X, %s ep %d, flags 0x%X, length %d%s)", seqnum, devid,
                isIn() ? "IN" : "OUT", ep, transferFlags, transferBufferLength,
                ep == 0 ? ", setup " + hex(setup) : "");
    }

    static String hex(byte[] b) {
        StringBuilder s = new StringBuilder();
        for (byte x : b) {
            s.append(String.format("%02X", x));
        }
        return s.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CmdSubmit c && Arrays.equals(toBytes(), c.toBytes());
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(toBytes());
    }
}
