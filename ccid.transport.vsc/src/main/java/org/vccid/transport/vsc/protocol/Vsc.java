package org.vccid.transport.vsc.protocol;

/** Constants of the VSCard protocol ({@code vscard_common.h}, VSCARD_VERSION 0.0.2). */
public final class Vsc {

    /** Bytes in a message header: type, reader_id, length, each a big-endian uint32. */
    public static final int HEADER_LENGTH = 12;

    // Message types (VSCMsgType)
    public static final int VSC_Init = 1;
    public static final int VSC_Error = 2;
    public static final int VSC_ReaderAdd = 3;
    public static final int VSC_ReaderRemove = 4;
    public static final int VSC_ATR = 5;
    public static final int VSC_CardRemove = 6;
    public static final int VSC_APDU = 7;
    public static final int VSC_Flush = 8;
    public static final int VSC_FlushComplete = 9;

    // Error codes (VSCErrorCode)
    public static final int VSC_SUCCESS = 0;
    public static final int VSC_GENERAL_ERROR = 1;
    public static final int VSC_CANNOT_ADD_MORE_READERS = 2;
    /** Spelled VSC_CARD_ALREAY_INSERTED in the original header. */
    public static final int VSC_CARD_ALREADY_INSERTED = 3;

    /** VSCARD_UNDEFINED_READER_ID: no reader (yet). */
    public static final int UNDEFINED_READER_ID = 0xFFFFFFFF;
    /** VSCARD_MINIMAL_READER_ID: the first reader id a host hands out. */
    public static final int MINIMAL_READER_ID = 0;

    /** VSCARD_MAGIC: ASCII "VSCD" as it appears on the wire. */
    public static final int MAGIC = 0x56534344;
    /** VSCARD_VERSION = MAKE_VERSION(0, 0, 2) = major &lt;&lt; 21 | middle &lt;&lt; 10 | minor. */
    public static final int VERSION = makeVersion(0, 0, 2);

    /** Largest ATR QEMU's ccid-card-passthru stores (MAX_ATR_SIZE). */
    public static final int PASSTHRU_MAX_ATR = 40;
    /**
     * Default payload limit: QEMU's passthru drops a connection whose unparsed input exceeds 64 KiB, so no well-formed
     * peer sends more than that in one message. An extended APDU (65 544 bytes at most) fits.
     */
    public static final int DEFAULT_MAX_PAYLOAD = 64 * 1024 + 16;

    private Vsc() {
    }

    public static int makeVersion(int major, int middle, int minor) {
        return (major << 21) | (middle << 10) | minor;
    }

    public static int versionMajor(int version) {
        return version >>> 21;
    }

    /** Name of a message type as in the header file, or {@code type_N}. */
    public static String typeName(int type) {
        switch (type) {
            case VSC_Init: return "VSC_Init";
            case VSC_Error: return "VSC_Error";
            case VSC_ReaderAdd: return "VSC_ReaderAdd";
            case VSC_ReaderRemove: return "VSC_ReaderRemove";
            case VSC_ATR: return "VSC_ATR";
            case VSC_CardRemove: return "VSC_CardRemove";
            case VSC_APDU: return "VSC_APDU";
            case VSC_Flush: return "VSC_Flush";
            case VSC_FlushComplete: return "VSC_FlushComplete";
            default: return "type_" + Integer.toUnsignedString(type);
        }
    }

    /** Name of an error code, or {@code code_N}. */
    public static String errorName(int code) {
        switch (code) {
            case VSC_SUCCESS: return "VSC_SUCCESS";
            case VSC_GENERAL_ERROR: return "VSC_GENERAL_ERROR";
            case VSC_CANNOT_ADD_MORE_READERS: return "VSC_CANNOT_ADD_MORE_READERS";
            case VSC_CARD_ALREADY_INSERTED: return "VSC_CARD_ALREADY_INSERTED";
            default: return "code_" + Integer.toUnsignedString(code);
        }
    }

    /** A reader id for logs: decimal, or "undefined". */
    public static String readerName(int readerId) {
        return readerId == UNDEFINED_READER_ID ? "undefined" : Integer.toUnsignedString(readerId);
    }
}
