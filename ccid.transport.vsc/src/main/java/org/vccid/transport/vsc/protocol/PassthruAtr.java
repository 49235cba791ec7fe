package org.vccid.transport.vsc.protocol;

/**
 * Predicts whether QEMU's {@code ccid-card-passthru} accepts an ATR sent in VSC_ATR (its {@code check_atr}; measured
 * against QEMU 7.2 on this machine). QEMU takes an ATR of 2..40 bytes whose TS is 3B or 3F and which is at least as
 * long as T0 and the first two TD bytes announce; extra bytes (a TCK, more interface bytes) are let through. A T=1
 * ATR without its TCK is therefore <em>accepted</em>; a truncated one is refused.
 *
 * <p>QEMU's walk has a quirk this class reproduces: after a TD byte it reads the next Y nibble from the byte
 * <em>after</em> that TD byte, and it walks at most two rounds, repeating the last Y when it had no TD bit (so TA1 alone may be counted twice).
 */
public final class PassthruAtr {

    private PassthruAtr() {
    }

    /** Whether QEMU would store this ATR and report the card inserted. */
    public static boolean accepts(byte[] atr) {
        return problem(atr) == null;
    }

    /** Why QEMU would refuse the ATR, or null when it accepts it. */
    public static String problem(byte[] atr) {
        int len = atr.length;
        if (len > Vsc.PASSTHRU_MAX_ATR) {
            return "ATR of " + len + " bytes, QEMU takes at most " + Vsc.PASSTHRU_MAX_ATR;
        }
        if (len < 2) {
            return "ATR of " + len + " bytes, need TS and T0";
        }
        int ts = atr[0] & 0xFF;
        if (ts != 0x3B && ts != 0x3F) {
            return String.format("TS 0x%02X, QEMU takes 3B or 3F", ts);
        }
        int historical = atr[1] & 0x0F;
        int interfaceBytes = 0;
        int y = (atr[1] & 0xF0) >>> 4;
        int rounds = 0;
        while (y != 0 && rounds < 2 && interfaceBytes + historical + 2 < len) {
            rounds++;
            interfaceBytes += Integer.bitCount(y & 0x7);
            if ((y & 0x8) != 0) {
                interfaceBytes++;
                int next = interfaceBytes + 2; // QEMU's index: one past the TD byte it just counted
                y = next < len ? (atr[next] & 0xF0) >>> 4 : 0;
            }
            // without a TD byte QEMU keeps the same Y and may count its bytes a second time
        }
        if (len < 2 + historical + interfaceBytes) {
            return "ATR of " + len + " bytes too short for " + historical + " historical and " + interfaceBytes
                    + " interface bytes";
        }
        return null;
    }
}
