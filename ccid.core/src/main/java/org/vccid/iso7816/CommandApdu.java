package org.vccid.iso7816;

import java.util.Arrays;

/**
 * An ISO 7816-4 §5.1 command APDU: header, command data (Nc bytes) and the expected response length (Ne).
 * Immutable. Parsing is strict: Lc must match the data exactly and extended encodings must be well formed.
 *
 * <p>Ne is 0 when there is no Le field, 1..256 for short Le (00 means 256) and 1..65536 for extended Le (0000
 * means 65536).
 */
public final class CommandApdu {

    private final int cla;
    private final int ins;
    private final int p1;
    private final int p2;
    private final byte[] data;
    private final int ne;
    private final boolean extended;

    private CommandApdu(int cla, int ins, int p1, int p2, byte[] data, int ne, boolean extended) {
        this.cla = cla;
        this.ins = ins;
        this.p1 = p1;
        this.p2 = p2;
        this.data = data;
        this.ne = ne;
        this.extended = extended;
    }

    /** Case 1: header only. */
    public static CommandApdu of(int cla, int ins, int p1, int p2) {
        return of(cla, ins, p1, p2, new byte[0], 0);
    }

    /** Case 3 (no Le). */
    public static CommandApdu of(int cla, int ins, int p1, int p2, byte[] data) {
        return of(cla, ins, p1, p2, data, 0);
    }

    /**
     * Any case; the short encoding is chosen when Nc &le; 255 and Ne &le; 256.
     *
     * @param ne 0 for no Le field, else 1..65536
     */
    public static CommandApdu of(int cla, int ins, int p1, int p2, byte[] data, int ne) {
        if (data.length > 65535) {
            throw new IllegalArgumentException("Nc " + data.length + " > 65535");
        }
        if (ne < 0 || ne > 65536) {
            throw new IllegalArgumentException("Ne " + ne + " outside 0..65536");
        }
        boolean ext = data.length > 255 || ne > 256;
        return new CommandApdu(cla & 0xFF, ins & 0xFF, p1 & 0xFF, p2 & 0xFF, data.clone(), ne, ext);
    }

    /** Parse a whole byte array. */
    public static CommandApdu parse(byte[] apdu) {
        return parse(apdu, 0, apdu.length);
    }

    /**
     * Parse a command APDU; the bytes are copied.
     *
     * @throws IllegalArgumentException with the reason when the encoding is not one of ISO 7816-4's cases
     */
    public static CommandApdu parse(byte[] b, int off, int len) {
        String error = check(b, off, len);
        if (error != null) {
            throw new IllegalArgumentException(error + ": " + Hex.spaced(b, off, Math.min(len, 16))
                    + (len > 16 ? " ..." : ""));
        }
        int cla = b[off] & 0xFF;
        int ins = b[off + 1] & 0xFF;
        int p1 = b[off + 2] & 0xFF;
        int p2 = b[off + 3] & 0xFF;
        if (len == 4) {
            return new CommandApdu(cla, ins, p1, p2, new byte[0], 0, false);
        }
        int b4 = b[off + 4] & 0xFF;
        if (len == 5) {
            return new CommandApdu(cla, ins, p1, p2, new byte[0], b4 == 0 ? 256 : b4, false);
        }
        if (b4 != 0) {
            byte[] data = Arrays.copyOfRange(b, off + 5, off + 5 + b4);
            int ne = 0;
            if (len == 6 + b4) {
                int le = b[off + len - 1] & 0xFF;
                ne = le == 0 ? 256 : le;
            }
            return new CommandApdu(cla, ins, p1, p2, data, ne, false);
        }
        int w = (b[off + 5] & 0xFF) << 8 | b[off + 6] & 0xFF;
        if (len == 7) {
            return new CommandApdu(cla, ins, p1, p2, new byte[0], w == 0 ? 65536 : w, true);
        }
        byte[] data = Arrays.copyOfRange(b, off + 7, off + 7 + w);
        int ne = 0;
        if (len == 9 + w) {
            int le = (b[off + len - 2] & 0xFF) << 8 | b[off + len - 1] & 0xFF;
            ne = le == 0 ? 65536 : le;
        }
        return new CommandApdu(cla, ins, p1, p2, data, ne, true);
    }

    /**
     * Check an encoding without building anything or throwing.
     *
     * @return {@code null} when well formed, else why not
     */
    public static String check(byte[] b, int off, int len) {
        if (len < 4) {
            return "command APDU shorter than its 4-byte header (" + len + " bytes)";
        }
        if (len <= 5) {
            return null; // case 1, case 2S
        }
        int b4 = b[off + 4] & 0xFF;
        if (b4 != 0) {
            if (len == 5 + b4 || len == 6 + b4) {
                return null; // case 3S, 4S
            }
            return "short Lc " + b4 + " does not match the " + (len - 5) + " bytes after the header";
        }
        if (len == 6) {
            return "6-byte APDU with Lc=00: neither short nor extended";
        }
        if (len == 7) {
            return null; // case 2E
        }
        int lc = (b[off + 5] & 0xFF) << 8 | b[off + 6] & 0xFF;
        if (lc == 0) {
            return "extended Lc 0000 is not allowed";
        }
        if (len == 7 + lc || len == 9 + lc) {
            return null; // case 3E, 4E
        }
        return "extended Lc " + lc + " does not match the " + (len - 7) + " bytes after the header";
    }

    public int cla() {
        return cla;
    }

    public int ins() {
        return ins;
    }

    public int p1() {
        return p1;
    }

    public int p2() {
        return p2;
    }

    /** Nc: the length of the command data. */
    public int nc() {
        return data.length;
    }

    /** The command data (a copy). */
    public byte[] data() {
        return data.clone();
    }

    /** Ne: the expected response length, 0 when there is no Le field. */
    public int ne() {
        return ne;
    }

    /** Whether the encoding is extended (ISO 7816-4 §5.1). */
    public boolean isExtended() {
        return extended;
    }

    /** The ISO 7816-3 §12.1 case: 1, 2, 3 or 4. */
    public int apduCase() {
        return data.length == 0 ? (ne == 0 ? 1 : 2) : (ne == 0 ? 3 : 4);
    }

    /** The encoding. */
    public byte[] toBytes() {
        int n = data.length;
        int len = 4 + (n > 0 ? (extended ? 3 : 1) + n : 0) + (ne > 0 ? (extended ? (n > 0 ? 2 : 3) : 1) : 0);
        byte[] out = new byte[len];
        out[0] = (byte) cla;
        out[1] = (byte) ins;
        out[2] = (byte) p1;
        out[3] = (byte) p2;
        int i = 4;
        if (n > 0) {
            if (extended) {
                out[i++] = 0;
                out[i++] = (byte) (n >>> 8);
            }
            out[i++] = (byte) n;
            System.arraycopy(data, 0, out, i, n);
            i += n;
        }
        if (ne > 0) {
            if (extended) {
                if (n == 0) {
                    out[i++] = 0;
                }
                out[i++] = (byte) (ne >>> 8); // 65536 encodes as 0000
                out[i++] = (byte) ne;
            } else {
                out[i++] = (byte) ne; // 256 encodes as 00
            }
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CommandApdu && Arrays.equals(toBytes(), ((CommandApdu) o).toBytes());
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(toBytes());
    }

    @Override
    public String toString() {
        return Hex.spaced(toBytes());
    }
}
