package org.vccid.transport.vpcd.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.vccid.testkit.Pcscd;
import org.vccid.testkit.Proc;

/** Shared set-up for tests with real peers: a private pcscd with vpcd on this module's ports, OpenSC without caches. */
final class Peers {

    static final String VPCD_DRIVER = "/usr/lib/pcsc/drivers/serial/libifdvpcd.so";
    /** This module's port range is 37100-37199; vpcd slot 0 of a pcscd started with {@link #readerConf} is base+0. */
    static final int VPCD_BASE_PORT = 37100;

    private Peers() {
    }

    /** Why the real-peer tests cannot run here, or null. */
    static String unavailableReason() {
        String r = Pcscd.unavailableReason();
        if (r != null) {
            return r;
        }
        if (!Files.exists(Path.of(VPCD_DRIVER))) {
            return "vsmartcard-vpcd is not installed (" + VPCD_DRIVER + ")";
        }
        for (String tool : new String[] { "opensc-tool", "pkcs11-tool", "openssl" }) {
            if (!Proc.which(tool)) {
                return tool + " is not installed";
            }
        }
        return null;
    }

    static String readerConf(int basePort) {
        String hex = String.format("0x%04X", basePort);
        return "FRIENDLYNAME \"Virtual PCD\"\nDEVICENAME /dev/null:" + hex + "\nLIBPATH " + VPCD_DRIVER
                + "\nCHANNELID " + hex + "\n";
    }

    /** Client environment: pcscd socket plus OPENSC_CONF pointing at a copy of the test opensc.conf. */
    static Map<String, String> clientEnv(Pcscd pcscd) throws IOException {
        Path conf = pcscd.dir().resolve("opensc.conf");
        if (!Files.exists(conf)) {
            try (InputStream in = Peers.class.getResourceAsStream("/opensc-test.conf")) {
                Files.copy(in, conf);
            }
        }
        Map<String, String> env = new HashMap<>(pcscd.env());
        env.put("OPENSC_CONF", conf.toString());
        return env;
    }

    /**
     * Wait (up to 20 s) until pcscd reports a card in reader 0 (or none). A TCP connection alone proves nothing: the
     * kernel accepts it before vpcd does, and pcscd only notices a card at its next presence poll.
     */
    static void awaitCard(Pcscd pcscd, boolean present) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + 90_000_000_000L; // returns as soon as it happens; generous for a loaded CI machine
        String last = "";
        while (System.nanoTime() < deadline) {
            last = run(pcscd, Duration.ofSeconds(10), "opensc-tool", "-l").output;
            boolean yes = last.lines().anyMatch(l -> l.matches("\\s*0\\s+Yes\\s+.*"));
            if (yes == present) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("reader 0 did not become " + (present ? "occupied" : "empty") + ":\n" + last
                + "\npcscd log:\n" + pcscd.log());
    }

    static Proc.Result run(Pcscd pcscd, Duration limit, String... command) throws IOException {
        return Proc.run(limit, clientEnv(pcscd), new ArrayList<>(Arrays.asList(command)));
    }

    static Proc.Result run(Pcscd pcscd, Duration limit, List<String> command) throws IOException {
        return Proc.run(limit, clientEnv(pcscd), command);
    }
}
