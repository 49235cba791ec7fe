package org.vccid.transport.serial.internal.framing;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.vccid.iso7816.Hex;
import org.vccid.transport.serial.framing.ReaderType;
import org.vccid.transport.serial.framing.Twin;

/** Byte vectors for the GemPC Twin line: what libccid's serial driver sends and what it must get back. */
class SerialLineTest {

    /** Records what the line sends to the host and what it passes to the reader. */
    static final class Recorder implements SerialLine.Output {
        final ByteArrayOutputStream line = new ByteArrayOutputStream();
        final List<String> reader = new ArrayList<>();

        @Override
        public void toLine(byte[] b, int off, int len) {
            line.write(b, off, len);
        }

        @Override
        public void toReader(byte[] m, int off, int len) {
            reader.add(Hex.spaced(m, off, len));
        }

        String takeLine() {
            String s = Hex.spaced(line.toByteArray());
            line.reset();
            return s;
        }
    }

    static final String FIRMWARE = "GemPC Twin EMU V1.00";

    static SerialLine line(ReaderType type) {
        return new SerialLine(type, 271, FIRMWARE, slot -> 1);
    }

    static void feed(SerialLine l, Recorder r, String hex) {
        byte[] b = Hex.decode(hex);
        l.receive(b, 0, b.length, r);
    }

    /** The driver's open sequence from libccid-serial.md, GemPC Twin (echo). */
    @Test
    void twinOpenSequenceByteForByte() {
        SerialLine l = line(ReaderType.GemPCTwin);
        Recorder r = new Recorder();
        // Escape 02: echo, then the firmware string in RDR_to_PC_Escape (bStatus = slot's ICC status 01)
        feed(l, r, "03 06 6B 01 00 00 00 00 00 00 00 00 02 6D");
        assertEquals("03 06 6B 01 00 00 00 00 00 00 00 00 02 6D "
                + "03 06 83 14 00 00 00 00 00 01 00 00 47 65 6D 50 43 20 54 77 69 6E 20 45 4D 55 20 56 31 2E 30 30 DF",
                r.takeLine());
        // Escape 01 01 01: echo, empty success
        feed(l, r, "03 06 6B 03 00 00 00 00 01 00 00 00 01 01 01 6D");
        assertEquals("03 06 6B 03 00 00 00 00 01 00 00 00 01 01 01 6D 03 06 83 00 00 00 00 00 01 01 00 00 86",
                r.takeLine());
        assertTrue(l.synchronousNotifications());
        // GetSlotStatus goes to the reader, after its echo
        feed(l, r, "03 06 65 00 00 00 00 00 02 00 00 00 62");
        assertEquals("03 06 65 00 00 00 00 00 02 00 00 00 62", r.takeLine());
        assertEquals(List.of("65 00 00 00 00 00 02 00 00 00"), r.reader);
        // the reader's answer is framed
        byte[] answer = Hex.decode("81 00 00 00 00 00 02 01 00 01");
        assertEquals("03 06 81 00 00 00 00 00 02 01 00 01 86", Hex.spaced(l.answer(answer, 0, answer.length)));
        // Escape 6A (GET_FIRMWARE_FEATURES): failed, bError 00 = not supported
        feed(l, r, "03 06 6B 01 00 00 00 00 04 00 00 00 6A 01");
        assertEquals("03 06 6B 01 00 00 00 00 04 00 00 00 6A 01 03 06 83 00 00 00 00 00 04 41 00 00 C3",
                r.takeLine());
        assertEquals(1, r.reader.size());
        assertEquals(3, l.escapes.get());
    }

    @Test
    void noEchoTypesAnswerOnly() {
        SerialLine l = line(ReaderType.GemCorePOSPro);
        Recorder r = new Recorder();
        feed(l, r, "03 06 65 00 00 00 00 01 05 00 00 00 64");
        assertEquals("", r.takeLine());
        assertEquals(List.of("65 00 00 00 00 01 05 00 00 00"), r.reader);
        feed(l, r, "03 06 6B 01 00 00 00 01 06 00 00 00 6A 02");
        assertEquals("03 06 83 00 00 00 00 01 06 41 00 00 C0", r.takeLine());
    }

