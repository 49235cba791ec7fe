package org.vccid.transport.serial.internal.line;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Assumptions;
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
 * The pty mode with the real engine behind it, driven through the pty's slave the way libccid opens it (no pcscd):
 * the link, framing through the pty, a host that closes and reopens the line (no busy loop on the hung-up master),
 * and what may already lie at the link path.
 */
class LinePtyTest {

    static final String GET_SLOT_STATUS = LineTcpTest.GET_SLOT_STATUS;
    static final String SLOT_STATUS_PRESENT = LineTcpTest.SLOT_STATUS_PRESENT;

    final ExecutorService pool = Executors.newCachedThreadPool();
    final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    final Path link = Path.of("/tmp/vccid-serial-pty-unit-" + ProcessHandle.current().pid());
    CcidEngine engine;
    SerialPty pty;

    @BeforeAll
    static void linuxAndJna() {
        String reason = null;
        try {
            Posix.load();
        } catch (LinkageError | RuntimeException e) {
            reason = "no pty here (JNA / Linux): " + e;
        }
        if (reason != null) {
            System.out.println("SKIPPED: " + reason);
        }
        Assumptions.assumeTrue(reason == null, reason);
    }

    @BeforeEach
    void setUp() throws IOException {
        Files.deleteIfExists(link);
        engine = new CcidEngine(ReaderSettings.builder("pty").slots(1).level(ExchangeLevel.TPDU).build(), pool, timer,
                new CardClaims());
        engine.slot(0).insert(new TestCard(TestCard.ATR_T0, true));
    }

    @AfterEach
    void tearDown() throws IOException {
        if (pty != null) {
            pty.close();
        }
        engine.close();
        pool.shutdownNow();
        timer.shutdownNow();
        Files.deleteIfExists(link);
    }

    SerialPty open() throws IOException {
        CcidDevice d = engine;
        pty = new SerialPty(link, new LineSettings(null, ReaderType.GemPCTwin, "GemPC Twin EMU V1.00", 100, 100),
                () -> d);
        return pty;
    }

    /** The host's end: the slave opened through the link, as libccid does (non-blocking here, read with poll). */
    static final class Host implements AutoCloseable {
        final int fd;
        final ByteBuffer buf = ByteBuffer.allocateDirect(4096);
        final ByteBuffer pfd = ByteBuffer.allocateDirect(8).order(ByteOrder.nativeOrder());

        Host(Path link) {
            fd = Posix.open(link.toString(), Posix.O_RDWR | Posix.O_NOCTTY | Posix.O_NONBLOCK | Posix.O_CLOEXEC, 0);
        }

        void send(String hex) {
            byte[] b = Hex.decode(hex);
            buf.clear();
            buf.put(0, b);
            assertEquals(b.length, Posix.write(fd, buf, b.length));
        }

        /** What arrives until n bytes came or the line stayed quiet for quietMs. */
        String read(int n, int quietMs) {
            ByteArrayOutputStream o = new ByteArrayOutputStream();
            pfd.putInt(0, fd);
            pfd.putShort(4, Posix.POLLIN);
            while (o.size() < n) {
                pfd.putShort(6, (short) 0);
                if (Posix.poll(pfd, 1, quietMs) == 0) {
                    break;
                }
                long r = Posix.read(fd, buf, Math.min(4096, n - o.size()));
                byte[] b = new byte[(int) r];
                buf.get(0, b);
                o.write(b, 0, b.length);
            }
            return Hex.spaced(o.toByteArray());
        }

        String read(int n) {
            return read(n, 2000);
        }

        @Override
        public void close() {
            Posix.close(fd);
        }
    }

    @Test
    void linkFramingAndAT0ExchangeInOddChunks() throws Exception {
        open();
        assertTrue(pty.awaitLineReady(5000));
        assertTrue(Files.isSymbolicLink(link));
        assertTrue(Files.readSymbolicLink(link).toString().startsWith("/dev/pts/"), pty.describe());
        try (Host h = new Host(link)) {
            h.send(GET_SLOT_STATUS);
            assertEquals(GET_SLOT_STATUS + " " + SLOT_STATUS_PRESENT, h.read(26));
            h.send("03 06 62 00");
            Thread.sleep(20);
            h.send("00 00 00 00 08 01");
            Thread.sleep(20);
            h.send("00 00 6E");
            assertEquals("03 06 62 00 00 00 00 00 08 01 00 00 6E 03 06 80 04 00 00 00 00 08 00 00 00 3B 02 14 50 F4",
                    h.read(30));
            byte[] xfr = Twin.frame(Hex.decode("6F 05 00 00 00 00 09 00 00 00 00 84 00 00 04"));
            byte[] answer = Twin.frame(Hex.decode("80 06 00 00 00 00 09 00 00 00 00 01 02 03 90 00"));
            h.send(Hex.spaced(xfr));
            assertEquals(Hex.spaced(xfr) + " " + Hex.spaced(answer), h.read(xfr.length + answer.length));
            // bad input answered as on TCP: bad LRC -> echo + NAK; a frame cut short -> NAK after 100 ms of quiet
            String badLrc = GET_SLOT_STATUS.replaceAll("62$", "63");
            h.send(badLrc);
            assertEquals(badLrc + " 03 15 16", h.read(16));
            h.send("03 06 65 00 00 00");
            assertEquals("03 15 16", h.read(3));
            h.send(GET_SLOT_STATUS);
            // the card is powered now: bStatus 00 (active)
            assertEquals(GET_SLOT_STATUS + " 03 06 81 00 00 00 00 00 02 00 00 00 86", h.read(26));
        }
        assertEquals(1, pty.line().lrcErrors.get());
        assertEquals(1, pty.line().truncated.get());
    }

