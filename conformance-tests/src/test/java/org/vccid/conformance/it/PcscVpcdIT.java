package org.vccid.conformance.it;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.options;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Hashtable;

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
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.ConfigurationAdmin;
import org.vccid.conformance.target.Target;

/**
 * The shipped {@code vpcd} target (DS component {@code org.vccid.conformance.pcsc.vpcd}, configured through
 * ConfigAdmin) in Felix with the real ccid.transport.vpcd bundle, a private pcscd with vpcd (127.0.0.1:37650-37651)
 * and PC/SC from the framework's JVM (failsafe execution pcsc-it: PCSCLITE_CSOCK_NAME and the add-opens): the
 * library through Gogo {@code vccid:conformance --target vpcd}, and a wrong vector failing with its diff.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class PcscVpcdIT {

    static final int PORT = 37650;
    static final String READER = "vccid-ct it vpcd";

    @Inject
    BundleContext context;

    @Inject
    CommandProcessor gogo;

    @Configuration
    public Option[] config() {
        return options(
                Framework.services(),
                Framework.bundleFile("core.bundle.file"),
                Framework.bundleFile("vpcd.bundle.file"),
                // org.vccid.pcsc (the PC/SC calls of the targets) comes from card.pcsc-mirror
                Framework.bundleFile("mirror.bundle.file"),
                Framework.bundleFile("bundle.file"),
                Framework.passed("pcsc.pcscd.dir"));
    }

    private String gogo(String command, ByteArrayOutputStream out) throws Exception {
        return Gogo.run(gogo, command, out);
    }

    @Test
    public void theLibraryRunsThroughVpcdAndAWrongVectorFails() throws Exception {
        String why = PrivatePcscd.unavailable("/usr/lib/pcsc/drivers/serial/libifdvpcd.so", "vsmartcard-vpcd");
        if (why != null) {
            System.out.println("SKIPPED: " + why);
        }
        Assume.assumeTrue(why, why == null);
        Path dir = Path.of(System.getProperty("pcsc.pcscd.dir"));
        String hex = String.format("0x%04X", PORT);
        Process pcscd = PrivatePcscd.start(dir, "FRIENDLYNAME \"" + READER + "\"\nDEVICENAME /dev/null:" + hex
                + "\nLIBPATH /usr/lib/pcsc/drivers/serial/libifdvpcd.so\nCHANNELID " + hex + "\n");
        try {
            ServiceReference<ConfigurationAdmin> ref = context.getServiceReference(ConfigurationAdmin.class);
            ConfigurationAdmin cm = context.getService(ref);
            Hashtable<String, Object> props = new Hashtable<>();
            props.put("pcscReaders", new String[] {READER + " 00 00", READER + " 00 01"});
            props.put("port", PORT);
            cm.getConfiguration("org.vccid.conformance.pcsc.vpcd", "?").update(props);
            PrivatePcscd.await("the vpcd target service", 30,
                    () -> !context.getServiceReferences(Target.class, "(" + Target.NAME + "=vpcd)").isEmpty());

            Path reports = dir.resolve("reports");
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            String summary = gogo("vccid:conformance --target vpcd --report " + reports, out);
            String text = out.toString(StandardCharsets.UTF_8);
            assertEquals(text + "\n--- pcscd log:\n" + Files.readString(dir.resolve("pcscd.log")),
                    "2 passed, 0 failed", summary);
            String xml = Files.readString(reports.resolve("TEST-conformance.vpcd.conformance.xml"));
            assertTrue(xml, xml.contains("<testcase name=\"apdu/iso7816-cases-extended.vec"));
            assertTrue(xml, xml.contains("needs [BULK, INTERRUPT]; target vpcd has [APDU]"));
            assertTrue(xml, !xml.contains("<failure") && !xml.contains("<error"));

            Path wrong = Files.createTempFile("wrong", ".vec");
            Files.writeString(wrong, "# clause: self-check\n# reader: slots=2 level=SHORT_APDU\ninsert 1\n"
                    + "power-on 1\nslot 1\napdu 80 5A 6A 82 -> 90 00\n");
            out.reset();
            Path wrongReports = dir.resolve("reports-wrong");
            String failed = gogo("vccid:conformance --target vpcd --report " + wrongReports + " " + wrong, out);
            text = out.toString(StandardCharsets.UTF_8);
            assertEquals(text, "0 passed, 1 failed", failed);
            // the report, not Gogo's per-thread System.out (README "Limits"), is the witness
            String wrongXml = Files.readString(wrongReports.resolve("TEST-conformance.vpcd.conformance.xml"));
            assertTrue(wrongXml, wrongXml.contains("line 6 (apdu 80 5A 6A 82 -&gt; 90 00): byte 0: expected 90, got 6A")
                    || wrongXml.contains("line 6 (apdu 80 5A 6A 82 -> 90 00): byte 0: expected 90, got 6A"));
            assertTrue(wrongXml, wrongXml.contains("&lt; (apdu) 6A 82") || wrongXml.contains("< (apdu) 6A 82"));
            // the inserted cards' vpcd slot configurations and card services are gone after the runs
            assertEquals(null, cm.listConfigurations("(service.factoryPid=org.vccid.transport.vpcd)"));
            assertNotNull(context.getServiceReferences(Target.class, "(" + Target.NAME + "=vpcd)"));
        } finally {
            PrivatePcscd.stop(pcscd);
        }
    }
}
