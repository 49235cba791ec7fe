package org.vccid.transport.vsc.session;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

import org.junit.jupiter.api.Test;
import org.vccid.transport.vsc.protocol.Vsc;
import org.vccid.transport.vsc.protocol.VscDecoder;
import org.vccid.transport.vsc.protocol.VscMessage;
import org.vccid.transport.vsc.protocol.VscProtocolException;

/**
 * Seeded random message streams (plausible headers, random types, reader ids and payloads) through decoder and
 * sessions: nothing may throw, the reader side never exceeds its reader limit, and every message a session sends
 * is well-formed (an Error carries 4 bytes, types are 1..9).
 */
class RandomInputTest {

    private static byte[] randomStream(Random r) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        if (r.nextInt(4) != 0) {
            out.writeBytes(VscMessage.init(r.nextBoolean() ? 0 : Vsc.UNDEFINED_READER_ID).encode());
        }
        int n = 1 + r.nextInt(40);
        for (int i = 0; i < n; i++) {
            int type = r.nextInt(8) == 0 ? r.nextInt() : 1 + r.nextInt(10);
            int reader = r.nextInt(6) == 0 ? Vsc.UNDEFINED_READER_ID : r.nextInt(4);
            byte[] payload = new byte[r.nextInt(6) == 0 ? r.nextInt(300) : r.nextInt(16)];
            r.nextBytes(payload);
            if (type == Vsc.VSC_ATR && r.nextBoolean()) {
                payload = new byte[] { 0x3B, 0x00 };
            }
            if (type == Vsc.VSC_Init && r.nextBoolean()) {
                payload = VscMessage.init(0).payload();
            }
            out.writeBytes(new VscMessage(type, reader, payload).encode());
        }
        if (r.nextInt(5) == 0) {
            byte[] junk = new byte[r.nextInt(40)];
            r.nextBytes(junk);
            out.writeBytes(junk);
        }
        return out.toByteArray();
    }

    private static void checkSent(VscMessage m) {
        assertTrue(m.type() >= 1 && m.type() <= 9, m.toString());
        if (m.type() == Vsc.VSC_Error) {
            assertTrue(m.payload().length == 4, m.toString());
        }
    }

    @Test
    void readerSideSurvivesRandomClients() {
        Random r = new Random(0x5653_4344L);
        for (int round = 0; round < 2000; round++) {
            RecordingOutputs.Reader out = new RecordingOutputs.Reader();
            ReaderSideSession s = new ReaderSideSession(3, out);
            VscDecoder d = new VscDecoder(1024);
            byte[] stream = randomStream(r);
            int off = 0;
            try {
                while (off < stream.length && out.closed == null) {
                    int chunk = Math.min(stream.length - off, 1 + r.nextInt(64));
                    d.feed(stream, off, chunk);
                    off += chunk;
                    for (VscMessage m; (m = d.poll()) != null && out.closed == null;) {
                        s.onMessage(m);
                        assertTrue(s.readerIds().size() <= 3);
                        if (r.nextInt(4) == 0) {
                            s.transmit(r.nextInt(4), new byte[] { 0, (byte) 0xCA, 0, 0, 0 }, 0, 5);
                        }
                    }
                }
            } catch (VscProtocolException e) {
                // an oversize header: the connection would close here
            }
            s.disconnected();
            out.sent.forEach(RandomInputTest::checkSent);
            assertTrue(s.readerIds().isEmpty());
        }
    }

    @Test
    void cardSideSurvivesRandomHosts() {
        Random r = new Random(0x4344_5653L);
        for (int round = 0; round < 2000; round++) {
            RecordingOutputs.Card out = new RecordingOutputs.Card();
            CardSideSession s = new CardSideSession("fuzz", out);
            s.start();
            if (r.nextBoolean()) {
                s.cardInserted(new byte[] { 0x3B, 0x00 });
            }
            VscDecoder d = new VscDecoder(1024);
            byte[] stream = randomStream(r);
            try {
                d.feed(stream, 0, stream.length);
                for (VscMessage m; (m = d.poll()) != null && out.closed == null;) {
                    s.onMessage(m);
                    switch (r.nextInt(6)) {
                        case 0: s.cardRemoved(); break;
                        case 1: s.cardInserted(new byte[] { 0x3B, 0x00 }); break;
                        case 2: s.apduResponse(s.readerId(), new byte[] { (byte) 0x90, 0 }); break;
                        default: break;
                    }
                }
            } catch (VscProtocolException e) {
                // oversize: closed by the adapter
            }
            s.shutdown();
            out.sent.forEach(RandomInputTest::checkSent);
        }
    }
}
