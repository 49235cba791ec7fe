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
        // one vpcd reader, two slots: 37110 our CAC; 37111 the floor card, then (phase 2) vicc
        try (Pcscd pcscd = Pcscd.start("bench", PeerAccess.readerConf(BASE))) {
            AutoCloseable a = SlotAccess.start("127.0.0.1", BASE, cac);
            AutoCloseable b = SlotAccess.start("127.0.0.1", BASE + 1, new FloorCard());
            Process vicc = null;
            try {
                awaitReader(pcscd, "1");
                String pki = "A0 00 00 00 79 01 00";
                String cacOne = scenario("cac-SELECT-noFCI(1 APDU)", "Virtual PCD 00 00", "9000", "00 A4 04 0C 07 " + pki);
                List<String> cmd = loop(seconds, rounds,
                        scenario("floor(SELECT, 9000)", "Virtual PCD 00 01", "9000", "00 A4 04 0C 07 " + pki),
                        cacOne,
                        scenario("cac-GET-PROPERTIES(1 APDU)", "Virtual PCD 00 00", "9000", "00 56 01 00 1D"),
                        scenario("cac-SELECT+GET-RESPONSE(2 APDUs)", "Virtual PCD 00 00", "9000",
                                "00 A4 04 00 07 " + pki));
                System.out.println("phase 1: floor card and our CAC, side by side");
                System.out.println(Proc.run(Duration.ofMinutes(5), pcscd.env(), cmd).output);
                b.close();
                vicc = startVicc(dir, BASE + 1);
                if (vicc == null) {
                    System.out.println("vicc not measured: not installed");
                    return;
                }
                awaitReader(pcscd, "1");
                System.out.println("phase 2: vicc (with TCP_QUICKACK) and our CAC, side by side");
                System.out.println(Proc.run(Duration.ofMinutes(5), pcscd.env(), loop(seconds, rounds, cacOne,
                        scenario("vicc-quickack(SELECT 3F00, 1 APDU)", "Virtual PCD 00 01", "9000",
                                "00 A4 00 0C 02 3F 00"))).output);
                vicc.destroy();
                vicc.waitFor();
                awaitReader(pcscd, "1", false);
                vicc = startLibcacard(dir, BASE + 1);
                if (vicc == null) {
                    System.out.println("libcacard not measured: needs gcc, libcacard-dev, libnss3-tools");
                    return;
                }
                awaitReader(pcscd, "1");
                System.out.println("phase 3: libcacard's CAC (src/test/c/cacard-ref.c, TCP_QUICKACK) and our CAC, side by side");
                System.out.println(Proc.run(Duration.ofMinutes(5), pcscd.env(), loop(seconds, rounds,
                        // each round selects the PKI applet before GET PROPERTIES (a new client resets the cards)
                        scenario("cac-SELECT+GET-RESPONSE(2 APDUs)", "Virtual PCD 00 00", "9000", "00 A4 04 00 07 " + pki),
                        scenario("libcacard-SELECT+GET-RESPONSE(2 APDUs)", "Virtual PCD 00 01", "9000",
                                "00 A4 04 00 07 " + pki),
                        scenario("cac-GET-PROPERTIES(1 APDU)", "Virtual PCD 00 00", "9000", "00 56 01 00 1D"),
                        scenario("libcacard-GET-PROPERTIES(1 APDU)", "Virtual PCD 00 01", "9000", "00 56 01 00 20"))).output);
            } finally {
                a.close();
                b.close();
                if (vicc != null) {
                    vicc.destroy();
                }
            }
        }
    }

    static List<String> loop(String seconds, String rounds, String... scenarios) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), SmartcardioLoop.class.getName(), seconds, rounds));
        cmd.addAll(List.of(scenarios));
        return cmd;
    }

    static void awaitReader(Pcscd pcscd, String reader) throws Exception {
        awaitReader(pcscd, reader, true);
    }

    static void awaitReader(Pcscd pcscd, String reader, boolean present) throws Exception {
        for (int i = 0; i < 100; i++) {
            String out = Proc.run(Duration.ofSeconds(20), pcscd.env(), List.of("opensc-tool", "-l")).output;
            if (out.lines().anyMatch(l -> l.matches("\\s*" + reader + "\\s+Yes.*")) == present) {
                Thread.sleep(500);
                return;
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("no card in reader " + reader);
    }

    /** Debian's vicc through a launcher that fixes its imports and adds TCP_QUICKACK; null when not installed. */
    static Process startVicc(Path dir, int port) throws Exception {
        if (!Files.exists(Path.of("/usr/lib/python3/site-packages/virtualsmartcard")) || !Files.exists(Path.of("/usr/bin/python3"))) {
            return null;
        }
        Path launcher = dir.resolve("vicc-quickack.py");
        try (var in = ApduRateBench.class.getResourceAsStream("/bench/vicc-quickack.py")) {
            Files.copy(in, launcher);
        }
        return new ProcessBuilder("/usr/bin/python3", launcher.toString(), "127.0.0.1", Integer.toString(port))
                .redirectErrorStream(true).redirectOutput(dir.resolve("vicc.log").toFile()).start();
    }

    /**
     * libcacard's soft CAC as a vpcd card: compiles src/test/c/cacard-ref.c and makes an NSS database with three
     * RSA-2048 certificates; null when the tools are missing.
     */
    static Process startLibcacard(Path dir, int port) throws Exception {
        String cDir = System.getProperty("vccid.c.dir", "src/test/c");
        if (!Proc.which("gcc") || !Proc.which("certutil") || !Files.exists(Path.of(cDir, "cacard-ref.c"))
                || Proc.run(Duration.ofSeconds(10), "pkg-config", "--exists", "libcacard").exitCode != 0) {
            return null;
        }
        String flags = Proc.run(Duration.ofSeconds(10), "pkg-config", "--cflags", "--libs", "libcacard").output.trim();
        List<String> cc = new ArrayList<>(List.of("gcc", "-O2", "-o", dir.resolve("cacard-ref").toString(),
                Path.of(cDir, "cacard-ref.c").toString()));
        cc.addAll(List.of(flags.split("\\s+")));
        Proc.Result r = Proc.run(Duration.ofMinutes(2), Map.of(), cc);
        if (r.exitCode != 0) {
            System.out.println("cacard-ref does not compile: " + r);
            return null;
        }
        Path db = Files.createDirectories(dir.resolve("nssdb"));
        Path noise = dir.resolve("noise");
        byte[] n = new byte[256];
        new java.security.SecureRandom().nextBytes(n);
        Files.write(noise, n);
        Proc.run(Duration.ofSeconds(30), "certutil", "-N", "-d", "sql:" + db, "--empty-password");
        for (int i = 1; i <= 3; i++) {
            Proc.run(Duration.ofSeconds(60), "certutil", "-S", "-x", "-n", "cert" + i, "-s", "CN=cert" + i, "-t",
                    "CT,C,C", "-k", "rsa", "-g", "2048", "-d", "sql:" + db, "-z", noise.toString(), "-v", "12");
        }
        return new ProcessBuilder(dir.resolve("cacard-ref").toString(), db.toString(), "vpcd", "127.0.0.1",
                Integer.toString(port)).redirectErrorStream(true).redirectOutput(dir.resolve("cacard.log").toFile())
                .start();
    }

    static String scenario(String label, String reader, String sw, String apdu) {
        return label + "=" + reader + "=" + sw + "=" + Hex.encode(Hex.decode(apdu));
    }

    static String path(File f) {
        return f.getPath();
    }
}
