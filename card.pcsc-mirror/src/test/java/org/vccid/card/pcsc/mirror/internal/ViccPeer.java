package org.vccid.card.pcsc.mirror.internal;

import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.vccid.testkit.Pcscd;

/**
 * The real host side for the mirror's tests: a private pcscd (testkit) with vpcd on our ports and vicc (Debian's
 * vsmartcard-vpicc, through the committed launcher) as the card.
 */
final class ViccPeer {

    /** vpcd base port of this module: 37800 = 0x93A8 (slot 0), 37801 (slot 1); the module's range is 37800-37899. */
    static final int PORT = 37800;
    static final String READER_0 = "Virtual PCD 00 00";
    static final String READER_1 = "Virtual PCD 00 01";
    static final String READER_CONF = "FRIENDLYNAME \"Virtual PCD\"\n"
            + "DEVICENAME /dev/null:0x93A8\n"
            + "LIBPATH /usr/lib/pcsc/drivers/serial/libifdvpcd.so\n"
            + "CHANNELID 0x93A8\n";
    static final String VICC = "/usr/bin/vicc";
    static final String PYTHON = "/usr/bin/python3";
    static final String VPCD = "/usr/lib/pcsc/drivers/serial/libifdvpcd.so";
    /** vicc's iso7816 card (Iso7816OS.makeATR, T=1, TA1=13). */
    static final String VICC_ATR = "3B 95 13 81 01 80 73 FF 01 00 0B";

    private ViccPeer() {
    }

    /** Why the real peer cannot run here, or null. */
    static String unavailableReason() {
        String r = Pcscd.unavailableReason();
        if (r != null) {
            return r;
        }
        if (!new File(VICC).exists()) {
            return "vicc is missing (apt-get install vsmartcard-vpicc python3-virtualsmartcard python3-pycryptodome)";
        }
        if (!new File(VPCD).exists()) {
            return "vpcd is missing (apt-get install vsmartcard-vpcd)";
        }
        if (!new File(PYTHON).canExecute()) {
            return PYTHON + " is missing";
        }
        return null;
    }

    /** The fixed pcscd directory the surefire execution pointed PCSCLITE_CSOCK_NAME into, or null. */
    static Path pcscdDir() {
        String dir = System.getProperty("mirror.pcscd.dir");
        String sock = System.getenv("PCSCLITE_CSOCK_NAME");
        if (dir == null || sock == null || !Path.of(dir, "run", "pcscd.comm").toString().equals(sock)) {
            return null;
        }
        return Path.of(dir);
    }

    static Pcscd startPcscd(Path dir) throws IOException {
        return Pcscd.startIn(dir, READER_CONF, java.util.Map.of());
    }

    static Path launcher() {
        try {
            return Path.of(ViccPeer.class.getResource("/org/vccid/card/pcsc/mirror/vicc_launcher.py").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Start vicc (iso7816) as the card on vpcd slot {@code slot}; its output goes to a log in {@code dir}. */
    static Process startVicc(Path dir, int slot) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(PYTHON, launcher().toString(), "-t", "iso7816", "-H", "127.0.0.1",
                "-P", Integer.toString(PORT + slot)));
        Path log = dir.resolve("vicc-" + slot + ".log");
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    static void stop(Process p) {
        if (p == null) {
            return;
        }
        p.destroy();
        try {
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static String log(Path dir, int slot) {
        try {
            return Files.readString(dir.resolve("vicc-" + slot + ".log"), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no vicc log)";
        }
    }
}
