package org.vccid.pcsc;

import java.util.Locale;

/** A PC/SC call failed with an SCARD_* code (or PC/SC is not usable at all: {@link #UNAVAILABLE}). */
public final class PcscException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Not a PC/SC code: the library or the JDK access is missing. */
    public static final int UNAVAILABLE = -1;

    public static final int SCARD_F_INTERNAL_ERROR = 0x80100001;
    public static final int SCARD_E_INVALID_HANDLE = 0x80100003;
    public static final int SCARD_E_INVALID_PARAMETER = 0x80100004;
    public static final int SCARD_E_UNKNOWN_READER = 0x80100009;
    public static final int SCARD_E_TIMEOUT = 0x8010000A;
    public static final int SCARD_E_SHARING_VIOLATION = 0x8010000B;
    public static final int SCARD_E_NO_SMARTCARD = 0x8010000C;
    public static final int SCARD_E_PROTO_MISMATCH = 0x8010000F;
    public static final int SCARD_E_NOT_READY = 0x80100010;
    public static final int SCARD_F_COMM_ERROR = 0x80100013;
    public static final int SCARD_E_READER_UNAVAILABLE = 0x80100017;
    public static final int SCARD_E_NO_SERVICE = 0x8010001D;
    public static final int SCARD_E_SERVICE_STOPPED = 0x8010001E;
    public static final int SCARD_E_NO_READERS_AVAILABLE = 0x8010002E;
    public static final int SCARD_W_UNRESPONSIVE_CARD = 0x80100066;
    public static final int SCARD_W_UNPOWERED_CARD = 0x80100067;
    public static final int SCARD_W_RESET_CARD = 0x80100068;
    public static final int SCARD_W_REMOVED_CARD = 0x80100069;

    /** The PC/SC return code (SCARD_E_..., SCARD_W_...), or {@link #UNAVAILABLE}. */
    public final int code;

    public PcscException(int code, String message, Throwable cause) {
        super(message + " (" + name(code) + ")", cause);
        this.code = code;
    }

    /** The PC/SC service itself is gone (pcscd stopped or restarted): the context must be established anew. */
    public boolean serviceLost() {
        return code == SCARD_E_NO_SERVICE || code == SCARD_E_SERVICE_STOPPED || code == SCARD_F_COMM_ERROR
                || code == SCARD_E_INVALID_HANDLE || code == UNAVAILABLE || code == SCARD_F_INTERNAL_ERROR;
    }

    /** The card went away under us (removed, reader unplugged). */
    public boolean cardGone() {
        return code == SCARD_W_REMOVED_CARD || code == SCARD_E_NO_SMARTCARD || code == SCARD_E_UNKNOWN_READER
                || code == SCARD_E_READER_UNAVAILABLE || code == SCARD_E_INVALID_HANDLE;
    }

    public static String name(int code) {
        switch (code) {
            case UNAVAILABLE: return "PC/SC unavailable";
            case SCARD_F_INTERNAL_ERROR: return "SCARD_F_INTERNAL_ERROR";
            case SCARD_E_INVALID_HANDLE: return "SCARD_E_INVALID_HANDLE";
            case SCARD_E_INVALID_PARAMETER: return "SCARD_E_INVALID_PARAMETER";
            case SCARD_E_UNKNOWN_READER: return "SCARD_E_UNKNOWN_READER";
            case SCARD_E_TIMEOUT: return "SCARD_E_TIMEOUT";
            case SCARD_E_SHARING_VIOLATION: return "SCARD_E_SHARING_VIOLATION";
            case SCARD_E_NO_SMARTCARD: return "SCARD_E_NO_SMARTCARD";
            case SCARD_E_PROTO_MISMATCH: return "SCARD_E_PROTO_MISMATCH";
            case SCARD_E_NOT_READY: return "SCARD_E_NOT_READY";
            case SCARD_F_COMM_ERROR: return "SCARD_F_COMM_ERROR";
            case SCARD_E_READER_UNAVAILABLE: return "SCARD_E_READER_UNAVAILABLE";
            case SCARD_E_NO_SERVICE: return "SCARD_E_NO_SERVICE";
            case SCARD_E_SERVICE_STOPPED: return "SCARD_E_SERVICE_STOPPED";
            case SCARD_E_NO_READERS_AVAILABLE: return "SCARD_E_NO_READERS_AVAILABLE";
            case SCARD_W_UNRESPONSIVE_CARD: return "SCARD_W_UNRESPONSIVE_CARD";
            case SCARD_W_UNPOWERED_CARD: return "SCARD_W_UNPOWERED_CARD";
            case SCARD_W_RESET_CARD: return "SCARD_W_RESET_CARD";
            case SCARD_W_REMOVED_CARD: return "SCARD_W_REMOVED_CARD";
            default: return String.format(Locale.ROOT, "0x%08X", code);
        }
    }
}
