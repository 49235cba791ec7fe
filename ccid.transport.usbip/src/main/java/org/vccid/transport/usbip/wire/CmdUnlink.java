package org.vccid.transport.usbip.wire;

import static org.vccid.transport.usbip.wire.UsbIp.*;

/** USBIP_CMD_UNLINK: header, then unlink_seqnum (the CMD_SUBMIT to cancel) and 24 bytes of padding. */
public record CmdUnlink(int seqnum, int devid, int direction, int ep, int unlinkSeqnum) {

    public static CmdUnlink parse(byte[] h, int off) {
        return new CmdUnlink(be32(h, off + 0x04), be32(h, off + 0x08), be32(h, off + 0x0C), be32(h, off + 0x10),
                be32(h, off + 0x14));
    }

    public byte[] toBytes() {
        byte[] b = new byte[URB_HEADER_LENGTH];
        putBe32(b, 0x00, USBIP_CMD_UNLINK);
        putBe32(b, 0x04, seqnum);
        putBe32(b, 0x08, devid);
        putBe32(b, 0x0C, direction);
        putBe32(b, 0x10, ep);
        putBe32(b, 0x14, unlinkSeqnum);
        return b;
    }
}
