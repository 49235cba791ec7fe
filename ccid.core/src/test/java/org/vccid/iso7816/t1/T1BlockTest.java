package org.vccid.iso7816.t1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.vccid.iso7816.Hex;

class T1BlockTest {

    private static String hex(byte[] b, int n) {
        return Hex.spaced(b, 0, n);
    }

    @Test
    void crcCheckValueIsCrc16Mcrf4xx() {
        byte[] b = "123456789".getBytes(StandardCharsets.US_ASCII);
        assertEquals(0x6F91, T1Block.crc(b, 0, b.length));
    }

    @Test
    void crcTableMatchesLibccidChecksumC() {
        // one-byte CRC from FFFF is FF ^ table[~b]: entries 01 = 1189, 80 = 8408, FF = 0F78 of libccid's crctab
        assertEquals(0x00FF ^ 0x1189, T1Block.crc(new byte[] { (byte) 0xFE }, 0, 1));
        assertEquals(0x00FF ^ 0x8408, T1Block.crc(new byte[] { 0x7F }, 0, 1));
        assertEquals(0x00FF ^ 0x0F78, T1Block.crc(new byte[] { 0x00 }, 0, 1));
    }

    @Test
    void crcAgreesWithABitwiseImplementation() {
        Random rnd = new Random(1);
        for (int i = 0; i < 200; i++) {
            byte[] b = new byte[rnd.nextInt(300)];
            rnd.nextBytes(b);
            int v = 0xFFFF;
            for (byte x : b) {
                v ^= x & 0xFF;
                for (int k = 0; k < 8; k++) {
                    v = (v & 1) != 0 ? v >>> 1 ^ 0x8408 : v >>> 1;
                }
            }
            assertEquals(v, T1Block.crc(b, 0, b.length));
        }
    }

    @Test
    void libccidSIfsVectorsLrc() {
        byte[] out = new byte[T1Block.MAX_BLOCK];
        assertEquals("00 C1 01 FE 3E", hex(out, T1Block.sBlock(out, 0, 0, T1Block.S_IFS, false, 0xFE, false)));
        assertEquals("00 E1 01 FE 1E", hex(out, T1Block.sBlock(out, 0, 0, T1Block.S_IFS, true, 0xFE, false)));
    }

    @Test
    void crcVectors() {
        // CRC bytes from an independent bitwise computation (reflected 0x8408, init FFFF, high byte first)
        byte[] out = new byte[T1Block.MAX_BLOCK];
        assertEquals("00 C1 01 FE 54 4E", hex(out, T1Block.sBlock(out, 0, 0, T1Block.S_IFS, false, 0xFE, true)));
        assertEquals("00 E1 01 FE 57 75", hex(out, T1Block.sBlock(out, 0, 0, T1Block.S_IFS, true, 0xFE, true)));
        assertEquals("00 90 00 20 6E", hex(out, T1Block.rBlock(out, 0, 0, 1, T1Block.R_OK, true)));
        assertEquals(T1Block.OK, T1Block.check(Hex.decode("00 E1 01 FE 57 75"), 0, 6, true));
        assertEquals(T1Block.BAD_EDC, T1Block.check(Hex.decode("00 E1 01 FE 75 57"), 0, 6, true));
    }

    @Test
    void blockEncodings() {
        byte[] out = new byte[T1Block.MAX_BLOCK];
        assertEquals("00 90 00 90", hex(out, T1Block.rBlock(out, 0, 0, 1, T1Block.R_OK, false)));
        assertEquals("00 80 00 80", hex(out, T1Block.rBlock(out, 0, 0, 0, T1Block.R_OK, false)));
        assertEquals("00 81 00 81", hex(out, T1Block.rBlock(out, 0, 0, 0, T1Block.R_EDC_ERROR, false)));
        assertEquals("00 92 00 92", hex(out, T1Block.rBlock(out, 0, 0, 1, T1Block.R_OTHER_ERROR, false)));
        assertEquals("00 C0 00 C0", hex(out, T1Block.sBlock(out, 0, 0, T1Block.S_RESYNCH, false, 0, false)));
        assertEquals("00 E2 00 E2", hex(out, T1Block.sBlock(out, 0, 0, T1Block.S_ABORT, true, 0, false)));
        assertEquals("00 C3 01 02 C0", hex(out, T1Block.sBlock(out, 0, 0, T1Block.S_WTX, false, 2, false)));
        byte[] inf = Hex.decode("FE 90 00");
        assertEquals("00 40 03 FE 90 00 2D", hex(out, T1Block.iBlock(out, 0, 0, 1, false, inf, 0, 3, false)));
        assertEquals("00 20 03 FE 90 00 4D", hex(out, T1Block.iBlock(out, 0, 0, 0, true, inf, 0, 3, false)));
        assertEquals("21 60 00 41", hex(out, T1Block.iBlock(out, 0, 0x21, 1, true, inf, 0, 0, false)));
    }

