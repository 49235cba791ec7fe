package org.vccid.transport.serial;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.vccid.testcard.TestCard;
import org.vccid.testkit.Proc;
import org.vccid.transport.serial.framing.ReaderType;

/**
 * Real peer: start and stop order, and recovery when our side restarts under a running pcscd. The pty line script
 * keeps the pty master while our TCP side is gone, so libccid only sees a silent reader (timeouts), never a
 * vanished pty (busy loop).
 */
class RecoveryPcscdTest {

    @BeforeAll
    static void peers() {
        Rig.assumePeers();
    }

    @Test
    void ourSideRestartsUnderARunningPcscd() throws Exception {
        int port = 37420;
        try (Rig rig = new Rig("restart", ReaderType.GemPCTwin, 1, port)) {
            rig.engine.slot(0).insert(new TestCard(TestCard.ATR_T0, true));
            rig.up("restart");
            assertApdu(rig);

            rig.stopOurSide();
            long logBefore = rig.pcscd.log().length();
            Thread.sleep(2000); // pcscd keeps polling a silent line
            assertTrue(rig.line.isAlive(), "the pty line outlives our side");
            assertTrue(Files.exists(rig.line.link), "the pty stays");
            assertTrue(rig.pcscd.isAlive());
            long grown = rig.pcscd.log().length() - logBefore;
            assertTrue(grown < 200_000, "pcscd log grew by " + grown + " bytes in 2 s: is libccid spinning?");

            rig.startOurSide(port);
            rig.engine.slot(0).insert(new TestCard(TestCard.ATR_T0, true));
            assertTrue(rig.server.awaitLineReady(10_000), "the line holder reconnected");
            // the new reader has its card unpowered: libccid reports it removed and inserted, then powers it
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            Proc.Result r;
            do {
                Thread.sleep(300);
                r = PcscClient.run(rig.pcscd, Duration.ofSeconds(30), "apdu", Rig.readerName(0), "T=0",
                        "0084000008");
            } while (!PcscClient.responses(r).equals(List.of("00010203040506079000"))
                    && System.nanoTime() < deadline);
            assertEquals(List.of("00010203040506079000"), PcscClient.responses(r),
                    r + "\n" + Rig.driverLines(rig.pcscd.log()));
            assertApdu(rig);
        }
    }

    @Test
    void safeStopOrderThenAFreshStart() throws Exception {
        String link;
        try (Rig rig = new Rig("order", ReaderType.GemPCTwin, 1, 37421)) {
            rig.engine.slot(0).insert(new TestCard(TestCard.ATR_T1, true));
            rig.up("order");
            assertApdu(rig);
            link = rig.line.link.toString();
        }
        assertFalse(Files.exists(java.nio.file.Path.of(link)), "the pty is gone after the stop");
        // everything can start again on the same port and pty name
        try (Rig rig = new Rig("order", ReaderType.GemPCTwin, 1, 37421)) {
            rig.engine.slot(0).insert(new TestCard(TestCard.ATR_T0, true));
            rig.up("order");
            assertApdu(rig);
        }
    }

    /**
     * Our own pty closed (component deactivated) under a running pcscd, while a client exchanges APDUs: the link goes,
     * the pty stays open and silent (parked) while pcscd holds it, so libccid sees a mute reader (timeouts, write
     * errors), never a vanished pty (the end-of-file busy loop); pcscd stopped, the pty closes. Then a fresh start.
     */
    @Test
    void ownPtyClosedUnderARunningPcscd() throws Exception {
        try (Rig rig = new Rig("ptygone", ReaderType.GemPCTwin, 1, 37422, Rig.Mode.OWN_PTY)) {
            rig.engine.slot(0).insert(new TestCard(TestCard.ATR_T1, true));
            rig.up("ptygone");
            assertApdu(rig);
            long pid = pcscdPid(rig);
            // a client busy on the reader when our side goes (T=1: a lost block times out in ~4 s)
            long frames0 = rig.server.line().frames.get();
            Process client = PcscClient.start(rig.pcscd, "bench", Rig.readerName(0), "T=1", "1000000");
            long busy = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (rig.server.line().frames.get() < frames0 + 500) { // the client's APDUs are flowing
                assertTrue(System.nanoTime() < busy && client.isAlive(), "the client did not start exchanging");
                Thread.sleep(20);
            }
            org.vccid.transport.serial.internal.line.SerialPty pty =
                    (org.vccid.transport.serial.internal.line.SerialPty) rig.server;
            rig.stopOurSide();
            assertFalse(Files.exists(rig.ptyLink(), java.nio.file.LinkOption.NOFOLLOW_LINKS), "link removed");
            long cpu1 = cpuTicks(pid);
            long log1 = rig.pcscd.log().length();
            Thread.sleep(3000);
            long goneTicks = cpuTicks(pid) - cpu1;
            long grown = rig.pcscd.log().length() - log1;
            System.out.println("MEASURED own pty closed under pcscd with a client running: pcscd CPU " + goneTicks * 10
                    + " ms in 3 s after; pcscd log +" + grown + " bytes\n--- pcscd log after the close:\n"
                    + Rig.tail(Rig.driverLines(rig.pcscd.log().substring((int) log1))));
            assertTrue(goneTicks < 150, "pcscd used " + goneTicks * 10 + " ms CPU in 3 s: is libccid spinning?");
            assertTrue(grown < 200_000, "pcscd log grew by " + grown + " bytes in 3 s");
            assertTrue(pty.isOpen(), "the pty stays (parked) while pcscd holds it");
            client.destroy();
            client.waitFor();
            rig.pcscd.close();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (pty.isOpen() && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertFalse(pty.isOpen(), "pcscd gone: the parked pty closed");
            // our side and pcscd start again on the same link
            rig.startOurSide(37422);
            rig.engine.slot(0).insert(new TestCard(TestCard.ATR_T0, true));
            rig.startPcscd("ptygone");
            assertApdu(rig);
        }
    }

    /** pcscd's pid: the process whose command line names this pcscd's directory. */
    static long pcscdPid(Rig rig) {
        String dir = rig.pcscd.dir().toString();
        return ProcessHandle.allProcesses().filter(p -> p.info().commandLine().map(
                c -> c.startsWith(org.vccid.testkit.Pcscd.PCSCD) && c.contains(dir)).orElse(false))
                .mapToLong(ProcessHandle::pid).findFirst().orElseThrow(() -> new AssertionError("no pcscd in " + dir));
    }

    /** utime + stime of a process in clock ticks (1/100 s here). */
    static long cpuTicks(long pid) throws java.io.IOException {
        String stat = Files.readString(java.nio.file.Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    private static void assertApdu(Rig rig) throws Exception {
        Proc.Result s = rig.client("opensc-tool", "-r", Rig.readerName(0), "-s", "00 84 00 00 08");
        assertTrue(s.output.contains("00 01 02 03 04 05 06 07"), s + "\n" + Rig.driverLines(rig.pcscd.log()));
    }
}
