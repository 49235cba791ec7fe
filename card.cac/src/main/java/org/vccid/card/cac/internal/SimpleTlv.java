package org.vccid.card.cac.internal;

import java.io.ByteArrayOutputStream;
import java.util.List;

/**
 * GSC-IS SimpleTLV (tag 1 byte, 00 and FF invalid; length 1 byte below FF, else FF lo hi little-endian, at most
 * FFFE) and the CAC "T/V split" buffers built from it: a tag buffer {@code len(2,LE) tag len tag len ...} and a value
 * buffer {@code len(2,LE) value value ...}. Pure; no I/O.
 */
final class SimpleTlv {

    /** A tag with its value. */
    record Member(int tag, byte[] value) {
        Member {
            if (tag <= 0 || tag >= 0xFF) {
                throw new IllegalArgumentException("SimpleTLV tag " + tag + " outside 01..FE");
            }
            if (value.length > 0xFFFE) {
                throw new IllegalArgumentException("SimpleTLV value of " + value.length + " bytes > FFFE");
            }
        }
    }

    private SimpleTlv() {
    }

    static void putTagLength(ByteArrayOutputStream out, int tag, int length) {
        out.write(tag);
        if (length < 0xFF) {
            out.write(length);
        } else {
            out.write(0xFF);
            out.write(length & 0xFF);
            out.write(length >>> 8);
        }
    }

    /** One member encoded as tag, length, value. */
    static byte[] tlv(int tag, byte[] value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(value.length + 4);
        new Member(tag, value);
        putTagLength(out, tag, value.length);
        out.writeBytes(value);
        return out.toByteArray();
    }

    /** Members encoded one after the other. */
    static byte[] encode(List<Member> members) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Member m : members) {
            putTagLength(out, m.tag(), m.value().length);
            out.writeBytes(m.value());
        }
        return out.toByteArray();
    }

    /** The tag buffer of a T/V split object: 2-byte little-endian content length, then tag + length pairs. */
    static byte[] tagBuffer(List<Member> members) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Member m : members) {
            putTagLength(out, m.tag(), m.value().length);
        }
        return withLengthPrefix(out.toByteArray());
    }

    /** The value buffer of a T/V split object: 2-byte little-endian content length, then the values. */
    static byte[] valueBuffer(List<Member> members) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Member m : members) {
            out.writeBytes(m.value());
        }
        return withLengthPrefix(out.toByteArray());
    }

    static byte[] withLengthPrefix(byte[] content) {
        if (content.length > 0xFFFF) {
            throw new IllegalArgumentException("buffer of " + content.length + " bytes does not fit a CAC buffer");
        }
        byte[] b = new byte[content.length + 2];
        b[0] = (byte) content.length;
        b[1] = (byte) (content.length >>> 8);
        System.arraycopy(content, 0, b, 2, content.length);
        return b;
    }

    /** Concatenation. */
    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
