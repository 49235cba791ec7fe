package org.vccid.card.cac.internal;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Key;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.util.Collections;
import java.util.List;

import javax.crypto.Cipher;

import org.vccid.iso7816.Hex;

/**
 * RSA-2048 private-key operations per second: SIGN/DECRYPT through the card (240 + 16 bytes, GET RESPONSE) against
 * the JDK's raw RSA with the same key, interleaved in short batches so both see the same machine load (a loaded
 * machine makes separate JMH runs incomparable). Not a test: {@code mvn -Pjmh -Djmh.main=<this class>
 * -Djmh.args=<seconds>}.
 */
public final class RsaRateBench {

    private RsaRateBench() {
    }

    public static void main(String[] args) throws Exception {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 20;
        Path dir = Files.createTempDirectory("rsa-bench");
        CacCard card = CacCard.open(new CacCard.Settings("bench", dir, null, new char[0], "12345678", 15, 1,
                CacCard.ATR_VCARD), System.out::println);
        card.powerOn();
        send(card, "00 A4 04 0C 07 A0 00 00 00 79 01 00");
        send(card, "00 20 00 00 08 31 32 33 34 35 36 37 38");
        char[] pw = CardState.loadOrCreate(dir, "12345678", 15, new SecureRandom()).keyStorePassword().toCharArray();
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (var in = Files.newInputStream(dir.resolve(CardKeys.GENERATED_P12))) {
            ks.load(in, pw);
        }
        List<String> aliases = Collections.list(ks.aliases());
        Collections.sort(aliases);
        Cipher raw = Cipher.getInstance("RSA/ECB/NoPadding");
        raw.init(Cipher.DECRYPT_MODE, (Key) ks.getKey(aliases.get(0), pw));
        byte[] block = new byte[256];
        block[1] = 1;
        java.util.Arrays.fill(block, 2, 200, (byte) 0xFF);
        byte[] first = Hex.decode("00 42 80 00 F0 " + Hex.encode(block, 0, 240) + " FF");
        byte[] last = Hex.decode("00 42 00 00 10 " + Hex.encode(block, 240, 16) + " FF");
        byte[] getResponse = Hex.decode("00 C0 00 00 00");
        long cardOps = 0;
        long cardNanos = 0;
        long rawOps = 0;
        long rawNanos = 0;
        long end = System.nanoTime() + (long) (seconds * 1e9);
        for (int round = 0; System.nanoTime() < end || round < 2; round++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < 20; i++) {
                card.transmit(first, 0, first.length);
                card.transmit(last, 0, last.length);
                byte[] r = card.transmit(getResponse, 0, getResponse.length);
                if (r.length != 258) {
                    throw new IllegalStateException(Hex.spaced(r));
                }
            }
            long t1 = System.nanoTime();
            for (int i = 0; i < 20; i++) {
                raw.doFinal(block);
            }
            long t2 = System.nanoTime();
            if (round > 0) { // round 0 warms up
                cardOps += 20;
                cardNanos += t1 - t0;
                rawOps += 20;
                rawNanos += t2 - t1;
            }
        }
        double c = cardOps / (cardNanos / 1e9);
        double j = rawOps / (rawNanos / 1e9);
        System.out.printf("RESULT RSA-2048 through the card (SIGN 240+16 + GET RESPONSE): %.0f ops/s%n", c);
        System.out.printf("RESULT RSA-2048 JDK raw (RSA/ECB/NoPadding, CRT key): %.0f ops/s%n", j);
        System.out.printf("RESULT ratio card/JDK: %.3f%n", c / j);
    }

    private static void send(CacCard card, String hex) throws Exception {
        byte[] c = Hex.decode(hex);
        card.transmit(c, 0, c.length);
    }
}
