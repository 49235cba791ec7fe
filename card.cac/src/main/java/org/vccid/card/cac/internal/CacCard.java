package org.vccid.card.cac.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.function.Consumer;

import org.vccid.card.Card;
import org.vccid.card.CardException;
import org.vccid.iso7816.Hex;

/**
 * A Common Access Card: the {@link Card} face of {@link CacEngine} with its keys and persistent state. Calls are
 * serialised (one lock per card), so several readers may hold the same card safely.
 */
public final class CacCard implements Card {

    /** libcacard's generic ATR: T=0, historical bytes "VCARD_NSS" (in no OpenSC ATR table). */
    public static final byte[] ATR_VCARD = Hex.decode("3B 89 00 56 43 41 52 44 5F 4E 53 53");
    /** The "older CAC" ATR libcacard 2.7+ sends: TA1 18, TB1 00, TC1 00, T=0, historical "sfte cd144". */
    public static final byte[] ATR_CAC = Hex.decode("3B 7A 18 00 00 73 66 74 65 20 63 64 31 34 34");

    /** How a card is set up. */
    public record Settings(String name, Path stateDirectory, Path pkcs12, char[] pkcs12Password, String pin,
            int pinTries, int pkiApplets, byte[] atr) {
    }

    private final String name;
    private final byte[] atr;
    private final CardKeys keys;
    private final CacEngine engine;
    private boolean powered;

    private CacCard(String name, byte[] atr, CardKeys keys, CacEngine engine) {
        this.name = name;
        this.atr = atr;
        this.keys = keys;
        this.engine = engine;
    }

    /**
     * Open (first time: create) a card in its state directory. Keys come from the PKCS#12 file when one is given,
     * else from the key store generated on the first start in the state directory.
     *
     * @param log receives warnings (state write failures)
     */
    public static CacCard open(Settings s, Consumer<String> log) throws IOException, GeneralSecurityException {
        if (s.pkiApplets() < 1 || s.pkiApplets() > 10) {
            throw new IllegalArgumentException("pkiApplets must be 1..10, not " + s.pkiApplets());
        }
        SecureRandom random = new SecureRandom();
        Files.createDirectories(s.stateDirectory());
        CardState state = CardState.loadOrCreate(s.stateDirectory(), s.pin(), s.pinTries(), random);
        CardKeys keys;
        if (s.pkcs12() != null) {
            keys = CardKeys.fromPkcs12(s.pkcs12(), s.pkcs12Password(), s.pkiApplets());
        } else {
            Path generated = s.stateDirectory().resolve(CardKeys.GENERATED_P12);
            char[] pw = state.keyStorePassword().toCharArray();
            keys = Files.exists(generated) ? CardKeys.fromPkcs12(generated, pw, s.pkiApplets())
                    : CardKeys.generate(generated, pw, s.name(), s.pkiApplets(), random);
        }
        CardLayout layout = CardLayout.build(keys.certificatesDer(), keys.modulusBits());
        CacEngine engine = new CacEngine(layout, keys, state, random,
                e -> log.accept("card " + s.name() + ": PIN state not written (" + e + "); answered 6581"));
        return new CacCard(s.name(), s.atr().clone(), keys, engine);
    }

    public String name() {
        return name;
    }

    /** The DER certificate of PKI applet i (for tests and tools; certificates are public). */
    public byte[] certificate(int i) throws GeneralSecurityException {
        return keys.certificate(i).getEncoded();
    }

    public int pkiApplets() {
        return keys.size();
    }

    @Override
    public byte[] atr() {
        return atr.clone();
    }

    @Override
    public synchronized byte[] powerOn() {
        engine.reset();
        powered = true;
        return atr.clone();
    }

    @Override
    public synchronized byte[] warmReset() {
        return powerOn();
    }

    @Override
    public synchronized void powerOff() {
        engine.reset();
        powered = false;
    }

    @Override
    public synchronized byte[] transmit(byte[] buffer, int offset, int length) throws CardException {
        if (!powered) {
            // vpcd and some readers send APDUs without an explicit power-on: power up implicitly
            engine.reset();
            powered = true;
        }
        return engine.process(buffer, offset, length);
    }

    /** SIGN/DECRYPT runs RSA-2048 (about 1 ms): let readers use a worker thread. */
    @Override
    public boolean isNonBlocking() {
        return false;
    }
}
