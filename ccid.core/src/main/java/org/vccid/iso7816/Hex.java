package org.vccid.iso7816;

/** Hex text to bytes and back. Decoding ignores spaces, colons and line breaks. */
public final class Hex {

    private static final char[] DIGITS = "0123456789ABCDEF".toCharArray();

    private Hex() {
    }

    /**
     * Decode hex text; whitespace and ':' between digits are ignored.
     *
     * @throws IllegalArgumentException on a non-hex character or an odd digit count
     */
    public static byte[] decode(CharSequence text) {
        int digits = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.digit(c, 16) >= 0) {
                digits++;
            } else if (!isSeparator(c)) {
                throw new IllegalArgumentException("not a hex digit: '" + c + "' at " + i + " in \"" + text + "\"");
            }
        }
        if ((digits & 1) != 0) {
            throw new IllegalArgumentException("odd number of hex digits (" + digits + ") in \"" + text + "\"");
        }
        byte[] out = new byte[digits / 2];
        int n = 0;
        int high = -1;
        for (int i = 0; i < text.length(); i++) {
            int d = Character.digit(text.charAt(i), 16);
            if (d < 0) {
                continue;
            }
            if (high < 0) {
                high = d;
            } else {
                out[n++] = (byte) (high << 4 | d);
                high = -1;
            }
        }
        return out;
    }

    private static boolean isSeparator(char c) {
        return c == ' ' || c == ':' || c == '\t' || c == '\n' || c == '\r';
    }

    /** Upper-case hex, no separators. */
    public static String encode(byte[] bytes) {
        return encode(bytes, 0, bytes.length);
    }

    /** Upper-case hex of a range, no separators. */
    public static String encode(byte[] bytes, int offset, int length) {
        char[] out = new char[length * 2];
        for (int i = 0; i < length; i++) {
            int b = bytes[offset + i] & 0xFF;
            out[2 * i] = DIGITS[b >>> 4];
            out[2 * i + 1] = DIGITS[b & 0xF];
        }
        return new String(out);
    }

    /** Upper-case hex with a space between bytes, for humans. */
    public static String spaced(byte[] bytes, int offset, int length) {
        if (length == 0) {
            return "";
        }
        char[] out = new char[length * 3 - 1];
        for (int i = 0; i < length; i++) {
            int b = bytes[offset + i] & 0xFF;
            if (i > 0) {
                out[3 * i - 1] = ' ';
            }
            out[3 * i] = DIGITS[b >>> 4];
            out[3 * i + 1] = DIGITS[b & 0xF];
        }
        return new String(out);
    }

    /** Upper-case hex with a space between bytes, for humans. */
    public static String spaced(byte[] bytes) {
        return spaced(bytes, 0, bytes.length);
    }
}
