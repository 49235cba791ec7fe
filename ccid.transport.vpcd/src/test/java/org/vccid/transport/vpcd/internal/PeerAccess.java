package org.vccid.transport.vpcd.internal;

import java.io.IOException;
import java.time.Duration;

import org.vccid.testkit.Pcscd;
import org.vccid.testkit.Proc;

/** {@link Peers} for tests in other packages. */
public final class PeerAccess {

    private PeerAccess() {
    }

    public static String unavailableReason() {
        return Peers.unavailableReason();
    }

    public static String readerConf(int basePort) {
        return Peers.readerConf(basePort);
    }

    public static void awaitCard(Pcscd pcscd, boolean present) throws IOException, InterruptedException {
        Peers.awaitCard(pcscd, present);
    }

    public static Proc.Result run(Pcscd pcscd, Duration limit, String... command) throws IOException {
        return Peers.run(pcscd, limit, command);
    }
}
