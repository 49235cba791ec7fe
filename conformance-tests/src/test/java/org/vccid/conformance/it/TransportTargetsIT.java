package org.vccid.conformance.it;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.mavenBundle;
import static org.ops4j.pax.exam.CoreOptions.options;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.inject.Inject;

import org.apache.felix.service.command.CommandProcessor;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;
import org.osgi.service.cm.ConfigurationAdmin;
import org.vccid.conformance.target.Target;

/**
 * The shipped transport targets in Felix, wired as a user's distribution wires them: ccid.core, the serial and
 * USB/IP transports, card.cac with BouncyCastle, this bundle; the whole library runs from the Gogo shell
 * ({@code vccid:conformance --target serial|usbip --card ...}) for each target x card, and every vector's outcome
 * in the JUnit XML report is checked against what this class expects (passed, or skipped with that reason; 0
 * failed). A deliberately wrong vector fails through each target with the byte diff.
 *
 * <p>Ports: the USB/IP transport is configured on 127.0.0.1:{@value #USBIP_PORT} before it starts (never on 3240);
 * the serial target's lines take the default range 127.0.0.1:37620-37639.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class TransportTargetsIT {

    static final int USBIP_PORT = 37610;

    @Inject
    BundleContext context;

    @Inject
    CommandProcessor gogo;

    @Inject
    ConfigurationAdmin configAdmin;

    @Configuration
    public Option[] config() {
        return options(
                Framework.services(),
                mavenBundle("org.bouncycastle", "bcprov-jdk18on").versionAsInProject(),
                mavenBundle("org.bouncycastle", "bcutil-jdk18on").versionAsInProject(),
                mavenBundle("org.bouncycastle", "bcpkix-jdk18on").versionAsInProject(),
                Framework.bundleFile("core.bundle.file"),
                Framework.bundleFile("serial.bundle.file"),
                // started by the test once its configuration (a port of ours, not 3240) is in place
                Framework.bundleFile("usbip.bundle.file").noStart(),
                Framework.bundleFile("cac.bundle.file"),
                Framework.bundleFile("bundle.file"),
                Framework.passed("reports.dir"));
    }

    @Before
    public void usbipOnOurPort() throws Exception {
        Bundle usbip = installed("ccid.transport.usbip");
        if (usbip.getState() != Bundle.ACTIVE) {
            org.osgi.service.cm.Configuration c = configAdmin.getConfiguration("org.vccid.transport.usbip", "?");
            Hashtable<String, Object> p = new Hashtable<>();
            p.put("host", "127.0.0.1");
            p.put("port", USBIP_PORT);
            c.update(p);
            usbip.start();
        }
    }

    /**
     * The CAC vectors (vectors/cac/) describe card.cac's default card as a user's distribution serves it: no
     * configuration at all (3 PKI applets, libcacard's vcard ATR, PIN 12345678). Check that nothing configures it and
     * wait for its service: it generates its CA and keys on the first start.
     */
    @Before
    public void defaultCac() throws Exception {
        assertNull("the CAC vectors run against the unconfigured default card",
                configAdmin.listConfigurations("(service.pid=org.vccid.card.cac.default)"));
        org.osgi.util.tracker.ServiceTracker<Object, Object> t = new org.osgi.util.tracker.ServiceTracker<>(context,
                context.createFilter("(&(objectClass=org.vccid.card.Card)(vccid.card.type=cac)(vccid.card.name=cac))"),
                null);
        t.open();
        try {
            assertNotNull("card.cac's default card within 60 s", t.waitForService(60_000));
        } finally {
            t.close();
        }
    }

    private Bundle installed(String symbolicName) {
        for (Bundle b : context.getBundles()) {
            if (symbolicName.equals(b.getSymbolicName())) {
                return b;
            }
        }
        throw new AssertionError(symbolicName + " is not installed");
    }

    private String gogo(String command) throws Exception {
        return Gogo.run(gogo, command);
    }

    // ------------------------------------------------------------------ what each combination must give

    static final String CONFORMANCE = "conformance";
    static final String CAC = "cac";

    /** The library as the conformance bundle ships it: vector name -> its # requires: filter (or null). */
    private Map<String, String> library() throws Exception {
        Bundle b = installed("conformance-tests");
        Map<String, String> lib = new TreeMap<>();
        String index = new String(b.getEntry("vectors/index").openStream().readAllBytes(), StandardCharsets.UTF_8);
        for (String line : index.split("\n")) {
            line = line.trim();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String text = new String(b.getEntry("vectors/" + line).openStream().readAllBytes(),
                    StandardCharsets.UTF_8);
            Matcher m = Pattern.compile("(?m)^# requires:\\s*(.+?)\\s*$").matcher(text);
            lib.put(line, m.find() ? m.group(1) : null);
        }
        assertTrue("the library has " + lib.size() + " vectors", lib.size() >= 29);
        return lib;
    }

    /**
     * vector -> null (passes) or the start of its skip message. The card decides first (# requires:, matched here
     * with the framework's filter), then the card service's scope (vectors with several cards at once), then the
     * target's features, then the target itself. A vector added to the library must pass through both targets or
     * be listed here with its reason.
     */
    Map<String, String> expected(String target, String card) throws Exception {
        Map<String, Object> props = Map.of("vccid.card.type", card, "vccid.card.name", card);
        Map<String, String> e = new TreeMap<>();
        for (Map.Entry<String, String> v : library().entrySet()) {
            boolean fits = v.getValue() == null || FrameworkUtil.createFilter(v.getValue()).matches(props);
            e.put(v.getKey(), fits ? null : "the card " + card + " does not fit " + v.getValue());
        }
        if (card.equals(CAC)) {
            // card.cac's default CAC is one service object (not prototype-scoped): one slot at a time
            e.put("ccid/notify-slot-change-many-slots.vec", "needs 2 cards at once; the card cac is one instance"
                    + " (not prototype-scoped)");
            e.put("ccid/notify-slot-change.vec", "needs 2 cards at once; the card cac is one instance"
                    + " (not prototype-scoped)");
        }
        if (target.equals("serial")) {
            Map<String, String> s = new LinkedHashMap<>();
            s.put("ccid/abort.vec", "needs [CONTROL]; target serial has [BULK]");
            s.put("ccid/class-requests.vec", "needs [CONTROL]; target serial has [BULK]");
            s.put("ccid/notify-slot-change.vec", "needs [INTERRUPT]; target serial has [BULK]");
            s.put("ccid/notify-slot-change-many-slots.vec", "needs [INTERRUPT]; target serial has [BULK]");
            s.put("ccid/remove-in-flight.vec", "needs [INTERRUPT]; target serial has [BULK]");
            s.put("ccid/replace-card-in-flight.vec", "needs [INTERRUPT]; target serial has [BULK]");
            // the line is framed by dwLength: a wrong dwLength cannot be delimited, an oversize one is NAKed
            s.put("ccid/malformed.vec", "target serial: line 11 (send   65 01000000 00 SQ 00 00 00): dwLength 1"
                    + " disagrees with the 0 data byte(s) sent");
            s.put("apdu/iso7816-extended-one-message.vec", "target serial: line 13 (send   6F L4 00 SQ 00 00 00"
                    + " 00*65546): a 65556-byte message exceeds dwMaxCCIDMessageLength 65555: the line NAKs it");
            for (Map.Entry<String, String> x : s.entrySet()) {
                if (e.get(x.getKey()) == null) {
                    e.put(x.getKey(), x.getValue());
                }
            }
        }
        return e;
    }

    private static final Pattern CASE = Pattern.compile("<testcase name=\"([^ \"]+) [^\"]*\"[^>]*?(/>|>\\s*<(skipped|"
            + "failure|error) message=\"([^\"]*)\")");

    /** vector -> null (passed) or "skipped: msg" / "failure: msg" / "error: msg", from a report. */
    static Map<String, String> outcomes(String xml) {
        Map<String, String> o = new TreeMap<>();
        Matcher m = CASE.matcher(xml);
        while (m.find()) {
            o.put(m.group(1), m.group(3) == null ? null : m.group(3) + ": " + m.group(4).replace("&quot;", "\"")
                    .replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&"));
        }
        return o;
    }

    private void runLibrary(String target, String card) throws Exception {
        assertNotNull(target + " target service", context.getServiceReferences(Target.class,
                "(" + Target.NAME + "=" + target + ")").stream().findFirst().orElse(null));
        Path reports = Path.of(System.getProperty("reports.dir"));
        long t0 = System.nanoTime();
        String summary = gogo("vccid:conformance --target " + target + " --card '(vccid.card.type=" + card
                + ")' --report " + reports);
        long millis = (System.nanoTime() - t0) / 1_000_000;
        String xml = Files.readString(reports.resolve("TEST-conformance." + target + "." + card + ".xml"));
        Map<String, String> got = outcomes(xml);
        Map<String, String> want = expected(target, card);
        assertEquals("vectors in the report\n" + xml, want.keySet(), got.keySet());
        StringBuilder wrong = new StringBuilder();
        int passed = 0;
        int skipped = 0;
        for (String v : want.keySet()) {
            String w = want.get(v);
            String g = got.get(v);
            boolean ok = w == null ? g == null : g != null && g.startsWith("skipped: " + w);
            if (!ok) {
                wrong.append(v).append(": expected ").append(w == null ? "PASS" : "SKIP " + w).append("\n    got ")
                        .append(g == null ? "PASS" : g).append('\n');
            }
            if (g == null) {
                passed++;
            } else if (g.startsWith("skipped")) {
                skipped++;
            }
        }
        System.out.println("TransportTargetsIT " + target + " x " + card + ": " + summary + ", " + skipped
                + " skipped, " + millis + " ms");
        assertEquals(wrong + "\n" + xml, "", wrong.toString());
        assertEquals(xml, passed + " passed, 0 failed", summary);
        assertTrue(target + " x " + card + ": something must pass", passed >= 5);
        assertEquals(xml, want.size(), passed + skipped);
    }

    @Test
    public void serialTimesReferenceCard() throws Exception {
        runLibrary("serial", CONFORMANCE);
    }

    @Test
    public void serialTimesCac() throws Exception {
        runLibrary("serial", CAC);
    }

    @Test
    public void usbipTimesReferenceCard() throws Exception {
        runLibrary("usbip", CONFORMANCE);
    }

    @Test
    public void usbipTimesCac() throws Exception {
        runLibrary("usbip", CAC);
    }

    /** The self-check through each shipped target: a wrong expectation fails with the byte diff. */
    @Test
    public void aWrongVectorFailsWithItsDiffThroughEachTarget() throws Exception {
        Path dir = Files.createTempDirectory("wrong");
        Path wrong = dir.resolve("wrong.vec");
        Files.writeString(wrong, "# clause: self-check\n# reader: slots=1 level=TPDU\ninsert\npower-on\n"
                + "send 6F L4 00 SQ 00 00 00 80 5A 6A 82\nexpect 80 L4 00 SQ 00 00 00 90 00\n");
        for (String target : new String[] { "serial", "usbip" }) {
            Path reports = dir.resolve(target);
            String summary = gogo("vccid:conformance --target " + target + " --report " + reports + " " + wrong);
            assertEquals(target, "0 passed, 1 failed", summary);
            String xml = Files.readString(reports.resolve("TEST-conformance." + target + ".conformance.xml"));
            assertTrue(xml, xml.contains("<failure message=\"line 6 (expect 80 L4 00 SQ 00 00 00 90 00): byte 10"
                    + " (abData[0]): expected 90, got 6A\""));
            assertTrue(xml, xml.contains("0000 actual:   80 02 00 00 00 00 01 00 00 00 6A 82"));
        }
    }
}
