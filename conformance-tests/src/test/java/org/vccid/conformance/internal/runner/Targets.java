package org.vccid.conformance.internal.runner;

import java.util.Map;

import org.vccid.card.Card;
import org.vccid.conformance.internal.card.ConformanceCard;
import org.vccid.conformance.target.CardSource;
import org.vccid.testcard.TestCard;

/** The cards of the plain-JUnit matrix. */
public final class Targets {

    private Targets() {
    }

    /** The reference card shipped with the suite. */
    public static CardSource conformanceCard() {
        return new ClassCardSource(Map.of(Card.TYPE, "conformance", Card.NAME, "conformance"), ConformanceCard::new);
    }

    /** ccid.core's test card (non-blocking, another ATR): only the card-agnostic vectors apply. */
    public static CardSource testCard() {
        return new ClassCardSource(Map.of(Card.TYPE, "test", Card.NAME, "ccid.core TestCard"), TestCard::new);
    }
}
