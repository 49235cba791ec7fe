package org.vccid.ccid;

import static org.junit.jupiter.api.Assertions.*;
import static org.vccid.ccid.Ccid.*;

import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.vccid.iso7816.Hex;

/** Byte vectors for every CCID 1.1 message (§6.1, §6.2, §6.3), the class descriptor (§5.1). */
class CodecTest {

    static Stream<Arguments> vectors() {
        return Stream.of(
                // PC_to_RDR
                Arguments.of(CcidMessage.iccPowerOn(0, 8, 1), "62 00000000 00 08 01 00 00"),
                Arguments.of(CcidMessage.iccPowerOff(1, 9), "63 00000000 01 09 00 00 00"),
                Arguments.of(CcidMessage.getSlotStatus(0, 2), "65 00000000 00 02 00 00 00"),
                Arguments.of(CcidMessage.xfrBlock(0, 0x5F, 0, 0, Hex.decode("00 84 00 00 08")),
                        "6F 05000000 00 5F 00 00 00 0084000008"),
                Arguments.of(CcidMessage.xfrBlock(2, 1, 4, 0x0010, new byte[0]), "6F 00000000 02 01 04 10 00"),
                Arguments.of(CcidMessage.getParameters(0, 3), "6C 00000000 00 03 00 00 00"),
                Arguments.of(CcidMessage.resetParameters(0, 3), "6D 00000000 00 03 00 00 00"),
                Arguments.of(CcidMessage.setParameters(0, 0x2B, 0, Hex.decode("11 00 00 0A 00")),
                        "61 05000000 00 2B 00 00 00 1100000A00"),
                Arguments.of(CcidMessage.escape(0, 0, Hex.decode("02")), "6B 01000000 00 00 00 00 00 02"),
                Arguments.of(CcidMessage.iccClock(0, 1, 1), "6E 00000000 00 01 01 00 00"),
                Arguments.of(CcidMessage.t0Apdu(0, 1, 3, 0x00, 0x80), "6A 00000000 00 01 03 00 80"),
                Arguments.of(CcidMessage.secure(0, 1, 0, 0, Hex.decode("00 00")), "69 02000000 00 01 00 00 00 0000"),
                Arguments.of(CcidMessage.mechanical(0, 1, 2), "71 00000000 00 01 02 00 00"),
                Arguments.of(CcidMessage.abort(0, 7), "72 00000000 00 07 00 00 00"),
                Arguments.of(CcidMessage.setDataRateAndClockFrequency(0, 1, 4000, 9600),
                        "73 08000000 00 01 00 00 00 A00F0000 80250000"),
                // RDR_to_PC
                Arguments.of(CcidMessage.dataBlock(0, 8, 0, 0, 0, Hex.decode("3B 02 14 50")),
                        "80 04000000 00 08 00 00 00 3B021450"),
                Arguments.of(CcidMessage.slotStatus(0, 2, 0x42, 0xFE, 0), "81 00000000 00 02 42 FE 00"),
                Arguments.of(CcidMessage.parameters(0, 0x2B, 0, 0, 0, Hex.decode("11 00 00 0A 00")),
                        "82 05000000 00 2B 00 00 00 1100000A00"),
                Arguments.of(CcidMessage.escapeResponse(0, 4, 0x41, 0, new byte[0]), "83 00000000 00 04 41 00 00"),
                Arguments.of(CcidMessage.dataRateAndClockFrequency(0, 1, 0, 0, Hex.decode("A00F0000 802A0000")),
                        "84 08000000 00 01 00 00 00 A00F0000802A0000"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("vectors")
    void encodesAndParsesExactly(CcidMessage m, String hex) {
        byte[] bytes = Hex.decode(hex);
        assertArrayEquals(bytes, m.toBytes());
        assertEquals(m, CcidMessage.parse(bytes));
        assertEquals(bytes.length - 10, m.dwLength());
    }

    @Test
    void parseRejectsInconsistentLengths() {
        assertThrows(IllegalArgumentException.class, () -> CcidMessage.parse(Hex.decode("65 00000000 00 02 00 00")));
        assertThrows(IllegalArgumentException.class, () -> CcidMessage.parse(Hex.decode("6F 02000000 00 02 00 00 00 00")));
        assertThrows(IllegalArgumentException.class, () -> CcidMessage.parse(Hex.decode("65 00000000 00 02 00 00 00 FF")));
        assertThrows(IllegalArgumentException.class, () -> CcidMessage.parse(Hex.decode("6F FFFFFFFF 00 02 00 00 00")));
    }

    @Test
    void namedFields() {
        CcidMessage m = CcidMessage.parse(Hex.decode("81 00000000 03 09 41 E0 00"));
        assertEquals(ICC_PRESENT_INACTIVE, m.iccStatus());
        assertEquals(COMMAND_STATUS_FAILED, m.commandStatus());
        assertTrue(m.isFailed());
        assertEquals(CMD_SLOT_BUSY, m.error());
        assertEquals(0x0203, CcidMessage.xfrBlock(0, 0, 0, 0x0203, new byte[0]).levelParameter());
        assertEquals("RDR_to_PC_SlotStatus slot=3 seq=9 [41 E0 00] ", m.toString());
        assertEquals(0xC2, bStatus(ICC_ABSENT, COMMAND_STATUS_FAILED << 1 >> 1 | 2));
    }

    @Test
    void responseTypes() {
        assertEquals(RDR_TO_PC_DATA_BLOCK, responseType(PC_TO_RDR_ICC_POWER_ON));
        assertEquals(RDR_TO_PC_DATA_BLOCK, responseType(PC_TO_RDR_XFR_BLOCK));
        assertEquals(RDR_TO_PC_DATA_BLOCK, responseType(PC_TO_RDR_SECURE));
        assertEquals(RDR_TO_PC_PARAMETERS, responseType(PC_TO_RDR_SET_PARAMETERS));
        assertEquals(RDR_TO_PC_ESCAPE, responseType(PC_TO_RDR_ESCAPE));
        assertEquals(RDR_TO_PC_DATA_RATE_AND_CLOCK_FREQUENCY, responseType(PC_TO_RDR_SET_DATA_RATE_AND_CLOCK_FREQUENCY));
        for (int t : new int[] { 0x63, 0x65, 0x6E, 0x6A, 0x71, 0x72, 0x00, 0x99 }) {
            assertEquals(RDR_TO_PC_SLOT_STATUS, responseType(t));
        }
    }

    @Test
    void interrupts() {
        assertEquals("50 03", Hex.spaced(Interrupts.notifySlotChange(new boolean[] { true }, new boolean[] { true })));
        assertEquals("50 02", Hex.spaced(Interrupts.notifySlotChange(new boolean[] { false }, new boolean[] { true })));
        assertEquals("50 01", Hex.spaced(Interrupts.notifySlotChange(new boolean[] { true }, new boolean[] { false })));
        boolean[] p = new boolean[5];
        boolean[] c = new boolean[5];
        p[4] = true;
        c[4] = true;
        c[1] = true;
        assertEquals("50 08 03", Hex.spaced(Interrupts.notifySlotChange(p, c)));
        assertEquals("51 01 07 01", Hex.spaced(Interrupts.hardwareError(1, 7, HARDWARE_ERROR_OVERCURRENT)));
    }

    @Test
    void classDescriptorLayout() {
        // QEMU's usb-ccid descriptor (ccid.md §1.2), rebuilt field by field
        String qemu = "36 21 10 01 00 07 01 00 00 00 A0 0F 00 00 00 00 01 00 00 80 25 00 00 00 C2 01 00 00"
                + " FE 00 00 00 00 00 00 00 00 00 00 00 FE 04 01 00 12 00 01 00 FF FF 00 00 01 01";
        ClassDescriptor d = ClassDescriptor.builder().maxSlotIndex(0).voltageSupport(7).protocols(1).defaultClock(4000)
                .maximumClock(0x10000).dataRate(9600).maxDataRate(115200).maxIFSD(0xFE).features(0x000104FE)
                .maxCCIDMessageLength(0x10012).classGetResponse(0xFF).classEnvelope(0xFF).pinSupport(1)
                .maxCCIDBusySlots(1).build();
        assertEquals(qemu, Hex.spaced(d.toBytes()));
        ClassDescriptor back = ClassDescriptor.parse(Hex.decode(qemu));
        assertEquals(0x000104FE, back.features());
        assertEquals(0x10012, back.maxCCIDMessageLength());
        assertEquals(115200, back.maxDataRate());
        assertThrows(IllegalArgumentException.class, () -> ClassDescriptor.parse(new byte[53]));
    }
}
