package org.vccid.conformance.it;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.options;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.inject.Inject;

import org.apache.felix.service.command.CommandProcessor;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.BundleContext;
import org.vccid.card.Card;
import org.vccid.conformance.target.Target;

/**
 * The suite inside Felix, wired as a user's distribution wires it: ccid.core's reader component configured through
 * ConfigAdmin for every vector, the reference card as a prototype-scoped DS service, the in-process Target as a DS
 * service, and the run started from the Gogo shell ({@code vccid:conformance}).
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ConformanceIT {

    @Inject
    BundleContext context;

    @Inject
    CommandProcessor gogo;

    @Configuration
    public Option[] config() {
        return options(
                Framework.services(),
                Framework.bundleFile("core.bundle.file"),
                Framework.bundleFile("bundle.file"),
                Framework.passed("reports.dir"));
    }

    private String gogo(String command, ByteArrayOutputStream out) throws Exception {
        return Gogo.run(gogo, command, out);
    }

    @Test
    public void theWholeLibraryPassesThroughGogoWithReadersFromConfigAdmin() throws Exception {
        assertNotNull("the in-process target is a service",
                context.getServiceReferences(Target.class, "(" + Target.NAME + "=in-process)").stream().findFirst()
                        .orElse(null));
        assertNotNull("the reference card is a service",
                context.getServiceReferences(Card.class, "(vccid.card.type=conformance)").stream().findFirst()
                        .orElse(null));
        Path reports = Path.of(System.getProperty("reports.dir"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String summary = gogo("vccid:conformance --report " + reports, out);
        String text = out.toString(StandardCharsets.UTF_8);
        Matcher m = Pattern.compile("(\\d+) passed, 0 failed").matcher(summary);
        assertTrue(summary + "\n" + text, m.matches());
        int passed = Integer.parseInt(m.group(1));
        assertTrue(text, passed >= 20);
        assertTrue(text, text.startsWith("conformance: "));
        // per-vector outcomes from the report (Gogo's per-thread System.out is not a reliable witness here)
        String xml = Files.readString(reports.resolve("TEST-conformance.in-process.conformance.xml"));
        assertTrue(xml, xml.contains("<testcase name=\"ccid/slot-busy.vec")); // two cards at once: prototype scope
        assertTrue(xml, xml.contains("<testcase name=\"tpdu/t1.vec"));
        assertTrue(xml, !xml.contains("<failure") && !xml.contains("<error"));
        Matcher counts = Pattern.compile("tests=\"(\\d+)\" failures=\"0\" errors=\"0\" skipped=\"(\\d+)\"").matcher(xml);
        assertTrue(xml, counts.find());
        assertEquals(xml, Integer.parseInt(counts.group(1)), passed + Integer.parseInt(counts.group(2)));
    }

    @Test
    public void aWrongVectorFailsWithItsDiffInGogo() throws Exception {
        Path wrong = Files.createTempFile("wrong", ".vec");
        Files.writeString(wrong, "# clause: self-check\nsend 65 L4 00 SQ 00 00 00\nexpect 81 L4 00 SQ 01 00 00\n");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String summary = gogo("vccid:conformance " + wrong, out);
        String text = out.toString(StandardCharsets.UTF_8);
        assertEquals(text, "0 passed, 1 failed", summary);
        assertTrue(text, text.contains("byte 7 (bStatus / byte 7): expected 01, got 02"));
        assertTrue(text, text.contains("0000 actual:   81 00 00 00 00 00 00 02 00 00"));
    }

    @Test
    public void helpAndUnknownTarget() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String help = gogo("vccid:conformance --help", out);
        assertTrue(help, help.startsWith("usage: conformance"));
        assertTrue(help, help.contains("targets: [") && help.contains("in-process") && help.contains("serial")
                && help.contains("usbip"));
        assertTrue(help, help.contains("(vccid.card.type=conformance)"));
        String none = gogo("vccid:conformance --target nosuch", out);
        assertTrue(none, none.startsWith("conformance: no target nosuch; registered: ["));
    }

    /**
     * This framework has neither ccid.transport.serial nor ccid.transport.usbip: it still starts, the shipped
     * serial and usbip targets are registered, and a run through them fails at once, saying what is missing.
     */
    @Test
    public void transportTargetsWithoutTheirBundlesSayWhatIsMissing() throws Exception {
        Path reports = Files.createTempDirectory("missing");
        for (String target : new String[] { "serial", "usbip" }) {
            assertNotNull(target, context.getServiceReferences(Target.class, "(" + Target.NAME + "=" + target + ")")
                    .stream().findFirst().orElse(null));
            long t0 = System.nanoTime();
            String summary = gogo("vccid:conformance --target " + target + " --only ccid/get-slot-status --report "
                    + reports, new ByteArrayOutputStream());
            long millis = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(target, "0 passed, 1 failed", summary);
            String xml = Files.readString(reports.resolve("TEST-conformance." + target + ".conformance.xml"));
            String bundle = target.equals("serial") ? "ccid.transport.serial" : "ccid.transport.usbip";
            assertTrue(xml, xml.contains("<error message=\"target " + target + " could not open a reader"));
            assertTrue(xml, xml.contains("the " + target + " target needs the bundle " + bundle
                    + " (configuration PID org.vccid.transport." + target + "), which is not installed in this"
                    + " framework"));
            assertTrue(target + " took " + millis + " ms", millis < 10_000);
        }
    }
}
