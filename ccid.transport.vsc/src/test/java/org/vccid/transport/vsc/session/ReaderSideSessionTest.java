package org.vccid.transport.vsc.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.vccid.iso7816.Hex;
import org.vccid.transport.vsc.protocol.VscMessage;

class ReaderSideSessionTest {

    private final RecordingOutputs.Reader out = new RecordingOutputs.Reader();
    private final ReaderSideSession s = new ReaderSideSession(2, out);

    private static VscMessage msg(String hex) {
        byte[] b = Hex.decode(hex.replace(" ", ""));
        return new VscMessage(((b[0] & 0xFF) << 24) | ((b[1] & 0xFF) << 16) | ((b[2] & 0xFF) << 8) | (b[3] & 0xFF),
                ((b[4] & 0xFF) << 24) | ((b[5] & 0xFF) << 16) | ((b[6] & 0xFF) << 8) | (b[7] & 0xFF),
                java.util.Arrays.copyOfRange(b, 12, b.length));
    }

    private String lastSent() {
        return Hex.encode(out.last().encode());
    }

    /** vscclient's opening: Init (reader 0), ReaderRemove(0) clean-up, ReaderAdd without a name. */
    private void vscclientOpening() {
        s.onMessage(msg("00000001 00000000 0000000C 56534344 00000002 00000000"));
        assertEquals("00000001FFFFFFFF0000000C565343440000000200000000", lastSent());
        s.onMessage(msg("00000004 00000000 00000000"));
        assertEquals("00000002000000000000000400000001", lastSent(), "unknown reader: GENERAL_ERROR");
        s.onMessage(msg("00000003 00000000 00000000"));
        assertEquals("00000002000000000000000400000000", lastSent(), "reader 0 added");
    }

    @Test
    void vscclientLifecycle() {
        vscclientOpening();
        s.onMessage(msg("00000005 00000000 0000000D 3B888001766363696456534334"));
        assertEquals("00000002000000000000000400000000", lastSent());
        assertTrue(s.transmit(0, Hex.decode("FF00CA000000FF"), 1, 5));
        assertEquals("00000007000000000000000500CA000000", lastSent());
        assertFalse(s.transmit(0, Hex.decode("00CA000000"), 0, 5), "one APDU at a time");
        s.onMessage(msg("00000007 00000000 00000004 00019000"));
        s.onMessage(msg("00000006 00000000 00000000"));
        assertEquals("00000002000000000000000400000000", lastSent());
        assertFalse(s.transmit(0, Hex.decode("00CA000000"), 0, 5), "no card");
        s.onMessage(msg("00000004 00000000 00000000"));
        assertEquals("00000002000000000000000400000000", lastSent());
        assertEquals(List.of("readerAdded 0 ", "cardInserted 0 3B888001766363696456534334",
                "apduAnswered 0 00019000", "cardRemoved 0", "readerRemoved 0"), out.events);
        assertNull(out.closed);
    }

    @Test
    void namedReadersGetIdsUpToTheLimit() {
        s.onMessage(msg("00000001 FFFFFFFF 0000000C 56534344 00000002 00000000"));
        s.onMessage(VscMessage.readerAdd("Reader A"));
        assertEquals("00000002000000000000000400000000", lastSent());
        s.onMessage(VscMessage.readerAdd("Reader\u0007 B"));
        assertEquals("00000002000000010000000400000000", lastSent());
        s.onMessage(VscMessage.readerAdd("Reader C"));
        assertEquals("00000002FFFFFFFF0000000400000002", lastSent(), "CANNOT_ADD_MORE_READERS");
        assertEquals("Reader B", s.readerName(1), "control characters dropped");
        s.onMessage(msg("00000004 00000000 00000000"));
        s.onMessage(VscMessage.readerAdd("Reader D"));
        assertEquals("00000002000000000000000400000000", lastSent(), "freed id 0 reused");
        assertEquals("Reader D", s.readerName(0));
    }

