package org.vccid.transport.vsc.internal;

import java.util.concurrent.CountDownLatch;

/**
 * Hand-run launcher (no OSGi): both roles chained. Our reader side accepts a VSC client (say, libcacard on a machine
 * with the card) on LISTEN_PORT and its card is served by our card side to QEMU at HOST:PORT — what the two DS
 * components do with {@code card.target=(vccid.card.type=vsc-remote)}.
 *
 * <pre>
 * java -cp ... org.vccid.transport.vsc.internal.RelayMain LISTEN_PORT HOST PORT
 * </pre>
 */
public final class RelayMain {

    private RelayMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: RelayMain LISTEN_PORT HOST PORT");
            System.exit(2);
        }
        CardSideClient toQemu = new CardSideClient(new CardSideClient.Settings(args[1], Integer.parseInt(args[2]),
                "vccid relay"), null, null).start();
        ReaderSideServer fromRemote = new ReaderSideServer(new ReaderSideServer.Settings("127.0.0.1",
                Integer.parseInt(args[0])), new ReaderSideServer.CardSink() {
                    @Override
                    public void cardArrived(RemoteCard card) {
                        System.out.println("relay: remote card " + card + " -> QEMU");
                        new Thread(() -> toQemu.setCard(card), "relay bind").start();
                    }

                    @Override
                    public void cardGone(RemoteCard card) {
                        System.out.println("relay: remote card " + card + " gone");
                        new Thread(() -> toQemu.clearCard(card), "relay unbind").start();
                    }
                });
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            toQemu.close();
            fromRemote.close();
        }));
        new CountDownLatch(1).await();
    }
}
