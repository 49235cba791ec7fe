package org.vccid.transport.vsc.protocol;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import org.osgi.annotation.versioning.ProviderType;

/**
 * One VSCard message: header fields and payload. Immutable (the payload array is not copied: callers hand over
 * ownership).
 */
@ProviderType
public final class VscMessage {

    private static final byte[] EMPTY = new byte[0];

    private final int type;
    private final int readerId;
    private final byte[] payload;

    public VscMessage(int type, int readerId, byte[] payload) {
        this.type = type;
        this.readerId = readerId;
        this.payload = payload == null ? EMPTY : payload;
    }

    public int type() {
        return type;
    }

    public int readerId() {
        return readerId;
    }

    /** The payload (the caller must not modify it). */
    public byte[] payload() {
        return payload;
    }

    /** The whole message as it goes on the wire: header then payload. */
    public byte[] encode() {
        return encode(type, readerId, payload, 0, payload.length);
    }

    /** Encode a message straight from a slice, without building a {@code VscMessage}. */
    public static byte[] encode(int type, int readerId, byte[] payload, int offset, int length) {
        byte[] out = new byte[Vsc.HEADER_LENGTH + length];
        putInt(out, 0, type);
        putInt(out, 4, readerId);
        putInt(out, 8, length);
        System.arraycopy(payload, offset, out, Vsc.HEADER_LENGTH, length);
        return out;
    }

    /** VSC_Init with magic "VSCD", version 0.0.2 and one capability word 0 (what QEMU and vscclient send). */
    public static VscMessage init(int readerId) {
        byte[] p = new byte[12];
        putInt(p, 0, Vsc.MAGIC);
        putInt(p, 4, Vsc.VERSION);
        putInt(p, 8, 0);
        return new VscMessage(Vsc.VSC_Init, readerId, p);
    }

    /** VSC_Error: a big-endian uint32 code (QEMU's passthru sends it so). */
    public static VscMessage error(int readerId, int code) {
        byte[] p = new byte[4];
        putInt(p, 0, code);
        return new VscMessage(Vsc.VSC_Error, readerId, p);
    }

    /** VSC_ReaderAdd with a NUL-terminated UTF-8 reader name (QEMU ignores it; spice-gtk sends one). */
    public static VscMessage readerAdd(String name) {
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        return new VscMessage(Vsc.VSC_ReaderAdd, Vsc.UNDEFINED_READER_ID, Arrays.copyOf(n, n.length + 1));
    }

    public static VscMessage empty(int type, int readerId) {
        return new VscMessage(type, readerId, EMPTY);
    }

    /**
     * The error code of a VSC_Error payload. QEMU sends it big-endian; vscclient and spice-gtk send host order
     * (little-endian on x86). A value whose big-endian reading is huge but whose little-endian reading is a known
     * code is read little-endian.
     *
     * @return the code, or -1 when the payload is not 4 bytes
     */
    public int errorCode() {
        if (payload.length != 4) {
            return -1;
        }
        int be = getInt(payload, 0);
        if (Integer.compareUnsigned(be, Vsc.VSC_CARD_ALREADY_INSERTED) <= 0) {
            return be;
        }
        int le = Integer.reverseBytes(be);
        return Integer.compareUnsigned(le, Vsc.VSC_CARD_ALREADY_INSERTED) <= 0 ? le : be;
    }

    /** Reader name carried by a VSC_ReaderAdd payload (up to the first NUL), or "" when none. */
    public String readerAddName() {
        int end = 0;
        while (end < payload.length && payload[end] != 0) {
            end++;
        }
        return new String(payload, 0, end, StandardCharsets.UTF_8);
    }

    static void putInt(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 24);
        b[off + 1] = (byte) (v >>> 16);
        b[off + 2] = (byte) (v >>> 8);
        b[off + 3] = (byte) v;
    }

    static int getInt(byte[] b, int off) {
        return ((b[off] & 0xFF) << 24) | ((b[off + 1] & 0xFF) << 16) | ((b[off + 2] & 0xFF) << 8) | (b[off + 3] & 0xFF);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof VscMessage)) {
            return false;
        }
        VscMessage m = (VscMessage) o;
        return m.type == type && m.readerId == readerId && Arrays.equals(m.payload, payload);
    }

    @Override
    public int hashCode() {
        return (type * 31 + readerId) * 31 + Arrays.hashCode(payload);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(Vsc.typeName(type)).append("(reader ").append(Vsc.readerName(readerId))
                .append(", ").append(payload.length).append(" bytes");
        if (type == Vsc.VSC_Error) {
            sb.append(", ").append(Vsc.errorName(errorCode()));
        }
        return sb.append(')').toString();
    }
}
