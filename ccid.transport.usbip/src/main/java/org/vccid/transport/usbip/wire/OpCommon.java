package org.vccid.transport.usbip.wire;

import static org.vccid.transport.usbip.wire.UsbIp.*;

/** struct op_common: the 8 bytes that start every OP message. */
public record OpCommon(int version, int code, int status) {

    public static OpCommon parse(byte[] b, int off) {
        return new OpCommon(be16(b, off), be16(b, off + 2), be32(b, off + 4));
    }

    public boolean isRequest() {
        return (code & OP_REQUEST) != 0;
    }

    public byte[] toBytes() {
        byte[] b = new byte[OP_COMMON_LENGTH];
        write(b, 0);
        return b;
    }

    void write(byte[] b, int off) {
        putBe16(b, off, version);
        putBe16(b, off + 2, code);
        putBe32(b, off + 4, status);
    }
}
