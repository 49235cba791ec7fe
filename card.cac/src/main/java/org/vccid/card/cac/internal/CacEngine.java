package org.vccid.card.cac.internal;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;

import org.vccid.iso7816.CommandApdu;
import org.vccid.iso7816.StatusWord;

/**
 * The CAC command processor: bytes in, bytes out. Behaviour follows libcacard's CAC emulation (the reference OpenSC
 * is tested against) except where noted with "differs:" (see README.md). Channel 0 only. Not thread-safe: the owning
 * card serialises calls.
 */
final class CacEngine {

    /** What the engine reports when persisting the PIN counter fails. */
    interface Failure {
        void stateNotWritten(IOException e);
    }

    private static final int INS_SELECT = 0xA4;
    private static final int INS_GET_RESPONSE = 0xC0;
    private static final int INS_VERIFY = 0x20;
    private static final int INS_CHANGE_REFERENCE_DATA = 0x24;
    private static final int INS_GET_CHALLENGE = 0x84;
    private static final int INS_GET_DATA = 0xCA;
    private static final int INS_GET_PROPERTIES = 0x56;
    private static final int INS_READ_BUFFER = 0x52;
    private static final int INS_UPDATE_BUFFER = 0x58;
    private static final int INS_SIGN_DECRYPT = 0x42;
    private static final int INS_GET_ACR = 0x4C;

    private static final byte[] SW_9000 = { (byte) 0x90, 0x00 };

    private final CardLayout layout;
    private final CardKeys keys;
    private final CardState state;
    private final SecureRandom random;
    private final Failure failure;

    private Applet current;
    private boolean verified;
    /** Response data waiting for GET RESPONSE (3.5), or null. */
    private byte[] pending;
    private int pendingOffset;
    /** SIGN/DECRYPT chaining buffer of the current PKI applet (reset by SELECT). */
    private byte[] signBuffer;
    private int signLength;

    CacEngine(CardLayout layout, CardKeys keys, CardState state, SecureRandom random, Failure failure) {
        this.layout = layout;
        this.keys = keys;
        this.state = state;
        this.random = random;
        this.failure = failure;
    }

    /** Power-on / reset: nothing selected, logged out, no pending data. */
    void reset() {
        current = null;
        verified = false;
        pending = null;
        signBuffer = null;
        signLength = 0;
    }

    boolean isVerified() {
        return verified;
    }

