package org.vccid.conformance.internal.vsc;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.junitBundles;
import static org.ops4j.pax.exam.CoreOptions.mavenBundle;
import static org.ops4j.pax.exam.CoreOptions.options;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Hashtable;
import java.util.Map;
import java.util.TreeMap;
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
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.util.tracker.ServiceTracker;
import org.vccid.card.Card;
import org.vccid.ccid.it.Provisioning;
import org.vccid.conformance.it.Gogo;
import org.vccid.conformance.target.Target;

/**
 * The vsc target inside Felix with the real bundles: ccid.core, ccid.transport.vsc (its card side configured by
 * ConfigAdmin per vector), card.cac (its default CAC service, BouncyCastle), this bundle (the reference card, the
 * target as a DS component configured with PID {@code org.vccid.conformance.vsc}, ports 37673-37676) and the Gogo
 * command.
 * The library runs with the reference card and with card.cac's CAC; the JUnit XML reports say, per vector, passed
 * or skipped with the reason; a wrong vector fails with its diff; a card side that never comes fails in time with
 * a clear message; nothing is left behind.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class VscTargetIT {

    /** The target's ports (a range: one may be held for a while by a client's ephemeral port). */
    static final int PORT = 37673;
    static final int PORTS = 4;
    /** Candidates for the reader side's port in the remote card test. */
    static final int[] READER_PORTS = {37677, 37678, 37679};
    /** Gogo's --help lists the vsc target on its "targets: [...]" line. */
    static final String TARGETS_WITH_VSC = "(?s).*targets: \\[[^\\]\\n]*\\bvsc\\b[^\\]\\n]*\\].*";

    @Inject
    BundleContext context;

    @Inject
    CommandProcessor gogo;

    @Inject
    ConfigurationAdmin configAdmin;

    /** A reactor bundle next to ccid.core's ({@code core.bundle.file} names ccid.core's jar). */
    static String reactorBundle(String module) {
        String core = System.getProperty("core.bundle.file");
        return new File(core.replace("ccid.core", module)).toURI().toString();
    }

    @Configuration
    public Option[] config() {
        return options(
                Provisioning.services(),
                mavenBundle("org.apache.felix", "org.apache.felix.log").versionAsInProject(),
                mavenBundle("org.apache.felix", "org.apache.felix.gogo.runtime").versionAsInProject(),
                mavenBundle("org.bouncycastle", "bcprov-jdk18on").versionAsInProject(),
                mavenBundle("org.bouncycastle", "bcutil-jdk18on").versionAsInProject(),
                mavenBundle("org.bouncycastle", "bcpkix-jdk18on").versionAsInProject(),
                bundle(new File(System.getProperty("core.bundle.file")).toURI().toString()),
                bundle(reactorBundle("ccid.transport.vsc")),
                bundle(reactorBundle("card.cac")),
                bundle(new File(System.getProperty("bundle.file")).toURI().toString()),
                systemProperty("core.bundle.file").value(System.getProperty("core.bundle.file")),
                systemProperty("reports.dir").value(System.getProperty("reports.dir")),
                systemProperty("org.ops4j.pax.logging.DefaultServiceLog.level").value("WARN"),
                junitBundles());
    }

    private String gogo(String command) throws Exception {
        return Gogo.run(gogo, command);
    }

    /** Configure the vsc target (ports 37673-37676) and wait for its service. */
    private org.osgi.service.cm.Configuration configureTarget(long connectMillis) throws Exception {
        org.osgi.service.cm.Configuration c = configAdmin.getConfiguration(VscTargetComponent.PID, "?");
        Hashtable<String, Object> p = new Hashtable<>();
        p.put("port", PORT);
        p.put("ports", PORTS);
        p.put("connect.timeout.ms", connectMillis);
        p.put("answer.timeout.ms", 30_000L);
        ServiceTracker<Target, Target> t = new ServiceTracker<>(context, context.createFilter("(&(objectClass="
                + Target.class.getName() + ")(" + Target.NAME + "=vsc)(connect.timeout.ms=" + connectMillis + "))"),
                null);
        t.open();
        try {
            c.update(p);
            assertNotNull("the vsc target is a service once configured", t.waitForService(30_000));
        } finally {
            t.close();
        }
        // the Gogo command binds targets on the same service event, perhaps just after the tracker woke us
        long deadline = System.nanoTime() + 30_000_000_000L;
        String help;
        while (!(help = gogo("vccid:conformance --help")).matches(TARGETS_WITH_VSC)
                && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertTrue(help, help.contains("vsc"));
        return c;
    }

    private static int freePort() throws Exception {
        for (int p : READER_PORTS) {
            try (java.net.ServerSocket s = new java.net.ServerSocket()) {
                s.setReuseAddress(true);
                s.bind(new java.net.InetSocketAddress("127.0.0.1", p));
                return p;
            } catch (java.io.IOException e) {
                // next
            }
        }
        throw new AssertionError("none of the reader side ports is free");
    }

    /** The vector files of the bundle's library (its vectors/index). */
    private long vectorCount() throws Exception {
        for (Bundle b : context.getBundles()) {
            if ("conformance-tests".equals(b.getSymbolicName())) {
                try (java.io.InputStream in = b.getEntry("vectors/index").openStream()) {
                    return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
                            .filter(l -> !l.isBlank() && !l.startsWith("#")).count();
                }
            }
        }
        throw new AssertionError("no conformance-tests bundle");
    }

    /**
     * Reports of the deliberately failing runs (a wrong vector, no card side): outside target/conformance-reports,
     * whose every failure CI counts (.ci/count-tests.py).
     */
    private static Path selfCheckReports() {
        return Path.of(System.getProperty("reports.dir")).getParent().resolveSibling("selfcheck-reports").resolve(
                "vsc-osgi");
    }

    private static Path reports() {
        return Path.of(System.getProperty("reports.dir")).resolveSibling("vsc-osgi");
    }

    /** testcase name (vector file) -> "PASSED" or "SKIPPED: reason" or "FAILED: message" from a JUnit XML report. */
    static Map<String, String> outcomes(String xml) {
        Map<String, String> m = new TreeMap<>();
        Matcher c = Pattern.compile("<testcase name=\"([^ \"]+)[^\"]*\"[^>]*?(/>|>\\s*<(skipped|failure|error)"
                + " message=\"([^\"]*)\")").matcher(xml);
        while (c.find()) {
            m.put(c.group(1), c.group(3) == null ? "PASSED" : c.group(3).toUpperCase() + ": " + c.group(4)
                    .replace("&quot;", "\"").replace("&apos;", "'").replace("&lt;", "<").replace("&gt;", ">")
                    .replace("&amp;", "&"));
        }
        return m;
    }

    private void assertNothingLeft() throws Exception {
        assertNull("no card side configuration left", configAdmin.listConfigurations("(service.factoryPid="
                + ConfigAdminCardSides.CARD_SIDE_PID + ")"));
        assertTrue("no card service of a session left", context.getServiceReferences(Card.class, "("
                + ConfigAdminCardSides.CARD_PROPERTY + "=*)").isEmpty());
    }

    @Test
    public void theLibraryThroughVscWithTheReferenceCardAndTheCac() throws Exception {
        assertTrue("not configured, no vsc target", context.getServiceReferences(Target.class, "(" + Target.NAME
                + "=vsc)").isEmpty());
        org.osgi.service.cm.Configuration c = configureTarget(30_000);
        try {
            String help = gogo("vccid:conformance --help");
            assertTrue(help, help.matches(TARGETS_WITH_VSC) && help.contains("in-process"));
            String ref = gogo("vccid:conformance --target vsc --report " + reports());
            assertEquals("2 passed, 0 failed", ref);
            Map<String, String> got = outcomes(Files.readString(reports().resolve(
                    "TEST-conformance.vsc.conformance.xml")));
            assertEquals(got.toString(), vectorCount(), got.size());
            assertEquals("PASSED", got.get("apdu/iso7816-cases-short.vec"));
            assertEquals("PASSED", got.get("apdu/iso7816-cases-extended.vec"));
            assertEquals("SKIPPED: needs [BULK]; target vsc has [APDU]", got.get("tpdu/t1.vec"));
            assertEquals("SKIPPED: needs [INTERRUPT]; target vsc has [APDU]",
                    got.get("ccid/notify-slot-change-many-slots.vec"));
            assertEquals("SKIPPED: the card conformance does not fit (vccid.card.type=cac)",
                    got.get("cac/cac-basics.vec"));
            for (Map.Entry<String, String> e : got.entrySet()) {
                assertTrue(e.toString(), e.getValue().equals("PASSED") || e.getValue().startsWith("SKIPPED: "));
            }

            String cac = gogo("vccid:conformance --target vsc --card '(vccid.card.type=cac)' --report " + reports());
            Map<String, String> gotCac = outcomes(Files.readString(reports().resolve("TEST-conformance.vsc.cac.xml")));
            long cacPassed = gotCac.values().stream().filter("PASSED"::equals).count();
            assertEquals(gotCac.toString(), cacPassed + " passed, 0 failed", cac);
            assertTrue(gotCac.toString(), cacPassed >= 10);
            assertEquals(vectorCount(), gotCac.size());
            for (Map.Entry<String, String> e : gotCac.entrySet()) {
                assertTrue(e.toString(), e.getValue().equals("PASSED") || e.getValue().startsWith("SKIPPED: "));
            }
            assertEquals("PASSED", gotCac.get("cac/cac-basics.vec"));
            assertEquals("PASSED", gotCac.get("cac/select-applets.vec"));
            assertEquals("PASSED", gotCac.get("cac/sign-after-verify.vec"));
            assertTrue(gotCac.get("cac/verify-pin.vec"), gotCac.get("cac/verify-pin.vec").startsWith(
                    "SKIPPED: target vsc: line 26 (power-on): VSC has no power control: a power cycle does not reach"
                    + " the card"));
            assertEquals("SKIPPED: the card cac does not fit (vccid.card.type=conformance)",
                    gotCac.get("apdu/iso7816-cases-short.vec"));
            assertEquals("SKIPPED: needs [BULK]; target vsc has [APDU]", gotCac.get("ccid/get-slot-status.vec"));

            // a deliberately wrong vector fails with its diff, through the real card side
            Path wrong = Files.createTempFile("wrong", ".vec");
            Files.writeString(wrong, "# clause: self-check\ninsert\npower-on\napdu 80 5A 6A 82 -> 90 00\n");
            Path wrongReports = selfCheckReports().resolve("wrong");
            assertEquals("0 passed, 1 failed", gogo("vccid:conformance --target vsc --report " + wrongReports + " "
                    + wrong));
            String xml = Files.readString(wrongReports.resolve("TEST-conformance.vsc.conformance.xml"));
            assertTrue(xml, xml.contains("message=\"line 4 (apdu 80 5A 6A 82 -&gt; 90 00): byte 0: expected 90, got"
                    + " 6A\""));
            assertTrue(xml, xml.contains("&lt; (apdu) 6A 82"));
            assertTrue(xml, xml.contains("&lt; (atr) 3B 85 80 01 76 63 63 69 64 7F"));
            assertNothingLeft();
        } finally {
            c.delete();
        }
    }

    /**
     * The other role, as a distribution wires it: ccid.transport.vsc's reader side (a port of 37677-37679) and its
     * card side serving the reference card into it, both by factory configurations; the remote card is a {@code Card}
     * service ({@code vccid.card.type=vsc-remote}) and the in-process target (readers from ConfigAdmin) runs the
     * library with it. The vectors written for the reference card do not match that type and are skipped; the
     * card-agnostic CCID vectors pass; those wanting two cards at once are skipped (one remote card service).
     */
    @Test
    public void theInProcessTargetWithARemoteCardService() throws Exception {
        org.osgi.service.cm.Configuration reader = configAdmin.createFactoryConfiguration(
                "org.vccid.transport.vsc.reader", "?");
        org.osgi.service.cm.Configuration card = configAdmin.createFactoryConfiguration(
                ConfigAdminCardSides.CARD_SIDE_PID, "?");
        ServiceTracker<Card, Card> remote = new ServiceTracker<>(context, context.createFilter("(&(objectClass="
                + Card.class.getName() + ")(vccid.card.type=vsc-remote))"), null);
        remote.open();
        try {
            Hashtable<String, Object> r = new Hashtable<>();
            int port = freePort();
            r.put("port", port);
            r.put("name.prefix", "it");
            reader.update(r);
            Hashtable<String, Object> c = new Hashtable<>();
            c.put("port", port);
            c.put("reader.name", "reference card for the IT");
            c.put("card.target", "(vccid.card.type=conformance)");
            card.update(c);
            assertNotNull("the remote card is a service", remote.waitForService(30_000));
            String summary = gogo("vccid:conformance --card '(vccid.card.type=vsc-remote)' --report "
                    + reports().resolve("remote"));
            Map<String, String> got = outcomes(Files.readString(reports().resolve("remote").resolve(
                    "TEST-conformance.in-process.vsc-remote.xml")));
            long passed = got.values().stream().filter("PASSED"::equals).count();
            assertEquals(got.toString(), passed + " passed, 0 failed", summary);
            assertTrue(got.toString(), passed >= 7);
            assertEquals("PASSED", got.get("ccid/get-slot-status.vec"));
            assertEquals("PASSED", got.get("ccid/malformed.vec"));
            assertEquals("PASSED", got.get("ccid/icc-power-off.vec"));
            assertEquals("SKIPPED: the card vsc-remote does not fit (vccid.card.type=conformance)",
                    got.get("tpdu/t1.vec"));
            for (Map.Entry<String, String> e : got.entrySet()) {
                assertTrue(e.toString(), e.getValue().equals("PASSED") || e.getValue().startsWith("SKIPPED: "));
            }
        } finally {
            remote.close();
            card.delete();
            reader.delete();
        }
    }

    @Test
    public void withoutTheVscBundleOpenFailsInTimeWithAClearMessage() throws Exception {
        Bundle vsc = null;
        for (Bundle b : context.getBundles()) {
            if ("ccid.transport.vsc".equals(b.getSymbolicName())) {
                vsc = b;
            }
        }
        assertNotNull(vsc);
        org.osgi.service.cm.Configuration c = null;
        vsc.stop();
        try {
            c = configureTarget(1500);
            Path v = Files.createTempFile("one", ".vec");
            Files.writeString(v, "# clause: self-check\ninsert\npower-on\napdu 80 5A 90 00 -> 90 00\n");
            long t0 = System.nanoTime();
            Path nobodyReports = selfCheckReports().resolve("nobody");
            assertEquals("0 passed, 1 failed", gogo("vccid:conformance --target vsc --report " + nobodyReports + " "
                    + v));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(ms + " ms", ms < 20_000);
            String xml = Files.readString(nobodyReports.resolve("TEST-conformance.vsc.conformance.xml"));
            assertTrue(xml, xml.contains("<error message=\"target vsc could not open a reader (slots=1 level="));
            assertTrue(xml, Pattern.compile("no VSC card side connected to 127\\.0\\.0\\.1:3767[3-6] within 1500 ms"
                    + " \\(a factory configuration of org\\.vccid\\.transport\\.vsc\\.card was created: is"
                    + " ccid\\.transport\\.vsc active\\?\\)").matcher(xml).find());
            assertNothingLeft();
        } finally {
            if (c != null) {
                c.delete();
            }
            vsc.start();
        }
        // ConfigAdmin tells SCR asynchronously: poll (bounded) until the target is gone with its configuration
        long deadline = System.nanoTime() + 30_000_000_000L;
        ServiceReference<?>[] left;
        while ((left = context.getServiceReferences(Target.class.getName(), "(" + Target.NAME + "=vsc)")) != null
                && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertNull("the target goes with its configuration", left);
    }
}
