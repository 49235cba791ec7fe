package org.vccid.transport.vsc.protocol;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Cuts a VSCard byte stream into messages. Feed it whatever the socket delivered, then {@link #poll()} until null.
 * A header announcing more than the payload limit is a protocol violation (the connection must close): it is
 * reported as soon as the header is complete, before any payload is buffered. Not thread-safe.
 */
@ProviderType
public final class VscDecoder {

    private final int maxPayload;
    private byte[] buf = new byte[512];
    private int start;
    private int end;

    /** @param maxPayload largest payload accepted, in bytes */
    public VscDecoder(int maxPayload) {
        if (maxPayload < 4) {
            throw new IllegalArgumentException("maxPayload " + maxPayload);
        }
        this.maxPayload = maxPayload;
    }

    /** Append received bytes. */
    public void feed(byte[] data, int offset, int length) {
        if (end + length > buf.length) {
            int live = end - start;
            if (live + length <= buf.length && start > 0) {
                System.arraycopy(buf, start, buf, 0, live);
            } else {
                byte[] n = new byte[Math.max(buf.length * 2, live + length)];
                System.arraycopy(buf, start, n, 0, live);
                buf = n;
            }
            start = 0;
            end = live;
        }
        System.arraycopy(data, offset, buf, end, length);
        end += length;
    }

    /**
     * The next complete message, or null when more bytes are needed.
     *
     * @throws VscProtocolException when a header announces a payload over the limit
     */
    public VscMessage poll() throws VscProtocolException {
        int live = end - start;
        if (live < Vsc.HEADER_LENGTH) {
            compact();
            return null;
        }
        int type = VscMessage.getInt(buf, start);
        int readerId = VscMessage.getInt(buf, start + 4);
        int length = VscMessage.getInt(buf, start + 8);
        if (Integer.compareUnsigned(length, maxPayload) > 0) {
            throw new VscProtocolException(Vsc.typeName(type) + " announces " + Integer.toUnsignedString(length)
                    + " payload bytes, limit " + maxPayload);
        }
        if (live < Vsc.HEADER_LENGTH + length) {
            return null;
        }
        byte[] payload = new byte[length];
        System.arraycopy(buf, start + Vsc.HEADER_LENGTH, payload, 0, length);
        start += Vsc.HEADER_LENGTH + length;
        compact();
        return new VscMessage(type, readerId, payload);
    }

    /** Bytes received but not yet returned as a message (a partial message at a connection's end). */
    public int pending() {
        return end - start;
    }

    private void compact() {
        if (start == end) {
            start = 0;
            end = 0;
        }
    }
}
