package org.vccid.transport.vpcd.it;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vccid.testkit.Pcscd;
import org.vccid.testkit.Proc;
import org.vccid.transport.vpcd.internal.PeerAccess;

/**
 * The real bundles in a real Felix (forked JVM), with pcscd + vpcd + OpenSC as peers: the default CAC (no card
 * configuration at all) appears in pcscd through a vpcd slot configured by FileInstall; stopping card.cac empties the
 * slot and starting it brings the card back; wrong PINs lock the card and the lock survives a JVM restart.
 */
class CacBundlesIT {

    static final int BASE = 37120; // this module's range: 37100-37199
    static final Duration LIMIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @Test
    void bundleStopStartAndPinLockSurvivingARestart() throws Exception {
        String why = PeerAccess.unavailableReason();
        if (why != null) {
            System.out.println("SKIP CacBundlesIT: " + why);
        }
        assumeTrue(why == null, why);
        Path storage = dir.resolve("felix-storage");
        Path config = Files.createDirectories(dir.resolve("load"));
        Files.writeString(config.resolve("org.vccid.transport.vpcd-it.cfg"), "host=127.0.0.1\nport=" + BASE
                + "\ncard.target=(vccid.card.name=cac)\nreconnectMillis=200\n");
        // a second card by factory configuration (one key, the CAC ATR) in vpcd's second slot
        Files.writeString(config.resolve("org.vccid.card.cac-second.cfg"), "vccid.card.name=second\npkiApplets=1\n"
                + "atr=cac\nstateDirectory=" + dir.resolve("second-card") + "\n");
        Files.writeString(config.resolve("org.vccid.transport.vpcd-it2.cfg"), "port=" + (BASE + 1)
                + "\ncard.target=(vccid.card.name=second)\nreconnectMillis=200\n");
        String vpcdBundle = System.getProperty("vccid.vpcd.bundle");
        try (Pcscd pcscd = Pcscd.start("cac-it", PeerAccess.readerConf(BASE))) {
            try (FelixProcess felix = FelixProcess.start(storage, config, vpcdBundle)) {
                PeerAccess.awaitCard(pcscd, true);
                Proc.Result l = PeerAccess.run(pcscd, LIMIT, "pkcs11-tool", "-L");
                assertTrue(l.output.contains("token manufacturer : Common Access Card"), l.toString());
                Proc.Result second = awaitAtr(pcscd, "1");
                assertTrue(second.output.contains("3b:7a:18:00:00:73:66:74:65:20:63:64:31:34:34"), second.toString());
                Proc.Result o = PeerAccess.run(pcscd, LIMIT, "pkcs11-tool", "--slot-index", "1", "-O", "--type", "cert");
                assertTrue(o.output.contains("CAC ID Certificate") && !o.output.contains("CAC Email"), o.toString());

                felix.command("stop card.cac");
                PeerAccess.awaitCard(pcscd, false);
                l = PeerAccess.run(pcscd, LIMIT, "pkcs11-tool", "-L");
                assertTrue(l.output.contains("Virtual PCD 00 00\n  (empty)"), l.toString());

                felix.command("start card.cac");
                PeerAccess.awaitCard(pcscd, true);
                l = PeerAccess.run(pcscd, LIMIT, "pkcs11-tool", "-L");
                assertTrue(l.output.contains("token manufacturer : Common Access Card"), l.toString());

                // three wrong PINs: 63C2, 63C1, 63C0; then the right one is refused (6983)
                Proc.Result v = PeerAccess.run(pcscd, LIMIT, "opensc-tool", "-r", "0", "-s", verify("11111111"),
                        "-s", verify("11111111"), "-s", verify("11111111"), "-s", verify("12345678"));
                assertTrue(v.output.contains("SW1=0x63, SW2=0xC2") && v.output.contains("SW1=0x63, SW2=0xC1")
                        && v.output.contains("SW1=0x63, SW2=0xC0") && v.output.contains("SW1=0x69, SW2=0x83"),
                        v.toString());
            }
            PeerAccess.awaitCard(pcscd, false); // the JVM is gone, so is the card
            try (FelixProcess felix = FelixProcess.start(storage, config, vpcdBundle)) {
                PeerAccess.awaitCard(pcscd, true);
                Proc.Result v = PeerAccess.run(pcscd, LIMIT, "opensc-tool", "-r", "0", "-s", verify("12345678"));
                assertTrue(v.output.contains("SW1=0x69, SW2=0x83"), "still locked after a restart:\n" + v);
                Proc.Result p = PeerAccess.run(pcscd, LIMIT, "pkcs11-tool", "--login", "--pin", "12345678", "-O");
                assertTrue(p.output.contains("CKR_PIN_LOCKED"), p.toString());
            }
        }
    }

    /** The ATR of a reader once a card is in it (opensc-tool -a). */
    static Proc.Result awaitAtr(Pcscd pcscd, String reader) throws Exception {
        // the second card generates its keys on first start: slow on a loaded machine, so wait up to 90 s
        Proc.Result r = null;
        long deadline = System.nanoTime() + 90_000_000_000L;
        while (System.nanoTime() < deadline) {
            r = PeerAccess.run(pcscd, LIMIT, "opensc-tool", "-r", reader, "-a");
            if (r.exitCode == 0) {
                return r;
            }
            Thread.sleep(200);
        }
        return r;
    }

    static String verify(String pin) {
        StringBuilder s = new StringBuilder("00:20:00:00:08");
        for (int i = 0; i < 8; i++) {
            s.append(':').append(i < pin.length() ? String.format("%02X", (int) pin.charAt(i)) : "FF");
        }
        return s.toString();
    }
}