    @Test
    void kinds() {
        assertEquals(T1Block.I_BLOCK, T1Block.kind(0x00));
        assertEquals(T1Block.I_BLOCK, T1Block.kind(0x60));
        assertEquals(-1, T1Block.kind(0x01)); // RFU bits of an I-block
        assertEquals(T1Block.R_BLOCK, T1Block.kind(0x92));
        assertEquals(-1, T1Block.kind(0x83)); // R error code 3
        assertEquals(-1, T1Block.kind(0xA0)); // R-block with b6 set
        assertEquals(T1Block.S_BLOCK, T1Block.kind(0xE3));
        assertEquals(-1, T1Block.kind(0xC4)); // S type 4
        assertEquals(-1, T1Block.kind(0xFF));
    }

    @ParameterizedTest
    @CsvSource({
            "'', " + T1Block.TRUNCATED,
            "00 40, " + T1Block.TRUNCATED,
            "00 40 00, " + T1Block.TRUNCATED,
            "00 40 03 FE 90 00, " + T1Block.TRUNCATED, // EDC missing
            "00 40 04 FE 90 00 2D, " + T1Block.TRUNCATED, // LEN says more than there is
            "00 40 02 FE 90 00 2D, " + T1Block.TRAILING_BYTES,
            "00 40 03 FE 90 00 2D 00, " + T1Block.TRAILING_BYTES,
            "00 40 FF 00, " + T1Block.BAD_LEN,
            "00 40 03 FE 90 00 2C, " + T1Block.BAD_EDC,
            "00 01 00 01, " + T1Block.BAD_PCB,
            "00 C4 00 C4, " + T1Block.BAD_PCB,
            "00 A0 00 A0, " + T1Block.BAD_PCB,
            "00 83 00 83, " + T1Block.BAD_PCB,
            "00 90 01 00 91, " + T1Block.BAD_INF_LENGTH, // R-block with INF
            "00 C1 00 C1, " + T1Block.BAD_INF_LENGTH, // S(IFS) without its byte
            "00 C0 01 00 C1, " + T1Block.BAD_INF_LENGTH, // S(RESYNCH) with a byte
            "00 C3 02 01 01 C1, " + T1Block.BAD_INF_LENGTH,
            "00 40 03 FE 90 00 2D, " + T1Block.OK,
            "00 00 00 00, " + T1Block.OK })
    void check(String hex, int expected) {
        byte[] b = Hex.decode(hex);
        assertEquals(expected, T1Block.check(b, 0, b.length, false), T1Block.describe(T1Block.check(b, 0, b.length,
                false)));
        if (expected != T1Block.OK) {
            assertThrows(IllegalArgumentException.class, () -> T1Block.parse(b, false));
        }
    }

    @Test
    void checkHonoursOffsets() {
        byte[] b = Hex.decode("AA BB 00 40 03 FE 90 00 2D CC");
        assertEquals(T1Block.OK, T1Block.check(b, 2, 7, false));
        assertEquals("I(1) 3 bytes", T1Block.parse(b, 2, 7, false).toString());
    }

    @Test
    void parsedView() {
        T1Block s = T1Block.parse(Hex.decode("00 C1 01 FE 3E"), false);
        assertEquals(T1Block.S_BLOCK, s.kind());
        assertEquals(T1Block.S_IFS, s.sType());
        assertFalse(s.isResponse());
        assertEquals(254, s.value());
        assertEquals("S(IFS request 254)", s.toString());
        T1Block r = T1Block.parse(Hex.decode("00 81 00 81"), false);
        assertEquals("R(0) EDC error", r.toString());
        T1Block i = T1Block.parse(Hex.decode("12 20 01 AA 99"), false);
        assertTrue(i.more());
        assertEquals(0, i.ns());
        assertEquals("I(0,M) 1 bytes NAD 12", i.toString());
        assertEquals("12 20 01 AA 99", Hex.spaced(i.toBytes()));
    }

    @Test
    void swapNad() {
        assertEquals(0x21, T1Block.swapNad(0x12));
        assertEquals(0x00, T1Block.swapNad(0x00));
        assertEquals(0x7F, T1Block.swapNad(0xF7));
    }

    @Test
    void buildRejectsOversizeInf() {
        byte[] out = new byte[400];
        assertThrows(IllegalArgumentException.class,
                () -> T1Block.build(out, 0, 0, 0, new byte[255], 0, 255, false));
        assertThrows(IllegalArgumentException.class, () -> T1Block.rBlock(out, 0, 0, 0, 3, false));
        assertThrows(IllegalArgumentException.class, () -> T1Block.sBlock(out, 0, 0, 4, false, 0, false));
    }

    @Test
    void everyBuiltBlockChecksAndEveryCorruptionIsCaught() {
        Random rnd = new Random(11);
        byte[] out = new byte[T1Block.MAX_BLOCK];
        for (boolean crc : new boolean[] { false, true }) {
            for (int i = 0; i < 2000; i++) {
                byte[] inf = new byte[rnd.nextInt(255)];
                rnd.nextBytes(inf);
                int n = T1Block.iBlock(out, 0, rnd.nextInt(256), rnd.nextInt(2), rnd.nextBoolean(), inf, 0,
                        inf.length, crc);
                assertEquals(T1Block.OK, T1Block.check(out, 0, n, crc));
                byte[] copy = Arrays.copyOf(out, n);
                int at = 3 + rnd.nextInt(n - 3); // INF or EDC: one flipped bit is always detected
                copy[at] ^= (byte) (1 << rnd.nextInt(8));
                assertEquals(T1Block.BAD_EDC, T1Block.check(copy, 0, n, crc));
            }
        }
    }
}
