package org.vccid.transport.serial;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.vccid.testcard.TestCard;
import org.vccid.testkit.Proc;
import org.vccid.transport.serial.internal.framing.ReaderType;

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

    private static void assertApdu(Rig rig) throws Exception {
        Proc.Result s = rig.client("opensc-tool", "-r", Rig.readerName(0), "-s", "00 84 00 00 08");
        assertTrue(s.output.contains("00 01 02 03 04 05 06 07"), s + "\n" + Rig.driverLines(rig.pcscd.log()));
    }
}
