package org.vccid.transport.vpcd.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vccid.card.cac.internal.CacCard;
import org.vccid.testkit.Pcscd;
import org.vccid.testkit.Proc;

/**
 * Real peers: our CAC through our vpcd slot into a private pcscd, checked with OpenSC (opensc-tool, pkcs11-tool) and
 * openssl. Skips when the peers are not installed.
 */
class OpenScCacTest {

    static final Duration LIMIT = Duration.ofSeconds(60);
    static final int BASE = Peers.VPCD_BASE_PORT;

    @TempDir
    static Path state;
    static Pcscd pcscd;
    static VpcdSlot slot;
    static CacCard card;

    @BeforeAll
    static void start() throws Exception {
        String why = Peers.unavailableReason();
        if (why != null) {
            System.out.println("SKIP OpenScCacTest: " + why);
        }
        assumeTrue(why == null, why);
        card = CacCard.open(new CacCard.Settings("test", state.resolve("card"), null, new char[0], "12345678", 3, 3,
                CacCard.ATR_VCARD), System.out::println);
        pcscd = Pcscd.start("cac", Peers.readerConf(BASE));
        slot = new VpcdSlot("127.0.0.1", BASE, 2000, 100, new PrintLog());
        slot.setCard(card);
        slot.start();
        long deadline = System.nanoTime() + 15_000_000_000L;
        while (!slot.isConnected() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertTrue(slot.isConnected(), "vpcd did not accept the card connection:\n" + pcscd.log());
        Peers.awaitCard(pcscd, true);
    }

    @AfterAll
    static void stop() {
        if (slot != null) {
            slot.close();
        }
        if (pcscd != null) {
            pcscd.close();
        }
    }

    @Test
    void openscNamesTheCard() throws Exception {
        Proc.Result r = Peers.run(pcscd, LIMIT, "opensc-tool", "-r", "0", "-n");
        assertTrue(r.output.contains("Common Access Card (CAC)"), r.toString());
    }

    @Test
    void pkcs11ListsTheToken() throws Exception {
        Proc.Result r = Peers.run(pcscd, LIMIT, "pkcs11-tool", "-L");
        assertTrue(r.output.contains("token manufacturer : Common Access Card")
                && r.output.contains("token model        : PKCS#15 emulated")
                && r.output.contains("login required, rng, token initialized, PIN initialized"), r.toString());
    }

    @Test
    void pkcs11ListsThreeCertificatesWithCacLabels() throws Exception {
        Proc.Result r = Peers.run(pcscd, LIMIT, "pkcs11-tool", "-O", "--type", "cert");
        for (String label : new String[] { "CAC ID Certificate", "CAC Email Signature Certificate",
            "CAC Email Encryption Certificate" }) {
            assertTrue(r.output.contains("label:      " + label), label + " missing:\n" + r);
        }
        assertEquals(3, count(r.output, "Certificate Object"), r.toString());
    }

    @Test
    void pkcs11SelfTestHasNoErrors() throws Exception {
        Proc.Result r = Peers.run(pcscd, Duration.ofSeconds(120), "pkcs11-tool", "--login", "--pin", "12345678",
                "--test");
        // pkcs11-tool exits 0 even with failures: read its summary
        System.out.println(r.output);
        assertTrue(r.output.contains("No errors"), r.toString());
    }

    @Test
    void signatureVerifiesWithOpenssl(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("data.txt");
        Files.writeString(data, "vccid CAC signature test\n");
        Proc.Result s = Peers.run(pcscd, LIMIT, "pkcs11-tool", "--login", "--pin", "12345678", "--sign", "--id",
                "0001", "-m", "SHA256-RSA-PKCS", "--input-file", data.toString(), "--output-file",
                dir.resolve("sig").toString());
        assertEquals(0, s.exitCode, s.toString());
        Proc.Result c = Peers.run(pcscd, LIMIT, "pkcs11-tool", "--read-object", "--type", "cert", "--id", "0001",
                "--output-file", dir.resolve("cert.der").toString());
        assertEquals(0, c.exitCode, c.toString());
        assertTrue(java.util.Arrays.equals(card.certificate(0), Files.readAllBytes(dir.resolve("cert.der"))),
                "certificate read back differs from the card's");
        Proc.Result k = Proc.run(LIMIT, "openssl", "x509", "-inform", "DER", "-in", dir.resolve("cert.der").toString(),
                "-pubkey", "-noout", "-out", dir.resolve("pub.pem").toString());
        assertEquals(0, k.exitCode, k.toString());
        Proc.Result v = Proc.run(LIMIT, "openssl", "dgst", "-sha256", "-verify", dir.resolve("pub.pem").toString(),
                "-signature", dir.resolve("sig").toString(), data.toString());
        assertTrue(v.output.contains("Verified OK"), v.toString());
    }

    static int count(String text, String what) {
        Matcher m = Pattern.compile(Pattern.quote(what)).matcher(text);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    static final class PrintLog implements VpcdSlot.Log {
        @Override
        public void info(String message) {
            System.out.println("vpcd: " + message);
        }

        @Override
        public void warn(String message) {
            System.out.println("vpcd WARN: " + message);
        }
    }
}
