package org.vccid.testcard;

import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import org.vccid.card.Card;
import org.vccid.card.CardException;
import org.vccid.iso7816.CommandApdu;
import org.vccid.iso7816.Hex;
import org.vccid.iso7816.StatusWord;

/**
 * A minimal card for engine tests (test scope only, never shipped). Commands:
 * <ul>
 * <li>{@code 00 A4 ...} SELECT: 90 00</li>
 * <li>{@code 00 84 00 00 Le} GET CHALLENGE: Le bytes 0, 1, 2, ... then 90 00</li>
 * <li>{@code 80 EE 00 00 Lc data [Le]} ECHO: the data back, 90 00</li>
 * <li>{@code 80 B0 P1 P2} RESPOND: P1P2 bytes (i &amp; 0xFF) then 90 00</li>
 * <li>{@code 80 5E 00 00} SLOW: waits for {@link #release()} (or {@link #slowMillis}), then 90 00</li>
 * <li>{@code 80 01 00 00} BROKEN: answers one byte (no status word)</li>
 * <li>{@code 80 02 00 00} MUTE: throws CardException</li>
 * <li>anything else: 6D 00; a malformed APDU: 67 00</li>
 * </ul>
 */
public class TestCard implements Card {

    public static final byte[] ATR_T0 = Hex.decode("3B 02 14 50");
    /** T=1 only, IFSC 254, BWI 4 CWI 5, LRC (from libccid-serial.md). */
    public static final byte[] ATR_T1 = Hex.decode("3B 88 81 31 FE 45 45 4D 55 2D 54 31 43 44 91");

    private final byte[] atr;
    private final boolean nonBlocking;
    public volatile long slowMillis = 10_000;
    public volatile CountDownLatch slowGate = new CountDownLatch(1);
    public final AtomicInteger powerOns = new AtomicInteger();
    public final AtomicInteger powerOffs = new AtomicInteger();
    public final AtomicInteger commands = new AtomicInteger();
    private volatile boolean powered;

    public TestCard(byte[] atr, boolean nonBlocking) {
        this.atr = atr.clone();
        this.nonBlocking = nonBlocking;
    }

    /** A non-blocking T=0 card. */
    public TestCard() {
        this(ATR_T0, true);
    }

    /** Let a SLOW command finish. */
    public void release() {
        slowGate.countDown();
    }

    public boolean isPowered() {
        return powered;
    }

    @Override
    public byte[] atr() {
        return atr.clone();
    }

    @Override
    public byte[] powerOn() {
        powerOns.incrementAndGet();
        powered = true;
        return atr.clone();
    }

    @Override
    public void powerOff() {
        powerOffs.incrementAndGet();
        powered = false;
    }

    @Override
    public boolean isNonBlocking() {
        return nonBlocking;
    }

    @Override
    public byte[] transmit(byte[] b, int off, int len) throws CardException {
        commands.incrementAndGet();
        if (CommandApdu.check(b, off, len) != null) {
            return StatusWord.toBytes(StatusWord.WRONG_LENGTH);
        }
        int cla = b[off] & 0xFF;
        int ins = b[off + 1] & 0xFF;
        if (ins == 0xA4) {
            return StatusWord.toBytes(StatusWord.SUCCESS);
        }
        if (ins == 0x84 && len == 5) {
            int le = b[off + 4] & 0xFF;
            return counting(le == 0 ? 256 : le);
        }
        if (cla == 0x80) {
            switch (ins) {
            case 0xEE:
                return StatusWord.response(CommandApdu.parse(b, off, len).data(), StatusWord.SUCCESS);
            case 0xB0:
                return counting((b[off + 2] & 0xFF) << 8 | b[off + 3] & 0xFF);
            case 0x5E:
                try {
                    slowGate.await(slowMillis, java.util.concurrent.TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return StatusWord.toBytes(StatusWord.SUCCESS);
            case 0x01:
                return new byte[] { 0x42 };
            case 0x02:
                throw new CardException("test card told to be mute");
            default:
                break;
            }
        }
        return StatusWord.toBytes(StatusWord.INS_NOT_SUPPORTED);
    }

    private static byte[] counting(int n) {
        byte[] r = new byte[n + 2];
        for (int i = 0; i < n; i++) {
            r[i] = (byte) i;
        }
        r[n] = (byte) 0x90;
        return r;
    }

    @Override
    public String toString() {
        return "TestCard" + Arrays.toString(new int[] { powerOns.get(), commands.get() });
    }
}
