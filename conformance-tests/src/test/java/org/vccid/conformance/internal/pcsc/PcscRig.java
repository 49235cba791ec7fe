package org.vccid.conformance.internal.pcsc;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.vccid.ccid.internal.engine.CardClaims;
import org.vccid.ccid.internal.engine.CcidEngine;
import org.vccid.ccid.internal.engine.ExchangeLevel;
import org.vccid.ccid.internal.engine.ReaderSettings;
import org.vccid.testkit.Pcscd;
import org.vccid.testkit.Proc;
import org.vccid.transport.serial.framing.ReaderType;
import org.vccid.transport.serial.internal.line.LineSettings;
import org.vccid.transport.serial.internal.line.SerialLineServer;
import org.vccid.pcsc.JdkPcsc;
import org.vccid.pcsc.Pcsc;
import org.vccid.pcsc.PcscException;

/**
 * One private pcscd for both PC/SC targets (a JVM talks to one pcscd: libpcsclite reads PCSCLITE_CSOCK_NAME once),
 * with four readers in its reader.conf:
 * <ul>
 * <li>vsmartcard's vpcd ({@code libifdvpcd.so}, 2 slots on 127.0.0.1:37640 and 37641): the {@code vpcd}
 * target's cards connect there;</li>
 * <li>three readers of ours behind libccid's serial driver ({@code libccidtwin.so}): a TPDU-level ccid.core engine
 * per reader type (GemPCTwin 1 slot, SEC1210 2, GemCorePOSPro 5) on a ccid.transport.serial line
 * (127.0.0.1:37645-37647) turned into a pty ({@code /tmp/vccid-ct-pcsc-*}) by the serial module's
 * {@code bin/vccid-serial-line.sh}: the {@code serial-pcsc} target.</li>
 * </ul>
 * Start order (ccid.transport.serial README): our side, the pty lines, "line ready", pcscd. Stop order: pcscd, the
 * pty lines, our side (libccid busy-loops if a pty master vanishes under a running pcscd).
 */
final class PcscRig implements AutoCloseable {

    static final String VPCD_DRIVER = "/usr/lib/pcsc/drivers/serial/libifdvpcd.so";
    static final String TWIN_DRIVER = "/usr/lib/pcsc/drivers/serial/libccidtwin.so";
    static final String PCSCLITE = "/usr/lib/x86_64-linux-gnu/libpcsclite.so.1";
    static final Path LINE_SCRIPT = Path.of("../ccid.transport.serial/bin/vccid-serial-line.sh").toAbsolutePath()
            .normalize();
    /** vpcd slot N listens on VPCD_PORT + N; Debian's libifdvpcd has 2 slots. */
    static final int VPCD_PORT = 37640;
    static final int VPCD_SLOTS = 2;
    /** The serial lines: GemPCTwin, SEC1210, GemCorePOSPro. */
    static final int SERIAL_PORT = 37645;
    static final String VPCD_NAME = "vccid-ct vpcd";
    static final String SERIAL_NAME = "vccid-ct serial";

    /** The directory whose run/pcscd.comm the JVM's PCSCLITE_CSOCK_NAME names (set by the surefire execution). */
    static Path pcscdDir() {
        return Path.of(System.getProperty("pcsc.pcscd.dir", "target/pcscd-pcsc")).toAbsolutePath();
    }

    /** Why the PC/SC targets cannot run here, or null. */
    static String unavailableReason() {
        String r = Pcscd.unavailableReason();
        if (r != null) {
            return r;
        }
        if (!new File(VPCD_DRIVER).exists()) {
            return VPCD_DRIVER + " is missing (apt-get install vsmartcard-vpcd)";
        }
        if (!new File(TWIN_DRIVER).exists()) {
            return TWIN_DRIVER + " is missing (apt-get install libccid)";
        }
        if (!Proc.which("socat")) {
            return "socat is not installed (apt-get install socat)";
        }
        if (!Files.isReadable(LINE_SCRIPT)) {
            return LINE_SCRIPT + " is missing";
        }
        String sock = pcscdDir().resolve("run").resolve("pcscd.comm").toString();
        if (!sock.equals(System.getenv("PCSCLITE_CSOCK_NAME"))) {
            return "PCSCLITE_CSOCK_NAME is not " + sock + " (run by conformance-tests' pcsc-real-peer surefire execution)";
        }
        return new JdkPcsc().unavailableReason();
    }

