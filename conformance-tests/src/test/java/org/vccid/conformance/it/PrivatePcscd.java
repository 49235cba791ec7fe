package org.vccid.conformance.it;

import static org.junit.Assert.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A private pcscd for the in-framework PC/SC tests: its own mount namespace, its socket in {@code dir/run} (where the
 * failsafe execution's PCSCLITE_CSOCK_NAME points), one reader.conf, the log in {@code dir/pcscd.log}.
 */
final class PrivatePcscd {

    private PrivatePcscd() {
    }

    /**
     * Why the test cannot run here, or null: pcscd, the reader driver and these tools must exist, and a private
     * pcscd needs root.
     *
     * @param driver the driver's library path
     * @param driverPackage the Debian package that brings it
     * @param tools further executables the test runs
     */
    static String unavailable(String driver, String driverPackage, String... tools) {
        if (!new File("/usr/sbin/pcscd").canExecute()) {
            return "pcscd is not installed";
        }
        if (!new File(driver).exists()) {
            return driverPackage + " is not installed";
        }
        for (String tool : tools) {
            if (!new File(tool).canExecute()) {
                return tool + " is not installed";
            }
        }
        if (!"root".equals(System.getProperty("user.name"))) {
            return "a private pcscd needs root (unshare -m)";
        }
        return null;
    }

    /** Start pcscd with this reader.conf text and wait (30 s at most) for its socket. */
    static Process start(Path dir, String readerConf) throws Exception {
        Path run = Files.createDirectories(dir.resolve("run"));
        Files.deleteIfExists(run.resolve("pcscd.comm"));
        Path conf = dir.resolve("reader.conf");
        Files.writeString(conf, readerConf);
        Files.createDirectories(Path.of("/run/pcscd"));
        Process p = new ProcessBuilder("unshare", "-m", "sh", "-c", "mount --bind '" + run + "' /run/pcscd && exec"
                + " /usr/sbin/pcscd -f -c '" + conf + "'").redirectErrorStream(true)
                .redirectOutput(dir.resolve("pcscd.log").toFile()).start();
        await("pcscd socket", 30, () -> Files.exists(run.resolve("pcscd.comm")) || !p.isAlive());
        assertTrue("pcscd exited: " + Files.readString(dir.resolve("pcscd.log")), p.isAlive());
        return p;
    }

    /** Stop a process and its children (TERM, then KILL after 5 s); null is ignored. */
    static void stop(Process p) throws InterruptedException {
        if (p == null) {
            return;
        }
        List<ProcessHandle> children = p.descendants().collect(Collectors.toList());
        p.destroy();
        children.forEach(ProcessHandle::destroy);
        if (!p.waitFor(5, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
        children.forEach(ProcessHandle::destroyForcibly);
    }

    /** Wait until the condition holds, failing with {@code what} after the given seconds. */
    static void await(String what, long seconds, Callable<Boolean> condition) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!condition.call()) {
            assertTrue(what, System.nanoTime() < deadline);
            Thread.sleep(50);
        }
    }
}
