package org.vccid.ccid;

/** CCID 1.1 constants and in-place header accessors (all multi-byte fields little-endian). */
public final class Ccid {

    private Ccid() {
    }

    /** Every bulk message starts with a 10-byte header (§6.1). */
    public static final int HEADER_LENGTH = 10;

    // header offsets
    public static final int OFFSET_MESSAGE_TYPE = 0;
    public static final int OFFSET_DW_LENGTH = 1;
    public static final int OFFSET_SLOT = 5;
    public static final int OFFSET_SEQ = 6;
    /** Byte 7: bPowerSelect, bBWI, bProtocolNum, bClockCommand, bmChanges, bFunction; in answers bStatus. */
    public static final int OFFSET_7 = 7;
    /** Bytes 8..9: wLevelParameter, abRFU, bClassGetResponse/bClassEnvelope; in answers bError then byte 9. */
    public static final int OFFSET_8 = 8;
    public static final int OFFSET_9 = 9;

    // PC_to_RDR (§6.1)
    public static final int PC_TO_RDR_ICC_POWER_ON = 0x62;
    public static final int PC_TO_RDR_ICC_POWER_OFF = 0x63;
    public static final int PC_TO_RDR_GET_SLOT_STATUS = 0x65;
    public static final int PC_TO_RDR_XFR_BLOCK = 0x6F;
    public static final int PC_TO_RDR_GET_PARAMETERS = 0x6C;
    public static final int PC_TO_RDR_RESET_PARAMETERS = 0x6D;
    public static final int PC_TO_RDR_SET_PARAMETERS = 0x61;
    public static final int PC_TO_RDR_ESCAPE = 0x6B;
    public static final int PC_TO_RDR_ICC_CLOCK = 0x6E;
    public static final int PC_TO_RDR_T0_APDU = 0x6A;
    public static final int PC_TO_RDR_SECURE = 0x69;
    public static final int PC_TO_RDR_MECHANICAL = 0x71;
    public static final int PC_TO_RDR_ABORT = 0x72;
    public static final int PC_TO_RDR_SET_DATA_RATE_AND_CLOCK_FREQUENCY = 0x73;

    // RDR_to_PC (§6.2)
    public static final int RDR_TO_PC_DATA_BLOCK = 0x80;
    public static final int RDR_TO_PC_SLOT_STATUS = 0x81;
    public static final int RDR_TO_PC_PARAMETERS = 0x82;
    public static final int RDR_TO_PC_ESCAPE = 0x83;
    public static final int RDR_TO_PC_DATA_RATE_AND_CLOCK_FREQUENCY = 0x84;

    // interrupt IN (§6.3)
    public static final int RDR_TO_PC_NOTIFY_SLOT_CHANGE = 0x50;
    public static final int RDR_TO_PC_HARDWARE_ERROR = 0x51;
    /** bHardwareErrorCode: overcurrent (§6.3.2). */
    public static final int HARDWARE_ERROR_OVERCURRENT = 0x01;

    // bmCommandStatus (§6.2.6), bits 6..7 of bStatus
    public static final int COMMAND_STATUS_OK = 0;
    public static final int COMMAND_STATUS_FAILED = 1;
    public static final int COMMAND_STATUS_TIME_EXTENSION = 2;

    // bmICCStatus, bits 0..1 of bStatus
    public static final int ICC_PRESENT_ACTIVE = 0;
    public static final int ICC_PRESENT_INACTIVE = 1;
    public static final int ICC_ABSENT = 2;

    // bError (§6.2.6, table 6.2-2)
    public static final int CMD_ABORTED = 0xFF;
    public static final int ICC_MUTE = 0xFE;
    public static final int XFR_PARITY_ERROR = 0xFD;
    public static final int XFR_OVERRUN = 0xFC;
    public static final int HW_ERROR = 0xFB;
    public static final int BAD_ATR_TS = 0xF8;
    public static final int BAD_ATR_TCK = 0xF7;
    public static final int ICC_PROTOCOL_NOT_SUPPORTED = 0xF6;
    public static final int ICC_CLASS_NOT_SUPPORTED = 0xF5;
    public static final int PROCEDURE_BYTE_CONFLICT = 0xF4;
    public static final int DEACTIVATED_PROTOCOL = 0xF3;
    public static final int BUSY_WITH_AUTO_SEQUENCE = 0xF2;
    public static final int PIN_TIMEOUT = 0xF0;
    public static final int PIN_CANCELLED = 0xEF;
    public static final int CMD_SLOT_BUSY = 0xE0;
    /** bError 0x00 with a failed status: command not supported. */
    public static final int CMD_NOT_SUPPORTED = 0x00;
    /** bError 1..127: offset of the bad field. */
    public static final int BAD_DW_LENGTH = 0x01;
    public static final int BAD_SLOT = 0x05;
    /** Offset 7: bPowerSelect, bProtocolNum, bClockCommand, bFunction, bmChanges. */
    public static final int BAD_BYTE_7 = 0x07;
    /** Offset 8: wLevelParameter. */
    public static final int BAD_BYTE_8 = 0x08;
    /** Offset 10: the first byte of abData (a bad parameter structure, say). */
    public static final int BAD_DATA = 0x0A;

