package org.vccid.transport.vsc.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.vccid.iso7816.Hex;
import org.vccid.testkit.Proc;
import org.vccid.transport.vsc.protocol.PassthruAtr;
import org.vccid.transport.vsc.session.CardSideSession;

/**
 * Real peer: QEMU's usb-ccid + ccid-card-passthru (no guest, -S, TCG) with its chardev socket server on
 * 127.0.0.1:37220-37223; our card side connects as vscclient would. Skips when qemu-system-x86_64 (Debian package
 * qemu-system-x86) is absent.
 */
class QemuPassthruTest {

    static final String QEMU = "qemu-system-x86_64";
    private static int nextPort = 37220;

    private final List<AutoCloseable> toClose = new ArrayList<>();
    private Process qemu;
    private Path log;

    @BeforeAll
    static void needQemu() throws IOException {
        boolean present = Proc.which(QEMU);
        if (!present) {
            System.out.println("SKIP QemuPassthruTest: " + QEMU + " not installed (apt-get install qemu-system-x86)");
        }
        assumeTrue(present, QEMU + " not installed");
        Proc.Result r = Proc.run(Duration.ofSeconds(30), QEMU, "-device", "help");
        boolean passthru = r.output.contains("ccid-card-passthru");
        if (!passthru) {
            System.out.println("SKIP QemuPassthruTest: this QEMU has no ccid-card-passthru device");
        }
        assumeTrue(passthru, "no ccid-card-passthru in " + QEMU);
    }

    /** Start QEMU with a passthru card whose chardev listens on a fresh port of ours. */
    private int startQemu() throws IOException {
        int port = nextPort++;
        log = Files.createTempFile("vsc-qemu", ".log");
        qemu = new ProcessBuilder(QEMU, "-machine", "q35", "-accel", "tcg", "-display", "none", "-nodefaults", "-S",
                "-monitor", "none", "-serial", "none",
                "-device", "piix3-usb-uhci,id=hc", "-device", "usb-ccid,bus=hc.0",
                "-chardev", "socket,id=ccid,host=127.0.0.1,port=" + port + ",server=on,wait=off",
                "-device", "ccid-card-passthru,chardev=ccid,debug=4")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return port;
    }

    /** Stop QEMU (SIGTERM: it flushes its debug output) and return everything it printed. */
    private String stopQemu() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.remove(i).close();
        }
        qemu.destroy();
        if (!qemu.waitFor(10, TimeUnit.SECONDS)) {
            qemu.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
        return Files.readString(log, StandardCharsets.UTF_8);
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (qemu != null && qemu.isAlive()) {
            System.out.println("QEMU output:\n" + stopQemu());
        }
        if (log != null) {
            Files.deleteIfExists(log);
        }
    }

    private CardSideClient client(int port, TestCard card) {
        CardSideClient c = new CardSideClient(new CardSideClient.Settings("127.0.0.1", port, "vccid test reader",
                1000, 50, 400, org.vccid.transport.vsc.protocol.Vsc.DEFAULT_MAX_PAYLOAD), card, null);
        toClose.add(c);
        return c.start();
    }

    private void awaitCard(CardSideClient c, CardSideSession.CardState want) throws InterruptedException {
        LoopbackTest.waitFor("card state " + want + " (now " + c.state() + "/" + c.cardState() + ")",
                () -> c.cardState() == want);
    }

    @Test
    void handshakeReaderAtrAndRemovalAcceptedByQemu() throws Exception {
        int port = startQemu();
        TestCard card = new TestCard();
        CardSideClient c = client(port, card);
        // INSERTED means: QEMU answered our Init with its Init, our ReaderAdd with Error(SUCCESS) and our ATR
        // with Error(SUCCESS)
        awaitCard(c, CardSideSession.CardState.INSERTED);
        assertEquals(CardSideSession.State.READY, c.state());
        c.setCard(null); // card removed: VSC_CardRemove
        awaitCard(c, CardSideSession.CardState.ABSENT);
        c.setCard(new TestCard());
        awaitCard(c, CardSideSession.CardState.INSERTED);
        c.close(); // VSC_CardRemove + VSC_ReaderRemove
        String out = stopQemu();
        assertTrue(out.contains("VSC_ATR 13"), out);
        assertTrue(out.contains("atr passes check: 13 total length, 8 historical"), out);
        assertEquals(2, count(out, "atr passes check"), out);
        assertEquals(2, count(out, "VSC_CardRemove"), out); // one on removal, one on shutdown
        assertTrue(!out.contains("unexpected message") && !out.contains("wrong magic") && !out.contains("inconsistent"),
                out);
    }

    @Test
    void qemuRefusesATruncatedAtr() throws Exception {
        int port = startQemu();
        CardSideClient c = client(port, new TestCard(TestCard.TRUNCATED_ATR, true));
        awaitCard(c, CardSideSession.CardState.REFUSED);
        assertEquals(CardSideSession.State.READY, c.state(), "the reader stays");
        String out = stopQemu();
        assertTrue(out.contains("atr too short: len 8, but historical_len 8"), out);
        assertTrue(out.contains("ATR is inconsistent, ignoring"), out);
    }

    /** Our prediction of QEMU's ATR check against QEMU itself, one connection, one card after the other. */
    @Test
    void atrPredictionMatchesQemu() throws Exception {
        int port = startQemu();
        CardSideClient c = client(port, null);
        LoopbackTest.waitFor("reader added", () -> c.state() == CardSideSession.State.READY);
        Map<String, Boolean> answers = new LinkedHashMap<>();
        for (String hex : new String[] { "3B888001766363696456534334", "3B8880017663636964565343", "3B88800176636369",
            "3B0A", "3B02AABB", "3B00", "3F00", "3C00", "3B", "3B8180", "3B818001", "3BD518FF8091FE1FC38073C8211308",
            "3B7A18000073667465206364313434", "3B1196", "3B11", "3B1F96", "3B70112233", "3B7011223344",
            "3BFF0011223344556677889900112233445566778899001122334455667788990011223344" }) {
            byte[] atr = Hex.decode(hex);
            c.setCard(new TestCard(atr, true));
            LoopbackTest.waitFor("QEMU's answer to " + hex, () -> c.cardState() == CardSideSession.CardState.INSERTED
                    || c.cardState() == CardSideSession.CardState.REFUSED);
            boolean accepted = c.cardState() == CardSideSession.CardState.INSERTED;
            answers.put(hex, accepted);
            assertEquals(PassthruAtr.accepts(atr), accepted, "QEMU vs prediction for " + hex);
            c.setCard(null);
            awaitCard(c, CardSideSession.CardState.ABSENT);
        }
        assertTrue(answers.containsValue(true) && answers.containsValue(false), answers.toString());
        System.out.println("QEMU ATR answers: " + answers);
    }

    @Test
    void qemuTakesANewClientAfterTheOldOneLeft() throws Exception {
        int port = startQemu();
        CardSideClient first = client(port, new TestCard());
        awaitCard(first, CardSideSession.CardState.INSERTED);
        first.close();
        CardSideClient second = client(port, new TestCard());
        awaitCard(second, CardSideSession.CardState.INSERTED);
        String out = stopQemu();
        assertEquals(2, count(out, "atr passes check"), out);
    }

    private static int count(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }
}
