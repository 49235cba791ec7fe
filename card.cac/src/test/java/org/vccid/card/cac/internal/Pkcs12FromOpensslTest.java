package org.vccid.card.cac.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vccid.iso7816.Hex;
import org.vccid.iso7816.StatusWord;

/** Keys from a PKCS#12 file made by openssl (a real peer): the card serves its certificate and signs with its key. */
class Pkcs12FromOpensslTest {

    @TempDir
    Path dir;

    static int run(Path dir, String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("openssl.log").toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return -1;
        }
        return p.exitValue();
    }

    @Test
    void opensslPkcs12() throws Exception {
        boolean openssl = new File("/usr/bin/openssl").canExecute();
        if (!openssl) {
            System.out.println("SKIP Pkcs12FromOpensslTest: openssl is not installed");
        }
        assumeTrue(openssl, "openssl is not installed");
        assertEquals(0, run(dir, "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "k.pem",
                "-out", "c.pem", "-days", "30", "-subj", "/CN=openssl test"), Files.readString(dir.resolve("openssl.log")));
        assertEquals(0, run(dir, "openssl", "pkcs12", "-export", "-inkey", "k.pem", "-in", "c.pem", "-out", "t.p12",
                "-passout", "pass:s3cret", "-name", "id"), Files.readString(dir.resolve("openssl.log")));
        CacCard card = CacCard.open(new CacCard.Settings("p12", dir.resolve("state"), dir.resolve("t.p12"),
                "s3cret".toCharArray(), "12345678", 3, 3, CacCard.ATR_CAC), System.out::println);
        assertEquals(1, card.pkiApplets());
        byte[] pem = CertificateFactory.getInstance("X.509")
                .generateCertificate(Files.newInputStream(dir.resolve("c.pem"))).getEncoded();
        assertArrayEquals(pem, card.certificate(0));
        assertEquals("3B 7A 18 00 00 73 66 74 65 20 63 64 31 34 34", Hex.spaced(card.powerOn()));
        byte[] c = Hex.decode("00 A4 04 0C 07 A0 00 00 00 79 01 01"); // only one PKI applet
        assertEquals(0x6A82, StatusWord.of(card.transmit(c, 0, c.length)));
        // sign with the card, check with openssl
        byte[] v = Hex.decode("00 20 00 00 08 31 32 33 34 35 36 37 38");
        assertEquals(0x9000, StatusWord.of(card.transmit(v, 0, v.length)));
        byte[] s = Hex.decode("00 A4 04 0C 07 A0 00 00 00 79 01 00");
        card.transmit(s, 0, s.length);
        byte[] block = new byte[256];
        block[1] = 1;
        java.util.Arrays.fill(block, 2, 255 - 8, (byte) 0xFF);
        byte[] payload = "12345678".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        System.arraycopy(payload, 0, block, 248, 8);
        byte[] a = Hex.decode("00 42 80 00 F0 " + Hex.encode(block, 0, 240));
        byte[] b = Hex.decode("00 42 00 00 10 " + Hex.encode(block, 240, 16) + " 00");
        assertEquals(0x9000, StatusWord.of(card.transmit(a, 0, a.length)));
        byte[] sig = card.transmit(b, 0, b.length);
        assertEquals(258, sig.length);
        Files.write(dir.resolve("sig"), java.util.Arrays.copyOf(sig, 256));
        assertEquals(0, run(dir, "openssl", "pkeyutl", "-verifyrecover", "-certin", "-inkey", "c.pem", "-in", "sig",
                "-out", "recovered"), Files.readString(dir.resolve("openssl.log")));
        assertArrayEquals(payload, Files.readAllBytes(dir.resolve("recovered")));
    }
}
