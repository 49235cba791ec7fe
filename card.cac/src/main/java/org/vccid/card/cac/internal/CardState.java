package org.vccid.card.cac.internal;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Properties;

/**
 * The card's persistent state: PIN (salted SHA-256), retry counter, and the password of the generated key store. Every
 * change is written with {@link AtomicFiles} before the card answers, so a crash never loses or resets it. A VERIFY
 * first spends a try on disk, then compares, then restores the counter on success (anti-tearing, as real cards do).
 *
 * <p>Not thread-safe; the card serialises access.
 */
final class CardState {

    static final String FILE = "card-state.properties";
    static final int MIN_PIN = 4;
    static final int MAX_PIN = 8;

    private final Path file;
    private final SecureRandom random;
    private byte[] salt;
    private byte[] pinHash;
    private int maxTries;
    private int triesLeft;
    private String keyStorePassword;

    private CardState(Path file, SecureRandom random) {
        this.file = file;
        this.random = random;
    }

    /**
     * Load the state of a card, or create it with the initial PIN when the directory holds none.
     *
     * @throws IOException when the file exists but cannot be read or is corrupt: the card then refuses to start
     *     rather than silently resetting its PIN counter
     */
    static CardState loadOrCreate(Path dir, String initialPin, int maxTries, SecureRandom random) throws IOException {
        CardState s = new CardState(dir.resolve(FILE), random);
        if (Files.exists(s.file)) {
            s.read();
            return s;
        }
        byte[] pin = initialPin.getBytes(StandardCharsets.US_ASCII);
        if (!isValidPin(pin, 0, pin.length)) {
            throw new IllegalArgumentException("the initial PIN must be " + MIN_PIN + ".." + MAX_PIN + " digits");
        }
        if (maxTries < 1 || maxTries > 15) {
            throw new IllegalArgumentException("PIN tries must be 1..15, not " + maxTries);
        }
        s.maxTries = maxTries;
        s.triesLeft = maxTries;
        s.setPin(pin, 0, pin.length);
        byte[] pw = new byte[18];
        random.nextBytes(pw);
        s.keyStorePassword = Base64.getUrlEncoder().withoutPadding().encodeToString(pw);
        s.save();
        return s;
    }

    static boolean isValidPin(byte[] b, int off, int len) {
        if (len < MIN_PIN || len > MAX_PIN) {
            return false;
        }
        for (int i = 0; i < len; i++) {
            if (b[off + i] < '0' || b[off + i] > '9') {
                return false;
            }
        }
        return true;
    }

    int triesLeft() {
        return triesLeft;
    }

    int maxTries() {
        return maxTries;
    }

    boolean isBlocked() {
        return triesLeft == 0;
    }

    String keyStorePassword() {
        return keyStorePassword;
    }

    /**
     * Check a PIN, spending a try first.
     *
     * @return true when it matches (the counter is back at its maximum)
     */
    boolean verify(byte[] b, int off, int len) throws IOException {
        if (triesLeft == 0) {
            return false;
        }
        triesLeft--;
        save();
        boolean ok = MessageDigest.isEqual(hash(salt, b, off, len), pinHash);
        if (ok) {
            triesLeft = maxTries;
            save();
        }
        return ok;
    }

    void changePin(byte[] b, int off, int len) throws IOException {
        setPin(b, off, len);
        save();
    }

    private void setPin(byte[] b, int off, int len) {
        salt = new byte[16];
        random.nextBytes(salt);
        pinHash = hash(salt, b, off, len);
    }

    private static byte[] hash(byte[] salt, byte[] b, int off, int len) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(salt);
            md.update(b, off, len);
            return md.digest();
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private void save() throws IOException {
        Base64.Encoder e = Base64.getEncoder();
        String text = "# vccid CAC card state. Written atomically; do not edit while the card runs.\n"
                + "version=1\n"
                + "pin.salt=" + e.encodeToString(salt) + "\n"
                + "pin.sha256=" + e.encodeToString(pinHash) + "\n"
                + "pin.maxTries=" + maxTries + "\n"
                + "pin.triesLeft=" + triesLeft + "\n"
                + "keystore.password=" + keyStorePassword + "\n";
        AtomicFiles.write(file, text.getBytes(StandardCharsets.ISO_8859_1));
    }

    private void read() throws IOException {
        Properties p = new Properties();
        p.load(new StringReader(Files.readString(file, StandardCharsets.ISO_8859_1)));
        try {
            if (!"1".equals(p.getProperty("version"))) {
                throw new IOException("unknown version " + p.getProperty("version"));
            }
            salt = Base64.getDecoder().decode(require(p, "pin.salt"));
            pinHash = Base64.getDecoder().decode(require(p, "pin.sha256"));
            maxTries = Integer.parseInt(require(p, "pin.maxTries"));
            triesLeft = Integer.parseInt(require(p, "pin.triesLeft"));
            keyStorePassword = require(p, "keystore.password");
            if (pinHash.length != 32 || maxTries < 1 || maxTries > 15 || triesLeft < 0 || triesLeft > maxTries) {
                throw new IOException("values out of range");
            }
        } catch (IllegalArgumentException e) {
            throw new IOException("corrupt card state " + file + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new IOException("corrupt card state " + file + ": " + e.getMessage(), e);
        }
    }

    private static String require(Properties p, String key) throws IOException {
        String v = p.getProperty(key);
        if (v == null) {
            throw new IOException("missing " + key);
        }
        return v;
    }
}
