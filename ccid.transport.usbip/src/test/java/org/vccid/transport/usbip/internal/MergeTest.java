package org.vccid.transport.usbip.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.vccid.iso7816.Hex;

class MergeTest {

    @Test
    void undeliveredSlotChangesAccumulate() {
        // removed (50 02), then inserted again (50 03): present now, and changed
        assertEquals("50 03", Hex.spaced(DeviceSession.merge(Hex.decode("50 02"), Hex.decode("50 03"))));
        // slot 1 changed earlier, slot 0 now: both changed bits stay, presence from the newer message
        assertEquals("50 0F", Hex.spaced(DeviceSession.merge(Hex.decode("50 0C"), Hex.decode("50 07"))));
        // slot 1 was removed (changed, absent) and is still absent
        assertEquals("50 0B", Hex.spaced(DeviceSession.merge(Hex.decode("50 08"), Hex.decode("50 03"))));
        // a hardware error is not merged
        assertEquals("51 00 01 01", Hex.spaced(DeviceSession.merge(Hex.decode("50 02"), Hex.decode("51 00 01 01"))));
    }
}
