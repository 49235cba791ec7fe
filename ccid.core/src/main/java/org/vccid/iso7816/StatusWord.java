package org.vccid.iso7816;

/** ISO 7816-4 §5.6 status words as ints (SW1 &lt;&lt; 8 | SW2), and helpers that never allocate. */
public final class StatusWord {

    public static final int SUCCESS = 0x9000;
    /** 61xx: xx more bytes available (GET RESPONSE). */
    public static final int BYTES_REMAINING_00 = 0x6100;
    public static final int WARNING_NVM_UNCHANGED = 0x6200;
    public static final int END_OF_FILE = 0x6282;
    /** 63Cx: verification failed, x tries left. */
    public static final int VERIFY_FAILED_00 = 0x63C0;
    public static final int EXECUTION_ERROR = 0x6400;
    public static final int MEMORY_FAILURE = 0x6581;
    public static final int WRONG_LENGTH = 0x6700;
    public static final int CLA_FUNCTION_NOT_SUPPORTED = 0x6800;
    public static final int LOGICAL_CHANNEL_NOT_SUPPORTED = 0x6881;
    public static final int SECURE_MESSAGING_NOT_SUPPORTED = 0x6882;
    /** 6884: the CLA's chaining bit is set and the card does not support command chaining. */
    public static final int COMMAND_CHAINING_NOT_SUPPORTED = 0x6884;
    public static final int COMMAND_NOT_ALLOWED = 0x6900;
    public static final int COMMAND_INCOMPATIBLE = 0x6981;
    public static final int SECURITY_STATUS_NOT_SATISFIED = 0x6982;
    public static final int AUTH_METHOD_BLOCKED = 0x6983;
    public static final int REFERENCE_DATA_NOT_USABLE = 0x6984;
    public static final int CONDITIONS_NOT_SATISFIED = 0x6985;
    public static final int COMMAND_NOT_ALLOWED_NO_EF = 0x6986;
    public static final int WRONG_DATA = 0x6A80;
    public static final int FUNCTION_NOT_SUPPORTED = 0x6A81;
    public static final int FILE_NOT_FOUND = 0x6A82;
    public static final int RECORD_NOT_FOUND = 0x6A83;
    public static final int NOT_ENOUGH_MEMORY = 0x6A84;
    public static final int INCORRECT_P1P2 = 0x6A86;
    public static final int LC_INCONSISTENT_WITH_P1P2 = 0x6A87;
    public static final int REFERENCE_DATA_NOT_FOUND = 0x6A88;
    public static final int WRONG_P1P2 = 0x6B00;
    /** 6Cxx: wrong Le, xx is the exact length. */
    public static final int WRONG_LE_00 = 0x6C00;
    public static final int INS_NOT_SUPPORTED = 0x6D00;
    public static final int CLA_NOT_SUPPORTED = 0x6E00;
    public static final int NO_PRECISE_DIAGNOSIS = 0x6F00;

    private StatusWord() {
    }

    /** SW1 SW2 as two bytes. */
    public static byte[] toBytes(int sw) {
        return new byte[] { (byte) (sw >>> 8), (byte) sw };
    }

    /** The status word at the end of a response APDU. */
    public static int of(byte[] response) {
        return of(response, 0, response.length);
    }

    /** The status word at the end of a response APDU range. */
    public static int of(byte[] response, int offset, int length) {
        if (length < 2) {
            throw new IllegalArgumentException("a response APDU has at least 2 bytes, got " + length);
        }
        return (response[offset + length - 2] & 0xFF) << 8 | response[offset + length - 1] & 0xFF;
    }

    /** A response APDU: data followed by the status word. */
    public static byte[] response(byte[] data, int sw) {
        byte[] r = new byte[data.length + 2];
        System.arraycopy(data, 0, r, 0, data.length);
        r[data.length] = (byte) (sw >>> 8);
        r[data.length + 1] = (byte) sw;
        return r;
    }

    /** Whether SW1 is 90 or 61 (normal processing, ISO 7816-4 §5.6). */
    public static boolean isSuccess(int sw) {
        int sw1 = sw >>> 8;
        return sw1 == 0x90 || sw1 == 0x61;
    }

    /** Four hex digits. */
    public static String toString(int sw) {
        return String.format("%04X", sw & 0xFFFF);
    }
}