    byte[] process(byte[] b, int off, int len) {
        if (CommandApdu.check(b, off, len) != null) {
            pending = null;
            return sw(StatusWord.WRONG_LENGTH);
        }
        int cla = b[off] & 0xFF;
        int ins = b[off + 1] & 0xFF;
        int p1 = b[off + 2] & 0xFF;
        int p2 = b[off + 3] & 0xFF;
        // decode Lc / Le positions (the encoding is known to be valid)
        int dataOff = off + 5;
        int nc = 0;
        int ne = 0;
        if (len == 5) {
            ne = b[off + 4] == 0 ? 256 : b[off + 4] & 0xFF;
        } else if (len > 5) {
            int b4 = b[off + 4] & 0xFF;
            if (b4 != 0) {
                nc = b4;
                if (len == 6 + b4) {
                    ne = b[off + len - 1] == 0 ? 256 : b[off + len - 1] & 0xFF;
                }
            } else {
                int w = (b[off + 5] & 0xFF) << 8 | b[off + 6] & 0xFF;
                if (len == 7) {
                    ne = w == 0 ? 65536 : w;
                } else {
                    nc = w;
                    dataOff = off + 7;
                    if (len == 9 + w) {
                        int le = (b[off + len - 2] & 0xFF) << 8 | b[off + len - 1] & 0xFF;
                        ne = le == 0 ? 65536 : le;
                    }
                }
            }
        }
        if (ins != INS_GET_RESPONSE) {
            pending = null; // any other command discards a buffered response
        }
        // CLA: 00 (interindustry, channel 0) and 80 (CAC proprietary) only (ISO 7816-4 §5.1.1 class byte; status
        // words §5.1.3). differs: libcacard lets channel 1 through and answers other classes with 6900 / 6882.
        if (cla != 0x00 && cla != 0x80) {
            int high = cla & 0xF0;
            if (high == 0x00 || high == 0x10 || high == 0x80 || high == 0x90 || high == 0xA0) {
                // first interindustry coding: b5 chaining, b4-b3 secure messaging, b2-b1 channel 0-3
                if ((cla & 0x10) != 0) {
                    return sw(StatusWord.COMMAND_CHAINING_NOT_SUPPORTED);
                }
                if ((cla & 0x0C) != 0) {
                    return sw(StatusWord.SECURE_MESSAGING_NOT_SUPPORTED);
                }
                if ((cla & 0x03) != 0) {
                    return sw(StatusWord.LOGICAL_CHANNEL_NOT_SUPPORTED);
                }
            } else if ((cla & 0xC0) == 0x40) {
                // further interindustry coding (40-7F): b6 secure messaging, b5 chaining, b4-b1 channel 4-19
                if ((cla & 0x10) != 0) {
                    return sw(StatusWord.COMMAND_CHAINING_NOT_SUPPORTED);
                }
                if ((cla & 0x20) != 0) {
                    return sw(StatusWord.SECURE_MESSAGING_NOT_SUPPORTED);
                }
                return sw(StatusWord.LOGICAL_CHANNEL_NOT_SUPPORTED);
            }
            return sw(StatusWord.CLA_NOT_SUPPORTED);
        }
        switch (ins) {
        case INS_SELECT:
            return select(b, p1, p2, dataOff, nc, ne);
        case INS_GET_RESPONSE:
            return getResponse(p1, p2, ne);
        case INS_VERIFY:
            return verify(b, p1, p2, dataOff, nc);
        case INS_CHANGE_REFERENCE_DATA:
            return changeReferenceData(b, p1, p2, dataOff, nc);
        case INS_GET_CHALLENGE:
            return getChallenge(p1, p2, nc, ne);
        default:
            break;
        }
        Applet a = current;
        if (a == null) {
            return sw(StatusWord.INS_NOT_SUPPORTED); // differs: libcacard answers 6900 with no applet selected
        }
        switch (a.kind) {
        case GP:
            return ins == INS_GET_DATA ? gpGetData(p1, p2, ne) : sw(StatusWord.INS_NOT_SUPPORTED);
        case MSFT:
            if (ins != INS_GET_DATA) {
                return sw(StatusWord.INS_NOT_SUPPORTED);
            }
            return p1 == 0x7F && p2 == 0x68 ? respond(CardLayout.MSFT_7F68, ne)
                    : sw(StatusWord.REFERENCE_DATA_NOT_FOUND);
        default:
            return cacInstruction(a, ins, b, p1, p2, dataOff, nc, ne);
        }
    }

    private byte[] cacInstruction(Applet a, int ins, byte[] b, int p1, int p2, int dataOff, int nc, int ne) {
        switch (ins) {
        case INS_GET_PROPERTIES:
            return getProperties(a, b, p1, p2, dataOff, nc, ne);
        case INS_READ_BUFFER:
            if (a.kind == Applet.Kind.ACA) {
                return sw(StatusWord.INS_NOT_SUPPORTED);
            }
            return readBuffer(a, b, p1, p2, dataOff, nc, ne);
        case INS_UPDATE_BUFFER:
            switch (a.kind) {
            case ACA:
                return sw(StatusWord.INS_NOT_SUPPORTED);
            case PKI:
                return sw(StatusWord.CONDITIONS_NOT_SATISFIED);
            default:
                return sw(StatusWord.COMMAND_NOT_ALLOWED);
            }
        case INS_SIGN_DECRYPT:
            if (a.kind != Applet.Kind.PKI) {
                return sw(StatusWord.INS_NOT_SUPPORTED);
            }
            return signDecrypt(a, b, p1, p2, dataOff, nc, ne);
        case INS_GET_ACR:
            if (a.kind != Applet.Kind.ACA) {
                return sw(StatusWord.INS_NOT_SUPPORTED);
            }
            return getAcr(b, p1, p2, dataOff, nc, ne);
        default:
            return sw(StatusWord.INS_NOT_SUPPORTED);
        }
    }

