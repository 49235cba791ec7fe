package org.vccid.transport.serial.internal.line;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.vccid.ccid.internal.engine.CardClaims;
import org.vccid.ccid.internal.engine.CcidEngine;
import org.vccid.ccid.internal.engine.ExchangeLevel;
import org.vccid.ccid.internal.engine.ReaderSettings;
import org.vccid.iso7816.Hex;
import org.vccid.testcard.TestCard;
import org.vccid.transport.CcidDevice;
import org.vccid.transport.serial.framing.ReaderType;
import org.vccid.transport.serial.framing.Twin;

/**
 * The TCP adapter with the real engine behind it, driven by a socket that plays libccid's serial driver: framing
 * over chunked TCP, the inter-character timeout, bad input, reconnection, a reader that comes and goes.
 */
class LineTcpTest {

    static final String GET_SLOT_STATUS = "03 06 65 00 00 00 00 00 02 00 00 00 62";
    static final String SLOT_STATUS_PRESENT = "03 06 81 00 00 00 00 00 02 01 00 00 87";

    final ExecutorService pool = Executors.newCachedThreadPool();
    final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    CcidEngine engine;
    volatile CcidDevice device;
    SerialLineServer server;
    int port = 37430;

    @BeforeEach
    void setUp() throws IOException {
        engine = new CcidEngine(ReaderSettings.builder("tcp").slots(1).level(ExchangeLevel.TPDU).build(), pool, timer,
                new CardClaims());
        engine.slot(0).insert(new TestCard(TestCard.ATR_T0, true));
        device = engine;
        server = new SerialLineServer(
                new LineSettings(new java.net.InetSocketAddress("127.0.0.1", port), ReaderType.GemPCTwin,
                        "GemPC Twin EMU V1.00", 100, 50),
                () -> device);
    }

    @AfterEach
    void tearDown() {
        server.close();
        engine.close();
        pool.shutdownNow();
        timer.shutdownNow();
    }

    /** A host end of the line. */
    static final class Host implements AutoCloseable {
        final Socket s;
        final InputStream in;

        Host(int port) throws IOException {
            s = new Socket("127.0.0.1", port);
            s.setTcpNoDelay(true);
            in = s.getInputStream();
        }

        void send(String hex) throws IOException {
            s.getOutputStream().write(Hex.decode(hex));
        }

        /** Read exactly n bytes (2 s at most). */
        String read(int n) throws IOException {
            s.setSoTimeout(2000);
            byte[] b = in.readNBytes(n);
            return Hex.spaced(b);
        }

        /** What arrives within ms (nothing expected usually). */
        String readFor(int ms) throws IOException {
            s.setSoTimeout(ms);
            ByteArrayOutputStream o = new ByteArrayOutputStream();
            try {
                int c;
                while ((c = in.read()) >= 0) {
                    o.write(c);
                }
            } catch (SocketTimeoutException e) {
                // done
            }
            return Hex.spaced(o.toByteArray());
        }

        @Override
        public void close() throws IOException {
            s.close();
        }
    }

    Host connect() throws Exception {
        Host h = new Host(port);
        assertTrue(server.awaitLineReady(5000));
        return h;
    }

    @Test
    void echoThenAnswerAndAT0ExchangeInOddChunks() throws Exception {
        try (Host h = connect()) {
            h.send(GET_SLOT_STATUS);
            assertEquals(GET_SLOT_STATUS + " " + SLOT_STATUS_PRESENT, h.read(26));
            // IccPowerOn split over three writes
            h.send("03 06 62 00");
            Thread.sleep(20);
            h.send("00 00 00 00 08 01");
            Thread.sleep(20);
            h.send("00 00 6E");
            assertEquals("03 06 62 00 00 00 00 00 08 01 00 00 6E", h.read(13));
            assertEquals("03 06 80 04 00 00 00 00 08 00 00 00 3B 02 14 50 F4", h.read(17));
            byte[] xfr = Twin.frame(Hex.decode("6F 05 00 00 00 00 09 00 00 00 00 84 00 00 04"));
            h.send(Hex.spaced(xfr));
            assertEquals(Hex.spaced(xfr), h.read(xfr.length));
            byte[] answer = Twin.frame(Hex.decode("80 06 00 00 00 00 09 00 00 00 00 01 02 03 90 00"));
            assertEquals(Hex.spaced(answer), h.read(answer.length));
        }
    }

