package org.vccid.transport.usbip.wire;

import static org.vccid.transport.usbip.wire.UsbIp.*;

import java.util.Arrays;

/**
 * USBIP_RET_SUBMIT: header (command 3, seqnum; devid, direction, ep zero as the kernel stub sends them), status,
 * actual_length, start_frame, number_of_packets, error_count, 8 bytes of padding, then IN data.
 *
 * @param status 0 or a negative errno ({@link UsbIp#EPIPE} = stall, ...)
 * @param data IN data (actual_length bytes); empty for OUT, whose actual_length is given separately
 */
public record RetSubmit(int seqnum, int status, int actualLength, int startFrame, int numberOfPackets,
        int errorCount, byte[] data) {

    /** A RET_SUBMIT carrying {@code len} IN bytes (actual_length = len). */
    public static byte[] encode(int seqnum, int status, byte[] data, int off, int len) {
        byte[] b = new byte[URB_HEADER_LENGTH + len];
        putBe32(b, 0x00, USBIP_RET_SUBMIT);
        putBe32(b, 0x04, seqnum);
        putBe32(b, 0x14, status);
        putBe32(b, 0x18, len);
        System.arraycopy(data, off, b, URB_HEADER_LENGTH, len);
        return b;
    }

    /** A RET_SUBMIT without data, e.g. for an OUT transfer (actual_length = bytes taken) or an error. */
    public static byte[] encodeNoData(int seqnum, int status, int actualLength) {
        byte[] b = new byte[URB_HEADER_LENGTH];
        putBe32(b, 0x00, USBIP_RET_SUBMIT);
        putBe32(b, 0x04, seqnum);
        putBe32(b, 0x14, status);
        putBe32(b, 0x18, actualLength);
        return b;
    }

    /** How many IN data bytes follow a RET_SUBMIT header, for a client that knows the URB was IN. */
    public static int actualLength(byte[] h, int off) {
        return be32(h, off + 0x18);
    }

    /** Parse a RET_SUBMIT header with the data that followed it (empty for an OUT URB). */
    public static RetSubmit parse(byte[] h, int off, byte[] data) {
        return new RetSubmit(be32(h, off + 0x04), be32(h, off + 0x14), be32(h, off + 0x18), be32(h, off + 0x1C),
                be32(h, off + 0x20), be32(h, off + 0x24), data);
    }

    @Override
    public String toString() {
        return String.format("RET_SUBMIT(seq %d, status %d, actual_length %d, %d data bytes)", seqnum, status,
                actualLength, data.length);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RetSubmit r && r.seqnum == seqnum && r.status == status && r.actualLength == actualLength
                && r.startFrame == startFrame && r.numberOfPackets == numberOfPackets && r.errorCount == errorCount
                && Arrays.equals(r.data, data);
    }

    @Override
    public int hashCode() {
        return seqnum * 31 + Arrays.hashCode(data);
    }
}
