package org.vccid.transport.usbip.wire;

import static org.vccid.transport.usbip.wire.UsbIp.*;

/**
 * USBIP_RET_UNLINK: header with the UNLINK's own seqnum, then status and 24 bytes of padding. Status
 * {@link UsbIp#ECONNRESET}: the URB was pending and is cancelled (it never gets a RET_SUBMIT); 0: it had already
 * completed.
 */
public record RetUnlink(int seqnum, int status) {

    public static RetUnlink parse(byte[] h, int off) {
        return new RetUnlink(be32(h, off + 0x04), be32(h, off + 0x14));
    }

    public byte[] toBytes() {
        byte[] b = new byte[URB_HEADER_LENGTH];
        putBe32(b, 0x00, USBIP_RET_UNLINK);
        putBe32(b, 0x04, seqnum);
        putBe32(b, 0x14, status);
        return b;
    }
}
