package org.vccid.transport.usbip.guest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The real peer: a QEMU guest with Debian's kernel (vhci-hcd), usbip, pcscd, libccid and OpenSC attaches our reader
 * over USB/IP and uses it (src/test/guest/run-guest.sh; the traffic is captured with tshark and judged too).
 * Opt-in, because it downloads the Debian kernel once and takes 1-2 minutes under TCG: run with
 * {@code -Dvccid.guest=true} (or VCCID_GUEST=1), or run the script by hand. This host itself has no vhci-hcd
 * module, so {@code usbip attach} cannot run here outside a guest.
 */
class GuestPeerTest {

    static String unavailableReason() {
        if (!"true".equals(System.getProperty("vccid.guest")) && !"1".equals(System.getenv("VCCID_GUEST"))) {
            return "opt-in (-Dvccid.guest=true): downloads the Debian kernel and boots a TCG guest (1-2 min)";
        }
        for (String tool : new String[] { "/usr/bin/qemu-system-x86_64", "/usr/bin/socat", "/usr/bin/busybox",
                "/usr/sbin/pcscd", "/usr/bin/opensc-tool", "/usr/bin/pcsc_scan", "/usr/bin/cpio" }) {
            if (!new File(tool).canExecute()) {
                return tool + " is missing (see .ci/apt-packages)";
            }
        }
        return null;
    }

    @Test
    void qemuGuestAttachesOurReaderAndUsesIt() throws IOException, InterruptedException {
        String why = unavailableReason();
        if (why != null) {
            System.out.println("SKIP GuestPeerTest: " + why);
        }
        Assumptions.assumeTrue(why == null, why);
        Path script = Path.of("src", "test", "guest", "run-guest.sh").toAbsolutePath();
        Path log = Files.createDirectories(Path.of("target", "guest")).resolve("junit-run.log");
        Process p = new ProcessBuilder(script.toString()).redirectErrorStream(true).redirectOutput(log.toFile())
                .start();
        boolean done = p.waitFor(10, TimeUnit.MINUTES);
        if (!done) {
            p.destroyForcibly();
        }
        String out = Files.readString(log, StandardCharsets.UTF_8);
        System.out.println(out.lines().filter(l -> l.startsWith("CHECK") || l.contains("passed,")
                || l.contains("APDUs in") || l.startsWith("usbip dissector") || l.startsWith("stream "))
                .reduce("", (a, b) -> a + b + "\n"));
        assertTrue(done, "guest run finished within 10 minutes");
        assertTrue(out.contains("GUEST RESULT:") && out.contains(" 0 failed"), "guest checks, see " + log);
        assertEquals(0, p.exitValue(), "run-guest.sh exit status, see " + log);
    }
}
