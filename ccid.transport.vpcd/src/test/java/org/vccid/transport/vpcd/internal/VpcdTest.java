package org.vccid.transport.vpcd.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import org.vccid.iso7816.Hex;

class VpcdTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "00,          POWER_OFF",
        "01,          POWER_ON",
        "02,          RESET",
        "04,          GET_ATR",
        "03,          UNKNOWN_CONTROL",
        "FF,          UNKNOWN_CONTROL",
        "00 A4,       APDU",
        "00 A4 04 00, APDU",
    })
    void classify(String payload, Vpcd.Kind kind) {
        byte[] b = Hex.decode(payload);
        assertEquals(kind, Vpcd.classify(b, b.length));
    }

    @Test
    void emptyPayload() {
        assertEquals(Vpcd.Kind.EMPTY, Vpcd.classify(new byte[0], 0));
    }

    @Test
    void framesCarryABigEndianLength() {
        assertEquals("00 02 90 00", Hex.spaced(Vpcd.frame(Hex.decode("90 00"))));
        assertEquals("01 02", Hex.spaced(Vpcd.frame(new byte[258]), 0, 2));
        assertEquals("FF FF", Hex.spaced(Vpcd.frame(new byte[65535]), 0, 2));
        assertEquals(0xFFFF, Vpcd.length((byte) 0xFF, (byte) 0xFF));
        assertThrows(IllegalArgumentException.class, () -> Vpcd.frame(new byte[65536]));
    }
}
