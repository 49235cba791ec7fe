package org.vccid.transport.vsc.internal;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;

import org.vccid.card.Card;
import org.vccid.card.CardException;
import org.vccid.iso7816.Hex;

/**
 * A tiny test card: answers every command with its data field reversed followed by 90 00; INS 0xCA (GET DATA)
 * answers its own call count. ATR hard-coded (ISO 7816-3 T=1 with TCK, historical bytes "vccidVSC").
 */
public final class TestCard implements Card {

    /** 3B 88 80 01 'vccidVSC' TCK: TD1 80 (-> TD2), TD2 01 (T=1), 8 historical bytes, TCK 34. */
    public static final byte[] ATR = Hex.decode("3B888001766363696456534334");
    /** The same ATR cut after 3 historical bytes: QEMU refuses it ("atr too short"). */
    public static final byte[] TRUNCATED_ATR = Hex.decode("3B88800176636369");

    private final byte[] atr;
    private final boolean nonBlocking;
    public final AtomicInteger transmits = new AtomicInteger();
    public final AtomicInteger powerOns = new AtomicInteger();
    public final AtomicInteger powerOffs = new AtomicInteger();
    public volatile boolean mute;
    /** Milliseconds each transmit takes (a slow card). */
    public volatile long delayMillis;
    /** When set, transmit waits for it (a card stuck in an operation). */
    public volatile java.util.concurrent.CountDownLatch block;

    public TestCard(byte[] atr, boolean nonBlocking) {
        this.atr = atr.clone();
        this.nonBlocking = nonBlocking;
    }

    public TestCard() {
        this(ATR, true);
    }

    @Override
    public byte[] atr() {
        return atr.clone();
    }

    @Override
    public byte[] powerOn() {
        powerOns.incrementAndGet();
        return atr.clone();
    }

    @Override
    public void powerOff() {
        powerOffs.incrementAndGet();
    }

    @Override
    public byte[] transmit(byte[] buffer, int offset, int length) throws CardException {
        int n = transmits.incrementAndGet();
        try {
            if (delayMillis > 0) {
                Thread.sleep(delayMillis);
            }
            java.util.concurrent.CountDownLatch b = block;
            if (b != null) {
                b.await();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CardException("interrupted");
        }
        if (mute) {
            throw new CardException("test card is mute");
        }
        if (length >= 2 && buffer[offset + 1] == (byte) 0xCA) {
            return new byte[] { (byte) (n >> 8), (byte) n, (byte) 0x90, 0 };
        }
        int lc = length > 5 ? buffer[offset + 4] & 0xFF : 0;
        byte[] r = new byte[lc + 2];
        for (int i = 0; i < lc; i++) {
            r[i] = buffer[offset + 5 + lc - 1 - i];
        }
        r[lc] = (byte) 0x90;
        return r;
    }

    @Override
    public boolean isNonBlocking() {
        return nonBlocking;
    }

    @Override
    public String toString() {
        return "TestCard" + Arrays.toString(atr);
    }
}
