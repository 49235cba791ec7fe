package org.vccid.card.cac.internal;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import javax.crypto.Cipher;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.vccid.iso7816.Hex;

/**
 * In-process cost of CAC APDUs through {@link CacCard#transmit} (JMH; not a test). Compare with libcacard's
 * vreader_xfr_bytes: about 1.5 us for SELECT and 1.05 us for GET PROPERTIES on this machine.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class CacApduBench {

    static final byte[] SELECT_PKI = Hex.decode("00 A4 04 00 07 A0 00 00 00 79 01 00");
    static final byte[] SELECT_PKI_NO_FCI = Hex.decode("00 A4 04 0C 07 A0 00 00 00 79 01 00");
    static final byte[] GET_RESPONSE_FCI = Hex.decode("00 C0 00 00 0D");
    static final byte[] GET_PROPERTIES = Hex.decode("00 56 01 00 1D"); // exact length of a PKI applet's answer
    static final byte[] READ_BUFFER = Hex.decode("00 52 00 02 02 02 F0 F0");
    static final byte[] VERIFY = Hex.decode("00 20 00 00 08 31 32 33 34 35 36 37 38");

    CacCard card;
    byte[] signFirst;
    byte[] signLast;
    Cipher jdkRaw;
    byte[] block;

    @Setup
    public void setUp() throws Exception {
        Path dir = Files.createTempDirectory("cac-bench");
        card = CacCard.open(new CacCard.Settings("bench", dir, null, new char[0], "12345678", 15, 3,
                CacCard.ATR_VCARD), System.out::println);
        card.powerOn();
        card.transmit(SELECT_PKI_NO_FCI, 0, SELECT_PKI_NO_FCI.length);
        byte[] r = card.transmit(GET_PROPERTIES, 0, GET_PROPERTIES.length);
        if ((r[r.length - 2] & 0xFF) != 0x90) {
            throw new IllegalStateException("GET PROPERTIES length changed: " + Hex.spaced(r));
        }
        card.transmit(VERIFY, 0, VERIFY.length);
        block = new byte[256];
        block[1] = 1;
        java.util.Arrays.fill(block, 2, 200, (byte) 0xFF);
        signFirst = Hex.decode("00 42 80 00 F0 " + Hex.encode(block, 0, 240) + " FF");
        signLast = Hex.decode("00 42 00 00 10 " + Hex.encode(block, 240, 16) + " FF");
        // the JDK's own raw RSA with the same key, read from the card's generated PKCS#12 file
        char[] pw = CardState.loadOrCreate(dir, "12345678", 15, new java.security.SecureRandom()).keyStorePassword()
                .toCharArray();
        java.security.KeyStore ks = java.security.KeyStore.getInstance("PKCS12");
        try (var in = Files.newInputStream(dir.resolve(CardKeys.GENERATED_P12))) {
            ks.load(in, pw);
        }
        java.util.List<String> aliases = java.util.Collections.list(ks.aliases());
        java.util.Collections.sort(aliases);
        jdkRaw = Cipher.getInstance("RSA/ECB/NoPadding");
        jdkRaw.init(Cipher.DECRYPT_MODE, (java.security.Key) ks.getKey(aliases.get(0), pw));
    }

    /** SELECT with FCI requested and no Le: 61 0D (as libcacard). */
    @Benchmark
    public byte[] select() throws Exception {
        return card.transmit(SELECT_PKI, 0, SELECT_PKI.length);
    }

    /** SELECT + GET RESPONSE: what a host sends to select a PKI applet the libcacard way. */
    @Benchmark
    public byte[] selectAndGetResponse() throws Exception {
        card.transmit(SELECT_PKI, 0, SELECT_PKI.length);
        return card.transmit(GET_RESPONSE_FCI, 0, GET_RESPONSE_FCI.length);
    }

    @Benchmark
    public byte[] getProperties() throws Exception {
        return card.transmit(GET_PROPERTIES, 0, GET_PROPERTIES.length);
    }

    @Benchmark
    public byte[] readBuffer240() throws Exception {
        return card.transmit(READ_BUFFER, 0, READ_BUFFER.length);
    }

    /** RSA-2048 through the card: SIGN/DECRYPT 240 + 16 bytes, then GET RESPONSE for the 256-byte result. */
    @Benchmark
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public byte[] signThroughTheCard() throws Exception {
        card.transmit(signFirst, 0, signFirst.length);
        card.transmit(signLast, 0, signLast.length);
        return card.transmit(GET_RESPONSE_256, 0, GET_RESPONSE_256.length);
    }

    static final byte[] GET_RESPONSE_256 = Hex.decode("00 C0 00 00 00");

    /** The JDK's raw RSA private-key operation alone (the floor for the card's SIGN). */
    @Benchmark
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public byte[] jdkRawRsa() throws Exception {
        return jdkRaw.doFinal(block);
    }
}
