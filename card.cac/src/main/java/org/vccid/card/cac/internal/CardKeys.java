package org.vccid.card.cac.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Date;
import java.util.List;

import javax.crypto.Cipher;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The card's RSA keys and certificates. Private keys stay in this object: the card only ever returns the result of a
 * raw RSA private-key operation.
 */
final class CardKeys {

    /** Generated key store in the state directory. */
    static final String GENERATED_P12 = "card-keys.p12";
    /** Subjects (and PKCS#12 aliases, sorted) of the three default keys, in OpenSC's CAC label order. */
    static final String[] DEFAULT_ROLES = { "ID", "Email Signature", "Email Encryption" };

    private final List<PrivateKey> keys;
    private final List<X509Certificate> certificates;
    private final Cipher[] ciphers;

    private CardKeys(List<PrivateKey> keys, List<X509Certificate> certificates) {
        this.keys = keys;
        this.certificates = certificates;
        this.ciphers = new Cipher[keys.size()];
    }

    int size() {
        return keys.size();
    }

    X509Certificate certificate(int i) {
        return certificates.get(i);
    }

    List<byte[]> certificatesDer() {
        List<byte[]> l = new ArrayList<>();
        for (X509Certificate c : certificates) {
            try {
                l.add(c.getEncoded());
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }
        return l;
    }

    int[] modulusBits() {
        int[] bits = new int[keys.size()];
        for (int i = 0; i < bits.length; i++) {
            bits[i] = ((RSAPublicKey) certificates.get(i).getPublicKey()).getModulus().bitLength();
        }
        return bits;
    }

    /** Modulus length in bytes of key i. */
    int modulusBytes(int i) {
        return (((RSAPublicKey) certificates.get(i).getPublicKey()).getModulus().bitLength() + 7) / 8;
    }

    /**
     * Raw RSA with private key i (m^d mod n, CRT). Not thread-safe (the card serialises calls).
     *
     * @throws GeneralSecurityException when the input is not smaller than the modulus
     */
    byte[] rawRsa(int i, byte[] in, int off, int len) throws GeneralSecurityException {
        Cipher c = ciphers[i];
        if (c == null) {
            c = Cipher.getInstance("RSA/ECB/NoPadding");
            c.init(Cipher.DECRYPT_MODE, keys.get(i));
            ciphers[i] = c;
        }
        return c.doFinal(in, off, len);
    }

    /**
     * Load every key entry of a PKCS#12 file (aliases in sorted order, at most {@code max}); each must hold an RSA
     * key.
     */
    static CardKeys fromPkcs12(Path file, char[] password, int max) throws IOException, GeneralSecurityException {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(file)) {
            ks.load(in, password);
        }
        List<String> aliases = Collections.list(ks.aliases());
        Collections.sort(aliases);
        List<PrivateKey> keys = new ArrayList<>();
        List<X509Certificate> certs = new ArrayList<>();
        for (String alias : aliases) {
            if (!ks.isKeyEntry(alias) || keys.size() == max) {
                continue;
            }
            PrivateKey k = (PrivateKey) ks.getKey(alias, password);
            Certificate c = ks.getCertificate(alias);
            if (!(k instanceof RSAPrivateCrtKey) || !(c instanceof X509Certificate)
                    || !(c.getPublicKey() instanceof RSAPublicKey)) {
                throw new GeneralSecurityException("PKCS#12 entry '" + alias + "' is not an RSA key with an X.509 "
                        + "certificate (a CAC holds RSA keys only)");
            }
            keys.add(toJdkKey(k));
            certs.add((X509Certificate) c);
        }
        if (keys.isEmpty()) {
            throw new GeneralSecurityException("no key entry in " + file);
        }
        return new CardKeys(keys, certs);
    }

    /**
     * Generate a CA and {@code count} RSA-2048 keys with certificates signed by it (BouncyCastle), and store them as
     * a PKCS#12 file.
     */
    static CardKeys generate(Path p12, char[] password, String cardName, int count, SecureRandom random)
            throws IOException, GeneralSecurityException {
        BouncyCastleProvider bc = new BouncyCastleProvider();
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA", bc);
        g.initialize(2048, random);
        KeyPair ca = g.generateKeyPair();
        long now = System.currentTimeMillis();
        Date from = new Date(now - 3600_000L);
        Date to = new Date(now + 10L * 365 * 24 * 3600_000L);
        X500Name caName = new X500Name("CN=vccid CAC " + escape(cardName) + " CA,O=vccid");
        JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
        X509Certificate caCert;
        try {
            JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(caName, serial(random), from, to, caName,
                    ca.getPublic());
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(ca.getPublic()));
            caCert = toX509(b.build(signer(ca.getPrivate(), bc)));

            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            List<PrivateKey> keys = new ArrayList<>();
            List<X509Certificate> certs = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                String role = i < DEFAULT_ROLES.length ? DEFAULT_ROLES[i] : "Key " + (i + 1);
                KeyPair kp = g.generateKeyPair();
                X500Name subject = new X500Name("CN=vccid CAC " + escape(cardName) + " " + role + ",O=vccid");
                JcaX509v3CertificateBuilder b2 = new JcaX509v3CertificateBuilder(caCert, serial(random), from, to,
                        subject, kp.getPublic());
                b2.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
                b2.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature
                        | KeyUsage.nonRepudiation | KeyUsage.keyEncipherment | KeyUsage.dataEncipherment));
                b2.addExtension(Extension.authorityKeyIdentifier, false,
                        ext.createAuthorityKeyIdentifier(caCert));
                X509Certificate cert = toX509(b2.build(signer(ca.getPrivate(), bc)));
                PrivateKey jdk = toJdkKey(kp.getPrivate());
                ks.setKeyEntry(String.format("%02d %s", i + 1, role), jdk, password,
                        new Certificate[] { cert, caCert });
                keys.add(jdk);
                certs.add(cert);
            }
            ks.setCertificateEntry("ca", caCert);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ks.store(out, password);
            AtomicFiles.write(p12, out.toByteArray());
            return new CardKeys(keys, certs);
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException(e);
        }
    }

    private static String escape(String s) {
        return s.replaceAll("[,+=\"\\\\<>;#]", "_");
    }

    private static BigInteger serial(SecureRandom random) {
        return new BigInteger(63, random).add(BigInteger.ONE);
    }

    private static ContentSigner signer(PrivateKey key, BouncyCastleProvider bc) throws OperatorCreationException {
        return new JcaContentSignerBuilder("SHA256withRSA").setProvider(bc).build(key);
    }

    private static X509Certificate toX509(X509CertificateHolder h) throws GeneralSecurityException, IOException {
        return (X509Certificate) java.security.cert.CertificateFactory.getInstance("X.509")
                .generateCertificate(new java.io.ByteArrayInputStream(h.getEncoded()));
    }

    /** The JDK's own RSA key class, so raw RSA runs in the JDK provider (CRT) without a per-call translation. */
    private static PrivateKey toJdkKey(PrivateKey k) throws GeneralSecurityException {
        return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(k.getEncoded()));
    }
}
