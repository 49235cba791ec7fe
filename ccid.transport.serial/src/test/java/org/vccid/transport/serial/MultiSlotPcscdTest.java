package org.vccid.transport.serial;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.vccid.testcard.TestCard;
import org.vccid.testkit.Proc;
import org.vccid.transport.serial.framing.ReaderType;

/** Real peer: multi-slot serial readers (GemCore POS Pro: 5 slots, SEC1210: 2 slots, both without echo). */
class MultiSlotPcscdTest {

    @BeforeAll
    static void peers() {
        Rig.assumePeers();
    }

    @Test
    void posProFiveSlotsConcurrentEmptyInsertRemove() throws Exception {
        try (Rig rig = new Rig("pospro", ReaderType.GemCorePOSPro, 5, 37410)) {
            rig.engine.slot(0).insert(new TestCard(TestCard.ATR_T0, true));
            rig.engine.slot(1).insert(new TestCard(TestCard.ATR_T1, false)); // a blocking card: worker threads
            rig.up("pospro");

            assertTrue(rig.cardShown(0));
            assertTrue(rig.cardShown(1));
            for (int s = 2; s < 5; s++) {
                assertFalse(rig.cardShown(s), "slot " + s + " is empty");
            }
            Proc.Result empty = rig.client("opensc-tool", "-r", Rig.readerName(2), "-a");
            assertNotEquals(0, empty.exitCode, empty.toString());

            // two clients on two slots of the same line at once
            CompletableFuture<Proc.Result> a = CompletableFuture.supplyAsync(() -> bench(rig, 0, "T=0"));
            CompletableFuture<Proc.Result> b = CompletableFuture.supplyAsync(() -> bench(rig, 1, "T=1"));
            for (Proc.Result r : List.of(a.get(), b.get())) {
                assertEquals(0, r.exitCode, r.toString());
                assertTrue(r.output.contains("RATE "), r.toString());
            }

            // hot insertion in slot 3 (T=1), removal from slot 1: pcscd sees both
            rig.engine.slot(3).insert(new TestCard(TestCard.ATR_T1, true));
            rig.awaitCardShown(3, true);
            Proc.Result j = PcscClient.run(rig.pcscd, Duration.ofSeconds(30), "apdu", Rig.readerName(3), "T=1",
                    "0084000004");
            assertEquals(List.of("000102039000"), PcscClient.responses(j), j.toString());
            rig.engine.slot(1).eject();
            rig.awaitCardShown(1, false);
            assertTrue(rig.cardShown(0));

            assertEquals(0, rig.server.line().lrcErrors.get() + rig.server.line().junkBytes.get()
                    + rig.server.line().truncated.get(), "framing errors on the line");
        }
    }

    private static Proc.Result bench(Rig rig, int slot, String protocol) {
        try {
            return PcscClient.run(rig.pcscd, Duration.ofSeconds(60), "bench", Rig.readerName(slot), protocol, "1000");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void sec1210TwoSlots() throws Exception {
        try (Rig rig = new Rig("sec1210", ReaderType.SEC1210, 2, 37411)) {
            rig.engine.slot(0).insert(new TestCard(TestCard.ATR_T0, true));
            rig.engine.slot(1).insert(new TestCard(TestCard.ATR_T1, true));
            rig.up("sec1210");
            Proc.Result s = rig.client("opensc-tool", "-r", Rig.readerName(1), "-a");
            assertTrue(s.output.contains("3b:88:81:31:fe:45"), s.toString());
            Proc.Result j0 = PcscClient.run(rig.pcscd, Duration.ofSeconds(30), "apdu", Rig.readerName(0), "T=0",
                    "0084000008", "80EE000002CAFE00");
            assertEquals(List.of("00010203040506079000", "CAFE9000"), PcscClient.responses(j0), j0.toString());
            Proc.Result j1 = PcscClient.run(rig.pcscd, Duration.ofSeconds(30), "apdu", Rig.readerName(1), "T=1",
                    "0084000008", "80EE000002CAFE00");
            assertEquals(List.of("00010203040506079000", "CAFE9000"), PcscClient.responses(j1), j1.toString());
            assertTrue(rig.pcscd.log().contains("SEC1210"), "the driver opened the line as SEC1210");
        }
    }
}
