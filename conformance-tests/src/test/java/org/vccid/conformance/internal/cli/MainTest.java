package org.vccid.conformance.internal.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return Main.run(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true,
                StandardCharsets.UTF_8), args);
    }

    private String lastLine() {
        String[] lines = out.toString(StandardCharsets.UTF_8).split("\n");
        return lines[lines.length - 1];
    }

    @Test
    void help() {
        assertEquals(0, run("--help"));
        assertTrue(out.toString(StandardCharsets.UTF_8).startsWith("usage: conformance"));
    }

    @Test
    void usageErrorsExit2() {
        assertEquals(2, run("--frobnicate"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("unknown option --frobnicate"));
        assertEquals(2, run("--target"));
        assertEquals(2, run("--target", "usbip"));
        assertEquals(2, run("--card", "(vccid.card.type=cac)"));
        assertEquals(2, run("--card", "(broken"));
    }

    @Test
    void passingRunExits0WithTheSummaryLast(@TempDir Path reports) throws Exception {
        assertEquals(0, run("--only", "ccid/icc-power-on", "--report", reports.toString()));
        String text = out.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("[1/2] PASS ccid/icc-power-on-no-card.vec"), text);
        assertEquals("2 passed, 0 failed", lastLine());
        String xml = Files.readString(reports.resolve("TEST-conformance.in-process.conformance.xml"));
        assertTrue(xml.contains("tests=\"2\" failures=\"0\" errors=\"0\" skipped=\"0\""), xml);
    }

    @Test
    void failingVectorFileExits1WithTheDiff(@TempDir Path dir) throws Exception {
        Path wrong = dir.resolve("wrong.vec");
        Files.writeString(wrong, "# clause: self-check\nsend 65 L4 00 SQ 00 00 00\nexpect 81 L4 00 SQ 01 00 00\n");
        assertEquals(1, run(wrong.toString(), "--report", dir.resolve("r").toString()));
        String text = out.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("FAIL wrong.vec (self-check)"), text);
        assertTrue(text.contains("byte 7 (bStatus / byte 7): expected 01, got 02"), text);
        assertTrue(text.contains("0000 actual:   81 00 00 00 00 00 00 02 00 00"), text);
        assertEquals("0 passed, 1 failed", lastLine());
        assertTrue(Files.readString(dir.resolve("r/TEST-conformance.in-process.conformance.xml"))
                .contains("<failure message=\"line 3"));
    }

    @Test
    void malformedVectorFileExits2(@TempDir Path dir) throws Exception {
        Path bad = dir.resolve("bad.vec");
        Files.writeString(bad, "send 65\n");
        assertEquals(2, run(bad.toString()));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("bad.vec:1: no \"# clause:\" header"),
                err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void listNamesVectorsAndClauses() {
        assertEquals(0, run("--list", "--only", "tpdu/"));
        String text = out.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("tpdu/t0.vec  ISO 7816-3"), text);
        assertTrue(text.contains("tpdu/t1.vec"), text);
    }

    @Test
    void nothingToRunIsAFailure() {
        assertEquals(1, run("--only", "no-such-prefix/"));
        assertEquals("0 passed, 0 failed", lastLine());
    }
}