    @Test
    void aHostThatClosesAndReopensCostsNoCpuAndFindsTheLineWorking() throws Exception {
        open();
        assertTrue(pty.awaitLineReady(5000));
        try (Host h = new Host(link)) {
            h.send(GET_SLOT_STATUS);
            assertEquals(GET_SLOT_STATUS + " " + SLOT_STATUS_PRESENT, h.read(26));
        }
        // nobody has the pty open now but us: a master whose slave is closed reports POLLHUP / reads EIO, which a
        // naive poll loop spins on; the I/O thread must sleep instead
        long cpu0 = ioThreadCpuNanos();
        Thread.sleep(1000);
        long used = ioThreadCpuNanos() - cpu0;
        assertTrue(used < 200_000_000L, "the pty's I/O thread used " + used / 1_000_000 + " ms CPU in 1 s idle");
        assertEquals(0, pty.hangups(), "we hold the slave: the master never hangs up");
        try (Host h = new Host(link)) {
            h.send(GET_SLOT_STATUS);
            assertEquals(GET_SLOT_STATUS + " " + SLOT_STATUS_PRESENT, h.read(26));
        }
    }

    static void awaitClosed(SerialPty p) throws InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (p.isOpen()) {
            assertTrue(System.nanoTime() < deadline, "the pty did not close");
            Thread.sleep(10);
        }
    }

    @Test
    void closedWhileTheHostHoldsItTheMasterStaysSilentUntilTheHostLetsGo() throws Exception {
        open();
        assertTrue(pty.awaitLineReady(5000));
        Path slave = pty.slavePath();
        try (Host h = new Host(link)) {
            h.send(GET_SLOT_STATUS);
            assertEquals(GET_SLOT_STATUS + " " + SLOT_STATUS_PRESENT, h.read(26));
            pty.close();
            assertFalse(Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS), "the link is removed at close");
            // parked: the host's writes still succeed (no EIO, no end-of-file for a reader waiting on an answer) and
            // nothing is answered
            h.send(GET_SLOT_STATUS);
            assertEquals("", h.read(26, 300));
            assertTrue(pty.isOpen(), "kept open while the host holds it");
            assertTrue(Files.exists(slave));
        }
        awaitClosed(pty); // the host let go
        assertFalse(Files.exists(slave), "the pty is gone");
    }

    private long ioThreadCpuNanos() {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        for (ThreadInfo t : mx.getThreadInfo(mx.getAllThreadIds())) {
            if (t != null && t.getThreadName().equals(pty.ioThreadName())) {
                return mx.getThreadCpuTime(t.getThreadId());
            }
        }
        throw new AssertionError("no thread " + pty.ioThreadName());
    }

    @Test
    void aFileAtTheLinkPathIsRefusedAndKept() throws Exception {
        Files.writeString(link, "not ours");
        IOException e = assertThrows(IOException.class, this::open);
        assertTrue(e.getMessage().contains("not a symbolic link"), e.getMessage());
        assertEquals("not ours", Files.readString(link));
        pty = null;
    }

    @Test
    void aLiveLinkIsRefusedAStaleOneReplacedAndOursRemovedAtClose() throws Exception {
        Files.createSymbolicLink(link, Path.of("/dev/null"));
        IOException e = assertThrows(IOException.class, this::open);
        assertTrue(e.getMessage().contains("which exists"), e.getMessage());
        assertEquals(Path.of("/dev/null"), Files.readSymbolicLink(link));
        pty = null;

        Files.delete(link);
        Files.createSymbolicLink(link, Path.of("/dev/pts/vccid-gone"));
        open();
        Path slave = pty.slavePath();
        assertEquals(slave, Files.readSymbolicLink(link), "the stale link was replaced");
        assertTrue(Files.exists(slave));
        pty.close();
        assertFalse(Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS), "the link is removed at close");
        awaitClosed(pty); // nobody else had it open: closed at once
        assertFalse(Files.exists(slave), "the pty is gone");

        // a link someone else put there after us is not ours to remove
        open();
        Files.delete(link);
        Files.createSymbolicLink(link, Path.of("/dev/null"));
        pty.close();
        assertEquals(Path.of("/dev/null"), Files.readSymbolicLink(link));
    }
}
