package org.vccid.card.cac.internal;

/**
 * One applet of the card: its AID, its kind, the object IDs it answers SELECT P1=02 for, and its (immutable)
 * buffers. Volatile per-session state (the SIGN/DECRYPT chaining buffer) lives in {@link CacEngine}.
 */
final class Applet {

    enum Kind {
        /** Card Capability Container. */
        CCC,
        /** Access Control Applet: GET ACR only. */
        ACA,
        /** A PKI applet with one key and certificate. */
        PKI,
        /** A CAC applet without content (libcacard's stubs and generic containers). */
        EMPTY,
        /** GlobalPlatform card manager: GET DATA only. */
        GP,
        /** Microsoft plug-and-play applet: GET DATA only. */
        MSFT
    }

    final byte[] aid;
    final Kind kind;
    /** Object IDs (2 bytes each) selectable with SELECT P1=02. */
    final byte[][] coids;
    /** T buffer with its 2-byte length prefix, or {@code null}. */
    final byte[] tagBuffer;
    /** V buffer with its 2-byte length prefix, or {@code null}. */
    final byte[] valueBuffer;
    /** GET PROPERTIES P1=01 answer (SimpleTLV), or {@code null} for non-CAC applets. */
    final byte[] properties;
    /** GET PROPERTIES P1=40 answer. */
    final byte[] longProperties;
    /** The FCI answered to SELECT. */
    final byte[] fci;
    /** PKI key index, -1 for other applets. */
    final int keyIndex;

    Applet(byte[] aid, Kind kind, byte[][] coids, byte[] tagBuffer, byte[] valueBuffer, byte[] properties,
            byte[] longProperties, byte[] fci, int keyIndex) {
        this.aid = aid;
        this.kind = kind;
        this.coids = coids;
        this.tagBuffer = tagBuffer;
        this.valueBuffer = valueBuffer;
        this.properties = properties;
        this.longProperties = longProperties;
        this.fci = fci;
        this.keyIndex = keyIndex;
    }

    boolean isCac() {
        return kind == Kind.CCC || kind == Kind.ACA || kind == Kind.PKI || kind == Kind.EMPTY;
    }

    boolean hasCoid(byte[] b, int off) {
        for (byte[] c : coids) {
            if (c[0] == b[off] && c[1] == b[off + 1]) {
                return true;
            }
        }
        return false;
    }
}
