package org.vccid.transport.vpcd.bench;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.vccid.card.Card;
import org.vccid.card.cac.internal.CacCard;
import org.vccid.iso7816.Hex;
import org.vccid.testkit.Pcscd;
import org.vccid.testkit.Proc;
import org.vccid.transport.vpcd.internal.PeerAccess;
import org.vccid.transport.vpcd.internal.SlotAccess;

/**
 * APDU/s through pcscd + vpcd with javax.smartcardio (run by hand: {@code mvn -Pbench ...}, see README.md): our CAC
 * and the floor card (answers 9000 at once), each in a vpcd slot served by our transport, measured side by side in one
 * forked client JVM. Ports 37110-37111.
 */
public final class ApduRateBench {

    static final int BASE = 37110;

    private ApduRateBench() {
    }

    /** The floor: a card that answers 9000 to everything, at once. */
    static final class FloorCard implements Card {
        static final byte[] ATR = Hex.decode("3B 02 14 50");

        @Override
        public byte[] atr() {
            return ATR.clone();
        }

        @Override
        public byte[] powerOn() {
            return atr();
        }

        @Override
        public void powerOff() {
        }

        @Override
        public byte[] transmit(byte[] b, int off, int len) {
            return new byte[] { (byte) 0x90, 0x00 };
        }

        @Override
        public boolean isNonBlocking() {
            return true;
        }
    }

    public static void main(String[] args) throws Exception {
        String why = PeerAccess.unavailableReason();
        if (why != null) {
            System.out.println("SKIP: " + why);
            return;
        }
        String seconds = args.length > 0 ? args[0] : "2";
        String rounds = args.length > 1 ? args[1] : "3";
        Path dir = Files.createTempDirectory("vpcd-bench");
        CacCard cac = CacCard.open(new CacCard.Settings("bench", dir, null, new char[0], "12345678", 3, 3,
                CacCard.ATR_VCARD), System.out::println);
        try (Pcscd pcscd = Pcscd.start("bench", PeerAccess.readerConf(BASE))) {
            AutoCloseable a = SlotAccess.start("127.0.0.1", BASE, cac);
            AutoCloseable b = SlotAccess.start("127.0.0.1", BASE + 1, new FloorCard());
            try {
                PeerAccess.awaitCard(pcscd, true);
                Thread.sleep(1000);
                String pki = "A0 00 00 00 79 01 00";
                List<String> cmd = new ArrayList<>(List.of(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                        System.getProperty("java.class.path"), SmartcardioLoop.class.getName(), seconds, rounds,
                        scenario("floor(SELECT, 9000)", "Virtual PCD 00 01", "9000", "00 A4 04 0C 07 " + pki),
                        scenario("cac-SELECT-noFCI(1 APDU)", "Virtual PCD 00 00", "9000", "00 A4 04 0C 07 " + pki),
                        scenario("cac-GET-PROPERTIES(1 APDU)", "Virtual PCD 00 00", "9000", "00 56 01 00 1D"),
                        scenario("cac-SELECT+GET-RESPONSE(2 APDUs)", "Virtual PCD 00 00", "9000",
                                "00 A4 04 00 07 " + pki)));
                List<String> ot = new ArrayList<>(List.of("opensc-tool", "-r", "1"));
                for (int i = 0; i < 200; i++) {
                    ot.add("-s");
                    ot.add("00A4040C07A0000000790100");
                }
                long t0 = System.nanoTime();
                Proc.run(Duration.ofMinutes(5), pcscd.env(), ot);
                System.out.printf("opensc-tool: 200 APDUs to the floor card in %.1f ms%n", (System.nanoTime() - t0) / 1e6);
                Proc.Result r = Proc.run(Duration.ofMinutes(5), pcscd.env(), cmd);
                System.out.println(r.output);
            } finally {
                a.close();
                b.close();
            }
        }
    }

    static String scenario(String label, String reader, String sw, String apdu) {
        return label + "=" + reader + "=" + sw + "=" + Hex.encode(Hex.decode(apdu));
    }

    static String path(File f) {
        return f.getPath();
    }
}
