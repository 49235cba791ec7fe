package org.vccid.conformance.internal.pcsc;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

import org.vccid.card.Card;
import org.vccid.conformance.target.CardSource;
import org.vccid.conformance.target.NotSupportedException;
import org.vccid.conformance.target.ReaderSpec;
import org.vccid.conformance.target.Target;
import org.vccid.conformance.target.TargetSession;
import org.vccid.iso7816.Atr;
import org.vccid.reader.Reader;
import org.vccid.pcsc.Pcsc;

/**
 * A conformance target whose READER is ours (a ccid.core reader, org.vccid.reader API) and whose host is a PC/SC
 * application ({@link PcscHostSession}) on the pcscd that drives it: ccid.transport.serial behind libccid's serial
 * driver ({@code libccidtwin.so}, the {@code serial-pcsc} target), or any other transport that makes our reader a
 * pcscd reader.
 *
 * <ul>
 * <li>Readers: one or more {@link Line}s (our reader, the PC/SC names of its slots); a vector runs on the smallest
 * line with at least its slot count, and is not supported when none has enough. Those readers live as long as
 * pcscd holds them: a session uses the first slots and leaves them empty. The vector's level and message size
 * describe a CCID reader this host never addresses (libccid builds the CCID messages), so they choose nothing,
 * except below.</li>
 * <li>Protocol ({@link Protocol#AUTO}): T=1 when the card's ATR offers it, else T=0; SCardConnect negotiates it and
 * our engine plays the card side of T=0 or T=1 at TPDU level. libccid passes a T=0 APDU as one TPDU, unchanged,
 * and a T=0 TPDU has no extended length (ISO 7816-3 §12.1, P3 is one byte): a vector for an extended APDU reader is
 * not supported at T=0. Short APDUs at T=0 pass unchanged too, so a case-4 APDU with Le gets the T=0 card's answer
 * to a malformed TPDU ({@code 67 00}) and a case-3 TPDU with response data {@code 61 xx}: that is what a PC/SC
 * application sees at T=0 (javax.smartcardio's channel and OpenSC drop Le and send GET RESPONSE themselves).</li>
 * <li>{@code insert} / {@code remove}: {@code Slot.insert} / {@code Slot.eject} on our reader; pcscd learns it from
 * its GetSlotStatus polls and the session waits for PC/SC to agree.</li>
 * </ul>
 */
public final class ReaderPcscTarget implements Target {

    /** Which protocol SCardConnect asks for. */
    public enum Protocol {
        /** T=1 if the card's ATR offers it, else T=0. */
        AUTO,
        T0,
        T1
    }

    /** One of our readers as pcscd shows it. */
    public static final class Line {
        final String label;
        final Supplier<Reader> reader;
        final List<String> pcscReaders;

        /**
         * @param label what the reader is, for messages ({@code GemPCTwin}, {@code "Serial Reader"})
         * @param reader our reader (looked up again for every vector: a reconfigured reader is a new object)
         * @param pcscReaders the PC/SC reader name of each slot, slot 0 first
         */
        public Line(String label, Supplier<Reader> reader, List<String> pcscReaders) {
            this.label = label;
            this.reader = reader;
            this.pcscReaders = List.copyOf(pcscReaders);
        }
    }

    private final String name;
    private final List<Line> lines;
    private final Protocol protocol;
    private final PcscContext context;
    private final long presenceTimeoutMillis;

    /**
     * @param name the target's name
     * @param lines our readers, any order
     * @param protocol what SCardConnect asks for
     * @param context this JVM's PC/SC context for that pcscd (called once per vector)
     * @param presenceTimeoutMillis how long insert / remove wait for PC/SC to see the change
     */
    public ReaderPcscTarget(String name, List<Line> lines, Protocol protocol, PcscContext context,
            long presenceTimeoutMillis) {
        this.name = name;
        List<Line> sorted = new ArrayList<>(lines);
        sorted.sort(Comparator.comparingInt(l -> l.pcscReaders.size()));
        this.lines = List.copyOf(sorted);
        this.protocol = protocol;
        this.context = context;
        this.presenceTimeoutMillis = presenceTimeoutMillis;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Set<Feature> features() {
        return EnumSet.of(Feature.APDU);
    }

    @Override
    public TargetSession open(ReaderSpec spec, CardSource cards) throws Exception {
        Line line = null;
        for (Line l : lines) {
            if (l.pcscReaders.size() >= spec.slots()) {
                line = l;
                break;
            }
        }
        if (line == null) {
            Line largest = lines.get(lines.size() - 1);
            throw new NotSupportedException("the largest reader has " + largest.pcscReaders.size() + " slot(s) ("
                    + largest.label + "), the vector wants " + spec.slots());
        }
        boolean t1;
        if (protocol == Protocol.AUTO) {
            Card probe = cards.newCard();
            try {
                t1 = Atr.parse(probe.atr()).offers(1);
            } finally {
                cards.release(probe);
            }
        } else {
            t1 = protocol == Protocol.T1;
        }
        if (!t1 && spec.level() == ReaderSpec.Level.EXTENDED_APDU) {
            throw new NotSupportedException((protocol == Protocol.AUTO ? "the card offers only T=0" : "T=0 configured")
                    + " and the reader is TPDU level: a T=0 TPDU has no extended length (ISO 7816-3 §12.1), so no"
                    + " extended APDU can pass");
        }
        String unavailable = context.pcsc().unavailableReason();
        if (unavailable != null) {
            throw new IllegalStateException("PC/SC cannot be used: " + unavailable);
        }
        Reader reader = line.reader.get();
        if (reader == null) {
            throw new IllegalStateException("reader " + line.label + " is not there");
        }
        if (reader.slots().size() < spec.slots()) {
            throw new IllegalStateException("reader " + line.label + " has " + reader.slots().size()
                    + " slot(s), its PC/SC names say " + line.pcscReaders.size());
        }
        PcscHostSession.SlotWiring wiring = new PcscHostSession.SlotWiring(name(), cards, (slot, c) -> {
            reader.slots().get(slot).insert(c);
            return () -> reader.slots().get(slot).eject();
        });
        return new PcscHostSession(context.pcsc(), context.get(), line.pcscReaders.subList(0, spec.slots()), wiring,
                t1 ? Pcsc.SCARD_PROTOCOL_T1 : Pcsc.SCARD_PROTOCOL_T0, presenceTimeoutMillis, true);
    }
}
