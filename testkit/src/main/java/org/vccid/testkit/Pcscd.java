package org.vccid.testkit;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A private pcscd for one test: pcscd 1.9.9 has a compiled-in socket and pid file under /run/pcscd, so it runs in
 * its own mount namespace ({@code unshare -m}) with a private directory bound on /run/pcscd, reading only the
 * reader.conf given here. Clients reach it through {@code PCSCLITE_CSOCK_NAME} ({@link #env()}); that includes
 * javax.smartcardio in a JVM started with that environment. Never uses --auto-exit.
 *
 * <pre>
 * try (Pcscd pcscd = Pcscd.start("vpcd", readerConf)) {
 *     Proc.Result r = pcscd.client(Duration.ofSeconds(10), "opensc-tool", "-l");
 * }
 * </pre>
 */
public final class Pcscd implements AutoCloseable {

    public static final String PCSCD = "/usr/sbin/pcscd";

    private final Path dir;
    private final Process process;

    private Pcscd(Path dir, Process process) {
        this.dir = dir;
        this.process = process;
    }

    /** Why a private pcscd cannot run here, or {@code null} when it can (pcscd installed, root for unshare). */
    public static String unavailableReason() {
        if (!new File(PCSCD).canExecute()) {
            return "pcscd is not installed (apt-get install pcscd)";
        }
        if (!Proc.which("unshare")) {
            return "unshare (util-linux) is missing";
        }
        if (!"root".equals(System.getProperty("user.name"))) {
            return "a private pcscd needs root (unshare -m)";
        }
        return null;
    }

    /**
     * Start pcscd with this reader.conf text and wait until its socket answers.
     *
     * @param name a label for the scratch directory and log
     * @param readerConf reader.conf content (FRIENDLYNAME / DEVICENAME / LIBPATH / CHANNELID)
     * @param extraArgs more pcscd arguments, e.g. "-d", "-a"
     */
    public static Pcscd start(String name, String readerConf, String... extraArgs) throws IOException {
        return start(name, readerConf, Map.of(), extraArgs);
    }

    /** As {@link #start(String, String, String...)} with extra environment for pcscd and its drivers. */
    public static Pcscd start(String name, String readerConf, Map<String, String> env, String... extraArgs)
            throws IOException {
        String reason = unavailableReason();
        if (reason != null) {
            throw new IllegalStateException(reason);
        }
        return startIn(Files.createTempDirectory("vccid-pcscd-" + name + "-"), readerConf, env, extraArgs);
    }

    /**
     * As {@link #start(String, String, Map, String...)} but in a directory chosen by the caller (created if
     * missing), so the socket path {@code dir/run/pcscd.comm} is known before pcscd starts: a JVM whose
     * {@code PCSCLITE_CSOCK_NAME} must be fixed at its launch (javax.smartcardio reads it once) can point there,
     * and a restarted pcscd in the same directory serves the same path.
     */
    public static Pcscd startIn(Path dir, String readerConf, Map<String, String> env, String... extraArgs)
            throws IOException {
        String reason = unavailableReason();
        if (reason != null) {
            throw new IllegalStateException(reason);
        }
        Files.createDirectories(dir);
        Path run = Files.createDirectories(dir.resolve("run"));
        Files.deleteIfExists(run.resolve("pcscd.comm"));
        Path conf = dir.resolve("reader.conf");
        Files.writeString(conf, readerConf, StandardCharsets.UTF_8);
        Files.createDirectories(Path.of("/run/pcscd"));
        String args = String.join(" ", extraArgs);
        List<String> cmd = new ArrayList<>(Arrays.asList("unshare", "-m", "sh", "-c",
                "mount --bind '" + run + "' /run/pcscd && exec " + PCSCD + " -f -c '" + conf + "' " + args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dir.resolve("pcscd.log").toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        Pcscd pcscd = new Pcscd(dir, p);
        Path sock = run.resolve("pcscd.comm");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (!Files.exists(sock)) {
            if (!p.isAlive()) {
                throw new IOException("pcscd exited with " + p.exitValue() + ":\n" + pcscd.log());
            }
            if (System.nanoTime() > deadline) {
                pcscd.close();
                throw new IOException("pcscd socket did not appear in 15 s:\n" + pcscd.log());
            }
            sleep(50);
        }
        return pcscd;
    }

    /** The socket clients must use. */
    public Path socket() {
        return dir.resolve("run").resolve("pcscd.comm");
    }

    /** Environment for clients: {@code PCSCLITE_CSOCK_NAME}. */
    public Map<String, String> env() {
        return Map.of("PCSCLITE_CSOCK_NAME", socket().toString());
    }

    /** The scratch directory (reader.conf, pcscd.log). */
    public Path dir() {
        return dir;
    }

    /** Run a PC/SC client command (opensc-tool, pkcs11-tool, pcsc_scan, java ...) against this pcscd. */
    public Proc.Result client(Duration limit, String... command) throws IOException {
        return Proc.run(limit, env(), List.of(command));
    }

    /** pcscd's output so far. */
    public String log() {
        try {
            return Files.readString(dir.resolve("pcscd.log"), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Stop pcscd (SIGTERM, then SIGKILL after 5 s). */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A TCP port that was free a moment ago (for a vpcd or serial listener in a test). */
    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
