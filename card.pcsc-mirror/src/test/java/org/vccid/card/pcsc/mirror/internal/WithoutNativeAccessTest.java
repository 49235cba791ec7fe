package org.vccid.card.pcsc.mirror.internal;

import org.vccid.pcsc.JdkPcsc;
import org.vccid.pcsc.PcscException;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import org.junit.jupiter.api.Test;

/**
 * The default surefire JVM has no {@code --add-opens} for java.smartcardio: the mirror cannot reach PC/SC and
 * must say why once, keep retrying, register nothing and stop cleanly.
 */
class WithoutNativeAccessTest {

    private static boolean opened() {
        return ModuleLayer.boot().findModule("java.smartcardio")
                .map(m -> m.isOpen(JdkPcsc.PACKAGE, WithoutNativeAccessTest.class.getModule())).orElse(false);
    }

    @Test
    void theReasonNamesTheMissingJvmOption() throws Exception {
        assumeFalse(opened(), "this JVM has the add-opens");
        JdkPcsc pcsc = new JdkPcsc();
        assertNotNull(pcsc.unavailableReason());
        assertTrue(pcsc.unavailableReason().contains(JdkPcsc.ADD_OPENS), pcsc.unavailableReason());
        PcscException e = assertThrows(PcscException.class, pcsc::establishContext);
        assertEquals(PcscException.UNAVAILABLE, e.code);
        assertTrue(e.serviceLost());
        assertThrows(PcscException.class, () -> pcsc.transmit(1, 2, new byte[4], 0, 4));
    }

    @Test
    void theMirrorLogsOnceKeepsRetryingAndStops() throws Exception {
        assumeFalse(opened(), "this JVM has the add-opens");
        Recorder rec = new Recorder();
        HostMirror mirror = new HostMirror(new JdkPcsc(), new Settings(".*", "", "shared", "*", 100, 100), rec, rec);
        mirror.start();
        try {
            // several retries (100 ms apart; a loaded machine may take longer, so wait for them with a deadline)
            long end = System.nanoTime() + 10_000_000_000L;
            while (rec.count("DEBUG", "still no PC/SC service") < 2 && System.nanoTime() < end) {
                Thread.sleep(50);
            }
            assertTrue(rec.count("DEBUG", "still no PC/SC service") >= 2, () -> String.join("\n", rec.log()));
            assertEquals(1, rec.count("WARN", JdkPcsc.ADD_OPENS), () -> String.join("\n", rec.log()));
            assertTrue(rec.events.isEmpty());
        } finally {
            mirror.stop();
        }
        assertFalse(Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.getName().equals("vccid-pcsc-mirror") && t.isAlive()), "thread ended");
    }
}
