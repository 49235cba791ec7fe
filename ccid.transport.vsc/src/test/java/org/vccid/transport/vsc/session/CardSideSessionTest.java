package org.vccid.transport.vsc.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.vccid.iso7816.Hex;
import org.vccid.transport.vsc.protocol.Vsc;
import org.vccid.transport.vsc.protocol.VscMessage;

class CardSideSessionTest {

    static final byte[] ATR = Hex.decode("3B888001766363696456534334");

    private final RecordingOutputs.Card out = new RecordingOutputs.Card();
    private final CardSideSession s = new CardSideSession("Test Reader", out);

    private static VscMessage msg(String hex) {
        byte[] b = Hex.decode(hex.replace(" ", ""));
        return new VscMessage(((b[0] & 0xFF) << 24) | ((b[1] & 0xFF) << 16) | ((b[2] & 0xFF) << 8) | (b[3] & 0xFF),
                ((b[4] & 0xFF) << 24) | ((b[5] & 0xFF) << 16) | ((b[6] & 0xFF) << 8) | (b[7] & 0xFF),
                java.util.Arrays.copyOfRange(b, 12, b.length));
    }

    /** Bytes QEMU 7.2 sent in the handshake (peers-lab C.2). */
    private void handshake() {
        s.start();
        assertEquals("00000001FFFFFFFF0000000C565343440000000200000000", Hex.encode(out.last().encode()));
        s.onMessage(msg("00000001 FFFFFFFF 0000000C 56534344 00000002 00000000"));
        assertEquals(CardSideSession.State.AWAIT_READER, s.state());
        assertEquals(Vsc.VSC_ReaderAdd, out.last().type());
        assertEquals("Test Reader", out.last().readerAddName());
        s.onMessage(msg("00000002 00000000 00000004 00000000"));
        assertEquals(CardSideSession.State.READY, s.state());
        assertEquals(0, s.readerId());
    }

    @Test
    void handshakeThenAtrThenApduThenRemoval() {
        handshake();
        assertEquals(2, out.sent.size(), "no ATR without a card");
        s.cardInserted(ATR);
        assertEquals("00000005000000000000000D3B888001766363696456534334", Hex.encode(out.last().encode()));
        assertEquals(CardSideSession.CardState.ATR_SENT, s.cardState());
        s.onMessage(msg("00000002 00000000 00000004 00000000"));
        assertEquals(CardSideSession.CardState.INSERTED, s.cardState());
        s.onMessage(msg("00000007 00000000 00000005 00CA000000"));
        assertEquals(List.of("transmit 0 00CA000000"), out.calls);
        s.apduResponse(0, Hex.decode("9000"));
        assertEquals("0000000700000000000000029000", Hex.encode(out.last().encode()));
        s.cardRemoved();
        assertEquals("000000060000000000000000", Hex.encode(out.last().encode()));
        s.onMessage(msg("00000002 00000000 00000004 00000000"));
        assertEquals(CardSideSession.CardState.ABSENT, s.cardState());
        s.shutdown();
        assertEquals("000000040000000000000000", Hex.encode(out.last().encode()));
        assertNull(out.closed);
    }

    @Test
    void cardPresentBeforeReaderIsAnnouncedAfterAck() {
        s.cardInserted(ATR);
        handshake();
        assertEquals(Vsc.VSC_ATR, out.last().type());
        s.onMessage(msg("00000002 00000000 00000004 00000001")); // QEMU refuses the ATR
        assertEquals(CardSideSession.CardState.REFUSED, s.cardState());
        s.onMessage(msg("00000007 00000000 00000002 0000"));
        assertEquals("00000002000000000000000400000001", Hex.encode(out.last().encode()), "APDU without card");
        assertTrue(out.calls.isEmpty());
    }

    @Test
    void shutdownWithCardSendsCardRemoveThenReaderRemove() {
        handshake();
        s.cardInserted(ATR);
        int n = out.sent.size();
        s.shutdown();
        assertEquals(Vsc.VSC_CardRemove, out.sent.get(n).type());
        assertEquals(Vsc.VSC_ReaderRemove, out.sent.get(n + 1).type());
        s.onMessage(msg("00000007 00000000 00000002 0000"));
        assertEquals(n + 2, out.sent.size(), "nothing after shutdown");
    }

    @Test
    void flushIsPassedOnAndCompleted() {
        handshake();
        s.onMessage(msg("00000008 00000000 00000000"));
        assertEquals(List.of("flush 0"), out.calls);
        s.flushComplete(0);
        assertEquals("000000090000000000000000", Hex.encode(out.last().encode()));
    }

    @Test
    void readerRefusedClosesTheConnection() {
        s.start();
        s.onMessage(msg("00000001 FFFFFFFF 0000000C 56534344 00000002 00000000"));
        s.onMessage(msg("00000002 FFFFFFFF 00000004 00000002"));
        assertNotNull(out.closed);
        assertTrue(out.closed.contains("VSC_CANNOT_ADD_MORE_READERS"), out.closed);
    }

    /** Bad input from a host: each one closes the connection with a reason. */
    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "wrong magic,        00000001 FFFFFFFF 0000000C 44435356 00000002 00000000, magic",
        "other major,        00000001 FFFFFFFF 0000000C 56534344 00200000 00000000, version",
        "short init,         00000001 FFFFFFFF 00000004 56534344, VSC_Init payload",
        "ragged init,        00000001 FFFFFFFF 0000000A 56534344 00000002 0000, VSC_Init payload",
        "unknown type,       000000FF 00000000 00000000, type_255",
        "ATR from host,      00000005 00000000 00000002 3B00, VSC_ATR",
        "ReaderAdd from host,00000003 00000000 00000000, VSC_ReaderAdd",
        "FlushComplete,      00000009 00000000 00000000, VSC_FlushComplete",
    })
    void badHostInputCloses(String what, String hex, String reasonPart) {
        s.start();
        if (!what.contains("init") && !what.contains("magic") && !what.contains("major")) {
            s.onMessage(msg("00000001 FFFFFFFF 0000000C 56534344 00000002 00000000"));
        }
        s.onMessage(msg(hex));
        assertNotNull(out.closed, what);
        assertTrue(out.closed.contains(reasonPart), out.closed);
        assertEquals(CardSideSession.State.CLOSED, s.state());
    }

    @Test
    void apduForAnotherReaderIsAnsweredWithError() {
        handshake();
        s.cardInserted(ATR);
        s.onMessage(msg("00000007 00000005 00000002 0000"));
        assertEquals("00000002000000050000000400000001", Hex.encode(out.last().encode()));
        assertTrue(out.calls.isEmpty());
        assertNull(out.closed);
    }

    @Test
    void unsolicitedErrorAndRepeatedInitAreIgnored() {
        handshake();
        int n = out.sent.size();
        s.onMessage(msg("00000002 00000000 00000004 00000000"));
        s.onMessage(msg("00000001 FFFFFFFF 0000000C 56534344 00000002 00000000"));
        assertEquals(n, out.sent.size());
        assertEquals(CardSideSession.State.READY, s.state());
        assertNull(out.closed);
    }
}
