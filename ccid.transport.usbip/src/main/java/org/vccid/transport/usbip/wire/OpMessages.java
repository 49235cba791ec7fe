package org.vccid.transport.usbip.wire;

import static org.vccid.transport.usbip.wire.UsbIp.*;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Encoders and decoders for the phase-1 OP messages (usbip_protocol.rst, "OP_REQ_DEVLIST" ... "OP_REP_IMPORT"). */
public final class OpMessages {

    private OpMessages() {
    }

    /** OP_REQ_DEVLIST: {@code 01 11 80 05 00 00 00 00}. */
    public static byte[] devlistRequest() {
        return new OpCommon(VERSION, OP_REQ_DEVLIST, 0).toBytes();
    }

    /** OP_REP_DEVLIST with status ST_OK: op_common, ndev, then each device with its interface entries. */
    public static byte[] devlistReply(List<UsbDeviceInfo> devices) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] head = new byte[OP_COMMON_LENGTH + 4];
        new OpCommon(VERSION, OP_REP_DEVLIST, ST_OK).write(head, 0);
        putBe32(head, OP_COMMON_LENGTH, devices.size());
        out.writeBytes(head);
        for (UsbDeviceInfo d : devices) {
            out.writeBytes(d.toBytesWithInterfaces());
        }
        return out.toByteArray();
    }

    /** OP_REQ_IMPORT: op_common then the busid, NUL-padded to 32 bytes. */
    public static byte[] importRequest(String busid) {
        byte[] b = new byte[IMPORT_REQUEST_LENGTH];
        new OpCommon(VERSION, OP_REQ_IMPORT, 0).write(b, 0);
        byte[] id = busid.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(id, 0, b, OP_COMMON_LENGTH, Math.min(id.length, BUSID_SIZE));
        return b;
    }

    /** The busid of an OP_REQ_IMPORT body (the 32 bytes after op_common): up to the first NUL. */
    public static String importBusid(byte[] body, int off) {
        return UsbDeviceInfo.string(body, off, BUSID_SIZE);
    }

    /** OP_REP_IMPORT: with ST_OK the 0x138-byte device follows (320 bytes); otherwise just op_common (8 bytes). */
    public static byte[] importReply(int status, UsbDeviceInfo device) {
        if (status != ST_OK) {
            return reply(OP_REP_IMPORT, status);
        }
        byte[] b = new byte[OP_COMMON_LENGTH + DEVICE_LENGTH];
        new OpCommon(VERSION, OP_REP_IMPORT, ST_OK).write(b, 0);
        device.write(b, OP_COMMON_LENGTH);
        return b;
    }

    /** A bare op_common reply, e.g. an error status for a request that cannot be served. */
    public static byte[] reply(int code, int status) {
        return new OpCommon(VERSION, code, status).toBytes();
    }
}
