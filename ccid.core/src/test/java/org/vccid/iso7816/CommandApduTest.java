package org.vccid.iso7816;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** ISO 7816-4 §5.1 cases 1-4, short and extended, and what strict parsing refuses. */
class CommandApduTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "00A40400,                 1, 0,     0,     false",
            "0084000008,               2, 0,     8,     false",
            "00B0000000,               2, 0,     256,   false",
            "00A4040C02 3F00,          3, 2,     0,     false",
            "00A4040002 3F00 00,       4, 2,     256,   false",
            "00B00000 000100,          2, 0,     256,   true",
            "00B00000 000000,          2, 0,     65536, true",
            "00DA0000 000002 AABB,     3, 2,     0,     true",
            "00DA0000 000002 AABB 0000, 4, 2,    65536, true",
            "00DA0000 000002 AABB 0102, 4, 2,    258,   true" })
    void cases(String hex, int apduCase, int nc, int ne, boolean extended) {
        byte[] b = Hex.decode(hex);
        CommandApdu c = CommandApdu.parse(b);
        assertEquals(apduCase, c.apduCase());
        assertEquals(nc, c.nc());
        assertEquals(ne, c.ne());
        assertEquals(extended, c.isExtended());
        assertArrayEquals(b, c.toBytes(), "re-encodes to the same bytes");
        assertNull(CommandApdu.check(b, 0, b.length));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "00A404,                   shorter than its 4-byte header",
            "00A4040003 3F00,          short Lc 3",
            "00A4040002 3F00 00 00,    short Lc 2",
            "00A4040000 00,            neither short nor extended",
            "00DA0000 000000 00,       extended Lc 0000",
            "00DA0000 000003 AABB,     extended Lc 3",
            "00DA0000 000002 AABB 00,  extended Lc 2" })
    void strictRefusals(String hex, String reason) {
        byte[] b = Hex.decode(hex);
        String why = CommandApdu.check(b, 0, b.length);
        assertNotNull(why);
        assertTrue(why.contains(reason.trim()), why);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CommandApdu.parse(b));
        assertTrue(e.getMessage().startsWith(why));
    }

    @Test
    void buildChoosesTheEncoding() {
        assertEquals("00 84 00 00 08", CommandApdu.of(0, 0x84, 0, 0, new byte[0], 8).toString());
        assertEquals("00 B0 00 00 00 01 01", CommandApdu.of(0, 0xB0, 0, 0, new byte[0], 257).toString());
        assertEquals("00 D6 00 00 00 01 00", CommandApdu.of(0, 0xD6, 0, 0, new byte[256], 0).toString().substring(0, 20));
        assertThrows(IllegalArgumentException.class, () -> CommandApdu.of(0, 0, 0, 0, new byte[0], 65537));
    }

    @Test
    void hexAndStatusWords() {
        assertArrayEquals(new byte[] { 0x3B, (byte) 0xAF }, Hex.decode("3b:AF"));
        assertThrows(IllegalArgumentException.class, () -> Hex.decode("3B A"));
        assertThrows(IllegalArgumentException.class, () -> Hex.decode("3G"));
        assertEquals("3BAF", Hex.encode(new byte[] { 0x3B, (byte) 0xAF }));
        assertEquals(0x6A82, StatusWord.of(Hex.decode("01 02 6A 82")));
        assertTrue(StatusWord.isSuccess(0x6110));
        assertFalse(StatusWord.isSuccess(0x6A82));
        assertEquals("AA 90 00", Hex.spaced(StatusWord.response(new byte[] { (byte) 0xAA }, 0x9000)));
    }
}
