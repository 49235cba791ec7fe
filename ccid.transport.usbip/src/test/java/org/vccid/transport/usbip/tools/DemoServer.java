package org.vccid.transport.usbip.tools;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import org.vccid.card.Card;
import org.vccid.card.cac.internal.CacCard;
import org.vccid.ccid.internal.engine.CardClaims;
import org.vccid.ccid.internal.engine.CcidEngine;
import org.vccid.ccid.internal.engine.ReaderSettings;
import org.vccid.testcard.TestCard;
import org.vccid.transport.usbip.internal.UsbIpServer;

/**
 * A USB/IP server outside OSGi for real-peer runs (the QEMU guest script) and by-hand checks: one reader
 * "vccid Virtual Reader" with the test card (T=1) in slot 0, on 127.0.0.1; with {@code --cac STATE_DIR} the reader
 * holds the real CAC of card.cac instead (PIN 12345678, keys generated into STATE_DIR on the first start, libcacard's
 * ATR {@code 3B 89 00 56 43 41 52 44 5F 4E 53 53}).
 *
 * <pre>
 * java -cp target/classes:target/test-classes:../ccid.core/target/classes:../ccid.core/target/test-classes\
 *     [:../card.cac/target/classes:BOUNCYCASTLE_JARS] \
 *     org.vccid.transport.usbip.tools.DemoServer 37590 [0x1209 0x0001] [--cac STATE_DIR]
 * </pre>
 */
public final class DemoServer {

    private DemoServer() {
    }

    public static void main(String[] argv) throws Exception {
        java.util.List<String> list = new java.util.ArrayList<>(java.util.List.of(argv));
        Card card = new TestCard(TestCard.ATR_T1, true);
        int cac = list.indexOf("--cac");
        if (cac >= 0) {
            Path state = Path.of(list.get(cac + 1));
            list.subList(cac, cac + 2).clear();
            card = CacCard.open(new CacCard.Settings("cac", state, null, null, "12345678", 3, 3, CacCard.ATR_VCARD),
                    System.out::println);
            System.out.println("card: CAC, state in " + state);
        }
        String[] args = list.toArray(new String[0]);
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 37590;
        int vid = args.length > 2 ? Integer.decode(args[1]) : 0x1209;
        int pid = args.length > 2 ? Integer.decode(args[2]) : 0x0001;
        ExecutorService pool = Executors.newCachedThreadPool(daemon());
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(daemon());
        CcidEngine engine = new CcidEngine(ReaderSettings.builder("vccid Virtual Reader").vendorId(vid)
                .productId(pid).serialNumber("0001").build(), pool, timer, new CardClaims());
        engine.slot(0).insert(card);
        UsbIpServer server = new UsbIpServer(UsbIpServer.Settings.loopback(port));
        server.start();
        System.out.println("busid " + server.export(engine) + " on 127.0.0.1:" + server.port() + " READY");
        System.out.flush();
        Runtime.getRuntime().addShutdownHook(new Thread(server::close));
        new CountDownLatch(1).await();
    }

    private static java.util.concurrent.ThreadFactory daemon() {
        return r -> {
            Thread t = new Thread(r);
            t.setDaemon(true);
            return t;
        };
    }
}
