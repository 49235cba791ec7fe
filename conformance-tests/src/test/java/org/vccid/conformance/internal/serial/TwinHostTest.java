package org.vccid.conformance.internal.serial;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.vccid.conformance.internal.serial.TwinHost.Event;
import org.vccid.iso7816.Hex;
import org.vccid.transport.serial.framing.ReaderType;
import org.vccid.transport.serial.framing.Twin;

/** libccid's side of the GemPC Twin framing, with the bytes libccid 1.5.2 exchanges (libccid-serial.md). */
class TwinHostTest {

    private static final byte[] ESCAPE_02 = Hex.decode("6B 01000000 00 00 00 00 00 02");
    private static final byte[] ESCAPE_02_FRAME = Hex.decode("03 06 6B 01 00 00 00 00 00 00 00 00 02 6D");
    private static final byte[] FIRMWARE_ANSWER = Hex.decode("83 04000000 00 00 01 00 00 54 77 69 6E");
    private static final byte[] GET_SLOT_STATUS = Hex.decode("65 00000000 00 02 00 00 00");
    private static final byte[] SLOT_STATUS_FRAME = Hex.decode("03 06 81 00 00 00 00 00 02 01 00 01 86");

    private static List<Event> feedAll(TwinHost h, byte[]... chunks) throws TwinHost.LineError {
        List<Event> all = new ArrayList<>();
        for (byte[] c : chunks) {
            all.addAll(h.feed(c, 0, c.length));
        }
        return all;
    }