    // ISO 7816-4 §11.1.1 SELECT
    private byte[] select(byte[] b, int p1, int p2, int dataOff, int nc, int ne) {
        if (p1 == 0x02) {
            // CAC: select an object by its 2-byte ID inside the current applet
            Applet a = current;
            if (a == null || !a.isCac()) {
                return sw(StatusWord.FUNCTION_NOT_SUPPORTED);
            }
            if (nc != 2) {
                return sw(StatusWord.REFERENCE_DATA_NOT_USABLE);
            }
            return a.hasCoid(b, dataOff) ? SW_9000.clone() : sw(StatusWord.FILE_NOT_FOUND);
        }
        if (p1 != 0x04) {
            return sw(StatusWord.FUNCTION_NOT_SUPPORTED);
        }
        if (p2 != 0x00 && p2 != 0x0C) {
            return sw(StatusWord.INCORRECT_P1P2);
        }
        Applet found = null;
        for (Applet a : layout.applets) {
            if (a.aid.length == nc && Arrays.equals(a.aid, 0, nc, b, dataOff, dataOff + nc)) {
                found = a;
                break;
            }
        }
        if (found == null) {
            current = null; // as libcacard: a failed SELECT leaves no applet selected
            signBuffer = null;
            return sw(StatusWord.FILE_NOT_FOUND);
        }
        current = found;
        signBuffer = null;
        signLength = 0;
        if (p2 == 0x0C) {
            return SW_9000.clone(); // differs: ISO "no response data"; libcacard returns the FCI anyway
        }
        return respond(found.fci, ne);
    }

    // ISO 7816-4 §7.6.1 GET RESPONSE
    private byte[] getResponse(int p1, int p2, int ne) {
        if (pending == null) {
            return sw(StatusWord.REFERENCE_DATA_NOT_FOUND);
        }
        if (p1 != 0 || p2 != 0) {
            pending = null;
            return sw(StatusWord.INCORRECT_P1P2);
        }
        if (ne == 0) {
            return sw(StatusWord.WRONG_LENGTH);
        }
        int remaining = pending.length - pendingOffset;
        int n = Math.min(ne, remaining);
        byte[] r = new byte[n + 2];
        System.arraycopy(pending, pendingOffset, r, 0, n);
        pendingOffset += n;
        int rest = remaining - n;
        if (rest > 0) {
            r[n] = 0x61;
            r[n + 1] = (byte) Math.min(rest, 256); // 256 and more: 00
        } else {
            pending = null;
            r[n] = (byte) 0x90;
        }
        return r;
    }

    // ISO 7816-4 §11.5.6 VERIFY, reference 00 (the card PIN)
    private byte[] verify(byte[] b, int p1, int p2, int dataOff, int nc) {
        if (p1 != 0 || p2 != 0) {
            return sw(StatusWord.INCORRECT_P1P2); // differs: libcacard 6A00
        }
        if (nc == 0) {
            if (verified) {
                return SW_9000.clone();
            }
            return state.isBlocked() ? sw(StatusWord.AUTH_METHOD_BLOCKED)
                    : sw(StatusWord.VERIFY_FAILED_00 | state.triesLeft());
        }
        verified = false;
        if (state.isBlocked()) {
            return sw(StatusWord.AUTH_METHOD_BLOCKED);
        }
        int pinLen = stripPadding(b, dataOff, nc);
        if (pinLen < 0 || nc > 8) {
            return sw(StatusWord.WRONG_DATA);
        }
        return checkPin(b, dataOff, pinLen);
    }

    private byte[] checkPin(byte[] b, int off, int len) {
        try {
            if (state.verify(b, off, len)) {
                verified = true;
                return SW_9000.clone();
            }
        } catch (IOException e) {
            failure.stateNotWritten(e);
            return sw(StatusWord.MEMORY_FAILURE);
        }
        return sw(StatusWord.VERIFY_FAILED_00 | state.triesLeft()); // 63C0 on the try that blocks, then 6983
    }

    // ISO 7816-4 §11.5.7 CHANGE REFERENCE DATA: P1=00 old||new (8 bytes each, FF-padded); P1=01 new only, after VERIFY
    private byte[] changeReferenceData(byte[] b, int p1, int p2, int dataOff, int nc) {
        if (p2 != 0 || p1 > 1) {
            return sw(StatusWord.INCORRECT_P1P2);
        }
        if (state.isBlocked()) {
            return sw(StatusWord.AUTH_METHOD_BLOCKED);
        }
        int newOff;
        int newLen;
        if (p1 == 0) {
            if (nc != 16) {
                return sw(StatusWord.WRONG_DATA);
            }
            int oldLen = stripPadding(b, dataOff, 8);
            newOff = dataOff + 8;
            newLen = stripPadding(b, newOff, 8);
            if (oldLen < 0 || newLen < 0 || !CardState.isValidPin(b, newOff, newLen)) {
                return sw(StatusWord.WRONG_DATA);
            }
            byte[] r = checkPin(b, dataOff, oldLen);
            if (StatusWord.of(r) != StatusWord.SUCCESS) {
                verified = false;
                return r;
            }
        } else {
            if (!verified) {
                return sw(StatusWord.SECURITY_STATUS_NOT_SATISFIED);
            }
            if (nc != 8) {
                return sw(StatusWord.WRONG_DATA);
            }
            newOff = dataOff;
            newLen = stripPadding(b, newOff, 8);
            if (newLen < 0 || !CardState.isValidPin(b, newOff, newLen)) {
                return sw(StatusWord.WRONG_DATA);
            }
        }
        try {
            state.changePin(b, newOff, newLen);
        } catch (IOException e) {
            failure.stateNotWritten(e);
            return sw(StatusWord.MEMORY_FAILURE);
        }
        verified = true;
        return SW_9000.clone();
    }

