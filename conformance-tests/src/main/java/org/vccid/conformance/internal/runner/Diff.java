package org.vccid.conformance.internal.runner;

import org.vccid.ccid.Ccid;

/** Readable expected-vs-actual renderings of byte strings, for failure reports. Pure. */
public final class Diff {

    private static final int ROW = 16;

    private Diff() {
    }

    /**
     * Side by side, 16 bytes a row, with {@code ^^} under every differing byte. {@code expected[i] < 0} means any
     * byte ({@code XX}).
     *
     * @param ccid whether the bytes are a CCID message (names the header field of the first difference)
     */
    public static String render(int[] expected, byte[] actual, boolean ccid) {
        StringBuilder sb = new StringBuilder();
        int n = Math.max(expected.length, actual.length);
        int first = -1;
        int differing = 0;
        for (int i = 0; i < n; i++) {
            if (differs(expected, actual, i)) {
                differing++;
                if (first < 0) {
                    first = i;
                }
            }
        }
        if (expected.length != actual.length) {
            sb.append("  length: expected ").append(expected.length).append(" bytes, actual ").append(actual.length)
                    .append('\n');
        }
        if (first >= 0) {
            sb.append("  first difference at byte ").append(first);
            if (ccid) {
                sb.append(" (").append(field(first)).append(')');
            }
            sb.append(", ").append(differing).append(" byte(s) differ\n");
        }
        int shown = 0;
        for (int row = 0; row < n; row += ROW) {
            boolean rowDiffers = false;
            for (int i = row; i < Math.min(n, row + ROW); i++) {
                rowDiffers |= differs(expected, actual, i);
            }
            // short messages in full; long ones: the first row and the rows that differ
            if (n > 4 * ROW && row != 0 && !rowDiffers) {
                continue;
            }
            if (++shown > 24) {
                sb.append("  ...\n");
                break;
            }
            StringBuilder e = new StringBuilder();
            StringBuilder a = new StringBuilder();
            StringBuilder m = new StringBuilder();
            for (int i = row; i < Math.min(n, row + ROW); i++) {
                e.append(i < expected.length ? expected[i] < 0 ? "XX" : hex(expected[i]) : "--").append(' ');
                a.append(i < actual.length ? hex(actual[i] & 0xFF) : "--").append(' ');
                m.append(differs(expected, actual, i) ? "^^" : "  ").append(' ');
            }
            String at = String.format("%04X", row);
            sb.append("  ").append(at).append(" expected: ").append(e.toString().stripTrailing()).append('\n');
            sb.append("  ").append(at).append(" actual:   ").append(a.toString().stripTrailing()).append('\n');
            if (rowDiffers) {
                sb.append("                 ").append(m.toString().stripTrailing()).append('\n');
            }
        }
        return sb.toString();
    }

    private static boolean differs(int[] expected, byte[] actual, int i) {
        if (i >= expected.length || i >= actual.length) {
            return true;
        }
        return expected[i] >= 0 && expected[i] != (actual[i] & 0xFF);
    }

    private static String hex(int b) {
        return String.format("%02X", b);
    }

    /** The CCID message field at an offset (CCID 1.1 §6.1, §6.2). */
    static String field(int offset) {
        switch (offset) {
        case 0:
            return "bMessageType";
        case 1:
        case 2:
        case 3:
        case 4:
            return "dwLength";
        case 5:
            return "bSlot";
        case 6:
            return "bSeq";
        case 7:
            return "bStatus / byte 7";
        case 8:
            return "bError / byte 8";
        case 9:
            return "bChainParameter / byte 9";
        default:
            return "abData[" + (offset - 10) + "]";
        }
    }

    /** A one-line decoding of a CCID message (RDR_to_PC or interrupt), for the transcript. */
    public static String describe(byte[] m) {
        if (m.length < 2) {
            return "(" + m.length + " bytes)";
        }
        int type = m[0] & 0xFF;
        if (type == Ccid.RDR_TO_PC_NOTIFY_SLOT_CHANGE) {
            return "RDR_to_PC_NotifySlotChange";
        }
        if (type == Ccid.RDR_TO_PC_HARDWARE_ERROR) {
            return "RDR_to_PC_HardwareError";
        }
        if (m.length < Ccid.HEADER_LENGTH) {
            return Ccid.messageName(type) + " (truncated, " + m.length + " bytes)";
        }
        int status = m[7] & 0xFF;
        int icc = status & 3;
        int cmd = status >>> 6;
        StringBuilder sb = new StringBuilder(Ccid.messageName(type));
        sb.append(" bSlot ").append(m[5] & 0xFF).append(" bSeq ").append(m[6] & 0xFF);
        if (!Ccid.isPcToRdr(type)) {
            sb.append(" ICC ").append(icc == 0 ? "active" : icc == 1 ? "inactive" : icc == 2 ? "absent" : "?");
            sb.append(cmd == 0 ? ", ok" : cmd == 1 ? ", failed bError " + hex(m[8] & 0xFF) + " " + error(m[8] & 0xFF)
                    : cmd == 2 ? ", time extension" : ", bmCommandStatus 3?");
        }
        int len = m.length - Ccid.HEADER_LENGTH;
        if (len > 0) {
            sb.append(", ").append(len).append(" data byte(s)");
        }
        return sb.toString();
    }

    private static String error(int e) {
        switch (e) {
        case Ccid.CMD_ABORTED:
            return "CMD_ABORTED";
        case Ccid.ICC_MUTE:
            return "ICC_MUTE";
        case Ccid.XFR_OVERRUN:
            return "XFR_OVERRUN";
        case Ccid.HW_ERROR:
            return "HW_ERROR";
        case Ccid.ICC_PROTOCOL_NOT_SUPPORTED:
            return "ICC_PROTOCOL_NOT_SUPPORTED";
        case Ccid.CMD_SLOT_BUSY:
            return "CMD_SLOT_BUSY";
        case Ccid.CMD_NOT_SUPPORTED:
            return "CMD_NOT_SUPPORTED";
        case Ccid.BAD_DW_LENGTH:
            return "bad dwLength";
        case Ccid.BAD_SLOT:
            return "bad bSlot";
        case Ccid.BAD_BYTE_7:
            return "bad byte 7";
        case Ccid.BAD_BYTE_8:
            return "bad byte 8";
        default:
            return e > 0 && e < 0x80 ? "bad byte " + e : "";
        }
    }
}
