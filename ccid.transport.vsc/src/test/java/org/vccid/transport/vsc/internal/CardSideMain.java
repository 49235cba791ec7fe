package org.vccid.transport.vsc.internal;

import java.util.concurrent.CountDownLatch;

import org.vccid.card.Card;

/**
 * Hand-run launcher (no OSGi): serves one card to a QEMU ccid-card-passthru socket until killed. Used by
 * src/test/guest/run-guest.sh when no distribution is at hand.
 *
 * <pre>
 * java -cp ccid.core/target/classes:ccid.transport.vsc/target/classes:ccid.transport.vsc/target/test-classes[:card.jar] \
 *     org.vccid.transport.vsc.internal.CardSideMain HOST PORT [CARD_CLASS]
 * </pre>
 *
 * CARD_CLASS is any {@link Card} with a public no-argument constructor (default: the test card), or
 * {@code cac:STATE_DIR} for card.cac's CAC (needs card.cac and BouncyCastle on the class path, as in the test
 * class path): PIN 12345678, 3 PKI applets, keys generated into STATE_DIR on the first start, libcacard's ATR.
 */
public final class CardSideMain {

    private CardSideMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: CardSideMain HOST PORT [CARD_CLASS]");
            System.exit(2);
        }
        Card card;
        if (args.length > 2 && args[2].startsWith("cac:")) {
            java.nio.file.Path state = java.nio.file.Path.of(args[2].substring(4));
            card = org.vccid.card.cac.internal.CacCard.open(new org.vccid.card.cac.internal.CacCard.Settings("cac",
                    state, null, null, "12345678", 3, 3, org.vccid.card.cac.internal.CacCard.ATR_VCARD),
                    System.out::println);
            System.out.println("card side: card.cac's CAC, state in " + state);
        } else {
            card = args.length > 2
                    ? (Card) Class.forName(args[2]).getConstructor().newInstance()
                    : new TestCard(TestCard.ATR, false);
        }
        CardSideClient client = new CardSideClient(new CardSideClient.Settings(args[0], Integer.parseInt(args[1]),
                "vccid VSC", 1000, 100, 1000, org.vccid.transport.vsc.protocol.Vsc.DEFAULT_MAX_PAYLOAD), card,
                new CardSideClient.Listener() {
                    @Override
                    public void stateChanged(org.vccid.transport.vsc.session.CardSideSession.State state,
                            org.vccid.transport.vsc.session.CardSideSession.CardState c) {
                        System.out.println("card side: " + state + " / card " + c);
                    }
                }).start();
        Runtime.getRuntime().addShutdownHook(new Thread(client::close));
        new CountDownLatch(1).await();
    }
}
