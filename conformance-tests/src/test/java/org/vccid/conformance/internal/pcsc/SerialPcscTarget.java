package org.vccid.conformance.internal.pcsc;

import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

import org.vccid.card.Card;
import org.vccid.ccid.internal.engine.CcidEngine;
import org.vccid.conformance.target.CardSource;
import org.vccid.conformance.target.NotSupportedException;
import org.vccid.conformance.target.ReaderSpec;
import org.vccid.conformance.target.Target;
import org.vccid.conformance.target.TargetSession;
import org.vccid.iso7816.Atr;
import org.vccid.transport.serial.internal.framing.ReaderType;

/**
 * Our READER (ccid.core's engine at TPDU level) behind ccid.transport.serial, driven by pcscd + libccid's serial
 * driver ({@code libccidtwin.so}) through a pty; the host is a PC/SC application ({@link PcscHostSession}).
 *
 * <ul>
 * <li>Reader type by the vector's slot count: 1 GemPCTwin, 2 SEC1210, 3-5 GemCorePOSPro (libccid hard-codes each
 * type's descriptor: TPDU level, 271-byte messages); more than 5 slots: not supported. The vector's level and
 * message size describe a CCID reader this host never sees (libccid builds the TPDUs), so they do not choose
 * anything, except below.</li>
 * <li>Protocol: T=1 when the card's ATR offers it, else T=0 (SCardConnect then negotiates it; the engine plays the
 * card side of T=0 or T=1). At T=0 libccid sends the APDU as one TPDU, unchanged, and T=0 has no extended length
 * (ISO 7816-3 §12.1: P3 is one byte): a vector for an extended APDU reader is not supported with a T=0-only
 * card.</li>
 * <li>{@code insert} / {@code remove}: {@code Slot.insert} / {@code Slot.eject} on our reader (org.vccid.reader);
 * pcscd learns it from its GetSlotStatus polls.</li>
 * </ul>
 * The readers are long-lived (pcscd keeps them open): a session leaves its slots empty.
 */
final class SerialPcscTarget implements Target {

    private final PcscRig rig;

    SerialPcscTarget(PcscRig rig) {
        this.rig = rig;
    }

    @Override
    public String name() {
        return "serial-pcsc";
    }

    @Override
    public Set<Feature> features() {
        return EnumSet.of(Feature.APDU);
    }

    /** libccid's serial reader type for a slot count. */
    static ReaderType type(int slots) throws NotSupportedException {
        if (slots == 1) {
            return ReaderType.GemPCTwin;
        }
        if (slots == 2) {
            return ReaderType.SEC1210;
        }
        if (slots <= 5) {
            return ReaderType.GemCorePOSPro;
        }
        throw new NotSupportedException("libccid's serial reader types have at most 5 slots (GemCorePOSPro), the"
                + " vector wants " + slots);
    }

    @Override
    public TargetSession open(ReaderSpec reader, CardSource cards) throws Exception {
        ReaderType type = type(reader.slots());
        Card probe = cards.newCard();
        boolean t1;
        try {
            t1 = Atr.parse(probe.atr()).offers(1);
        } finally {
            cards.release(probe);
        }
        if (!t1 && reader.level() == ReaderSpec.Level.EXTENDED_APDU) {
            throw new NotSupportedException("the card offers only T=0 and libccid's serial readers are TPDU level:"
                    + " a T=0 TPDU has no extended length (ISO 7816-3 §12.1), so no extended APDU can pass");
        }
        CcidEngine engine = rig.engines.get(type);
        Map<Integer, Card> in = new HashMap<>();
        PcscHostSession.SlotWiring wiring = new PcscHostSession.SlotWiring() {
            @Override
            public void insert(int slot) {
                if (in.containsKey(slot)) {
                    throw new IllegalStateException("slot " + slot + " already holds a card");
                }
                Card c = cards.newCard();
                in.put(slot, c);
                engine.slots().get(slot).insert(c);
            }

            @Override
            public void remove(int slot) {
                Card c = in.remove(slot);
                if (c == null) {
                    throw new IllegalStateException("slot " + slot + " holds no card");
                }
                engine.slots().get(slot).eject();
                cards.release(c);
            }

            @Override
            public void close() {
                for (Integer slot : Set.copyOf(in.keySet())) {
                    remove(slot);
                }
            }
        };
        return new PcscHostSession(Winscard.jdk(), rig.context(), rig.serialReaders(type).subList(0, reader.slots()),
                wiring, t1 ? Winscard.SCARD_PROTOCOL_T1 : Winscard.SCARD_PROTOCOL_T0, 30_000);
    }
}
