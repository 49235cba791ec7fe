package org.vccid.conformance.internal.runner;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.Map;

import org.vccid.card.Card;
import org.vccid.card.cac.internal.CacCard;
import org.vccid.conformance.internal.card.ConformanceCard;
import org.vccid.conformance.target.CardSource;
import org.vccid.iso7816.Hex;
import org.vccid.testcard.TestCard;

/** The cards of the plain-JUnit matrix. */
public final class Targets {

    private Targets() {
    }

    /** The reference card shipped with the suite. */
    public static CardSource conformanceCard() {
        return new ClassCardSource(Map.of(Card.TYPE, "conformance", Card.NAME, "conformance"), ConformanceCard::new);
    }

    /**
     * card.cac's CAC card (the personality, built directly as its DS component builds it) with the settings of
     * card.cac's default card, which the CAC vectors describe: 3 PKI applets, libcacard's {@code vcard} ATR, PIN
     * 12345678, 3 tries ({@code CacConfig} defaults). Keys generated once in a temporary state folder, a new card
     * object per insert on the same state.
     */
    public static CardSource cacCard() {
        Path dir;
        try {
            dir = Files.createTempDirectory("conformance-cac");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        CacCard.Settings settings = new CacCard.Settings("cac", dir, null, null, "12345678", 3, 3, CacCard.ATR_VCARD);
        return new ClassCardSource(Map.of(Card.TYPE, "cac", Card.NAME, "cac"), () -> {
            try {
                return CacCard.open(settings, System.err::println);
            } catch (IOException | GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /** ccid.core's test card with an ATR whose TS is neither 3B nor 3F. */
    public static CardSource badTsCard() {
        return new ClassCardSource(Map.of(Card.TYPE, "test", Card.NAME, "bad-atr-ts"),
                () -> new TestCard(Hex.decode("3C 00"), true));
    }

    /** ccid.core's test card with an ATR that offers T=1 and carries a wrong TCK (00 instead of 81). */
    public static CardSource badTckCard() {
        return new ClassCardSource(Map.of(Card.TYPE, "test", Card.NAME, "bad-atr-tck"),
                () -> new TestCard(Hex.decode("3B 80 01 00"), true));
    }

    /** ccid.core's test card (non-blocking, another ATR): only the card-agnostic vectors apply. */
    public static CardSource testCard() {
        return new ClassCardSource(Map.of(Card.TYPE, "test", Card.NAME, "ccid.core TestCard"), TestCard::new);
    }
}