    // bChainParameter of RDR_to_PC_DataBlock (§6.2.1) and wLevelParameter of XfrBlock (§6.1.4)
    public static final int CHAIN_BEGIN_AND_END = 0x00;
    public static final int CHAIN_BEGIN = 0x01;
    public static final int CHAIN_END = 0x02;
    public static final int CHAIN_CONTINUE = 0x03;
    /** wLevelParameter 0x10: empty XfrBlock asking for the next response block. */
    public static final int CHAIN_CONTINUE_RESPONSE = 0x10;

    // bClockStatus (§6.2.2)
    public static final int CLOCK_RUNNING = 0;

    // class-specific requests (§5.3), bmRequestType 0x21 / 0xA1
    public static final int REQUEST_TYPE_OUT = 0x21;
    public static final int REQUEST_TYPE_IN = 0xA1;
    public static final int REQUEST_ABORT = 0x01;
    public static final int REQUEST_GET_CLOCK_FREQUENCIES = 0x02;
    public static final int REQUEST_GET_DATA_RATES = 0x03;

    // dwFeatures (§5.1)
    public static final int FEATURE_AUTO_CONFIG_ATR = 0x00000002;
    public static final int FEATURE_AUTO_ACTIVATION = 0x00000004;
    public static final int FEATURE_AUTO_VOLTAGE = 0x00000008;
    public static final int FEATURE_AUTO_CLOCK = 0x00000010;
    public static final int FEATURE_AUTO_BAUD = 0x00000020;
    public static final int FEATURE_AUTO_PPS_PROP = 0x00000040;
    public static final int FEATURE_AUTO_PPS_CUR = 0x00000080;
    public static final int FEATURE_CLOCK_STOP = 0x00000100;
    public static final int FEATURE_NAD = 0x00000200;
    public static final int FEATURE_AUTO_IFSD = 0x00000400;
    public static final int FEATURE_LEVEL_TPDU = 0x00010000;
    public static final int FEATURE_LEVEL_SHORT_APDU = 0x00020000;
    public static final int FEATURE_LEVEL_EXTENDED_APDU = 0x00040000;
    public static final int FEATURE_LEVEL_MASK = 0x00070000;
    public static final int FEATURE_USB_WAKEUP = 0x00100000;

    /** The RDR_to_PC message type that answers a PC_to_RDR type; SlotStatus for an unknown type (§6.1). */
    public static int responseType(int pcToRdrType) {
        switch (pcToRdrType) {
        case PC_TO_RDR_ICC_POWER_ON:
        case PC_TO_RDR_XFR_BLOCK:
        case PC_TO_RDR_SECURE:
            return RDR_TO_PC_DATA_BLOCK;
        case PC_TO_RDR_GET_PARAMETERS:
        case PC_TO_RDR_RESET_PARAMETERS:
        case PC_TO_RDR_SET_PARAMETERS:
            return RDR_TO_PC_PARAMETERS;
        case PC_TO_RDR_ESCAPE:
            return RDR_TO_PC_ESCAPE;
        case PC_TO_RDR_SET_DATA_RATE_AND_CLOCK_FREQUENCY:
            return RDR_TO_PC_DATA_RATE_AND_CLOCK_FREQUENCY;
        default:
            return RDR_TO_PC_SLOT_STATUS;
        }
    }

    /** Whether a byte is a known PC_to_RDR message type. */
    public static boolean isPcToRdr(int type) {
        switch (type) {
        case PC_TO_RDR_ICC_POWER_ON:
        case PC_TO_RDR_ICC_POWER_OFF:
        case PC_TO_RDR_GET_SLOT_STATUS:
        case PC_TO_RDR_XFR_BLOCK:
        case PC_TO_RDR_GET_PARAMETERS:
        case PC_TO_RDR_RESET_PARAMETERS:
        case PC_TO_RDR_SET_PARAMETERS:
        case PC_TO_RDR_ESCAPE:
        case PC_TO_RDR_ICC_CLOCK:
        case PC_TO_RDR_T0_APDU:
        case PC_TO_RDR_SECURE:
        case PC_TO_RDR_MECHANICAL:
        case PC_TO_RDR_ABORT:
        case PC_TO_RDR_SET_DATA_RATE_AND_CLOCK_FREQUENCY:
            return true;
        default:
            return false;
        }
    }

