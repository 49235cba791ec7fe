package org.vccid.iso7816;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Real peer: pcsc-tools' {@code ATR_analysis} (Debian package pcsc-tools) parses the same ATRs, and its reading must
 * agree with {@link Atr}: protocols, TA1, TC1, TC2, IFSC, BWI/CWI, EDC, historical bytes, TCK verdict. Skipped when
 * the tool is absent. The tool's card-list download is disabled by a fresh, empty list in a private
 * XDG_CACHE_HOME, so no network is used.
 */
class AtrAnalysisPeerTest {

    private static final Path TOOL = Path.of("/usr/bin/ATR_analysis");
    private static Path cache;

    @BeforeAll
    static void setUp() throws IOException {
        if (!Files.isExecutable(TOOL)) {
            System.out.println("SKIP AtrAnalysisPeerTest: " + TOOL + " not installed (apt-get install pcsc-tools)");
        }
        assumeTrue(Files.isExecutable(TOOL), TOOL + " not installed");
        cache = Files.createTempDirectory("atr-analysis");
        Files.createFile(cache.resolve("smartcard_list.txt")); // fresh: the tool does not try to update it
    }

    @AfterAll
    static void tearDown() throws IOException {
        if (cache != null) {
            Files.deleteIfExists(cache.resolve("smartcard_list.txt"));
            Files.deleteIfExists(cache);
        }
    }

    private static String analyse(byte[] atr) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(TOOL.toString(), Hex.spaced(atr)).redirectErrorStream(true);
        pb.environment().put("XDG_CACHE_HOME", cache.toString());
        pb.environment().put("HOME", cache.toString());
        Process p = pb.start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(20, TimeUnit.SECONDS), "ATR_analysis did not finish");
        return new String(out, StandardCharsets.UTF_8).replaceAll("\u001B\\[[0-9;]*m", "");
    }

    private static List<String> all(String regex, String text) {
        Matcher m = Pattern.compile(regex).matcher(text);
        List<String> r = new ArrayList<>();
        while (m.find()) {
            r.add(m.group(1));
        }
        return r;
    }

    private static void agree(Atr a) throws IOException, InterruptedException {
        String text = analyse(a.bytes());
        String ctx = a + "\n" + text;
        assertTrue(text.contains("ATR: " + a), ctx);
        // protocols from the TD bytes
        TreeSet<Integer> tds = new TreeSet<>();
        for (String t : all("Protocol T = (\\d+)", text)) {
            if (!t.equals("15")) {
                tds.add(Integer.parseInt(t));
            }
        }
        int mask = 0;
        for (int t : tds) {
            mask |= 1 << t;
        }
        assertEquals(mask == 0 ? 1 : mask, a.protocolMask(), ctx);
        List<String> ta1 = all("TA\\(1\\) = ([0-9A-F]{2})", text);
        assertEquals(ta1.isEmpty() ? 0x11 : Integer.parseInt(ta1.get(0), 16), a.ta1(), ctx);
        List<String> tc1 = all("TC\\(1\\) = ([0-9A-F]{2})", text);
        assertEquals(tc1.isEmpty() ? 0 : Integer.parseInt(tc1.get(0), 16), a.tc1(), ctx);
        List<String> ta2 = all("TA\\(2\\) = ([0-9A-F]{2})", text);
        assertEquals(ta2.isEmpty() ? -1 : Integer.parseInt(ta2.get(0), 16), a.ta2(), ctx);
        if (a.defaultProtocol() == 0) {
            List<String> wi = all("Work waiting time: 960 x (\\d+) x", text);
            assertEquals(wi.isEmpty() ? 10 : Integer.parseInt(wi.get(0)), a.t0WaitingInteger(), ctx);
        }
        if (a.offers(1)) {
            List<String> ifsc = all("IFSC: (\\d+)", text);
            assertEquals(ifsc.isEmpty() ? 32 : Integer.parseInt(ifsc.get(0)), a.t1Ifsc(), ctx);
            Matcher bw = Pattern.compile("Block Waiting Integer: (\\d+) - Character Waiting Integer: (\\d+)")
                    .matcher(text);
            if (bw.find()) {
                assertEquals(Integer.parseInt(bw.group(1)), a.t1Bwi(), ctx);
                assertEquals(Integer.parseInt(bw.group(2)), a.t1Cwi(), ctx);
            } else {
                assertEquals(4, a.t1Bwi(), ctx);
                assertEquals(13, a.t1Cwi(), ctx);
            }
            List<String> edc = all("Error detection code: (CRC|LRC)", text);
            assertEquals(!edc.isEmpty() && edc.get(0).equals("CRC"), a.t1Crc(), ctx);
        }
        List<String> hist = all("\\+ Historical bytes: ?([0-9A-F ]*)", text);
        if (!hist.isEmpty()) {
            assertEquals(Hex.spaced(a.historicalBytes()), hist.get(0).trim(), ctx);
        }
        if (a.hasTck()) {
            assertTrue(text.contains(String.format("TCK = %02X (correct checksum)", a.tck())), ctx);
        } else {
            assertTrue(!text.contains("TCK ="), ctx);
        }
    }

    @Test
    void realAtrsAgree() throws Exception {
        for (String hex : new String[] { "3B 7A 18 00 00 73 66 74 65 20 63 64 31 34 34",
                "3BFA1800008131FE454A434F5033315632333298", "3B 88 81 31 FE 45 45 4D 55 2D 54 31 43 44 91",
                "3B 02 14 50", "3B 95 13 81 01 80 73 FF 01 00 0B",
                "3B F7 18 00 00 80 31 FE 45 73 66 74 65 2D 6E 66 C4" }) {
            agree(Atr.parse(Hex.decode(hex)));
        }
    }

    @Test
    void builtAtrsAgree() throws Exception {
        Random rnd = new Random(42);
        int[][] sets = { { 0 }, { 1 }, { 0, 1 } };
        for (int i = 0; i < 18; i++) {
            byte[] hist = new byte[rnd.nextInt(16)];
            rnd.nextBytes(hist);
            Atr a = Atr.builder().protocols(sets[i % 3]).ta1(rnd.nextBoolean() ? 0x11 : 0x18 + rnd.nextInt(4))
                    .tc1(rnd.nextBoolean() ? 0 : rnd.nextInt(255)).ta2(rnd.nextInt(4) == 0 ? 0x10 : -1)
                    .t0WaitingInteger(rnd.nextBoolean() ? 10 : 1 + rnd.nextInt(255))
                    .t1Ifsc(rnd.nextBoolean() ? 32 : 1 + rnd.nextInt(254)).t1Bwi(rnd.nextInt(10))
                    .t1Cwi(rnd.nextInt(16)).t1Crc(rnd.nextBoolean()).historicalBytes(hist).build();
            agree(a);
        }
    }

    @Test
    void badTckIsBadForBoth() throws Exception {
        byte[] b = Hex.decode("3B 88 81 31 FE 45 45 4D 55 2D 54 31 43 44 90");
        assertTrue(analyse(b).contains("TCK = 90 WRONG CHECKSUM, expected 91"));
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Atr.parse(b));
        assertTrue(e.getMessage().contains("the right TCK is 91"), e.getMessage());
    }
}
