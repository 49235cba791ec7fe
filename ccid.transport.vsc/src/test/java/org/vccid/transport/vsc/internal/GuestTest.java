package org.vccid.transport.vsc.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.vccid.testkit.Proc;

/**
 * Real peers end to end: a tiny Linux guest in QEMU (TCG) with pcscd + libccid + OpenSC talks to our test card
 * through QEMU's usb-ccid + ccid-card-passthru and our card side (src/test/guest/run-guest.sh, port 37280; initramfs
 * and logs in target/guest-testcard). Skips
 * when a tool is missing (exit 3) or no guest kernel can be had (exit 4); the kernel .deb is cached in
 * /tmp/vccid-guest (shared with ccid.transport.usbip's guest).
 * <p>
 * {@link #guestPkcs11ToolTestsTheCacThroughQemu()} serves card.cac's CAC instead (fresh state, PIN 12345678) and
 * wants {@code pkcs11-tool --login --pin 12345678 --test} to print "No errors" in the guest (it exits 0 even with
 * errors). Initramfs and logs in target/guest-cac. It runs by default when qemu-system-x86_64 is installed and the JVM runs as root; -Dvccid.guest=false
 * (or VCCID_GUEST=0) turns it off. Port 37710.
 */
class GuestTest {

    @Test
    void guestPcscdAndOpenScUseOurCardThroughQemu() throws Exception {
        Path script = Path.of("src/test/guest/run-guest.sh").toAbsolutePath();
        assumeTrue(script.toFile().canExecute(), "no " + script);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cp = System.getProperty("java.class.path");
        Path work = Path.of("target", "guest-testcard").toAbsolutePath();
        Proc.Result r = Proc.run(Duration.ofMinutes(5), Map.of(), List.of(script.toString(), "--port", "37280",
                "--work", work.toString(), "--check", "testcard", "--timeout", "240", "--", java, "-cp", cp,
                CardSideMain.class.getName(), "127.0.0.1", "37280"));
        System.out.println(r.output + "\nrun-guest.sh exit " + r.exitCode);
        if (r.exitCode == 3 || r.exitCode == 4) {
            System.out.println("SKIP GuestTest: " + r.output.strip());
        }
        assumeTrue(r.exitCode != 3 && r.exitCode != 4, "guest prerequisites missing");
        assertTrue(r.output.contains("GUEST PASS: test card reverses data"), r.output);
        assertEquals(0, r.exitCode, r.output);
        assertTrue(r.output.strip().endsWith("4 passed, 0 failed"), r.output);
        assertTrue(Files.exists(work.resolve("guest.log")));
    }

    static String cacUnavailableReason() {
        String p = System.getProperty("vccid.guest", System.getenv("VCCID_GUEST"));
        if ("false".equals(p) || "0".equals(p)) {
            return "turned off with -Dvccid.guest=false / VCCID_GUEST=0";
        }
        if (!new File("/usr/bin/qemu-system-x86_64").canExecute()) {
            return "qemu-system-x86_64 is missing (apt-get install qemu-system-x86)";
        }
        if (!"root".equals(System.getProperty("user.name"))) {
            return "not root";
        }
        return null;
    }

    @Test
    void guestPkcs11ToolTestsTheCacThroughQemu() throws Exception {
        String why = cacUnavailableReason();
        if (why != null) {
            System.out.println("SKIP GuestTest (cac): " + why);
        }
        assumeTrue(why == null, why);
        Path script = Path.of("src/test/guest/run-guest.sh").toAbsolutePath();
        Path state = Path.of("target", "guest-cac-state").toAbsolutePath();
        Path work = Path.of("target", "guest-cac").toAbsolutePath();
        deleteTree(state);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cp = absolute(System.getProperty("java.class.path"));
        long t0 = System.nanoTime();
        Proc.Result r = Proc.run(Duration.ofMinutes(5), Map.of(), List.of(script.toString(), "--port", "37710",
                "--work", work.toString(), "--check", "cac", "--pin", "12345678", "--timeout", "240", "--", java,
                "-cp", cp,
                CardSideMain.class.getName(), "127.0.0.1", "37710", "cac:" + state));
        System.out.println(r.output + "\nguest run (cac): " + (System.nanoTime() - t0) / 1_000_000_000 + " s wall");
        if (r.exitCode == 3 || r.exitCode == 4) {
            System.out.println("SKIP GuestTest (cac): " + r.output.strip());
        }
        assumeTrue(r.exitCode != 3 && r.exitCode != 4, "guest prerequisites missing");
        String guest = Files.readString(work.resolve("guest.log"), StandardCharsets.ISO_8859_1);
        System.out.println(guest.lines().filter(l -> l.contains("errors") || l.startsWith("Using slot")
                || l.contains("OK") || l.contains("testing")).reduce("", (a, b) -> a + b + "\n"));
        assertTrue(guest.lines().anyMatch(l -> l.strip().equals("No errors")), "pkcs11-tool --test said No errors");
        assertTrue(r.output.contains("GUEST PASS: pkcs11-tool --login --test: 0 errors"), r.output);
        assertTrue(r.output.contains("GUEST PASS: card present, ATR 3b:89:00:56:43:41:52:44:5f:4e:53:53"), r.output);
        assertEquals(0, r.exitCode, r.output);
        assertTrue(r.output.strip().endsWith("4 passed, 0 failed"), r.output);
    }

    /** run-guest.sh changes directory: make every class path entry absolute. */
    static String absolute(String cp) {
        StringBuilder b = new StringBuilder();
        for (String e : cp.split(File.pathSeparator)) {
            if (!e.isEmpty()) {
                b.append(b.length() == 0 ? "" : File.pathSeparator).append(Path.of(e).toAbsolutePath());
            }
        }
        return b.toString();
    }

    static void deleteTree(Path dir) throws java.io.IOException {
        if (Files.exists(dir)) {
            try (var s = Files.walk(dir)) {
                for (Path p : (Iterable<Path>) s.sorted(java.util.Comparator.reverseOrder())::iterator) {
                    Files.delete(p);
                }
            }
        }
    }
}
