package org.vccid.card.cac.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Properties;

import javax.crypto.Cipher;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.vccid.iso7816.Hex;
import org.vccid.iso7816.StatusWord;

/** The CAC personality, APDU by APDU (byte vectors), with a fresh card state per test. */
class CacCardTest {

    static final String PKI0 = "A0 00 00 00 79 01 00";

    @TempDir
    static Path shared;
    static Path p12;
    static char[] p12Password;

    @TempDir
    Path dir;
    CacCard card;

    /** One key generation for the whole class: later cards load the generated PKCS#12 file. */
    @BeforeAll
    static void generateOnce() throws Exception {
        CacCard first = CacCard.open(settings(shared.resolve("gen"), null, null), System.out::println);
        assertEquals(3, first.pkiApplets());
        p12 = shared.resolve("gen").resolve(CardKeys.GENERATED_P12);
        Properties p = new Properties();
        p.load(Files.newBufferedReader(shared.resolve("gen").resolve(CardState.FILE)));
        p12Password = p.getProperty("keystore.password").toCharArray();
    }

    static CacCard.Settings settings(Path state, Path pkcs12, char[] password) {
        return new CacCard.Settings("t", state, pkcs12, password, "12345678", 3, 3, CacCard.ATR_VCARD);
    }

    @BeforeEach
    void open() throws Exception {
        card = CacCard.open(settings(dir, p12, p12Password), System.out::println);
        card.powerOn();
    }

    byte[] send(String hex) throws Exception {
        byte[] c = Hex.decode(hex);
        return card.transmit(c, 0, c.length);
    }

    int sw(String hex) throws Exception {
        return StatusWord.of(send(hex));
    }

    static String pin(String digits) {
        byte[] b = new byte[8];
        Arrays.fill(b, (byte) 0xFF);
        byte[] d = digits.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(d, 0, b, 0, d.length);
        return Hex.encode(b);
    }

    @Test
    void atrIsLibcacardsGenericOne() {
        assertEquals("3B 89 00 56 43 41 52 44 5F 4E 53 53", Hex.spaced(card.atr()));
        // T0 = 89: TD1 present, 9 historical bytes; TD1 = 00: T=0 only, so no TCK; 2 + 1 + 9 bytes
        assertEquals(12, card.atr().length);
        assertEquals(15, CacCard.ATR_CAC.length); // T0 7A: TA1 TB1 TC1 + 10 historical bytes, T=0, no TCK
    }

    @Test
    void selectWithoutLeAnnouncesTheFciThenGetResponseReturnsIt() throws Exception {
        assertEquals("61 0D", Hex.spaced(send("00 A4 04 00 07 A0 00 00 01 16 DB 00")));
        assertEquals("6F 0B 84 07 A0 00 00 01 16 DB 00 A5 00 90 00", Hex.spaced(send("00 C0 00 00 0D")));
        assertEquals(0x6A88, sw("00 C0 00 00 0D")); // nothing left
    }

    @Test
    void selectWithP2NoFciAnswers9000AndLongFciComesInParts() throws Exception {
        assertEquals("90 00", Hex.spaced(send("00 A4 04 0C 07 A0 00 00 01 16 DB 00")));
        assertEquals("6F 0B 84 07 A0 00 00 01 16 DB 00 A5 00 90 00",
                Hex.spaced(send("00 A4 04 00 07 A0 00 00 01 16 DB 00 00")));
        send("00 A4 04 00 07 " + PKI0);
        assertEquals("6F 0B 84 07 A0 00 61 07", Hex.spaced(send("00 C0 00 00 06")));
        assertEquals("00 00 79 01 00 A5 00 90 00", Hex.spaced(send("00 C0 00 00 09"))); // Le 9 > 7 left: 7
    }

    @Test
    void unknownAidIs6A82AndDeselects() throws Exception {
        send("00 A4 04 0C 07 " + PKI0);
        assertEquals(0x6A82, sw("00 A4 04 00 0B A0 00 00 03 08 00 00 10 00 01 00")); // PIV
        assertEquals(0x6D00, sw("00 56 01 00 00"));
        assertEquals(0x6A82, sw("00 A4 04 00 06 A0 00 00 00 79 01")); // no partial AID match
    }

