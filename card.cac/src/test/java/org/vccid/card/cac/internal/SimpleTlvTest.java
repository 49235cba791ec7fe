package org.vccid.card.cac.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.vccid.card.cac.internal.SimpleTlv.Member;
import org.vccid.iso7816.Hex;

class SimpleTlvTest {

    @Test
    void shortAndLongLengths() {
        assertEquals("71 01 00", Hex.spaced(SimpleTlv.tlv(0x71, new byte[1])));
        byte[] big = SimpleTlv.tlv(0x70, new byte[0x1234]);
        assertEquals("70 FF 34 12", Hex.spaced(big, 0, 4)); // FF then little-endian
        assertEquals("70 FE", Hex.spaced(SimpleTlv.tlv(0x70, new byte[0xFE]), 0, 2));
        assertEquals("70 FF FF 00", Hex.spaced(SimpleTlv.tlv(0x70, new byte[0xFF]), 0, 4));
    }

    @Test
    void splitBuffersCarryLittleEndianContentLengths() {
        List<Member> m = List.of(new Member(0xF1, new byte[] { 0x21 }), new Member(0xF7, new byte[0]));
        assertEquals("04 00 F1 01 F7 00", Hex.spaced(SimpleTlv.tagBuffer(m)));
        assertEquals("01 00 21", Hex.spaced(SimpleTlv.valueBuffer(m)));
    }

    @Test
    void invalidTagsAndSizesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new Member(0x00, new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> new Member(0xFF, new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> new Member(0x70, new byte[0xFFFF]));
    }
}
