package org.vccid.conformance.internal.card;

import java.security.SecureRandom;
import java.util.Arrays;

import org.vccid.card.Card;
import org.vccid.iso7816.Atr;
import org.vccid.iso7816.CommandApdu;
import org.vccid.iso7816.StatusWord;

/**
 * The reference card of the conformance suite: a test fixture shipped with the suite, NOT a product personality.
 * Deliberately simple and deterministic (except GET CHALLENGE, which vectors mask), so that ISO 7816 vectors know
 * every answer. Commands (the README lists them with examples):
 * <ul>
 * <li>{@code 00 A4 04 00 Lc <AID> [Le]} SELECT by name: {@link #AID} gives 90 00, another name 6A 82, other P1 P2
 * 6A 86</li>
 * <li>{@code 00 84 00 00 Le} GET CHALLENGE: Le random bytes (00 = 256), 90 00</li>
 * <li>{@code 80 EE 00 00 Lc <data> [Le]} ECHO (short or extended): the data, 90 00</li>
 * <li>{@code 80 B0 P1 P2 [Le]} RESPOND: P1P2 bytes 00 01 02 ... (modulo 256), 90 00, whatever Le says</li>
 * <li>{@code 80 5A SW1 SW2} STATUS: answers SW1 SW2 alone</li>
 * <li>{@code 80 5E P1 P2} SLOW: waits P1P2 x 10 ms, then 90 00</li>
 * <li>a malformed APDU: 67 00; another CLA: 6E 00; another INS: 6D 00</li>
 * </ul>
 * ATR: direct convention, T=0 and T=1 offered (T=0 first, so the default), historical bytes "vccid".
 */
public final class ConformanceCard implements Card {

    /** The card's application name for SELECT: F0 (proprietary RID) followed by "vccid". */
    public static final byte[] AID = { (byte) 0xF0, 0x76, 0x63, 0x63, 0x69, 0x64 };

    /** The ATR: 3B 85 80 01 76 63 63 69 64 TCK (built and checked by ccid.core's Atr builder). */
    public static final byte[] ATR = Atr.builder().protocols(0, 1).historicalBytes(new byte[] { 0x76, 0x63, 0x63,
            0x69, 0x64 }).build().bytes();

    private final SecureRandom random = new SecureRandom();
    private volatile boolean powered;

    @Override
    public byte[] atr() {
        return ATR.clone();
    }

    @Override
    public byte[] powerOn() {
        powered = true;
        return ATR.clone();
    }

    @Override
    public void powerOff() {
        powered = false;
    }

    /** Whether the card is powered (for tests). */
    public boolean isPowered() {
        return powered;
    }

    @Override
    public byte[] transmit(byte[] b, int off, int len) {
        if (CommandApdu.check(b, off, len) != null) {
            return sw(StatusWord.WRONG_LENGTH);
        }
        CommandApdu c = CommandApdu.parse(b, off, len);
        if (c.cla() == 0x00) {
            switch (c.ins()) {
            case 0xA4:
                if (c.p1() != 0x04 || c.p2() != 0x00) {
                    return sw(StatusWord.INCORRECT_P1P2);
                }
                return sw(Arrays.equals(c.data(), AID) ? StatusWord.SUCCESS : StatusWord.FILE_NOT_FOUND);
            case 0x84:
                if (c.nc() != 0 || c.ne() == 0 || c.ne() > 256) {
                    return sw(StatusWord.WRONG_LENGTH);
                }
                byte[] r = new byte[c.ne() + 2];
                byte[] challenge = new byte[c.ne()];
                random.nextBytes(challenge);
                System.arraycopy(challenge, 0, r, 0, challenge.length);
                r[r.length - 2] = (byte) 0x90;
                return r;
            default:
                return sw(StatusWord.INS_NOT_SUPPORTED);
            }
        }
        if (c.cla() == 0x80) {
            switch (c.ins()) {
            case 0xEE:
                return StatusWord.response(c.data(), StatusWord.SUCCESS);
            case 0xB0: {
                int n = c.p1() << 8 | c.p2();
                byte[] r = new byte[n + 2];
                for (int i = 0; i < n; i++) {
                    r[i] = (byte) i;
                }
                r[n] = (byte) 0x90;
                return r;
            }
            case 0x5A:
                return new byte[] { (byte) c.p1(), (byte) c.p2() };
            case 0x5E:
                try {
                    Thread.sleep((c.p1() << 8 | c.p2()) * 10L);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return sw(StatusWord.SUCCESS);
            default:
                return sw(StatusWord.INS_NOT_SUPPORTED);
            }
        }
        return sw(StatusWord.CLA_NOT_SUPPORTED);
    }

    private static byte[] sw(int sw) {
        return StatusWord.toBytes(sw);
    }

    @Override
    public String toString() {
        return "ConformanceCard";
    }
}
