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
 * over USB/IP and uses it (src/test/guest/run-guest.sh; the traffic is captured with tshark and judged too). This
 * host itself has no vhci-hcd module, so {@code usbip attach} cannot run here outside a guest.
 * <ul>
 * <li>{@link #qemuGuestUsesOurReaderWithTheCac()}: the reader holds card.cac's CAC and the guest's
 * {@code pkcs11-tool --login --pin 12345678 --test} must print "No errors". Runs by default (CI) when
 * qemu-system-x86_64 and the guest's tools are installed and the JVM runs as root (the live tshark capture needs it);
 * {@code -Dvccid.guest=false} (or VCCID_GUEST=0) turns it off. Port 37700.</li>
 * <li>{@link #qemuGuestAttachesOurReaderAndUsesIt()}: the same with the test card (64-byte and 300-byte answers, an
 * APDU loop). Opt-in ({@code -Dvccid.guest=true} or VCCID_GUEST=1), because the CAC run covers the USB/IP path
 * already and each TCG boot costs 30-70 s. Port 37590.</li>
 * </ul>
 * The Debian kernel is downloaded once into /tmp/vccid-guest (shared with ccid.transport.vsc's guest); when it
 * cannot be had (run-guest.sh exit 4) the tests skip.
 */
class GuestPeerTest {

    static final int CAC_PORT = 37700;
    static final int TEST_CARD_PORT = 37590;

    static String switchValue() {
        String p = System.getProperty("vccid.guest");
        if (p != null && !p.isEmpty()) {
            return p;
        }
        String e = System.getenv("VCCID_GUEST");
        return e == null ? "" : ("1".equals(e) ? "true" : "0".equals(e) ? "false" : e);
    }

    static String toolsMissing() {
        for (String tool : new String[] { "/usr/bin/qemu-system-x86_64", "/usr/bin/socat", "/usr/bin/busybox",
                "/usr/sbin/pcscd", "/usr/bin/opensc-tool", "/usr/bin/pkcs11-tool", "/usr/bin/pcsc_scan",
                "/usr/bin/cpio", "/usr/bin/tshark" }) {
            if (!new File(tool).canExecute()) {
                return tool + " is missing (see .ci/apt-packages)";
            }
        }
        if (!"root".equals(System.getProperty("user.name"))) {
            return "not root (the guest run captures the loopback with tshark)";
        }
        return null;
    }

    static String cacUnavailableReason() {
        if ("false".equals(switchValue())) {
            return "turned off with -Dvccid.guest=false / VCCID_GUEST=0";
        }
        return toolsMissing();
    }

    static String testCardUnavailableReason() {
        if (!"true".equals(switchValue())) {
            return "opt-in (-Dvccid.guest=true): a second TCG boot (30-70 s) with the test card";
        }
        return toolsMissing();
    }

    /** Runs run-guest.sh with the given card; returns its output (also in target/guest/junit-run-CARD.log). */
    static String runGuest(String card, int port, String why) throws IOException, InterruptedException {
        if (why != null) {
            System.out.println("SKIP GuestPeerTest (" + card + "): " + why);
        }
        Assumptions.assumeTrue(why == null, why);
        Path script = Path.of("src", "test", "guest", "run-guest.sh").toAbsolutePath();
        Path log = Files.createDirectories(Path.of("target", "guest")).resolve("junit-run-" + card + ".log");
        ProcessBuilder pb = new ProcessBuilder(script.toString()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        pb.environment().put("VCCID_GUEST_CARD", card);
        pb.environment().put("VCCID_GUEST_PORT", Integer.toString(port));
        pb.environment().put("VCCID_GUEST_CP", System.getProperty("java.class.path"));
        long t0 = System.nanoTime();
        Process p = pb.start();
        boolean done = p.waitFor(10, TimeUnit.MINUTES);
        if (!done) {
            p.destroyForcibly();
        }
        String out = Files.readString(log, StandardCharsets.UTF_8);
        System.out.println(out.lines().filter(l -> l.startsWith("CHECK") || l.contains("passed,")
                || l.contains("APDUs in") || l.startsWith("usbip dissector") || l.startsWith("stream ")
                || l.startsWith("pkcs11-tool --login") || l.endsWith("errors"))
                .reduce("", (a, b) -> a + b + "\n")
                + "guest run (" + card + "): " + (System.nanoTime() - t0) / 1_000_000_000 + " s wall");
        assertTrue(done, "guest run finished within 10 minutes, see " + log);
        if (p.exitValue() == 4) {
            System.out.println("SKIP GuestPeerTest (" + card + "): no guest kernel: " + out.strip());
        }
        Assumptions.assumeTrue(p.exitValue() != 4, "no Debian kernel for the guest (apt-get download failed)");
        assertTrue(out.contains("GUEST RESULT:") && out.contains(" 0 failed"), "guest checks, see " + log);
        assertEquals(0, p.exitValue(), "run-guest.sh exit status, see " + log);
        return out;
    }

    @Test
    void qemuGuestUsesOurReaderWithTheCac() throws IOException, InterruptedException {
        String out = runGuest("cac", CAC_PORT, cacUnavailableReason());
        assertTrue(out.contains("CHECK ok card-name"), "OpenSC names the card a CAC");
        assertTrue(out.lines().anyMatch(l -> l.strip().equals("No errors")), "pkcs11-tool --test: No errors");
        assertTrue(out.contains("CHECK ok pkcs11-login-test"));
        assertTrue(out.contains("CHECK ok no-vhci-errors"));
    }

    @Test
    void qemuGuestAttachesOurReaderAndUsesIt() throws IOException, InterruptedException {
        String out = runGuest("test", TEST_CARD_PORT, testCardUnavailableReason());
        assertTrue(out.contains("CHECK ok apdus"));
    }
}
