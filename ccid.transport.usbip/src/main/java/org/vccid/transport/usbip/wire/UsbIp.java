package org.vccid.transport.usbip.wire;

/** USB/IP constants (usbip_common.h, usbip_network.h, usbip_protocol.rst) and big-endian helpers. */
public final class UsbIp {

    private UsbIp() {
    }

    /** The protocol version in every OP message: v1.1.1. */
    public static final int VERSION = 0x0111;
    public static final int DEFAULT_PORT = 3240;

    // ---- phase 1: OP messages (op_common: version u16, code u16, status u32)
    public static final int OP_REQUEST = 0x8000;
    public static final int OP_REQ_DEVLIST = 0x8005;
    public static final int OP_REP_DEVLIST = 0x0005;
    public static final int OP_REQ_IMPORT = 0x8003;
    public static final int OP_REP_IMPORT = 0x0003;
    public static final int OP_COMMON_LENGTH = 8;
    /** OP_REQ_IMPORT: op_common + busid[32]. */
    public static final int IMPORT_REQUEST_LENGTH = 40;

    public static final int ST_OK = 0;
    public static final int ST_NA = 1;
    public static final int ST_DEV_BUSY = 2;
    public static final int ST_DEV_ERR = 3;
    public static final int ST_NODEV = 4;
    public static final int ST_ERROR = 5;

    // ---- struct usbip_usb_device
    public static final int PATH_SIZE = 256;
    public static final int BUSID_SIZE = 32;
    public static final int DEVICE_LENGTH = 0x138;
    public static final int INTERFACE_LENGTH = 4;

    /** enum usb_device_speed. */
    public static final int SPEED_UNKNOWN = 0;
    public static final int SPEED_LOW = 1;
    public static final int SPEED_FULL = 2;
    public static final int SPEED_HIGH = 3;

    // ---- phase 2: URB messages (48-byte header)
    public static final int USBIP_CMD_SUBMIT = 1;
    public static final int USBIP_CMD_UNLINK = 2;
    public static final int USBIP_RET_SUBMIT = 3;
    public static final int USBIP_RET_UNLINK = 4;
    public static final int URB_HEADER_LENGTH = 48;
    public static final int ISO_DESCRIPTOR_LENGTH = 16;

    public static final int USBIP_DIR_OUT = 0;
    public static final int USBIP_DIR_IN = 1;

    /** transfer_flags (include/linux/usb.h). */
    public static final int URB_SHORT_NOT_OK = 0x0001;
    public static final int URB_ISO_ASAP = 0x0002;
    public static final int URB_ZERO_PACKET = 0x0040;
    public static final int URB_DIR_IN = 0x0200;

    /** Negative errno values carried in RET_SUBMIT / RET_UNLINK status. */
    public static final int ENOENT = -2;
    public static final int ENODEV = -19;
    public static final int EINVAL = -22;
    public static final int EPIPE = -32;
    public static final int EOVERFLOW = -75;
    public static final int ECONNRESET = -104;
    public static final int ESHUTDOWN = -108;
    public static final int EREMOTEIO = -121;

    /** devid as vhci puts it in every URB: busnum in the high half, devnum in the low half. */
    public static int devid(int busnum, int devnum) {
        return busnum << 16 | devnum & 0xFFFF;
    }

    /** Is this the start of an OP message (version 0x0111, any code)? The first four bytes tell the phases apart. */
    public static boolean looksLikeOp(byte[] b, int off) {
        return be16(b, off) == VERSION;
    }

    public static int be16(byte[] b, int off) {
        return (b[off] & 0xFF) << 8 | b[off + 1] & 0xFF;
    }

    public static int be32(byte[] b, int off) {
        return (b[off] & 0xFF) << 24 | (b[off + 1] & 0xFF) << 16 | (b[off + 2] & 0xFF) << 8 | b[off + 3] & 0xFF;
    }

    public static void putBe16(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 8);
        b[off + 1] = (byte) v;
    }

    public static void putBe32(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 24);
        b[off + 1] = (byte) (v >>> 16);
        b[off + 2] = (byte) (v >>> 8);
        b[off + 3] = (byte) v;
    }

    /** A name for a command or OP code, for logs. */
    public static String commandName(int command) {
        switch (command) {
        case USBIP_CMD_SUBMIT:
            return "CMD_SUBMIT";
        case USBIP_CMD_UNLINK:
            return "CMD_UNLINK";
        case USBIP_RET_SUBMIT:
            return "RET_SUBMIT";
        case USBIP_RET_UNLINK:
            return "RET_UNLINK";
        default:
            return String.format("0x%08X", command);
        }
    }
}
