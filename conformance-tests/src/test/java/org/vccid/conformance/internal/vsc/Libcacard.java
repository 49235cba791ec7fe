package org.vccid.conformance.internal.vsc;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * libcacard's CAC emulation (an NSS soft card with three self-signed certificates) as a VSC client: the
 * repository's {@code ccid.transport.vsc/src/test/c/vsc-cacard-client.c}, built here with gcc as
 * ccid.transport.vsc's CacardClientTest builds it. One process per card.
 */
final class Libcacard {

    final Path exe;
    final Path db;

    private Libcacard(Path exe, Path db) {
        this.exe = exe;
        this.db = db;
    }

    /** Why libcacard's client cannot be built here, or null when it can. */
    static String missing() throws Exception {
        for (String tool : List.of("gcc", "pkg-config", "certutil")) {
            if (run(Path.of("."), List.of("sh", "-c", "command -v " + tool)).exit != 0) {
                return tool + " not installed (gcc, pkg-config, libcacard-dev, libnss3-tools)";
            }
        }
        if (run(Path.of("."), List.of("pkg-config", "--exists", "libcacard")).exit != 0) {
            return "libcacard-dev not installed";
        }
        if (!Files.exists(source())) {
            return source() + " not found";
        }
        return null;
    }

    static Path source() {
        return Path.of("..", "ccid.transport.vsc", "src", "test", "c", "vsc-cacard-client.c").toAbsolutePath()
                .normalize();
    }

    /**
     * Build the client and an NSS database with three RSA-2048 certificates in {@code dir}, protected by
     * {@code pin} (libcacard's VERIFY logs into the NSS token with it).
     */
    static Libcacard build(Path dir, String pin) throws Exception {
        Path exe = dir.resolve("vsc-cacard-client");
        Result cc = run(dir, List.of("sh", "-c", "gcc -O1 -o '" + exe + "' '" + source()
                + "' $(pkg-config --cflags --libs libcacard)"));
        if (cc.exit != 0) {
            throw new IOException("gcc failed: " + cc.output);
        }
        Path db = dir.resolve("nssdb");
        Files.createDirectories(db);
        Path noise = dir.resolve("noise");
        Files.write(noise, new java.security.SecureRandom().generateSeed(64));
        Path pw = dir.resolve("pin");
        Files.writeString(pw, pin + "\n");
        Result n = run(dir, List.of("certutil", "-N", "-d", "sql:" + db, "-f", pw.toString()));
        if (n.exit != 0) {
            throw new IOException("certutil -N failed: " + n.output);
        }
        for (int i = 1; i <= 3; i++) {
            Result r = run(dir, List.of("certutil", "-S", "-d", "sql:" + db, "-f", pw.toString(), "-n", "cert" + i,
                    "-s",
                    "CN=vccid conformance " + i, "-x", "-t", "CT,C,C", "-k", "rsa", "-g", "2048", "-v", "12", "-z",
                    noise.toString(), "-m", String.valueOf(200 + i)));
            if (r.exit != 0) {
                throw new IOException("certutil -S failed: " + r.output);
            }
        }
        return new Libcacard(exe, db);
    }

    /** Start one client (one card) against a reader side on 127.0.0.1:port. */
    VscRemoteCards.Client start(int port) throws IOException {
        Process p = new ProcessBuilder(exe.toString(), "127.0.0.1", String.valueOf(port), db.toString())
                .redirectErrorStream(true).start();
        // drain its output (READY <atr>, REMOVED n) so that it never blocks on a full pipe
        Thread drain = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
                    StandardCharsets.UTF_8))) {
                while (r.readLine() != null) {
                    // nothing to do
                }
            } catch (IOException e) {
                // process gone
            }
        }, "libcacard client output");
        drain.setDaemon(true);
        drain.start();
        return () -> {
            try {
                OutputStream in = p.getOutputStream();
                in.write("exit\n".getBytes(StandardCharsets.US_ASCII)); // VSC_ReaderRemove, then it quits
                in.flush();
                if (!p.waitFor(10, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (IOException e) {
                p.destroyForcibly();
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        };
    }

    static final class Result {
        final int exit;
        final String output;

        Result(int exit, String output) {
            this.exit = exit;
            this.output = output;
        }
    }

    static Result run(Path dir, List<String> command) throws Exception {
        Process p = new ProcessBuilder(new ArrayList<>(command)).directory(dir.toFile()).redirectErrorStream(true)
                .start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return new Result(-1, "timeout");
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }
}
