package org.vccid.transport.vpcd.internal;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.vccid.testkit.Pcscd;
import org.vccid.testkit.Proc;

/** Real peers: when pcscd (and with it vpcd) restarts, the slot reconnects and the card is back. */
class PcscdRestartTest {

    static final int BASE = 37130; // this module's range: 37100-37199

    @Test
    void slotReconnectsAfterPcscdRestarts() throws Exception {
        String why = Peers.unavailableReason();
        if (why != null) {
            System.out.println("SKIP PcscdRestartTest: " + why);
        }
        assumeTrue(why == null, why);
        VpcdSlot slot = new VpcdSlot("127.0.0.1", BASE, 2000, 100, new OpenScCacTest.PrintLog());
        slot.setCard(new VpcdSlotTest.RecordingCard());
        slot.start();
        try {
            for (int i = 0; i < 2; i++) {
                try (Pcscd pcscd = Pcscd.start("restart" + i, Peers.readerConf(BASE))) {
                    Peers.awaitCard(pcscd, true);
                    Proc.Result r = Peers.run(pcscd, Duration.ofSeconds(20), "opensc-tool", "-r", "0", "-a");
                    assertTrue(r.output.contains("3b:02:14:50"), "pcscd run " + i + ": " + r);
                }
            }
        } finally {
            slot.close();
        }
    }
}
