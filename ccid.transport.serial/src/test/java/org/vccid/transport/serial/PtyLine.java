package org.vccid.transport.serial;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.vccid.testkit.Proc;

/**
 * The pty for pcscd: {@code bin/vccid-serial-line.sh LINK PORT}, an outer socat holding the pty master and an inner
 * loop that (re)connects to our TCP line. Stop it only after pcscd (libccid spins if the pty master goes away
 * under a running pcscd).
 */
final class PtyLine implements AutoCloseable {

    static final Path SCRIPT = Path.of("bin/vccid-serial-line.sh").toAbsolutePath();

    final Path link;
    private final Process process;
    private final Path log;

    private PtyLine(Path link, Process process, Path log) {
        this.link = link;
        this.process = process;
        this.log = log;
    }

    /** Why no pty line can be made here, or null. */
    static String unavailableReason() {
        if (!Proc.which("socat")) {
            return "socat is not installed (apt-get install socat)";
        }
        if (!new File(SCRIPT.toString()).canRead()) {
            return SCRIPT + " is missing";
        }
        return null;
    }

    /** Start the line and wait for the pty link to appear. */
    static PtyLine start(String name, int port) throws IOException, InterruptedException {
        Path link = Path.of("/tmp/vccid-serial-" + name);
        return start(link, List.of("sh", SCRIPT.toString(), link.toString(), Integer.toString(port)));
    }

    /**
     * A plain {@code socat PTY,link=...,rawer TCP:127.0.0.1:port,nodelay}: one hop less, but the pty goes away with
     * the TCP connection, so our side must not restart while pcscd runs. For the benchmark's comparison.
     */
    static PtyLine startDirect(String name, int port) throws IOException, InterruptedException {
        Path link = Path.of("/tmp/vccid-serial-" + name);
        return start(link, List.of("socat", "PTY,link=" + link + ",rawer", "TCP:127.0.0.1:" + port + ",nodelay"));
    }

    private static PtyLine start(Path link, List<String> command) throws IOException, InterruptedException {
        Files.deleteIfExists(link);
        Path log = Files.createTempFile("vccid-serial-line-", ".log");
        Process p = new ProcessBuilder(command)
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!Files.exists(link)) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                p.destroyForcibly();
                String out = Files.readString(log);
                Files.deleteIfExists(log);
                throw new IOException("pty line did not come up: " + out);
            }
            Thread.sleep(20);
        }
        return new PtyLine(link, p, log);
    }

    /** pcscd's DEVICENAME for this line and reader type. */
    String deviceName(String type) {
        return link + ":" + type;
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Stop the outer socat and the reconnect loop (the pty goes away): only after pcscd has stopped. */
    @Override
    public void close() throws IOException {
        List<ProcessHandle> all = process.descendants().collect(Collectors.toList());
        process.destroy();
        all.forEach(ProcessHandle::destroy);
        try {
            process.waitFor(5, TimeUnit.SECONDS);
            for (ProcessHandle h : all) {
                h.onExit().get(5, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            process.destroyForcibly();
            all.forEach(ProcessHandle::destroyForcibly);
        }
        Files.deleteIfExists(link);
        Files.deleteIfExists(log);
    }
}