    @Test
    void sec1210OpensWithEscape06() {
        SerialLine l = line(ReaderType.SEC1210);
        Recorder r = new Recorder();
        feed(l, r, "03 06 6B 01 00 00 00 00 00 00 00 00 06 69");
        String out = r.takeLine();
        assertTrue(out.startsWith("03 06 83 14 00 00 00 00 00 01 00 00 47 65 6D"), out);
        assertEquals(0, Twin.lrc(Hex.decode(out), 0, Hex.decode(out).length));
        // on a Twin, 06 is not a Gemalto escape of ours: the reader answers it
        SerialLine twin = line(ReaderType.GemPCTwin);
        feed(twin, r, "03 06 6B 01 00 00 00 00 00 00 00 00 06 69");
        assertEquals(List.of("6B 01 00 00 00 00 00 00 00 00 06"), r.reader);
    }

    @Test
    void escapeStatusFollowsTheReadersLastAnswer() {
        SerialLine l = line(ReaderType.GemPCTwin);
        byte[] absent = Hex.decode("81 00 00 00 00 00 02 02 00 01");
        l.answer(absent, 0, absent.length);
        Recorder r = new Recorder();
        feed(l, r, "03 06 6B 01 00 00 00 00 04 00 00 00 6A 01");
        assertTrue(r.takeLine().endsWith("03 06 83 00 00 00 00 00 04 42 00 00 C0"));
    }

    @Test
    void cardMovementGoesOutBeforeTheNextAnswer() {
        SerialLine l = line(ReaderType.GemPCTwin);
        l.cardMoved(false);
        l.cardMoved(true);
        byte[] answer = Hex.decode("81 00 00 00 00 00 02 01 00 01");
        assertEquals("50 02 50 03 03 06 81 00 00 00 00 00 02 01 00 01 86",
                Hex.spaced(l.answer(answer, 0, answer.length)));
        assertEquals("03 06 81 00 00 00 00 00 02 01 00 01 86", Hex.spaced(l.answer(answer, 0, answer.length)));
        for (int i = 0; i < 100; i++) {
            l.cardMoved(true);
        }
        assertEquals(2 * SerialLine.MAX_PENDING_NOTIFICATIONS + 13, l.answer(answer, 0, answer.length).length);
    }

    @ParameterizedTest
    @EnumSource(ReaderType.class)
    void chunkedInputByteByByte(ReaderType type) {
        SerialLine l = line(type);
        Recorder r = new Recorder();
        byte[] f = Hex.decode("03 06 6F 05 00 00 00 00 2B 00 00 00 00 84 00 00 08 C8");
        assertEquals(0, Twin.lrc(f, 0, f.length));
        for (byte b : f) {
            assertTrue(b == f[0] || l.inFrame());
            l.receive(new byte[] { b }, 0, 1, r);
        }
        assertFalse(l.inFrame());
        assertEquals(List.of("6F 05 00 00 00 00 2B 00 00 00 00 84 00 00 08"), r.reader);
        assertEquals(type.echo() ? Hex.spaced(f) : "", r.takeLine());
    }

    @Test
    void twoFramesInOneChunkAreHandledInOrder() {
        SerialLine l = line(ReaderType.GemCorePOSPro);
        Recorder r = new Recorder();
        feed(l, r, "03 06 65 00 00 00 00 00 02 00 00 00 62 03 06 65 00 00 00 00 01 03 00 00 00 62");
        assertEquals(List.of("65 00 00 00 00 00 02 00 00 00", "65 00 00 00 00 01 03 00 00 00"), r.reader);
    }

    @Test
    void largestFrameIsAcceptedAndOneMoreIsOversize() {
        SerialLine l = line(ReaderType.GemCorePOSPro);
        Recorder r = new Recorder();
        byte[] m = new byte[271];
        m[0] = 0x6F;
        m[1] = (byte) 261;
        m[2] = (byte) (261 >> 8);
        byte[] f = Twin.frame(m);
        l.receive(f, 0, f.length, r);
        assertEquals(1, r.reader.size());
        feed(l, r, "03 06 6F 06 01 00 00");
        assertEquals("03 15 16", r.takeLine());
        assertEquals(1, l.oversize.get());
    }