    @Test
    void getPropertiesOfCccMatchesTheBuffers() throws Exception {
        send("00 A4 04 0C 07 A0 00 00 01 16 DB 00");
        byte[] r = send("00 56 01 00 FF");
        assertEquals(0x6C, r[0] & 0xFF, Hex.spaced(r)); // OpenSC asks with Le 255, then with the exact length
        int n = r[1] & 0xFF;
        byte[] props = send("00 56 01 00 " + String.format("%02X", n));
        assertEquals(n + 2, props.length);
        assertEquals("01 05 10 02 06 02 03 40 01 01 50 0B 41 02 DB 00 42 05 00", Hex.spaced(props, 0, 19));
        int tLen = (props[19] & 0xFF) | (props[20] & 0xFF) << 8;
        int vLen = (props[21] & 0xFF) | (props[22] & 0xFF) << 8;
        assertEquals(tLen, readBuffer(1).length + 2);
        assertEquals(vLen, readBuffer(2).length + 2);
    }

    /** READ BUFFER as OpenSC does it: the 2-byte length at offset 0, then 240-byte chunks from offset 2. */
    byte[] readBuffer(int type) throws Exception {
        byte[] r = send(String.format("00 52 00 00 02 %02X 02 02", type));
        assertEquals(0x9000, StatusWord.of(r));
        int len = (r[0] & 0xFF) | (r[1] & 0xFF) << 8;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int off = 2; off < len + 2; off += 240) {
            int n = Math.min(240, len + 2 - off);
            byte[] c = send(String.format("00 52 %02X %02X 02 %02X %02X %02X", off >> 8, off & 0xFF, type, n, n));
            assertEquals(0x9000, StatusWord.of(c), Hex.spaced(c));
            out.write(c, 0, c.length - 2);
        }
        return out.toByteArray();
    }

    @Test
    void cccListsOnePkiCardUrlPerApplet() throws Exception {
        send("00 A4 04 0C 07 A0 00 00 01 16 DB 00");
        byte[] t = readBuffer(1);
        byte[] v = readBuffer(2);
        int urls = 0;
        int vo = 0;
        for (int i = 0; i < t.length; i += 2) {
            int tag = t[i] & 0xFF;
            int len = t[i + 1] & 0xFF;
            if (tag == 0xF3) {
                assertEquals(16, len);
                assertEquals("A0 00 00 00 79 04 01 0" + urls + " 01 0" + urls, Hex.spaced(v, vo, 10));
                urls++;
            }
            if (tag == 0xF0) {
                assertEquals(21, len);
            }
            vo += len;
        }
        assertEquals(v.length, vo, "T and V buffers agree");
        assertEquals(3, urls);
    }

    @Test
    void pkiAppletHoldsTheCertificateInItsTvBuffers() throws Exception {
        send("00 A4 04 0C 07 " + PKI0);
        assertEquals(0x9000, sw("00 A4 02 00 02 01 00")); // object ID
        assertEquals(0x6A82, sw("00 A4 02 00 02 01 01"));
        byte[] t = readBuffer(1);
        byte[] v = readBuffer(2);
        assertEquals("71 01 70 FF", Hex.spaced(t, 0, 4));
        int certLen = (t[4] & 0xFF) | (t[5] & 0xFF) << 8;
        assertEquals("72 00 FE 00", Hex.spaced(t, 6, 4));
        assertEquals(0x00, v[0]); // CertInfo: not compressed
        assertArrayEquals(card.certificate(0), Arrays.copyOfRange(v, 1, 1 + certLen));
        assertEquals(0x6C, send("00 56 01 00 00")[0] & 0xFF); // Le 256 > length
        byte[] props = send("00 56 01 00");
        assertEquals(0x61, props[0] & 0xFF); // Le absent: announced, as libcacard
        byte[] p = send("00 C0 00 00 " + String.format("%02X", props[1] & 0xFF));
        // 51 PKI object of 17 bytes: 41 OID, 42 buffer sizes, 43 RSA-2048 with keys initialised
        assertEquals("51 11 41 02 01 00 42 05 00", Hex.spaced(p, 10, 9));
        assertEquals("43 04 06 20 01 01 90 00", Hex.spaced(p, p.length - 8, 8));
    }

    @Test
    void verifyCountsDownAndLocksAndTheLockSurvivesReopening() throws Exception {
        assertEquals(0x63C3, sw("00 20 00 00"));
        assertEquals(0x63C2, sw("00 20 00 00 08 " + pin("1111")));
        assertEquals(0x9000, sw("00 20 00 00 08 " + pin("12345678")));
        assertEquals(0x9000, sw("00 20 00 00")); // logged in
        assertEquals(0x63C2, sw("00 20 00 00 08 " + pin("87654321")));
        assertEquals(0x63C2, sw("00 20 00 00")); // a wrong PIN logs out
        assertEquals(0x63C1, sw("00 20 00 00 08 " + pin("87654321")));
        assertEquals(0x63C0, sw("00 20 00 00 08 " + pin("87654321")));
        assertEquals(0x6983, sw("00 20 00 00 08 " + pin("12345678")));
        assertEquals(0x6983, sw("00 20 00 00"));
        CacCard again = CacCard.open(settings(dir, p12, p12Password), System.out::println);
        byte[] c = Hex.decode("00 20 00 00 08 " + pin("12345678"));
        assertEquals(0x6983, StatusWord.of(again.transmit(c, 0, c.length)));
    }

    @Test
    void thePinCounterIsOnDiskBeforeTheAnswer() throws Exception {
        sw("00 20 00 00 08 " + pin("1111"));
        Properties p = new Properties();
        p.load(Files.newBufferedReader(dir.resolve(CardState.FILE)));
        assertEquals("2", p.getProperty("pin.triesLeft"));
        assertFalse(Files.exists(dir.resolve(CardState.FILE + ".tmp")));
    }

    @Test
    void aCorruptStateFileStopsTheCardInsteadOfResettingIt() throws Exception {
        Files.writeString(dir.resolve(CardState.FILE), "version=1\npin.triesLeft=oops\n");
        assertThrows(IOException.class, () -> CacCard.open(settings(dir, p12, p12Password), s -> { }));
    }

    @Test
    void powerCycleLogsOut() throws Exception {
        assertEquals(0x9000, sw("00 20 00 00 08 " + pin("12345678")));
        card.powerOff();
        card.powerOn();
        assertEquals(0x63C3, sw("00 20 00 00"));
    }

    @Test
    void changeReferenceDataReplacesThePin() throws Exception {
        assertEquals(0x9000, sw("00 24 00 00 10 " + pin("12345678") + pin("246813")));
        assertEquals(0x63C2, sw("00 20 00 00 08 " + pin("12345678")));
        assertEquals(0x9000, sw("00 20 00 00 08 " + pin("246813")));
        assertEquals(0x6A80, sw("00 24 00 00 10 " + pin("246813") + pin("12")));
        assertEquals(0x9000, sw("00 24 01 00 08 " + pin("13572468")));
        CacCard again = CacCard.open(settings(dir, p12, p12Password), System.out::println);
        byte[] c = Hex.decode("00 20 00 00 08 " + pin("13572468"));
        assertEquals(0x9000, StatusWord.of(again.transmit(c, 0, c.length)));
    }

    @Test
    void signDecryptChainsAndRunsRawRsaAfterLogin() throws Exception {
        send("00 A4 04 0C 07 A0 00 00 00 79 01 01");
        byte[] block = new byte[256];
        block[1] = 1; // PKCS#1 v1.5 type 1 padding of a SHA-256 digest
        Arrays.fill(block, 2, 256 - 52, (byte) 0xFF);
        byte[] digestInfo = Hex.decode("3031300d060960864801650304020105000420");
        byte[] hash = MessageDigest.getInstance("SHA-256").digest("hello".getBytes(StandardCharsets.US_ASCII));
        System.arraycopy(digestInfo, 0, block, 256 - 51, 19);
        System.arraycopy(hash, 0, block, 256 - 32, 32);
        String first = "00 42 80 00 F0 " + Hex.encode(block, 0, 240) + " FF";
        String last = "00 42 00 00 10 " + Hex.encode(block, 240, 16) + " FF";
        assertEquals(0x9000, sw(first));
        assertEquals(0x6982, sw(last)); // not logged in
        assertEquals(0x9000, sw("00 20 00 00 08 " + pin("12345678")));
        assertEquals(0x9000, sw(first));
        assertEquals("61 00", Hex.spaced(send(last)));
        byte[] sig = send("00 C0 00 00 00");
        assertEquals(258, sig.length);
        assertEquals(0x9000, StatusWord.of(sig));
        X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new java.io.ByteArrayInputStream(card.certificate(1)));
        Cipher pub = Cipher.getInstance("RSA/ECB/NoPadding");
        pub.init(Cipher.ENCRYPT_MODE, cert.getPublicKey());
        assertArrayEquals(block, pub.doFinal(sig, 0, 256));
        java.security.Signature v = java.security.Signature.getInstance("SHA256withRSA");
        v.initVerify(cert.getPublicKey());
        v.update("hello".getBytes(StandardCharsets.US_ASCII));
        assertTrue(v.verify(Arrays.copyOf(sig, 256)));
    }

    @Test
    void signDecryptRejectsWrongSizesAndValuesAboveTheModulus() throws Exception {
        send("00 A4 04 0C 07 " + PKI0);
        assertEquals(0x9000, sw("00 20 00 00 08 " + pin("12345678")));
        assertEquals(0x6984, sw("00 42 00 00 10 " + "00".repeat(16))); // 16 of 256 bytes
        assertEquals(0x9000, sw("00 42 80 00 F0 " + "FF".repeat(240)));
        assertEquals(0x6984, sw("00 42 00 00 10 " + "FF".repeat(16))); // all FF > modulus
        assertEquals(0x9000, sw("00 42 80 00 F0 " + "00".repeat(240)));
        assertEquals(0x9000, sw("00 42 80 00 10 " + "00".repeat(16)));
        assertEquals(0x6984, sw("00 42 00 00 01 00")); // 257 bytes
    }

    @Test
    void getChallengeGivesEightFreshBytes() throws Exception {
        byte[] a = send("00 84 00 00 08");
        byte[] b = send("00 84 00 00 08");
        assertEquals(10, a.length);
        assertEquals(0x9000, StatusWord.of(a));
        assertFalse(Arrays.equals(a, b));
        assertEquals(0x6C08, sw("00 84 00 00 04"));
    }

    @Test
    void globalPlatformAndMicrosoftAppletsAnswerGetData() throws Exception {
        assertEquals("6F 19 84 08 A0 00 00 00 03 00 00 00 A5 0D 9F 6E 06 12 91 51 81 01 00 9F 65 01 FF 90 00",
                Hex.spaced(send("00 A4 04 00 07 A0 00 00 00 03 00 00 00")));
        byte[] cplc = send("00 CA 9F 7F 00");
        assertEquals(47, cplc.length);
        assertEquals("9F 7F 2A", Hex.spaced(cplc, 0, 3));
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(card.certificate(0));
        assertEquals(Hex.spaced(digest, 0, 6), Hex.spaced(cplc, 15, 6));
        byte[] crd = send("00 CA 00 66 00");
        assertEquals(53, crd.length);
        assertEquals(0x6A88, sw("00 CA 00 42 00"));
        send("00 A4 04 0C 0B A0 00 00 03 97 43 49 44 5F 01 00");
        assertEquals("30 1D 02 01 00 16 04 4D 53 46 54", Hex.spaced(send("00 CA 7F 68 00"), 0, 11));
    }

    @Test
    void acaServiceTableListsTheApplets() throws Exception {
        send("00 A4 04 0C 07 A0 00 00 00 79 03 00");
        byte[] r = send("00 4C 21 00 00");
        assertEquals(0x9000, StatusWord.of(r));
        String s = Hex.spaced(r);
        assertTrue(s.startsWith("01 05 10 02 06 02 02 94 01"), s);
        assertTrue(s.contains("92 07 A0 00 00 00 79 01 02"), s);
        assertEquals(0x6D00, sw("00 52 00 00 02 01 02"));
    }

    @ParameterizedTest(name = "{0}: {1} -> {2}")
    @CsvSource({
        "too short,                  00 A4 04,                         6700",
        "Lc longer than data,        00 A4 04 00 07 A0 00,             6700",
        "Lc=00 in 6 bytes,           00 A4 04 00 00 00,                6700",
        "secure messaging CLA,       0C A4 04 00 07 A0 00 00 01 16 DB 00, 6882",
        "logical channel 1,          01 A4 04 00 07 A0 00 00 01 16 DB 00, 6881",
        "chaining bit,               10 A4 04 00 07 A0 00 00 01 16 DB 00, 6884",
        "logical channel 4 (CLA 40), 40 A4 04 00 07 A0 00 00 01 16 DB 00, 6881",
        "channel 19 (CLA 4F),        4F A4 04 00 07 A0 00 00 01 16 DB 00, 6881",
        "further class SM (CLA 60),  60 A4 04 00 07 A0 00 00 01 16 DB 00, 6882",
        "further class chaining 50,  50 A4 04 00 07 A0 00 00 01 16 DB 00, 6884",
        "proprietary CLA FF,         FF A4 04 00 07 A0 00 00 01 16 DB 00, 6E00",
        "SELECT P1=01,               00 A4 01 00 02 3F 00,             6A81",
        "SELECT P2=04,               00 A4 04 04 07 A0 00 00 01 16 DB 00, 6A86",
        "GET RESPONSE with nothing,  00 C0 00 00 10,                   6A88",
        "INS without applet,         00 56 01 00 00,                   6D00",
        "VERIFY P2=80 (PIV),         00 20 00 80 08 31 32 33 34 35 36 37 38, 6A86",
        "VERIFY with letters,        00 20 00 00 08 41 42 43 44 FF FF FF FF, 6A80",
        "GET CHALLENGE P1,           00 84 01 00 08,                   6A86",
        "extended APDU unknown INS,  00 77 00 00 00 00 02 01 02,        6D00",
    })
    void badInputWithoutApplet(String what, String apdu, String expected) throws Exception {
        assertEquals(expected, StatusWord.toString(sw(apdu)), what);
    }

    @ParameterizedTest(name = "{0}: {1} -> {2}")
    @CsvSource({
        "READ BUFFER Lc=1,           00 52 00 00 01 01,                6984",
        "READ BUFFER type 03,        00 52 00 00 02 03 02,             6984",
        "READ BUFFER past the end,   00 52 7F 00 02 01 02,             6A86",
        "GET PROPERTIES P1=00,       00 56 00 00 00,                   6A86",
        "GET PROPERTIES P2=01,       00 56 01 01 00,                   6A86",
        "GET PROPERTIES P1=01 Lc>0,  00 56 01 00 01 01,                6984",
        "GET PROPERTIES P1=02 no Lc, 00 56 02 00 00,                   6984",
        "GET PROPERTIES unknown tag, 00 56 02 00 01 77,                6A88",
        "UPDATE BUFFER on PKI,       00 58 00 00 02 01 00,             6985",
        "GET ACR on PKI,             00 4C 00 00 00,                   6D00",
        "unknown INS on PKI,         00 36 00 00 00,                   6D00",
        "SELECT object Lc=1,         00 A4 02 00 01 01,                6984",
        "SIGN P1=01,                 00 42 01 00 01 00,                6A86",
        "SIGN P2=01,                 00 42 00 01 01 00,                6A86",
    })
    void badInputInPkiApplet(String what, String apdu, String expected) throws Exception {
        send("00 A4 04 0C 07 " + PKI0);
        assertEquals(expected, StatusWord.toString(sw(apdu)), what);
    }

    @Test
    void getPropertiesByTagReturnsTheListedMembers() throws Exception {
        send("00 A4 04 0C 07 " + PKI0);
        assertEquals("01 05 10 02 06 02 03 40 01 01 90 00", Hex.spaced(send("00 56 02 00 02 01 40 0A")));
    }
}
