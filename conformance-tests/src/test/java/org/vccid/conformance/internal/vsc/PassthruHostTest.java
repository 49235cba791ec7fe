package org.vccid.conformance.internal.vsc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.vccid.iso7816.Hex;
import org.vccid.transport.vsc.protocol.Vsc;
import org.vccid.transport.vsc.protocol.VscDecoder;
import org.vccid.transport.vsc.protocol.VscMessage;

/** QEMU's passthru side, byte for byte (the answers ccid-card-passthru.c gives), and what it flags. */
class PassthruHostTest {

    private final ByteArrayOutputStream sent = new ByteArrayOutputStream();
    private final PassthruHost host = new PassthruHost(m -> sent.writeBytes(m.encode()));

    /** Feed the card side's bytes; return what the host sent, as hex. */
    private String in(String hex) throws Exception {
        sent.reset();
        VscDecoder d = new VscDecoder(Vsc.DEFAULT_MAX_PAYLOAD);
        byte[] b = Hex.decode(hex);
        d.feed(b, 0, b.length);
        for (VscMessage m; (m = d.poll()) != null;) {
            host.onMessage(m);
        }
        assertEquals(0, d.pending(), "whole messages");
        return Hex.encode(sent.toByteArray());
    }

    private void handshake() throws Exception {
        // our card side's VSC_Init (reader FFFFFFFF; vscclient sends 0): answered with QEMU's own Init
        assertEquals("00000001FFFFFFFF0000000C565343440000000200000000",
                in("00000001 FFFFFFFF 0000000C 56534344 00000002 00000000"));
        // VSC_ReaderAdd "vr\0": VSC_Error(SUCCESS) with reader id 0 in the header
        assertEquals("000000020000000000000004" + "00000000", in("00000003 FFFFFFFF 00000003 76 72 00"));
        assertTrue(host.attached());
        assertEquals("vr", host.readerName());
    }

    @Test
    void handshakeAtrApduRemovalAsQemuAnswersThem() throws Exception {
        assertFalse(host.initSeen());
        handshake();
        assertThrows(IllegalStateException.class, host::powerOn, "no card yet");
        // VSC_ATR of the reference card: SUCCESS, stored, card in
        assertEquals("00000002000000000000000400000000", in("00000005 00000000 0000000A 3B85800176636369647F"));
        assertTrue(host.cardPresent());
        assertArrayEquals(Hex.decode("3B85800176636369647F"), host.powerOn());
        // a command goes out as VSC_APDU, reader 0
        sent.reset();
        host.command(Hex.decode("00A4040000"));
        assertEquals("00000007000000000000000500A4040000", Hex.encode(sent.toByteArray()));
        assertTrue(host.apduPending());
        assertThrows(IllegalStateException.class, () -> host.command(Hex.decode("00")), "one at a time");
        assertEquals("", in("00000007 00000000 00000002 6A82"), "nothing answers an APDU");
        assertFalse(host.apduPending());
        assertArrayEquals(Hex.decode("6A82"), host.response());
        assertNull(host.apduFailure());
        // VSC_CardRemove, VSC_ReaderRemove: SUCCESS each
        assertEquals("00000002000000000000000400000000", in("00000006 00000000 00000000"));
        assertFalse(host.cardPresent());
        assertEquals(1, host.cardRemoves());
        assertEquals("00000002000000000000000400000000", in("00000004 00000000 00000000"));
        assertFalse(host.attached());
        assertEquals(1, host.readerRemoves());
        assertEquals(List.of(), host.problems());
    }

    @Test
    void atrsQemuRefusesAreAnsweredWithGeneralError() throws Exception {
        handshake();
        // truncated: T0 = 88 announces 8 historical bytes and TD1
        assertEquals("00000002000000000000000400000001", in("00000005 00000000 00000008 3B88800176636369"));
        assertFalse(host.cardPresent());
        assertEquals(1, host.atrsRefused());
        assertTrue(host.refusal().contains("too short"), host.refusal());
        // TS 3C
        assertEquals("00000002000000000000000400000001", in("00000005 00000000 00000002 3C00"));
        // 41 bytes: over MAX_ATR_SIZE
        assertEquals("00000002000000000000000400000001", in("00000005 00000000 00000029 3B0F" + "00".repeat(39)));
        assertEquals("ATR size exceeds spec", host.refusal());
        IllegalStateException e = assertThrows(IllegalStateException.class, host::powerOn);
        assertTrue(e.getMessage().contains("ICC mute") && e.getMessage().contains("refused"), e.getMessage());
        // a T=1 ATR with a wrong TCK (80, should be 81) passes: QEMU does not check TCK
        assertEquals("00000002000000000000000400000000", in("00000005 00000000 00000004 3B800180"));
        assertTrue(host.cardPresent());
        assertEquals(List.of(), host.problems());
    }

    @Test
    void anErrorOrARemovalFailsTheOutstandingCommand() throws Exception {
        handshake();
        in("00000005 00000000 0000000A 3B85800176636369647F");
        host.command(Hex.decode("80EE0000"));
        assertEquals("", in("00000002 00000000 00000004 00000001"));
        assertFalse(host.apduPending());
        assertTrue(host.apduFailure().contains("VSC_GENERAL_ERROR"), host.apduFailure());
        host.command(Hex.decode("80EE0000"));
        in("00000006 00000000 00000000");
        assertTrue(host.apduFailure().contains("removed"), host.apduFailure());
        assertEquals(List.of(), host.problems());
    }

    @Test
    void deviationsQemuToleratesAreRecorded() throws Exception {
        // before Init; wrong magic (QEMU logs "wrong magic" and still answers)
        assertEquals("00000002000000000000000400000000", in("00000003 FFFFFFFF 00000000"));
        assertEquals("00000001FFFFFFFF0000000C565343440000000200000000",
                in("00000001 00000000 0000000C 58585858 00000002 00000000"));
        // a second ReaderAdd: QEMU grants reader 0 again (measured)
        assertEquals("00000002000000000000000400000000", in("00000003 FFFFFFFF 00000000"));
        // ATR on reader 5; an APDU nobody asked for; a Flush (host to client only): GENERAL_ERROR
        in("00000005 00000005 00000004 3B800180");
        in("00000007 00000000 00000002 9000");
        assertEquals("00000002000000000000000400000001", in("00000008 00000000 00000000"));
        List<String> p = host.problems();
        assertEquals(6, p.size(), p.toString());
        assertTrue(p.get(0).contains("before VSC_Init"), p.get(0));
        assertTrue(p.get(1).contains("wrong magic"), p.get(1));
        assertTrue(p.get(2).contains("second VSC_ReaderAdd"), p.get(2));
        assertTrue(p.get(3).contains("reader id granted was 0"), p.get(3));
        assertTrue(p.get(4).contains("unsolicited VSC_APDU"), p.get(4));
        assertTrue(p.get(5).contains("unexpected VSC_Flush"), p.get(5));
    }
}