    /** Bad input: what the line answers, and proof that it keeps working afterwards. */
    static Stream<Arguments> badInput() {
        return Stream.of(
                // name, reader type, input, then idle?, expected bytes to the host
                Arguments.of("bad LRC, echo type: echo then NAK", ReaderType.GemPCTwin,
                        "03 06 65 00 00 00 00 00 02 00 00 00 63", false,
                        "03 06 65 00 00 00 00 00 02 00 00 00 63 03 15 16"),
                Arguments.of("bad LRC, no echo: NAK", ReaderType.GemCorePOSPro,
                        "03 06 65 00 00 00 00 00 02 00 00 00 63", false, "03 15 16"),
                Arguments.of("junk bytes: dropped silently", ReaderType.GemPCTwin, "FF 00 12 50 02 15", false, ""),
                Arguments.of("SYNC then a CTRL other than ACK: junk", ReaderType.GemPCTwin, "03 15 16 03 07", false,
                        ""),
                Arguments.of("lone SYNC then quiet: junk", ReaderType.GemPCTwin, "03", true, ""),
                Arguments.of("truncated header then quiet: NAK", ReaderType.GemPCTwin, "03 06 65 00 00", true,
                        "03 15 16"),
                Arguments.of("truncated body then quiet: NAK, no echo", ReaderType.GemPCTwin,
                        "03 06 6F 05 00 00 00 00 2B 00 00 00 00 84", true, "03 15 16"),
                Arguments.of("oversize dwLength 262: NAK, rest dropped", ReaderType.GemPCTwin,
                        "03 06 6F 06 01 00 00 00 2B 00 00 00 03 06 65 00 00 00 00 00 02 00 00 00 62", true,
                        "03 15 16"),
                Arguments.of("hostile dwLength FFFFFFFF: NAK", ReaderType.SEC1210, "03 06 6F FF FF FF FF", true,
                        "03 15 16"),
                Arguments.of("truncated LRC then quiet: NAK", ReaderType.SEC1210,
                        "03 06 65 00 00 00 00 00 02 00 00 00", true, "03 15 16"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badInput")
    void badInputTable(String name, ReaderType type, String input, boolean thenIdle, String expected) {
        SerialLine l = line(type);
        Recorder r = new Recorder();
        feed(l, r, input);
        if (thenIdle) {
            l.idle(r);
        }
        assertEquals(expected, r.takeLine(), name);
        assertEquals(List.of(), r.reader, "nothing reaches the reader");
        assertFalse(l.inFrame());
        // and the line still works
        feed(l, r, "03 06 65 00 00 00 00 00 02 00 00 00 62");
        assertEquals(List.of("65 00 00 00 00 00 02 00 00 00"), r.reader);
        assertEquals(type.echo() ? "03 06 65 00 00 00 00 00 02 00 00 00 62" : "", r.takeLine());
    }

    @Test
    void countersSayWhatHappened() {
        SerialLine l = line(ReaderType.GemPCTwin);
        Recorder r = new Recorder();
        feed(l, r, "AA BB 03 06 65 00 00 00 00 00 02 00 00 00 63 03 06 65");
        l.idle(r);
        assertEquals(2, l.junkBytes.get());
        assertEquals(1, l.lrcErrors.get());
        assertEquals(1, l.truncated.get());
        assertEquals(2, l.naks.get());
        assertEquals(0, l.frames.get());
    }

    @Test
    void firmwareStringMustFitLibccidsBuffer() {
        assertThrows(IllegalArgumentException.class,
                () -> new SerialLine(ReaderType.GemPCTwin, 271, "x".repeat(50), s -> 0));
        new SerialLine(ReaderType.GemPCTwin, 271, "x".repeat(49), s -> 0);
    }

    @Test
    void readerTypesAsTheDriverKnowsThem() {
        assertEquals(ReaderType.GemCorePOSPro, ReaderType.parse("gemcorepospro"));
        assertEquals(5, ReaderType.GemCorePOSPro.slots());
        assertEquals(2, ReaderType.SEC1210.slots());
        assertTrue(ReaderType.GemPCTwin.echo());
        assertFalse(ReaderType.SEC1210.echo());
        assertThrows(IllegalArgumentException.class, () -> ReaderType.parse("GemPCPinPad"));
        assertEquals(0x02, ReaderType.GemPCTwin.openEscape());
        assertEquals(0x06, ReaderType.SEC1210.openEscape());
    }

    @Test
    void readerTypeBySlotCount() {
        assertEquals(ReaderType.GemPCTwin, ReaderType.forSlots(1));
        assertEquals(ReaderType.SEC1210, ReaderType.forSlots(2));
        assertEquals(ReaderType.GemCorePOSPro, ReaderType.forSlots(3));
        assertEquals(ReaderType.GemCorePOSPro, ReaderType.forSlots(5));
        assertNull(ReaderType.forSlots(6));
    }
}
