package org.vccid.transport.vsc.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.vccid.iso7816.Hex;

class VscCodecTest {

    @Test
    void initBytesAreWhatQemuSends() {
        // QEMU 7.2's answer to a client's Init, as captured (peers-lab C.2)
        assertEquals("00000001FFFFFFFF0000000C565343440000000200000000",
                Hex.encode(VscMessage.init(Vsc.UNDEFINED_READER_ID).encode()));
        // vscclient's Init (reader id 0)
        assertEquals("00000001000000000000000C565343440000000200000000",
                Hex.encode(VscMessage.init(0).encode()));
        assertEquals(2, Vsc.VERSION);
        assertEquals(0x00200401, Vsc.makeVersion(1, 1, 1));
    }

    @Test
    void errorReaderAddApduEncodings() {
        assertEquals("00000002000000000000000400000000", Hex.encode(VscMessage.error(0, Vsc.VSC_SUCCESS).encode()));
        assertEquals("0000000200000003000000040000000A", Hex.encode(VscMessage.error(3, 10).encode()));
        assertEquals("00000003FFFFFFFF0000000656534344 3100".replace(" ", ""),
                Hex.encode(VscMessage.readerAdd("VSCD1").encode()));
        assertEquals("000000070000000100000005 00A4040000".replace(" ", ""),
                Hex.encode(new VscMessage(Vsc.VSC_APDU, 1, Hex.decode("00A4040000")).encode()));
        assertEquals("000000090000000000000000", Hex.encode(VscMessage.empty(Vsc.VSC_FlushComplete, 0).encode()));
        byte[] slice = Hex.decode("AABBCCDDEE");
        assertEquals("00000005000000020000000 3BBCCDD".replace(" ", ""),
                Hex.encode(VscMessage.encode(Vsc.VSC_ATR, 2, slice, 1, 3)));
    }

    @Test
    void errorCodeReadsBothByteOrders() {
        assertEquals(0, new VscMessage(Vsc.VSC_Error, 0, Hex.decode("00000000")).errorCode());
        assertEquals(2, new VscMessage(Vsc.VSC_Error, 0, Hex.decode("00000002")).errorCode());
        // spice-gtk / vscclient write host order (little-endian on x86)
        assertEquals(2, new VscMessage(Vsc.VSC_Error, 0, Hex.decode("02000000")).errorCode());
        assertEquals(0x12345678, new VscMessage(Vsc.VSC_Error, 0, Hex.decode("12345678")).errorCode());
        assertEquals(-1, new VscMessage(Vsc.VSC_Error, 0, Hex.decode("0000")).errorCode());
    }

    @Test
    void readerAddName() {
        assertEquals("Virtual Reader", new VscMessage(Vsc.VSC_ReaderAdd, -1,
                "Virtual Reader\0junk".getBytes()).readerAddName());
        assertEquals("", new VscMessage(Vsc.VSC_ReaderAdd, -1, new byte[0]).readerAddName());
        assertEquals("abc", new VscMessage(Vsc.VSC_ReaderAdd, -1, "abc".getBytes()).readerAddName());
    }

    @Test
    void decoderCutsAStreamSplitAnywhere() throws Exception {
        List<VscMessage> sent = List.of(VscMessage.init(0), VscMessage.readerAdd("r"),
                new VscMessage(Vsc.VSC_ATR, 0, Hex.decode("3B00")), VscMessage.empty(Vsc.VSC_CardRemove, 0),
                new VscMessage(Vsc.VSC_APDU, 7, new byte[300]), VscMessage.error(0, 1));
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (VscMessage m : sent) {
            all.write(m.encode());
        }
        byte[] stream = all.toByteArray();
        for (int chunk = 1; chunk <= stream.length; chunk += chunk < 16 ? 1 : 37) {
            VscDecoder d = new VscDecoder(Vsc.DEFAULT_MAX_PAYLOAD);
            List<VscMessage> got = new ArrayList<>();
            for (int off = 0; off < stream.length; off += chunk) {
                d.feed(stream, off, Math.min(chunk, stream.length - off));
                for (VscMessage m; (m = d.poll()) != null;) {
                    got.add(m);
                }
            }
            assertEquals(sent, got, "chunk " + chunk);
            assertEquals(0, d.pending());
        }
    }

    @Test
    void decoderKeepsPartialMessages() throws Exception {
        VscDecoder d = new VscDecoder(100);
        byte[] m = new VscMessage(Vsc.VSC_APDU, 0, Hex.decode("0102")).encode();
        d.feed(m, 0, 13);
        assertNull(d.poll());
        assertEquals(13, d.pending());
        d.feed(m, 13, 1);
        assertArrayEquals(Hex.decode("0102"), d.poll().payload());
        assertNull(d.poll());
    }

    @Test
    void decoderRefusesOversizeBeforeBuffering() {
        VscDecoder d = new VscDecoder(1000);
        byte[] header = Hex.decode("00000007 00000000 000003E9".replace(" ", "")); // 1001 bytes announced
        d.feed(header, 0, header.length);
        VscProtocolException e = assertThrows(VscProtocolException.class, d::poll);
        assertTrue(e.getMessage().contains("1001"), e.getMessage());
        VscDecoder d2 = new VscDecoder(Vsc.DEFAULT_MAX_PAYLOAD);
        byte[] hostile = Hex.decode("00000007 00000000 FFFFFFFF".replace(" ", "")); // 4 GiB
        d2.feed(hostile, 0, hostile.length);
        assertThrows(VscProtocolException.class, d2::poll);
        VscDecoder d3 = new VscDecoder(1000);
        byte[] atLimit = new VscMessage(Vsc.VSC_APDU, 0, new byte[1000]).encode();
        d3.feed(atLimit, 0, atLimit.length);
        assertDoesNotThrow(d3);
    }

    private static void assertDoesNotThrow(VscDecoder d) {
        try {
            assertEquals(1000, d.poll().payload().length);
        } catch (VscProtocolException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void initParsing() throws Exception {
        VscInit ok = VscInit.parse(Hex.decode("565343440000000200000000"));
        assertTrue(ok.isCompatible());
        assertNull(ok.problem());
        assertEquals(1, ok.capabilities().length);
        assertEquals(0, VscInit.parse(Hex.decode("5653434400000002")).capabilities().length);
        VscInit magic = VscInit.parse(Hex.decode("444353560000000200000000")); // byte-swapped magic
        assertFalse(magic.isCompatible());
        assertTrue(magic.problem().contains("magic"), magic.problem());
        VscInit major = VscInit.parse(Hex.decode("5653434400200000"));
        assertFalse(major.isCompatible());
        assertTrue(major.problem().contains("version"), major.problem());
        assertTrue(VscInit.parse(Hex.decode("5653434400000403")).isCompatible()); // 0.1.3: same major
        assertThrows(VscProtocolException.class, () -> VscInit.parse(Hex.decode("565343440000")));
        assertThrows(VscProtocolException.class, () -> VscInit.parse(Hex.decode("56534344000000020000")));
        assertThrows(VscProtocolException.class, () -> VscInit.parse(new byte[0]));
    }
}
