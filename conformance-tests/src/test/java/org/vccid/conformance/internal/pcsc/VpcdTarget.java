package org.vccid.conformance.internal.pcsc;

import java.util.EnumSet;
import java.util.Set;

import org.vccid.conformance.target.CardSource;
import org.vccid.conformance.target.NotSupportedException;
import org.vccid.conformance.target.ReaderSpec;
import org.vccid.conformance.target.Target;
import org.vccid.conformance.target.TargetSession;
import org.vccid.transport.vpcd.internal.ConformanceVpcdSlots;
import org.vccid.pcsc.Pcsc;

/**
 * Our cards in pcscd through ccid.transport.vpcd (vsmartcard's vpcd driver): the host is a PC/SC application
 * ({@link PcscHostSession}), vpcd is the reader. {@code insert} connects a vpcd slot of ccid.transport.vpcd with a
 * fresh card of the run to vpcd's port (what the bundle's DS component does when its card service appears),
 * {@code remove} closes it. The reader is vpcd's: APDU level, extended APDUs pass (vpcd reports
 * dwMaxAPDUDataSize 64 KiB), 2 slots (Debian's libifdvpcd build).
 */
final class VpcdTarget implements Target {

    private final PcscRig rig;

    VpcdTarget(PcscRig rig) {
        this.rig = rig;
    }

    @Override
    public String name() {
        return "vpcd";
    }

    @Override
    public Set<Feature> features() {
        return EnumSet.of(Feature.APDU);
    }

    @Override
    public TargetSession open(ReaderSpec reader, CardSource cards) throws Exception {
        int slots = rig.vpcdReaders().size();
        if (reader.slots() > slots) {
            throw new NotSupportedException("vpcd has " + slots + " slot(s) in this pcscd (Debian's libifdvpcd is"
                    + " built with 2), the vector wants " + reader.slots());
        }
        if (reader.level() == ReaderSpec.Level.TPDU) {
            throw new NotSupportedException("vpcd is an APDU-level reader, the vector wants a TPDU-level one");
        }
        PcscHostSession.SlotWiring wiring = new PcscHostSession.SlotWiring(name(), cards,
                (slot, c) -> ConformanceVpcdSlots.insert("127.0.0.1", PcscRig.VPCD_PORT + slot, c));
        return new PcscHostSession(rig.pcsc, rig.context(), rig.vpcdReaders().subList(0, reader.slots()),
                wiring, Pcsc.SCARD_PROTOCOL_T0 | Pcsc.SCARD_PROTOCOL_T1, 30_000, false);
    }
}
