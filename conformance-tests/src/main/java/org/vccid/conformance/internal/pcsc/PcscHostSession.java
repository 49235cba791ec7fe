package org.vccid.conformance.internal.pcsc;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

import org.vccid.conformance.target.TargetSession;

/**
 * A conformance host that is a PC/SC application: the vector's card steps go to pcscd, one PC/SC reader per slot
 * ({@link org.vccid.conformance.target.Target.Feature#APDU}).
 *
 * <ul>
 * <li>{@code power-on}: SCardConnect (shared, the target's protocols) and the ATR from SCardStatus; a second
 * power-on without power-off first disconnects with SCARD_UNPOWER_CARD (a cold reset).</li>
 * <li>{@code apdu}: SCardTransmit of the vector's bytes, unchanged, with the protocol the connect negotiated; the
 * answer as pcscd returned it (no GET RESPONSE, no re-issue on 6Cxx: see {@link Winscard} for why not
 * javax.smartcardio's channel).</li>
 * <li>{@code power-off}: SCardDisconnect with SCARD_UNPOWER_CARD.</li>
 * <li>{@code insert} / {@code remove}: the target's {@link SlotWiring} puts a card in or takes it out on the
 * transport's side; then the session waits until PC/SC reports the reader's card present / absent (a deadline,
 * polled; pcscd itself polls its drivers about every 400 ms).</li>
 * </ul>
 *
 * Calls come from one thread (the runner's).
 */
public final class PcscHostSession implements TargetSession {

    /** How a target puts cards in and takes them out of the readers PC/SC shows. */
    public interface SlotWiring {
        /** Put a fresh card of the run into the slot. */
        void insert(int slot) throws Exception;

        /** Take the slot's card out. */
        void remove(int slot) throws Exception;

        /** Take out every card still in (the session ends). */
        void close();
    }

    private final Winscard pc;
    private final long context;
    private final List<String> readers;
    private final SlotWiring wiring;
    private final int protocols;
    private final long presenceTimeoutMillis;
    private final long[] cards;
    private final int[] protocol;
    private final BitSet filled = new BitSet();
    /** What happened on the PC/SC side, for the report of a failed vector. */
    private final List<String> log = new ArrayList<>();

    /**
     * @param pc PC/SC
     * @param context a PC/SC context of the caller's (the session does not release it)
     * @param readers the PC/SC reader name of each slot
     * @param wiring inserts and removes cards
     * @param protocols SCARD_PROTOCOL_T0 and/or SCARD_PROTOCOL_T1 for SCardConnect
     * @param presenceTimeoutMillis how long insert / remove wait for PC/SC to see the change
     */
    public PcscHostSession(Winscard pc, long context, List<String> readers, SlotWiring wiring, int protocols,
            long presenceTimeoutMillis) {
        this.pc = pc;
        this.context = context;
        this.readers = List.copyOf(readers);
        this.wiring = wiring;
        this.protocols = protocols;
        this.presenceTimeoutMillis = presenceTimeoutMillis;
        this.cards = new long[readers.size()];
        this.protocol = new int[readers.size()];
    }

    private String reader(int slot) {
        if (slot < 0 || slot >= readers.size()) {
            throw new IllegalArgumentException("no slot " + slot + " (this host has " + readers.size() + ")");
        }
        return readers.get(slot);
    }

    @Override
    public void insert(int slot) throws Exception {
        String r = reader(slot);
        wiring.insert(slot);
        filled.set(slot);
        await(slot, r, true);
    }

    @Override
    public void remove(int slot) throws Exception {
        String r = reader(slot);
        drop(slot, Winscard.SCARD_LEAVE_CARD);
        wiring.remove(slot);
        filled.clear(slot);
        await(slot, r, false);
    }

    @Override
    public byte[] powerOn(int slot) throws Exception {
        String r = reader(slot);
        drop(slot, Winscard.SCARD_UNPOWER_CARD);
        long card = pc.connect(context, r, Winscard.SCARD_SHARE_SHARED, protocols);
        cards[slot] = card;
        byte[] sp = new byte[2];
        byte[] atr = pc.status(card, sp);
        protocol[slot] = sp[1];
        log.add("slot " + slot + ": connected to \"" + r + "\", protocol T=" + (sp[1] == Winscard.SCARD_PROTOCOL_T1
                ? "1" : sp[1] == Winscard.SCARD_PROTOCOL_T0 ? "0" : "? (" + sp[1] + ")"));
        return atr;
    }

    @Override
    public void powerOff(int slot) throws Exception {
        reader(slot);
        if (cards[slot] == 0) {
            throw new IllegalStateException("slot " + slot + " is not powered on (no connection)");
        }
        long card = cards[slot];
        cards[slot] = 0;
        pc.disconnect(card, Winscard.SCARD_UNPOWER_CARD);
    }

    @Override
    public byte[] transmit(int slot, byte[] apdu) throws Exception {
        reader(slot);
        if (cards[slot] == 0) {
            throw new IllegalStateException("slot " + slot + " is not powered on (no power-on step)");
        }
        return pc.transmit(cards[slot], protocol[slot], apdu);
    }

    /** The protocol SCardConnect negotiated for a powered slot (SCARD_PROTOCOL_T0 / _T1), 0 if none. */
    public int protocol(int slot) {
        return cards[slot] == 0 ? 0 : protocol[slot];
    }

    /** What the session did on the PC/SC side (connections and protocols). */
    public List<String> log() {
        return List.copyOf(log);
    }

    private void drop(int slot, int disposition) {
        long card = cards[slot];
        cards[slot] = 0;
        if (card != 0) {
            try {
                pc.disconnect(card, disposition);
            } catch (Winscard.PcscError e) {
                log.add("slot " + slot + ": " + e.getMessage()); // the card may be gone already
            }
        }
    }

    private void await(int slot, String reader, boolean present) throws Exception {
        long deadline = System.nanoTime() + presenceTimeoutMillis * 1_000_000L;
        int state = 0;
        while (true) {
            state = pc.state(context, reader);
            boolean in = (state & Winscard.SCARD_STATE_PRESENT) != 0;
            boolean out = (state & Winscard.SCARD_STATE_EMPTY) != 0;
            if (present ? in && (state & Winscard.SCARD_STATE_MUTE) == 0 : out) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("PC/SC did not see the card " + (present ? "inserted into" : "removed from")
                        + " slot " + slot + " (\"" + reader + "\") within " + presenceTimeoutMillis
                        + " ms; reader state 0x" + Integer.toHexString(state));
            }
            Thread.sleep(20);
        }
    }

    @Override
    public void close() {
        for (int i = 0; i < cards.length; i++) {
            drop(i, Winscard.SCARD_UNPOWER_CARD);
        }
        BitSet had = (BitSet) filled.clone();
        filled.clear();
        wiring.close();
        // the next session expects empty readers: wait until PC/SC agrees (best effort; it is reported otherwise)
        for (int i = had.nextSetBit(0); i >= 0; i = had.nextSetBit(i + 1)) {
            try {
                await(i, readers.get(i), false);
            } catch (Exception e) {
                System.err.println("pcsc host: " + e.getMessage());
            }
        }
    }
}