    static Stream<Arguments> badInput() {
        return Stream.of(
                Arguments.of("bad LRC: echo, NAK", GET_SLOT_STATUS.replaceAll("62$", "63"),
                        GET_SLOT_STATUS.replaceAll("62$", "63") + " 03 15 16"),
                Arguments.of("junk: nothing", "00 FF 55 AA 15", ""),
                Arguments.of("truncated frame: NAK after the inter-character timeout", "03 06 65 00 00 00", "03 15 16"),
                Arguments.of("oversize dwLength: NAK, the rest dropped", "03 06 6F 00 10 00 00 00 01 00 00 00 AA BB CC",
                        "03 15 16"),
                Arguments.of("hostile dwLength: NAK", "03 06 6F FF FF FF 7F", "03 15 16"),
                Arguments.of("unknown CCID command, good frame: the reader's CCID error",
                        "03 06 99 00 00 00 00 00 07 00 00 00 9B",
                        "03 06 99 00 00 00 00 00 07 00 00 00 9B 03 06 81 00 00 00 00 00 07 41 00 00 C2"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badInput")
    void badInputThenTheLineStillWorks(String name, String input, String expected) throws Exception {
        try (Host h = connect()) {
            h.send(input);
            assertEquals(expected, h.readFor(400), name);
            h.send(GET_SLOT_STATUS);
            assertEquals(GET_SLOT_STATUS + " " + SLOT_STATUS_PRESENT, h.read(26), "still working after: " + name);
        }
    }

    @Test
    void staleBytesAtConnectAreDroppedAndANewConnectionReplacesTheOld() throws Exception {
        try (Host first = connect()) {
            first.send(GET_SLOT_STATUS);
            assertEquals(26, first.read(26).split(" ").length);
            try (Host second = new Host(port)) {
                // written at once, as a reconnecting line holder delivers what the driver wrote meanwhile
                second.send(GET_SLOT_STATUS + " " + GET_SLOT_STATUS);
                assertTrue(server.awaitLineReady(5000));
                assertEquals("", second.readFor(200), "stale commands are not answered");
                assertEquals("", first.readFor(100), "the old connection was closed");
                second.send(GET_SLOT_STATUS);
                assertEquals(GET_SLOT_STATUS + " " + SLOT_STATUS_PRESENT, second.read(26));
            }
        }
    }

    @Test
    void withoutAReaderTheLineIsSilentAndComesBackWithIt() throws Exception {
        device = null;
        try (Host h = connect()) {
            h.send(GET_SLOT_STATUS);
            assertEquals(GET_SLOT_STATUS, h.readFor(300), "echo only: nobody answers");
            device = engine;
            h.send(GET_SLOT_STATUS);
            assertEquals(GET_SLOT_STATUS + " " + SLOT_STATUS_PRESENT, h.read(26));
            // the reader goes away: silent again
            server.deviceGone(engine);
            h.send(GET_SLOT_STATUS);
            device = null;
            assertEquals(GET_SLOT_STATUS, h.readFor(300).substring(0, GET_SLOT_STATUS.length()));
        }
    }

    @Test
    void cardMovementIsAnnouncedBeforeTheNextAnswer() throws Exception {
        try (Host h = connect()) {
            h.send(GET_SLOT_STATUS);
            h.read(26);
            engine.slot(0).eject();
            h.send(GET_SLOT_STATUS);
            assertEquals(GET_SLOT_STATUS + " 50 02 03 06 81 00 00 00 00 00 02 02 00 00 84", h.read(28));
            engine.slot(0).insert(new TestCard(TestCard.ATR_T1, true));
            h.send(GET_SLOT_STATUS);
            assertEquals(GET_SLOT_STATUS + " 50 03 " + SLOT_STATUS_PRESENT, h.read(28));
        }
    }
}