    /** The PC/SC calls of this rig (the JDK's natives). */
    final Pcsc pcsc = new JdkPcsc();
    private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "vccid-ct-pcsc-card");
        t.setDaemon(true);
        return t;
    });
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "vccid-ct-pcsc-timer");
        t.setDaemon(true);
        return t;
    });
    final Map<ReaderType, CcidEngine> engines = new EnumMap<>(ReaderType.class);
    private final Map<ReaderType, SerialLineServer> servers = new EnumMap<>(ReaderType.class);
    private final List<Process> lines = new ArrayList<>();
    private final List<Path> links = new ArrayList<>();
    private Pcscd pcscd;
    private PcscContext context = new PcscContext(pcsc);
    private List<String> vpcdReaders;
    private final Map<ReaderType, List<String>> serialReaders = new EnumMap<>(ReaderType.class);

    static String friendly(ReaderType t) {
        return SERIAL_NAME + " " + t.name();
    }

    static Path link(ReaderType t) {
        return Path.of("/tmp/vccid-ct-pcsc-" + t.name().toLowerCase());
    }

    PcscRig start() throws Exception {
        int port = SERIAL_PORT;
        for (ReaderType t : ReaderType.values()) {
            CcidEngine e = new CcidEngine(ReaderSettings.builder("vccid-ct " + t.name()).slots(t.slots())
                    .level(ExchangeLevel.TPDU).build(), pool, timer, new CardClaims());
            engines.put(t, e);
            servers.put(t, new SerialLineServer(LineSettings.loopback(port++, t), () -> e));
        }
        for (ReaderType t : ReaderType.values()) {
            startLine(t, servers.get(t).port());
        }
        for (ReaderType t : ReaderType.values()) {
            if (!servers.get(t).awaitLineReady(30_000)) {
                throw new IllegalStateException("the pty line " + link(t) + " did not connect to port "
                        + servers.get(t).port());
            }
        }
        StringBuilder conf = new StringBuilder();
        String hex = String.format("0x%04X", VPCD_PORT);
        conf.append("FRIENDLYNAME \"").append(VPCD_NAME).append("\"\nDEVICENAME /dev/null:").append(hex)
                .append("\nLIBPATH ").append(VPCD_DRIVER).append("\nCHANNELID ").append(hex).append("\n\n");
        for (ReaderType t : ReaderType.values()) {
            conf.append("FRIENDLYNAME \"").append(friendly(t)).append("\"\nDEVICENAME ").append(link(t))
                    .append(t.deviceSuffix()).append("\nLIBPATH ").append(TWIN_DRIVER).append("\n\n");
        }
        startPcscd(conf.toString());
        try {
            awaitReaders();
        } catch (IllegalStateException e) {
            // libccid gives the second GetSlotStatus of its open 100 ms and pcscd never retries a failed open: on a
            // loaded machine a serial reader can be missing. Say so and give it one more chance.
            System.out.println("pcsc rig: " + e.getMessage() + "; restarting pcscd once");
            pcscd.close();
            startPcscd(conf.toString());
            awaitReaders();
        }
        return this;
    }

    private void startLine(ReaderType t, int port) throws IOException, InterruptedException {
        Path link = link(t);
        Files.deleteIfExists(link);
        Process p = new ProcessBuilder("sh", LINE_SCRIPT.toString(), link.toString(), Integer.toString(port))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        lines.add(p);
        links.add(link);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!Files.exists(link)) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                throw new IOException("pty line " + link + " did not come up");
            }
            Thread.sleep(20);
        }
    }

    private void startPcscd(String conf) throws Exception {
        pcscd = Pcscd.startIn(pcscdDir(), conf, Map.of("LIBCCID_ifdLogLevel", "0x0003"), "-d");
        context = new PcscContext(pcsc); // a context of a pcscd that is gone is useless
    }

    /** Wait until pcscd lists every slot of every reader; name them. */
    private void awaitReaders() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        int want = VPCD_SLOTS + Arrays.stream(ReaderType.values()).mapToInt(ReaderType::slots).sum();
        String[] names = new String[0];
        while (true) {
            try {
                names = pcsc.listReaders(context());
            } catch (PcscException e) {
                names = new String[0]; // not up yet: PcscContext establishes a new context next time
            }
            if (names.length >= want) {
                break;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("pcscd lists " + Arrays.toString(names) + ", not " + want
                        + " readers\n--- pcscd log (tail):\n" + tail(pcscd.log()));
            }
            Thread.sleep(100);
        }
        vpcdReaders = named(names, VPCD_NAME);
        for (ReaderType t : ReaderType.values()) {
            serialReaders.put(t, named(names, friendly(t)));
        }
    }

    /** The readers "NAME nn ss" in slot order. */
    private static List<String> named(String[] names, String friendly) {
        return Arrays.stream(names).filter(n -> n.startsWith(friendly + " ")).sorted().collect(Collectors.toList());
    }

    /** This JVM's PC/SC context for the rig's pcscd. */
    long context() throws PcscException {
        return context.get();
    }

    PcscContext pcscContext() {
        return context;
    }

    /**
     * The serial-pcsc target on the rig's three serial readers: a vector runs on the smallest reader type with
     * enough slots (1 GemPCTwin, 2 SEC1210, 3-5 GemCorePOSPro).
     */
    org.vccid.conformance.target.Target serialTarget() {
        List<ReaderPcscTarget.Line> l = new ArrayList<>();
        for (ReaderType t : ReaderType.values()) {
            CcidEngine e = engines.get(t);
            l.add(new ReaderPcscTarget.Line(t.name(), () -> e, serialReaders(t)));
        }
        return new ReaderPcscTarget("serial-pcsc", l, ReaderPcscTarget.Protocol.AUTO, context, 30_000);
    }

    List<String> vpcdReaders() {
        return vpcdReaders;
    }

    List<String> serialReaders(ReaderType t) {
        return serialReaders.get(t);
    }

    String pcscdLog() {
        return pcscd == null ? "" : tail(pcscd.log());
    }

    static String tail(String s) {
        return s.length() > 6000 ? s.substring(s.length() - 6000) : s;
    }

    /** pcscd first, then the pty lines, then our side. */
    @Override
    public void close() {
        try {
            if (pcscd != null) {
                pcscd.close();
                if (pcscd.isAlive()) {
                    throw new IllegalStateException("pcscd still runs: not closing the pty lines under it");
                }
            }
        } finally {
            for (Process p : lines) {
                List<ProcessHandle> children = p.descendants().collect(Collectors.toList());
                p.destroy();
                children.forEach(ProcessHandle::destroy);
                try {
                    p.waitFor(5, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                children.forEach(ProcessHandle::destroyForcibly);
            }
            for (Path l : links) {
                try {
                    Files.deleteIfExists(l);
                } catch (IOException e) {
                    // nothing left to do
                }
            }
            servers.values().forEach(SerialLineServer::close);
            engines.values().forEach(CcidEngine::close);
            pool.shutdownNow();
            timer.shutdownNow();
        }
    }
}
