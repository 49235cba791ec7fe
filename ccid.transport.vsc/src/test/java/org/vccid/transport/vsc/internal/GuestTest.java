package org.vccid.transport.vsc.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.vccid.testkit.Proc;

/**
 * Real peers end to end: a tiny Linux guest in QEMU (TCG) with pcscd + libccid + OpenSC talks to our test card
 * through QEMU's usb-ccid + ccid-card-passthru and our card side (src/test/guest/run-guest.sh, port 37280). Skips
 * when a tool is missing (exit 3) or no guest kernel can be had (exit 4); the kernel .deb is cached in
 * /tmp/vccid-guest.
 */
class GuestTest {

    @Test
    void guestPcscdAndOpenScUseOurCardThroughQemu() throws Exception {
        Path script = Path.of("src/test/guest/run-guest.sh").toAbsolutePath();
        assumeTrue(script.toFile().canExecute(), "no " + script);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cp = System.getProperty("java.class.path");
        Proc.Result r = Proc.run(Duration.ofMinutes(5), Map.of(), List.of(script.toString(), "--port", "37280",
                "--check", "testcard", "--timeout", "240", "--", java, "-cp", cp,
                CardSideMain.class.getName(), "127.0.0.1", "37280"));
        System.out.println(r.output);
        if (r.exitCode == 3 || r.exitCode == 4) {
            System.out.println("SKIP GuestTest: " + r.output.strip());
        }
        assumeTrue(r.exitCode != 3 && r.exitCode != 4, "guest prerequisites missing");
        assertTrue(r.output.contains("GUEST PASS: test card reverses data"), r.output);
        assertEquals(0, r.exitCode, r.output);
        assertTrue(r.output.strip().endsWith("4 passed, 0 failed"), r.output);
        assertTrue(new File("/tmp/vccid-guest/guest.log").exists());
    }
}