    private static byte[] cat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] r = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, r, at, p.length);
            at += p.length;
        }
        return r;
    }

    @Test
    void framesAreLibccidsBytes() {
        assertArrayEquals(ESCAPE_02_FRAME, Twin.frame(ESCAPE_02));
        assertArrayEquals(Hex.decode("03 06 6B 03 00 00 00 00 01 00 00 00 01 01 01 6D"),
                Twin.frame(Hex.decode("6B 03000000 00 01 00 00 00 01 01 01")));
        assertArrayEquals(Hex.decode("03 06 65 00 00 00 00 00 02 00 00 00 62"), Twin.frame(GET_SLOT_STATUS));
        assertEquals(0, Twin.lrc(SLOT_STATUS_FRAME, 0, SLOT_STATUS_FRAME.length), "a whole frame XORs to 0");
    }

    @Test
    void twinEchoThenAnswerInOneChunkOrByteByByte() throws Exception {
        TwinHost h = new TwinHost(ReaderType.GemPCTwin, 271);
        assertArrayEquals(ESCAPE_02_FRAME, h.command(ESCAPE_02));
        assertEquals(1, h.unechoed());
        List<Event> e = feedAll(h, cat(ESCAPE_02_FRAME, Twin.frame(FIRMWARE_ANSWER)));
        assertEquals(1, e.size());
        assertArrayEquals(FIRMWARE_ANSWER, ((Event.Answer) e.get(0)).message());
        assertEquals(1, h.echoes());
        assertEquals(0, h.unechoed());

        h.command(GET_SLOT_STATUS);
        byte[] line = cat(Twin.frame(GET_SLOT_STATUS), SLOT_STATUS_FRAME);
        List<Event> got = new ArrayList<>();
        for (int i = 0; i < line.length; i++) {
            got.addAll(h.feed(line, i, 1));
        }
        assertEquals(1, got.size());
        assertEquals("81 00 00 00 00 00 02 01 00 01", Hex.spaced(((Event.Answer) got.get(0)).message()));
    }

    @Test
    void cardMovementNoticesAndNakBetweenFrames() throws Exception {
        TwinHost h = new TwinHost(ReaderType.GemCorePOSPro, 271);
        h.command(GET_SLOT_STATUS);
        List<Event> e = feedAll(h, Hex.decode("50 03 50"), Hex.decode("02"), SLOT_STATUS_FRAME, Hex.decode("03 15"),
                Hex.decode("16"));
        assertEquals(4, e.size());
        assertEquals(new Event.Notice(true), e.get(0));
        assertEquals(new Event.Notice(false), e.get(1));
        assertTrue(e.get(2) instanceof Event.Answer);
        assertEquals(new Event.Nak(), e.get(3));
        assertEquals(0, h.echoes(), "POS Pro does not echo");
    }

    @Test
    void twoCommandsInFlightTheirEchoesAndAnswersInterleaved() throws Exception {
        TwinHost h = new TwinHost(ReaderType.GemPCTwin, 271);
        byte[] slow = Hex.decode("6F 04000000 00 00 00 00 00 80 5E 00 14");
        byte[] status = Hex.decode("65 00000000 00 01 00 00 00");
        h.command(slow);
        h.command(status);
        byte[] timeExtension = Hex.decode("80 00000000 00 00 80 01 00");
        byte[] statusAnswer = Hex.decode("81 00000000 00 01 40 E0 00");
        List<Event> e = feedAll(h, Twin.frame(slow), Twin.frame(timeExtension), Twin.frame(status),
                Twin.frame(statusAnswer));
        assertEquals(2, e.size());
        assertArrayEquals(timeExtension, ((Event.Answer) e.get(0)).message());
        assertArrayEquals(statusAnswer, ((Event.Answer) e.get(1)).message());
        assertEquals(2, h.echoes());
    }

    /** Every line error names what was wrong, and the line stays broken. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "junk between frames | GemPCTwin | 42 | junk byte 42 between frames",
        "50 with a bad second byte | GemPCTwin | 50 07 | 50 07 between frames",
        "unknown CTRL | GemPCTwin | 03 07 | unknown CTRL byte",
        "NAK with a bad LRC | GemPCTwin | 03 15 17 | NAK frame 03 15 17",
        "bad LRC | GemCorePOSPro | 03 06 81 00 00 00 00 00 02 01 00 01 87 | bad LRC",
        "oversize dwLength | GemCorePOSPro | 03 06 80 00 01 00 00 | dwLength 256, more than dwMaxCCIDMessageLength 100",
        "answer before the echo | GemPCTwin | 03 06 81 00 00 00 00 00 02 01 00 01 86 | came before the echo",
        "a wrong echo | GemPCTwin | 03 06 65 00 00 00 00 00 03 00 00 00 63 | not the echo of the oldest command",
        "an echo from POS Pro | GemCorePOSPro | 03 06 65 00 00 00 00 00 02 00 00 00 62 | a reader type that does not echo",
    })
    void lineErrors(String what, ReaderType type, String bytes, String message) throws Exception {
        TwinHost h = new TwinHost(type, 100);
        h.command(GET_SLOT_STATUS);
        byte[] b = Hex.decode(bytes);
        TwinHost.LineError e = assertThrows(TwinHost.LineError.class, () -> h.feed(b, 0, b.length));
        assertTrue(e.getMessage().contains(message), e.getMessage());
        byte[] good = cat(Twin.frame(GET_SLOT_STATUS), SLOT_STATUS_FRAME);
        assertThrows(TwinHost.LineError.class, () -> h.feed(good, 0, good.length), "out of step for good");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "GetSlotStatus | GemPCTwin | 65 00000000 00 00 00 00 00 |",
        "Escape 01 02 goes to the reader | GemPCTwin | 6B 02000000 00 00 00 00 00 01 02 |",
        "Escape 06 on a Twin goes to the reader | GemPCTwin | 6B 01000000 00 00 00 00 00 06 |",
        "271 bytes | GemPCTwin | XFR 271 |",
        "one byte | GemPCTwin | 6F | shorter than the CCID header",
        "truncated header | GemPCTwin | 65 00 00 00 00 00 00 | shorter than the CCID header",
        "dwLength 1, no data | GemPCTwin | 65 01000000 00 00 00 00 00 | dwLength 1 disagrees with the 0 data byte(s)",
        "dwLength 2^31-1 | GemPCTwin | 6F FFFFFF7F 00 00 00 00 00 | dwLength 2147483647 disagrees",
        "272 bytes | GemPCTwin | XFR 272 | a 272-byte message exceeds dwMaxCCIDMessageLength 271",
        "firmware escape | GemPCTwin | 6B 01000000 00 00 00 00 00 02 | Escape 02 is a Gemalto escape",
        "SEC1210's firmware escape | SEC1210 | 6B 01000000 00 00 00 00 00 06 | Escape 06 is a Gemalto escape",
        "synchronous mode | GemCorePOSPro | 6B 03000000 00 00 00 00 00 01 01 01 | Escape 01 01 01 is a Gemalto escape",
        "GET_FIRMWARE_FEATURES | GemPCTwin | 6B 01000000 00 00 00 00 00 6A | Escape 6A is a Gemalto escape",
    })
    void whatTheLineCannotCarry(String what, ReaderType type, String bytes, String reason) {
        byte[] m;
        if (bytes.startsWith("XFR ")) { // an XfrBlock of this total size, dwLength right
            m = new byte[Integer.parseInt(bytes.substring(4))];
            m[0] = 0x6F;
            m[1] = (byte) (m.length - 10);
            m[2] = (byte) (m.length - 10 >> 8);
        } else {
            m = Hex.decode(bytes);
        }
        String why = new TwinHost(type, 271).cannotCarry(m);
        if (reason == null) {
            assertNull(why, what);
        } else {
            assertNotNull(why, what);
            assertTrue(why.contains(reason), why);
        }
    }
}