    /** PIN length without trailing FF padding, or -1 when a non-digit remains. */
    private static int stripPadding(byte[] b, int off, int len) {
        int n = len;
        while (n > 0 && b[off + n - 1] == (byte) 0xFF) {
            n--;
        }
        for (int i = 0; i < n; i++) {
            if (b[off + i] < '0' || b[off + i] > '9') {
                return -1;
            }
        }
        return n;
    }

    // ISO 7816-4 §11.5.3 GET CHALLENGE: exactly 8 bytes (what OpenSC's cac driver asks for)
    private byte[] getChallenge(int p1, int p2, int nc, int ne) {
        if (p1 != 0 || p2 != 0) {
            return sw(StatusWord.INCORRECT_P1P2);
        }
        if (nc != 0) {
            return sw(StatusWord.WRONG_LENGTH);
        }
        if (ne != 8) {
            return sw(StatusWord.WRONG_LE_00 | 8);
        }
        byte[] r = new byte[10];
        byte[] rnd = new byte[8];
        random.nextBytes(rnd);
        System.arraycopy(rnd, 0, r, 0, 8);
        r[8] = (byte) 0x90;
        return r;
    }

    // CAC 5.3.3.4 GET PROPERTIES
    private byte[] getProperties(Applet a, byte[] b, int p1, int p2, int dataOff, int nc, int ne) {
        if (p2 != 0) {
            return sw(StatusWord.INCORRECT_P1P2);
        }
        byte[] props;
        switch (p1) {
        case 0x01:
            if (nc != 0) {
                return sw(StatusWord.REFERENCE_DATA_NOT_USABLE);
            }
            props = a.properties;
            break;
        case 0x02:
            if (nc == 0) {
                return sw(StatusWord.REFERENCE_DATA_NOT_USABLE);
            }
            props = selectedProperties(a.properties, b, dataOff, nc);
            if (props == null) {
                return sw(StatusWord.REFERENCE_DATA_NOT_FOUND);
            }
            break;
        case 0x40:
            props = a.longProperties;
            break;
        default:
            return sw(StatusWord.INCORRECT_P1P2); // includes P1=00, the GSC-IS v2.0 form
        }
        if (ne > props.length) {
            return sw(StatusWord.WRONG_LE_00 | props.length); // 6Cxx: Le too long, here is the exact length
        }
        return respond(props, ne);
    }

