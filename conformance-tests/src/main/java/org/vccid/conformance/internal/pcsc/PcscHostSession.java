package org.vccid.conformance.internal.pcsc;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.vccid.card.Card;
import org.vccid.conformance.target.CardSource;
import org.vccid.conformance.target.TargetSession;
import org.vccid.pcsc.Pcsc;
import org.vccid.pcsc.PcscException;

/**
 * A conformance host that is a PC/SC application: the vector's card steps go to pcscd, one PC/SC reader per slot
 * ({@link org.vccid.conformance.target.Target.Feature#APDU}).
 *
 * <ul>
 * <li>{@code power-on}: SCardConnect (shared, the target's protocols) and the ATR from SCardStatus; a second
 * power-on without power-off first disconnects with SCARD_UNPOWER_CARD (a cold reset).</li>
 * <li>{@code apdu}: SCardTransmit of the vector's bytes, unchanged, with the protocol the connect negotiated; the
 * answer as pcscd returned it (no GET RESPONSE, no re-issue on 6Cxx: see {@link org.vccid.pcsc.JdkPcsc} for why not
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

    /**
     * The cards in the slots of the readers PC/SC shows: a fresh card of the run for each insert, given back on
     * remove, every card still in taken out when the session ends. Only how a card reaches a slot differs between
     * targets: that is the {@link Connector}.
     */
    public static final class SlotWiring {

        /** How a target puts a card into a slot on the transport's side. */
        @FunctionalInterface
        public interface Connector {
            /** Puts the card into the slot; closing the result takes it out again. */
            AutoCloseable connect(int slot, Card card) throws Exception;
        }

        private record Inserted(Card card, AutoCloseable connection) {
        }

        private final String target;
        private final CardSource cards;
        private final Connector connector;
        private final Map<Integer, Inserted> in = new HashMap<>();

        /** @param target the target's name, for what {@link #close()} reports */
        public SlotWiring(String target, CardSource cards, Connector connector) {
            this.target = target;
            this.cards = cards;
            this.connector = connector;
        }

        /** Put a fresh card of the run into the slot. */
        void insert(int slot) throws Exception {
            if (in.containsKey(slot)) {
                throw new IllegalStateException("slot " + slot + " already holds a card");
            }
            Card c = cards.newCard();
            AutoCloseable connection;
            try {
                connection = connector.connect(slot, c);
            } catch (Exception | Error e) {
                cards.release(c);
                throw e;
            }
            in.put(slot, new Inserted(c, connection));
        }

        /** Take the slot's card out. */
        void remove(int slot) throws Exception {
            Inserted i = in.remove(slot);
            if (i == null) {
                throw new IllegalStateException("slot " + slot + " holds no card");
            }
            try {
                i.connection.close();
            } finally {
                cards.release(i.card);
            }
        }

        /** Take out every card still in (the session ends). */
        void close() {
            for (Integer slot : Set.copyOf(in.keySet())) {
                try {
                    remove(slot);
                } catch (Exception e) {
                    System.err.println(target + " target: removing the card of slot " + slot + ": " + e);
                }
            }
        }
    }

    private final Pcsc pc;
    private final long context;
    private final List<String> readers;
    private final SlotWiring wiring;
    private final int protocols;
    private final long presenceTimeoutMillis;
    /** The reader exchanges TPDUs (libccid's serial readers): at T=0 the APDU to TPDU mapping is the host's. */
    private final boolean tpduReader;
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
     * @param tpduReader the reader exchanges TPDUs (then at T=0 this host maps APDUs as a T=0 application does);
     *        false for an APDU-level reader (vpcd), which passes every APDU to the card whole
     */
    public PcscHostSession(Pcsc pc, long context, List<String> readers, SlotWiring wiring, int protocols,
            long presenceTimeoutMillis, boolean tpduReader) {
        this.pc = pc;
        this.context = context;
        this.readers = List.copyOf(readers);
        this.wiring = wiring;
        this.protocols = protocols;
        this.presenceTimeoutMillis = presenceTimeoutMillis;
        this.tpduReader = tpduReader;
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
        drop(slot, Pcsc.SCARD_LEAVE_CARD);
        wiring.remove(slot);
        filled.clear(slot);
        await(slot, r, false);
    }

    @Override
    public byte[] powerOn(int slot) throws Exception {
        String r = reader(slot);
        drop(slot, Pcsc.SCARD_UNPOWER_CARD);
        long card = pc.connect(context, r, Pcsc.SCARD_SHARE_SHARED, protocols);
        cards[slot] = card;
        byte[] sp = new byte[2];
        byte[] atr = pc.status(card, sp);
        protocol[slot] = sp[1];
        log.add("slot " + slot + ": connected to \"" + r + "\", protocol T=" + (sp[1] == Pcsc.SCARD_PROTOCOL_T1
                ? "1" : sp[1] == Pcsc.SCARD_PROTOCOL_T0 ? "0" : "? (" + sp[1] + ")"));
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
        pc.disconnect(card, Pcsc.SCARD_UNPOWER_CARD);
    }

    @Override
    public byte[] transmit(int slot, byte[] apdu) throws Exception {
        reader(slot);
        if (cards[slot] == 0) {
            throw new IllegalStateException("slot " + slot + " is not powered on (no power-on step)");
        }
        if (!tpduReader) {
            return pc.transmit(cards[slot], protocol[slot], apdu, 0, apdu.length);
        }
        byte[] tpdu = t0Tpdu(protocol[slot], apdu);
        byte[] r = pc.transmit(cards[slot], protocol[slot], tpdu, 0, tpdu.length);
        String why = t0Procedure(protocol[slot], apdu, r);
        if (why != null) {
            throw new org.vccid.conformance.target.NotSupportedException(why);
        }
        return r;
    }

    /**
     * At T=0 a card answers an APDU with Le by the T=0 procedures when the data do not fit Le: 6Cxx (re-issue with
     * P3 = xx) or 61xx (fetch with GET RESPONSE), and ISO 7816-3 §12.2 leaves those exchanges to the host
     * application, so what the application finally sees depends on it (OpenSC and javax.smartcardio's channel both
     * complete them). The vectors are APDU level: such a step cannot be compared on this transport and is declined
     * with the reason. {@code null} when the answer stands as it is.
     */
    static String t0Procedure(int protocol, byte[] apdu, byte[] answer) {
        if (protocol != Pcsc.SCARD_PROTOCOL_T0 || answer.length != 2 || apdu.length < 5
                || apdu.length == 5 + (apdu[4] & 0xFF) && apdu[4] != 0) {
            return null; // not T=0, data came, or no Le (case 1 / 3: the SW is the card's final answer)
        }
        int sw1 = answer[0] & 0xFF;
        if (sw1 != 0x61 && sw1 != 0x6C) {
            return null;
        }
        return String.format("at T=0 the card answered %02X %02X to an APDU with Le: a T=0 host application completes "
                + "that with %s (ISO 7816-3 §12.2), so this APDU-level step cannot be compared through PC/SC at T=0",
                sw1, answer[1] & 0xFF, sw1 == 0x6C ? "a re-issue with P3 = SW2" : "GET RESPONSE");
    }

    /**
     * What a T=0 PC/SC application sends for an APDU. A T=0 command TPDU has one length byte P3, Lc or Le but not
     * both (ISO 7816-3 §12.1.2), and libccid passes the APDU as one TPDU, so the application maps a short case 4
     * command to its case 3 TPDU (drops Le), as OpenSC and javax.smartcardio's channel do; the answer (61xx when
     * the card has data) comes back unchanged. Every other APDU, and every APDU at T=1, goes as it is.
     */
    static byte[] t0Tpdu(int protocol, byte[] apdu) {
        if (protocol != Pcsc.SCARD_PROTOCOL_T0 || apdu.length < 7) {
            return apdu;
        }
        int lc = apdu[4] & 0xFF;
        return lc != 0 && apdu.length == 5 + lc + 1 ? java.util.Arrays.copyOf(apdu, apdu.length - 1) : apdu;
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
            } catch (PcscException e) {
                log.add("slot " + slot + ": " + e.getMessage()); // the card may be gone already
            }
        }
    }

    private void await(int slot, String reader, boolean present) throws Exception {
        long deadline = System.nanoTime() + presenceTimeoutMillis * 1_000_000L;
        int state = 0;
        while (true) {
            state = state(pc, context, reader);
            boolean in = (state & Pcsc.SCARD_STATE_PRESENT) != 0;
            boolean out = (state & Pcsc.SCARD_STATE_EMPTY) != 0;
            if (present ? in && (state & Pcsc.SCARD_STATE_MUTE) == 0 : out) {
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
            drop(i, Pcsc.SCARD_UNPOWER_CARD);
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

    /** A reader's current event state (SCardGetStatusChange from SCARD_STATE_UNAWARE returns at once). */
    static int state(Pcsc pc, long context, String reader) throws PcscException {
        int[] r = pc.getStatusChange(context, 0, new int[] {Pcsc.SCARD_STATE_UNAWARE}, new String[] {reader});
        return r == null ? Pcsc.SCARD_STATE_UNAWARE : r[0];
    }
}
