package org.vccid.conformance.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code java -jar conformance-tests-<v>.jar} as a user runs it: the packaged jar with target/lib next to it. */
class CliIT {

    private static String[] result(Path workDir, String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-jar");
        cmd.add(new File(System.getProperty("bundle.file")).getAbsolutePath());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(workDir.toFile()).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the CLI ends");
        return new String[] { String.valueOf(p.exitValue()), new String(out, StandardCharsets.UTF_8) };
    }

    private static String lastLine(String text) {
        String[] lines = text.split("\n");
        return lines[lines.length - 1];
    }

    @Test
    void wholeLibraryFromAnotherFolder(@TempDir Path dir) throws Exception {
        String[] r = result(dir, "--report", "reports");
        assertEquals("0", r[0], r[1]);
        assertTrue(lastLine(r[1]).matches("\\d+ passed, 0 failed"), r[1]);
        assertTrue(Files.exists(dir.resolve("reports/TEST-conformance.in-process.conformance.xml")));
    }

    @Test
    void helpAndAFailingVector(@TempDir Path dir) throws Exception {
        String[] help = result(dir, "--help");
        assertEquals("0", help[0]);
        assertTrue(help[1].startsWith("usage: conformance"), help[1]);
        Files.writeString(dir.resolve("wrong.vec"), "# clause: self-check\ninsert\npower-on\napdu 80 5A 90 00 -> 6A 82\n");
        String[] wrong = result(dir, "wrong.vec");
        assertEquals("1", wrong[0], wrong[1]);
        assertTrue(wrong[1].contains("byte 0: expected 6A, got 90"), wrong[1]);
        assertEquals("0 passed, 1 failed", lastLine(wrong[1]));
    }
}
