package org.vccid.testkit;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Run a command to completion with a time limit; stdout and stderr merged. */
public final class Proc {

    /** What a finished command left. */
    public static final class Result {
        public final int exitCode;
        public final String output;

        Result(int exitCode, String output) {
            this.exitCode = exitCode;
            this.output = output;
        }

        @Override
        public String toString() {
            return "exit " + exitCode + ":\n" + output;
        }
    }

    private Proc() {
    }

    /** Whether an executable is on the PATH (or is an absolute path that exists). */
    public static boolean which(String name) {
        if (name.startsWith("/")) {
            return new File(name).canExecute();
        }
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            if (new File(dir, name).canExecute()) {
                return true;
            }
        }
        return new File("/usr/sbin", name).canExecute();
    }

    /** Run with extra environment; kills the command and fails after the time limit. */
    public static Result run(Duration limit, Map<String, String> env, List<String> command) throws IOException {
        Path out = Files.createTempFile("vccid-proc", ".out");
        try {
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile());
            pb.environment().putAll(env);
            Process p = pb.start();
            try {
                if (!p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                    p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                    throw new IOException("timed out after " + limit + ": " + command + "\n"
                            + Files.readString(out, StandardCharsets.UTF_8));
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new IOException("interrupted: " + command, e);
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
        }
    }

    public static Result run(Duration limit, String... command) throws IOException {
        return run(limit, Map.of(), List.of(command));
    }
}