    /** The top-level members of {@code props} whose tags are listed, in list order; null if one is missing. */
    private static byte[] selectedProperties(byte[] props, byte[] b, int off, int n) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < n; i++) {
            int tag = b[off + i] & 0xFF;
            boolean found = false;
            for (int p = 0; p + 1 < props.length;) {
                int t = props[p] & 0xFF;
                int l = props[p + 1] & 0xFF; // properties never use the 3-byte length form
                if (t == tag) {
                    out.write(props, p, 2 + l);
                    found = true;
                    break;
                }
                p += 2 + l;
            }
            if (!found) {
                return null;
            }
        }
        return out.toByteArray();
    }

    // CAC 5.3.3.2 READ BUFFER: data = buffer type (01 T, 02 V) and count; P1P2 = offset
    private byte[] readBuffer(Applet a, byte[] b, int p1, int p2, int dataOff, int nc, int ne) {
        if (nc != 2) {
            return sw(StatusWord.REFERENCE_DATA_NOT_USABLE);
        }
        byte[] buf;
        switch (b[dataOff]) {
        case 0x01:
            buf = a.tagBuffer;
            break;
        case 0x02:
            buf = a.valueBuffer;
            break;
        default:
            return sw(StatusWord.REFERENCE_DATA_NOT_USABLE);
        }
        int offset = p1 << 8 | p2;
        if (offset > buf.length) {
            return sw(StatusWord.INCORRECT_P1P2);
        }
        int n = Math.min(b[dataOff + 1] & 0xFF, buf.length - offset);
        return respond(buf, offset, n, ne);
    }

    // CAC 5.3.3.3 SIGN/DECRYPT: P1=80 more to come, P1=00 last block; total = modulus length; raw RSA
    private byte[] signDecrypt(Applet a, byte[] b, int p1, int p2, int dataOff, int nc, int ne) {
        if (p2 != 0 || p1 != 0x00 && p1 != 0x80) {
            return sw(StatusWord.INCORRECT_P1P2);
        }
        int k = a.keyIndex;
        int size = keys.modulusBytes(k);
        if (signBuffer == null) {
            signBuffer = new byte[size];
            signLength = 0;
        }
        if (signLength + nc > size) {
            signBuffer = null;
            return sw(StatusWord.REFERENCE_DATA_NOT_USABLE);
        }
        System.arraycopy(b, dataOff, signBuffer, signLength, nc);
        signLength += nc;
        if (p1 == 0x80) {
            return SW_9000.clone();
        }
        byte[] in = signBuffer;
        int inLen = signLength;
        signBuffer = null;
        signLength = 0;
        if (inLen != size) {
            return sw(StatusWord.REFERENCE_DATA_NOT_USABLE);
        }
        if (!verified) {
            return sw(StatusWord.SECURITY_STATUS_NOT_SATISFIED); // differs: libcacard (NSS) answers 6985
        }
        byte[] out;
        try {
            out = keys.rawRsa(k, in, 0, inLen);
        } catch (GeneralSecurityException e) {
            return sw(StatusWord.REFERENCE_DATA_NOT_USABLE); // input not below the modulus
        }
        if (out.length < size) { // keep the result modulus-sized
            byte[] padded = new byte[size];
            System.arraycopy(out, 0, padded, size - out.length, out.length);
            out = padded;
        }
        return respond(out, ne);
    }

    // CAC 5.3.3.5 GET ACR
    private byte[] getAcr(byte[] b, int p1, int p2, int dataOff, int nc, int ne) {
        if (p2 != 0) {
            return sw(StatusWord.INCORRECT_P1P2);
        }
        byte[] table;
        switch (p1) {
        case 0x00:
            table = layout.acrTable;
            break;
        case 0x10:
            table = layout.appletObjectTable;
            break;
        case 0x20:
            table = layout.ampTable;
            break;
        case 0x21:
            table = layout.serviceTable;
            break;
        default:
            return sw(StatusWord.INCORRECT_P1P2); // differs: libcacard also serves lookups (01, 11, 12) and 4x
        }
        if (nc != 0) {
            return sw(StatusWord.REFERENCE_DATA_NOT_USABLE);
        }
        return respond(table, ne);
    }

    // GlobalPlatform GET DATA: CPLC (9F7F) and card recognition data (0066)
    private byte[] gpGetData(int p1, int p2, int ne) {
        int tag = p1 << 8 | p2;
        if (tag == 0x9F7F) {
            return respond(layout.cplc, ne);
        }
        if (tag == 0x0066) {
            return respond(CardLayout.GP_CARD_RECOGNITION_DATA, ne);
        }
        return sw(StatusWord.REFERENCE_DATA_NOT_FOUND);
    }

    private byte[] respond(byte[] data, int ne) {
        return respond(data, 0, data.length, ne);
    }

    /**
     * libcacard's sizing (3.5): data that does not fit Ne (Ne 0 when Le is absent) is kept for GET RESPONSE and
     * announced with 61xx; otherwise data + 9000.
     */
    private byte[] respond(byte[] data, int off, int len, int ne) {
        if (len > ne) {
            pending = Arrays.copyOfRange(data, off, off + len);
            pendingOffset = 0;
            return new byte[] { 0x61, (byte) (len > 255 ? 0 : len) };
        }
        byte[] r = new byte[len + 2];
        System.arraycopy(data, off, r, 0, len);
        r[len] = (byte) 0x90;
        return r;
    }

    private static byte[] sw(int sw) {
        return new byte[] { (byte) (sw >>> 8), (byte) sw };
    }
}