    @Test
    void errorAnswerFailsTheOutstandingApdu() {
        vscclientOpening();
        s.onMessage(msg("00000005 00000000 00000002 3B00"));
        int n = out.sent.size();
        assertTrue(s.transmit(0, Hex.decode("00A4040000"), 0, 5));
        // vscclient sends its VReaderStatus in host order
        s.onMessage(msg("00000002 00000000 00000004 01000000"));
        assertEquals("apduFailed 0", out.events.get(out.events.size() - 1));
        assertEquals(n + 1, out.sent.size(), "an Error is never answered");
    }

    @Test
    void newAtrResetsTheCardAndFailsTheOutstandingApdu() {
        vscclientOpening();
        s.onMessage(msg("00000005 00000000 00000002 3B00"));
        assertTrue(s.transmit(0, Hex.decode("00A4040000"), 0, 5));
        s.onMessage(msg("00000005 00000000 00000003 3B0100"));
        assertEquals(List.of("readerAdded 0 ", "cardInserted 0 3B00", "apduFailed 0", "cardInserted 0 3B0100"),
                out.events);
    }

    @Test
    void disconnectRemovesEverything() {
        vscclientOpening();
        s.onMessage(msg("00000005 00000000 00000002 3B00"));
        assertTrue(s.transmit(0, Hex.decode("00A4040000"), 0, 5));
        s.disconnected();
        assertEquals(List.of("readerAdded 0 ", "cardInserted 0 3B00", "apduFailed 0", "cardRemoved 0",
                "readerRemoved 0"), out.events);
        assertFalse(s.transmit(0, Hex.decode("00A4040000"), 0, 5));
    }

    /** Bad input after a good opening: answered with VSC_Error(GENERAL_ERROR), state unchanged. */
    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "ATR for unknown reader,   00000005 00000007 00000002 3B00,       00000002000000070000000400000001",
        "APDU for unknown reader,  00000007 00000009 00000002 9000,       00000002000000090000000400000001",
        "CardRemove unknown reader,00000006 00000003 00000000,            00000002000000030000000400000001",
        "unsolicited APDU,         00000007 00000000 00000002 9000,       00000002000000000000000400000001",
        "unknown type,             00000063 00000000 00000000,            00000002000000000000000400000001",
        "Flush from client,        00000008 00000000 00000000,            00000002000000000000000400000001",
        "FlushComplete unasked,    00000009 00000000 00000000,            00000002000000000000000400000001",
        "ATR with TS 3C,           00000005 00000000 00000002 3C00,       00000002000000000000000400000001",
        "ATR too short,            00000005 00000000 00000002 3B0A,       00000002000000000000000400000001",
        "empty ATR,                00000005 00000000 00000000,            00000002000000000000000400000001",
        "ATR of 34 bytes,          00000005 00000000 00000022 3B0F000102030405060708090A0B0C0D0E000000000000000000000000000000000000, 00000002000000000000000400000001",
    })
    void badClientInputIsAnsweredWithError(String what, String hex, String answer) {
        vscclientOpening();
        out.events.clear();
        s.onMessage(msg(hex));
        assertEquals(answer, lastSent(), what);
        assertNull(out.closed, what);
        assertTrue(out.events.isEmpty(), what + ": " + out.events);
        assertTrue(s.isOpen());
        assertEquals(List.of(0), s.readerIds());
    }

    /** Bad openings: the connection is closed. */
    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "ReaderAdd before Init,  00000003 FFFFFFFF 00000000",
        "APDU before Init,       00000007 00000000 00000002 9000",
        "wrong magic,            00000001 00000000 0000000C 44435356 00000002 00000000",
        "other major version,    00000001 00000000 0000000C 56534344 00200002 00000000",
        "Init too short,         00000001 00000000 00000004 56534344",
    })
    void badOpeningCloses(String what, String hex) {
        s.onMessage(msg(hex));
        assertNotNull(out.closed, what);
        assertFalse(s.isOpen());
        s.onMessage(msg("00000001 00000000 0000000C 56534344 00000002 00000000"));
        assertFalse(s.isOpen(), "nothing after close");
    }
}
