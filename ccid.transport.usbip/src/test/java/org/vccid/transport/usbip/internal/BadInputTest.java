package org.vccid.transport.usbip.internal;

import static org.junit.jupiter.api.Assertions.*;
import static org.vccid.transport.usbip.wire.UsbIp.*;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.vccid.ccid.Ccid;
import org.vccid.ccid.CcidMessage;
import org.vccid.iso7816.Hex;
import org.vccid.testcard.TestCard;
import org.vccid.transport.usbip.client.LinuxHost;
import org.vccid.transport.usbip.client.VhciClient;
import org.vccid.transport.usbip.usb.Setup;
import org.vccid.transport.usbip.wire.CmdSubmit;
import org.vccid.transport.usbip.wire.CmdUnlink;
import org.vccid.transport.usbip.wire.OpMessages;
import org.vccid.transport.usbip.wire.UsbDeviceInfo;

/**
 * Hostile and broken clients, one per row: each gets the protocol's answer or a clean close, and afterwards the
 * server still lists its readers, the abused reader (1-1) can be imported again, and another client that holds
 * reader 1-2 all along keeps exchanging APDUs.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BadInputTest {

    static final int DEVID = devid(1, 1);

    Rig rig;
    LinuxHost observer;

    @BeforeAll
    void setUp() throws IOException {
        rig = new Rig();
        rig.reader("abused", new TestCard());
        rig.reader("observer", new TestCard());
        observer = LinuxHost.attach(rig.port, "1-2");
        observer.enumerate();
        observer.libccidOpen();
        observer.powerOn();
    }

    @AfterAll
    void tearDown() throws IOException {
        observer.close();
        rig.close();
    }

    /** A raw connection; in URB mode it has imported 1-1 and set configuration 1. */
    static final class Raw implements AutoCloseable {
        final Socket s;
        final DataInputStream in;

        Raw(int port) throws IOException {
            s = VhciClient.connect(port);
            s.setSoTimeout(5000);
            in = new DataInputStream(s.getInputStream());
        }

        static Raw imported(int port) throws IOException {
            Raw r = new Raw(port);
            r.send(OpMessages.importRequest("1-1"));
            byte[] rep = r.read(OP_COMMON_LENGTH + DEVICE_LENGTH);
            assertEquals(ST_OK, be32(rep, 4), "import of 1-1");
            r.send(submit(1, 0, 0, 0, Setup.of(0x00, 9, 1, 0, 0).toBytes(), new byte[0]));
            assertEquals(0, be32(r.read(URB_HEADER_LENGTH), 0x14), "SET_CONFIGURATION");
            return r;
        }

        void send(byte[] b) throws IOException {
            s.getOutputStream().write(b);
            s.getOutputStream().flush();
        }

        byte[] read(int n) throws IOException {
            byte[] b = new byte[n];
            in.readFully(b);
            return b;
        }

        /** Everything until EOF; fails if the server keeps the connection open. */
        byte[] readToEof() throws IOException {
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            byte[] buf = new byte[4096];
            try {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    all.write(buf, 0, n);
                }
            } catch (SocketTimeoutException e) {
                fail("the server did not close the connection; got " + Hex.spaced(all.toByteArray()));
            } catch (IOException e) {
                // reset: closed as well
            }
            return all.toByteArray();
        }

        @Override
        public void close() throws IOException {
            s.close();
        }
    }

    static byte[] submit(int seq, int dir, int ep, int len, byte[] setup, byte[] data) {
        return new CmdSubmit(seq, DEVID, dir, ep, dir == 1 ? URB_DIR_IN : 0, len, 0, 0, 0, setup, data).toBytes();
    }

    static byte[] header(int command, int seq, int f14, int f18, int f20) {
        byte[] h = new byte[URB_HEADER_LENGTH];
        putBe32(h, 0, command);
        putBe32(h, 4, seq);
        putBe32(h, 8, DEVID);
        putBe32(h, 0x14, f14);
        putBe32(h, 0x18, f18);
        putBe32(h, 0x20, f20);
        return h;
    }

    static byte[] op(String hex) {
        return Hex.decode(hex);
    }

    interface Case {
        void run(int port) throws IOException;
    }

    /** OP phase: send, expect exactly this reply, then a close. */
    static Case opReplyThenClose(byte[] send, String reply) {
        return port -> {
            try (Raw r = new Raw(port)) {
                r.send(send);
                assertEquals(reply, Hex.spaced(r.readToEof()));
            }
        };
    }

    /** Send part of a message, then half-close: the server closes without an answer. */
    static Case truncatedThenEof(byte[] send) {
        return port -> {
            try (Raw r = new Raw(port)) {
                r.send(send);
                r.s.shutdownOutput();
                assertEquals("", Hex.spaced(r.readToEof()));
            }
        };
    }

    /** URB phase: the server drops the connection without answering. */
    static Case urbClose(byte[]... sends) {
        return port -> {
            try (Raw r = Raw.imported(port)) {
                for (byte[] b : sends) {
                    r.send(b);
                }
                assertEquals("", Hex.spaced(r.readToEof()));
            }
        };
    }

    /** URB phase: one 48-byte reply with this command, seqnum and status; the connection stays usable. */
    static Case urbAnswer(byte[] send, int command, int seq, int status) {
        return port -> {
            try (Raw r = Raw.imported(port)) {
                r.send(send);
                byte[] h = r.read(URB_HEADER_LENGTH);
                assertEquals(command, be32(h, 0), "command");
                assertEquals(seq, be32(h, 4), "seqnum");
                assertEquals(status, be32(h, 0x14), "status");
                if (command == USBIP_RET_SUBMIT) {
                    assertEquals(0, be32(h, 0x18), "actual_length");
                }
                // still alive: GET_STATUS(device)
                r.send(submit(77, 1, 0, 2, Setup.of(0x80, 0, 0, 0, 2).toBytes(), new byte[0]));
                byte[] st = r.read(URB_HEADER_LENGTH + 2);
                assertEquals(77, be32(st, 4));
                assertEquals(0, be32(st, 0x14));
            }
        };
    }

    /** URB phase: a CCID message on bulk OUT gets the reader's error answer on bulk IN. */
    static Case ccidError(byte[] message, int type, int bError) {
        return port -> {
            try (Raw r = Raw.imported(port)) {
                r.send(submit(10, 0, 1, message.length, new byte[8], message));
                byte[] out = r.read(URB_HEADER_LENGTH);
                assertEquals(0, be32(out, 0x14));
                assertEquals(message.length, be32(out, 0x18), "all OUT bytes taken");
                r.send(submit(11, 1, 2, LinuxHost.LIBCCID_READ_BUFFER, new byte[8], new byte[0]));
                byte[] h = r.read(URB_HEADER_LENGTH);
                assertEquals(11, be32(h, 4));
                CcidMessage m = CcidMessage.parse(r.read(be32(h, 0x18)));
                assertEquals(type, m.messageType(), () -> "answer " + m);
                assertEquals(Ccid.COMMAND_STATUS_FAILED, m.commandStatus());
                assertEquals(bError, m.error());
            }
        };
    }

    static Stream<Arguments> cases() {
        byte[] longBusid = OpMessages.importRequest("A".repeat(32));
        byte[] huge = CcidMessage.xfrBlock(0, 1, 0, 0, new byte[0]).toBytes();
        huge[1] = huge[2] = huge[3] = (byte) 0xFF;
        huge[4] = 0x7F;
        byte[] shortOfDwLength = CcidMessage.xfrBlock(0, 2, 0, 0, Hex.decode("00 84 00 00 08")).toBytes();
        shortOfDwLength[1] = 9; // claims 9 data bytes, carries 5, in one short transfer
        return Stream.of(
                Arguments.of("OP wrong version", opReplyThenClose(op("01 10 80 05 00 00 00 00"),
                        "01 11 00 05 00 00 00 05")),
                Arguments.of("OP unknown code", opReplyThenClose(op("01 11 80 99 00 00 00 00"),
                        "01 11 00 99 00 00 00 01")),
                Arguments.of("OP reply code sent as request", opReplyThenClose(op("01 11 00 05 00 00 00 00"),
                        "01 11 00 05 00 00 00 01")),
                Arguments.of("import unknown busid", opReplyThenClose(OpMessages.importRequest("7-7"),
                        "01 11 00 03 00 00 00 04")),
                Arguments.of("import 32-char busid without NUL", opReplyThenClose(longBusid,
                        "01 11 00 03 00 00 00 04")),
                Arguments.of("import a busy reader", opReplyThenClose(OpMessages.importRequest("1-2"),
                        "01 11 00 03 00 00 00 02")),
                Arguments.of("URB before import", opReplyThenClose(submit(1, 1, 0, 18, new byte[8], new byte[0]),
                        "01 11 00 01 00 00 00 05")),
                Arguments.of("not USB/IP at all (version \"GE\", code \"T \")", opReplyThenClose(
                        "GET / HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII), "01 11 54 20 00 00 00 05")),
                Arguments.of("OP header cut short", truncatedThenEof(op("01 11 80"))),
                Arguments.of("import busid cut short", truncatedThenEof(Arrays.copyOf(
                        OpMessages.importRequest("1-1"), 13))),
                Arguments.of("silent client (OP timeout)", (Case) port -> {
                    try (Raw r = new Raw(port)) {
                        assertEquals("", Hex.spaced(r.readToEof()));
                    }
                }),
                Arguments.of("unknown URB command", urbClose(header(5, 9, 0, 0, 0))),
                Arguments.of("RET_SUBMIT from the client", urbClose(header(USBIP_RET_SUBMIT, 9, 0, 0, 0))),
                Arguments.of("OUT transfer_buffer_length 0x7FFFFFFF", urbClose(
                        Arrays.copyOf(submit(9, 0, 1, 0x7FFFFFFF, new byte[8], new byte[0]), URB_HEADER_LENGTH))),
                Arguments.of("OUT transfer_buffer_length 0xFFFFFFFF", urbClose(
                        Arrays.copyOf(submit(9, 0, 1, -1, new byte[8], new byte[0]), URB_HEADER_LENGTH))),
                Arguments.of("ISO packets on a bulk endpoint", urbClose(header(USBIP_CMD_SUBMIT, 9, URB_DIR_IN, 64, 3))),
                Arguments.of("same seqnum submitted twice", urbClose(
                        submit(9, 1, 2, 64, new byte[8], new byte[0]), submit(9, 1, 2, 64, new byte[8], new byte[0]))),
                Arguments.of("unlink of an unknown seqnum", urbAnswer(
                        new CmdUnlink(20, DEVID, 0, 0, 12345).toBytes(), USBIP_RET_UNLINK, 20, 0)),
                Arguments.of("endpoint that does not exist", urbAnswer(
                        submit(21, 1, 7, 64, new byte[8], new byte[0]), USBIP_RET_SUBMIT, 21, EPIPE)),
                Arguments.of("bulk OUT sent to the IN endpoint number", urbAnswer(
                        submit(22, 0, 2, 4, new byte[8], new byte[4]), USBIP_RET_SUBMIT, 22, EPIPE)),
                Arguments.of("wrong devid", urbAnswer(new CmdSubmit(23, devid(9, 9), 1, 0, URB_DIR_IN, 18, 0, 0, 0,
                        Setup.of(0x80, 6, 0x0100, 0, 18).toBytes(), new byte[0]).toBytes(), USBIP_RET_SUBMIT, 23,
                        ENODEV)),
                Arguments.of("bulk IN of length 0", urbAnswer(
                        submit(24, 1, 2, 0, new byte[8], new byte[0]), USBIP_RET_SUBMIT, 24, EINVAL)),
                Arguments.of("unknown standard request", urbAnswer(
                        submit(25, 1, 0, 4, Setup.of(0x80, 0x55, 0, 0, 4).toBytes(), new byte[0]), USBIP_RET_SUBMIT,
                        25, EPIPE)),
                Arguments.of("vendor request", urbAnswer(
                        submit(26, 1, 0, 4, Setup.of(0xC0, 0x01, 0, 0, 4).toBytes(), new byte[0]), USBIP_RET_SUBMIT,
                        26, EPIPE)),
                Arguments.of("GET_DESCRIPTOR(BOS)", urbAnswer(
                        submit(27, 1, 0, 5, Setup.of(0x80, 6, 0x0F00, 0, 5).toBytes(), new byte[0]), USBIP_RET_SUBMIT,
                        27, EPIPE)),
                Arguments.of("control OUT data not wLength", urbAnswer(
                        submit(28, 0, 0, 3, Setup.of(0x21, 0x01, 0, 0, 8).toBytes(), new byte[3]), USBIP_RET_SUBMIT,
                        28, EPIPE)),
                Arguments.of("CCID dwLength 0x7FFFFFFF", ccidError(huge, Ccid.RDR_TO_PC_DATA_BLOCK, Ccid.BAD_DW_LENGTH)),
                Arguments.of("CCID message shorter than its dwLength", ccidError(shortOfDwLength,
                        Ccid.RDR_TO_PC_DATA_BLOCK, Ccid.BAD_DW_LENGTH)),
                Arguments.of("client vanishes mid-URB", (Case) port -> {
                    try (Raw r = Raw.imported(port)) {
                        r.send(Arrays.copyOf(submit(30, 0, 1, 100, new byte[8], new byte[100]), URB_HEADER_LENGTH + 20));
                    }
                }),
                Arguments.of("client vanishes with a read pending", (Case) port -> {
                    try (Raw r = Raw.imported(port)) {
                        r.send(submit(31, 1, 2, 64, new byte[8], new byte[0]));
                        r.send(submit(32, 1, 3, 8, new byte[8], new byte[0]));
                    }
                }));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void answeredOrClosedCleanly(String name, Case c) throws IOException {
        c.run(rig.port);
        // the server and the other client are unharmed, and the abused reader is free again
        UsbIpServerTest.waitFor(() -> !rig.server.isImported("1-1"), "1-1 offered again after: " + name);
        List<UsbDeviceInfo> list = VhciClient.devlist(rig.port);
        assertEquals(List.of("1-1", "1-2"), list.stream().map(UsbDeviceInfo::busid).toList());
        assertEquals("00 01 02 03 90 00",
                Hex.spaced(observer.transmit(Hex.decode("00 84 00 00 04")).data()), "the other client works");
        assertEquals(List.of(), observer.usb.violations());
    }

    @Test
    void noConnectionThreadOutlivesItsConnection() {
        // after all rows: only the observer's reader and writer threads remain
        UsbIpServerTest.waitFor(() -> rig.server.connectionCount() == 1, "only the observer is connected");
        UsbIpServerTest.waitFor(() -> usbipThreads() == 2, "2 connection threads (observer)");
    }

    static long usbipThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("usbip-rx") || t.getName().startsWith("usbip-tx")).count();
    }
}