    /** The spec's name of a message type, e.g. {@code PC_to_RDR_XfrBlock}; hex for an unknown one. */
    public static String messageName(int type) {
        switch (type) {
        case PC_TO_RDR_ICC_POWER_ON: return "PC_to_RDR_IccPowerOn";
        case PC_TO_RDR_ICC_POWER_OFF: return "PC_to_RDR_IccPowerOff";
        case PC_TO_RDR_GET_SLOT_STATUS: return "PC_to_RDR_GetSlotStatus";
        case PC_TO_RDR_XFR_BLOCK: return "PC_to_RDR_XfrBlock";
        case PC_TO_RDR_GET_PARAMETERS: return "PC_to_RDR_GetParameters";
        case PC_TO_RDR_RESET_PARAMETERS: return "PC_to_RDR_ResetParameters";
        case PC_TO_RDR_SET_PARAMETERS: return "PC_to_RDR_SetParameters";
        case PC_TO_RDR_ESCAPE: return "PC_to_RDR_Escape";
        case PC_TO_RDR_ICC_CLOCK: return "PC_to_RDR_IccClock";
        case PC_TO_RDR_T0_APDU: return "PC_to_RDR_T0APDU";
        case PC_TO_RDR_SECURE: return "PC_to_RDR_Secure";
        case PC_TO_RDR_MECHANICAL: return "PC_to_RDR_Mechanical";
        case PC_TO_RDR_ABORT: return "PC_to_RDR_Abort";
        case PC_TO_RDR_SET_DATA_RATE_AND_CLOCK_FREQUENCY: return "PC_to_RDR_SetDataRateAndClockFrequency";
        case RDR_TO_PC_DATA_BLOCK: return "RDR_to_PC_DataBlock";
        case RDR_TO_PC_SLOT_STATUS: return "RDR_to_PC_SlotStatus";
        case RDR_TO_PC_PARAMETERS: return "RDR_to_PC_Parameters";
        case RDR_TO_PC_ESCAPE: return "RDR_to_PC_Escape";
        case RDR_TO_PC_DATA_RATE_AND_CLOCK_FREQUENCY: return "RDR_to_PC_DataRateAndClockFrequency";
        case RDR_TO_PC_NOTIFY_SLOT_CHANGE: return "RDR_to_PC_NotifySlotChange";
        case RDR_TO_PC_HARDWARE_ERROR: return "RDR_to_PC_HardwareError";
        default: return String.format("0x%02X", type & 0xFF);
        }
    }

    /** bStatus from bmICCStatus and bmCommandStatus. */
    public static int bStatus(int iccStatus, int commandStatus) {
        return commandStatus << 6 | iccStatus;
    }

    /** bmICCStatus of a bStatus byte. */
    public static int iccStatus(int bStatus) {
        return bStatus & 0x03;
    }

    /** bmCommandStatus of a bStatus byte. */
    public static int commandStatus(int bStatus) {
        return bStatus >>> 6 & 0x03;
    }

    /** The unsigned byte at an offset. */
    public static int u8(byte[] b, int off) {
        return b[off] & 0xFF;
    }

    /** A little-endian 16-bit field. */
    public static int le16(byte[] b, int off) {
        return b[off] & 0xFF | (b[off + 1] & 0xFF) << 8;
    }

    /** A little-endian 32-bit field. */
    public static int le32(byte[] b, int off) {
        return b[off] & 0xFF | (b[off + 1] & 0xFF) << 8 | (b[off + 2] & 0xFF) << 16 | (b[off + 3] & 0xFF) << 24;
    }

    public static void putLe16(byte[] b, int off, int v) {
        b[off] = (byte) v;
        b[off + 1] = (byte) (v >>> 8);
    }

    public static void putLe32(byte[] b, int off, int v) {
        b[off] = (byte) v;
        b[off + 1] = (byte) (v >>> 8);
        b[off + 2] = (byte) (v >>> 16);
        b[off + 3] = (byte) (v >>> 24);
    }

    /** dwLength of a message header, as an unsigned value in a long (it may exceed Integer.MAX_VALUE). */
    public static long dwLength(byte[] b, int off) {
        return le32(b, off + OFFSET_DW_LENGTH) & 0xFFFFFFFFL;
    }

    /**
     * Write a 10-byte header in place.
     *
     * @return the offset just after the header
     */
    public static int putHeader(byte[] b, int off, int type, int dwLength, int slot, int seq, int b7, int b8,
            int b9) {
        b[off] = (byte) type;
        putLe32(b, off + OFFSET_DW_LENGTH, dwLength);
        b[off + OFFSET_SLOT] = (byte) slot;
        b[off + OFFSET_SEQ] = (byte) seq;
        b[off + OFFSET_7] = (byte) b7;
        b[off + OFFSET_8] = (byte) b8;
        b[off + OFFSET_9] = (byte) b9;
        return off + HEADER_LENGTH;
    }
}
