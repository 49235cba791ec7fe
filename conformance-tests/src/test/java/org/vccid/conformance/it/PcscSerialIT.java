package org.vccid.conformance.it;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.options;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Hashtable;
import java.util.concurrent.TimeUnit;

import javax.inject.Inject;

import org.apache.felix.service.command.CommandProcessor;
import org.junit.Assume;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.BundleContext;
import org.osgi.service.cm.ConfigurationAdmin;
import org.vccid.conformance.target.Target;

/**
 * The shipped {@code serial-pcsc} target (DS component {@code org.vccid.conformance.pcsc.serial}) in Felix with the
 * real bundles wired as a user wires them: our reader by ConfigAdmin ({@code org.vccid.reader}, TPDU level, 5 slots,
 * no slot.cards), ccid.transport.serial's line on 127.0.0.1:37655 ({@code org.vccid.transport.serial},
 * GemCorePOSPro), the serial module's {@code bin/vccid-serial-line.sh} making the pty
 * {@code /tmp/vccid-ct-pcsc-it-pospro}, and a private pcscd whose libccid serial driver opens it; the library
 * through Gogo {@code vccid:conformance --target serial-pcsc}. Start order: our side, the pty line, pcscd; stop
 * order: pcscd, the pty line, the framework.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class PcscSerialIT {

    static final int PORT = 37655;
    static final String READER = "vccid-ct it serial";
    static final Path LINK = Path.of("/tmp/vccid-ct-pcsc-it-pospro");

    @Inject
    BundleContext context;

    @Inject
    CommandProcessor gogo;

    @Configuration
    public Option[] config() {
        return options(
                Framework.services(),
                Framework.bundleFile("core.bundle.file"),
                Framework.bundleFile("serial.bundle.file"),
                // org.vccid.pcsc (the PC/SC calls of the targets) comes from card.pcsc-mirror
                Framework.bundleFile("mirror.bundle.file"),
                Framework.bundleFile("bundle.file"),
                Framework.passed("pcsc.pcscd.dir"),
                Framework.passed("serial.line.script"));
    }

    private String gogo(String command, ByteArrayOutputStream out) throws Exception {
        return Gogo.run(gogo, command, out);
    }

    /** TCP sockets on the port in /proc/net/tcp(6) with this state (0A listening, 01 established). */
    private static boolean socket(int port, String state) throws Exception {
        String hexPort = String.format(":%04X ", port);
        java.util.List<String> lines = new java.util.ArrayList<>(Files.readAllLines(Path.of("/proc/net/tcp")));
        if (Files.exists(Path.of("/proc/net/tcp6"))) {
            lines.addAll(Files.readAllLines(Path.of("/proc/net/tcp6"))); // Java listens dual-stack
        }
        for (String l : lines) {
            String[] f = l.trim().split("\\s+");
            if (f.length > 3 && (f[1] + " ").endsWith(hexPort) && f[3].equals(state)) {
                return true;
            }
        }
        return false;
    }

    private static Process pcscd(Path dir) throws Exception {
        return PrivatePcscd.start(dir, "FRIENDLYNAME \"" + READER + "\"\nDEVICENAME " + LINK
                + ":GemCorePOSPro\nLIBPATH /usr/lib/pcsc/drivers/serial/libccidtwin.so\n");
    }

    /** How many of our serial reader's slots pcscd lists (opensc-tool -l). */
    private static int listed(Path dir) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("opensc-tool", "-l").redirectErrorStream(true);
        pb.environment().put("PCSCLITE_CSOCK_NAME", dir.resolve("run").resolve("pcscd.comm").toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(10, TimeUnit.SECONDS);
        return (int) out.lines().filter(l -> l.contains(READER)).count();
    }

    private String bundles() {
        StringBuilder b = new StringBuilder();
        for (org.osgi.framework.Bundle x : context.getBundles()) {
            b.append(x.getSymbolicName()).append('=').append(x.getState()).append(' ');
        }
        org.osgi.service.component.runtime.ServiceComponentRuntime scr = context.getService(context.getServiceReference(
                org.osgi.service.component.runtime.ServiceComponentRuntime.class));
        for (org.osgi.service.component.runtime.dto.ComponentDescriptionDTO d : scr.getComponentDescriptionDTOs()) {
            b.append("\n").append(d.name).append(" enabled=").append(scr.isComponentEnabled(d));
            for (org.osgi.service.component.runtime.dto.ComponentConfigurationDTO c : scr.getComponentConfigurationDTOs(d)) {
                b.append(" [state ").append(c.state).append(" failure ").append(c.failure).append(" unsatisfied ")
                        .append(java.util.Arrays.toString(c.unsatisfiedReferences)).append("]");
            }
        }
        org.osgi.service.log.LogReaderService logs = context.getService(context.getServiceReference(
                org.osgi.service.log.LogReaderService.class));
        for (java.util.Enumeration<org.osgi.service.log.LogEntry> e = logs.getLog(); e.hasMoreElements();) {
            org.osgi.service.log.LogEntry l = e.nextElement();
            if (l.getLogLevel().ordinal() <= org.osgi.service.log.LogLevel.WARN.ordinal()) {
                b.append("\nLOG ").append(l.getLogLevel()).append(' ').append(l.getMessage()).append(' ')
                        .append(l.getException());
            }
        }
        return b.toString();
    }

    @Test
    public void theLibraryRunsThroughLibccidsSerialDriver() throws Exception {
        String why = PrivatePcscd.unavailable("/usr/lib/pcsc/drivers/serial/libccidtwin.so", "libccid",
                "/usr/bin/socat", "/usr/bin/opensc-tool");
        if (why != null) {
            System.out.println("SKIPPED: " + why);
        }
        Assume.assumeTrue(why, why == null);
        Path dir = Path.of(System.getProperty("pcsc.pcscd.dir"));
        ConfigurationAdmin cm = context.getService(context.getServiceReference(ConfigurationAdmin.class));
        // our side: the reader (manual slots) and its serial line
        org.osgi.service.cm.Configuration reader = cm.getFactoryConfiguration("org.vccid.reader", "pcsc-it", "?");
        Hashtable<String, Object> rp = new Hashtable<>();
        rp.put("name", READER);
        rp.put("slots", 5);
        rp.put("exchangeLevel", "TPDU");
        reader.update(rp);
        org.osgi.service.cm.Configuration line = cm.getFactoryConfiguration("org.vccid.transport.serial", "pcsc-it",
                "?");
        Hashtable<String, Object> lp = new Hashtable<>();
        lp.put("port", PORT);
        lp.put("readerType", "GemCorePOSPro");
        lp.put("reader", READER);
        line.update(lp);
        Process pty = null;
        Process pcscd = null;
        try {
            try {
                PrivatePcscd.await("our serial line listens on " + PORT, 30, () -> socket(PORT, "0A"));
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + "; framework: " + bundles(), e);
            }
            Files.deleteIfExists(LINK);
            pty = new ProcessBuilder("sh", System.getProperty("serial.line.script"), LINK.toString(),
                    Integer.toString(PORT)).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            PrivatePcscd.await("the pty " + LINK, 30, () -> Files.exists(LINK));
            PrivatePcscd.await("the pty line connects", 30, () -> socket(PORT, "01"));
            Thread.sleep(500); // the line drops input until it has been quiet for 100 ms (settleMillis)
            pcscd = pcscd(dir);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            while (listed(dir) < 5 && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            if (listed(dir) < 5) {
                // libccid allows 100 ms for an answer during its open and never retries: once more on a loaded box
                System.out.println("pcscd did not open the serial reader; restarting pcscd once");
                PrivatePcscd.stop(pcscd);
                pcscd = pcscd(dir);
                PrivatePcscd.await("pcscd lists 5 slots of " + READER, 15, () -> listed(dir) >= 5);
            }

            Hashtable<String, Object> tp = new Hashtable<>();
            tp.put("reader", READER);
            tp.put("pcscReaders", new String[] {READER + " 00 00", READER + " 00 01", READER + " 00 02",
                    READER + " 00 03", READER + " 00 04"});
            cm.getConfiguration("org.vccid.conformance.pcsc.serial", "?").update(tp);
            PrivatePcscd.await("the serial-pcsc target service", 30, () -> !context.getServiceReferences(Target.class,
                    "(" + Target.NAME + "=serial-pcsc)").isEmpty());

            Path reports = dir.resolve("reports-serial");
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            String summary = gogo("vccid:conformance --target serial-pcsc --report " + reports, out);
            assertEquals(out.toString(StandardCharsets.UTF_8) + "\n--- pcscd log:\n"
                    + Files.readString(dir.resolve("pcscd.log")), "2 passed, 0 failed", summary);
            String xml = Files.readString(reports.resolve("TEST-conformance.serial-pcsc.conformance.xml"));
            assertTrue(xml, xml.contains("<testcase name=\"apdu/iso7816-cases-extended.vec"));
            assertTrue(xml, xml.contains("<testcase name=\"apdu/iso7816-cases-short.vec"));
            assertTrue(xml, !xml.contains("<failure") && !xml.contains("<error"));
        } finally {
            PrivatePcscd.stop(pcscd); // pcscd first: the pty must not vanish under it
            PrivatePcscd.stop(pty);
            Files.deleteIfExists(LINK);
            line.delete();
            reader.delete();
        }
    }
}
