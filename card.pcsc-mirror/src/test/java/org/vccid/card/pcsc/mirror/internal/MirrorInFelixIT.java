package org.vccid.card.pcsc.mirror.internal;

import org.vccid.pcsc.JdkPcsc;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.osgi.framework.AllServiceListener;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceEvent;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.launch.Framework;
import org.vccid.iso7816.Hex;
import org.vccid.testkit.Pcscd;

/**
 * The built bundle in Apache Felix with SCR, ConfigAdmin, Metatype and Log, against the real peer (private pcscd +
 * vpcd + vicc): the DS component registers a Card service per host card, Metatype describes its configuration,
 * a ConfigAdmin change of the reader pattern takes effect, stopping the bundle removes the services and the
 * thread. The test sits outside the framework, so it reaches the bundles' services by reflection.
 */
class MirrorInFelixIT {

    private static final String[] BUNDLES = { "org.osgi.util.function-", "org.osgi.util.promise-",
        "org.osgi.service.component-", "org.apache.felix.scr-", "org.apache.felix.configadmin-",
        "org.apache.felix.metatype-", "org.apache.felix.log-", "ccid.core" };

    private Pcscd pcscd;
    private Process vicc0;
    private Process vicc1;
    private Framework framework;

    @AfterEach
    void cleanUp() throws Exception {
        if (framework != null) {
            framework.stop();
            framework.waitForStop(10_000);
        }
        ViccPeer.stop(vicc0);
        ViccPeer.stop(vicc1);
        if (pcscd != null) {
            pcscd.close();
        }
    }

    /** A bundle location from the test class path (a jar, or a reactor module's classes with its manifest). */
    private static String location(String prefix) {
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            File f = new File(entry);
            boolean jar = f.getName().startsWith(prefix) && f.getName().endsWith(".jar")
                    && !f.getName().endsWith("-tests.jar"); // ccid.core's test-jar is on the class path too
            boolean reactorClasses = f.isDirectory() && f.getPath().contains(File.separator + prefix + File.separator)
                    && new File(f, "META-INF/MANIFEST.MF").exists();
            if (jar) {
                return f.toURI().toString();
            }
            if (reactorClasses) {
                return "reference:" + f.toURI();
            }
        }
        throw new IllegalStateException("bundle " + prefix + " not on the test class path");
    }

    @Test
    void theBundleMirrorsHostCardsAsServicesConfiguredThroughConfigAdmin() throws Exception {
        String reason = ViccPeer.unavailableReason();
        assumeTrue(reason == null, reason);
        String dirProp = System.getProperty("mirror.pcscd.dir");
        String bundle = System.getProperty("mirror.bundle");
        assumeTrue(dirProp != null && bundle != null && System.getenv("PCSCLITE_CSOCK_NAME") != null,
                "run through failsafe (mvn verify)");
        assumeTrue(new JdkPcsc().unavailableReason() == null, () -> "" + new JdkPcsc().unavailableReason());
        Path dir = Path.of(dirProp);
        pcscd = ViccPeer.startPcscd(dir);
        vicc0 = ViccPeer.startVicc(dir, 0);

        Map<String, String> config = new HashMap<>();
        config.put(Constants.FRAMEWORK_STORAGE, System.getProperty("mirror.felix.cache"));
        config.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        config.put("ds.loglevel", "warn");
        framework = new org.apache.felix.framework.FrameworkFactory().newFramework(config);
        framework.start();
        BundleContext ctx = framework.getBundleContext();

        BlockingQueue<String> events = new LinkedBlockingQueue<>();
        // All* variants: the test's own copies of the API classes (class path) differ from the bundles' copies
        ctx.addServiceListener((AllServiceListener) e -> {
            String name = (String) e.getServiceReference().getProperty("vccid.card.name");
            if (e.getType() == ServiceEvent.REGISTERED) {
                events.add("+" + name);
            } else if (e.getType() == ServiceEvent.UNREGISTERING) {
                events.add("-" + name);
            }
        }, "(vccid.card.type=pcsc-mirror)");

        List<Bundle> installed = new ArrayList<>();
        for (String b : BUNDLES) {
            installed.add(ctx.installBundle(location(b)));
        }
        Bundle mirror = ctx.installBundle(new File(bundle).toURI().toString());
        installed.add(mirror);
        for (Bundle b : installed) {
            b.start();
        }
        assertEquals(Bundle.ACTIVE, mirror.getState());

        // one Card service for the card in "Virtual PCD 00 00"
        assertEquals("+" + ViccPeer.READER_0, poll(events));
        ServiceReference<?>[] refs = ctx.getAllServiceReferences("org.vccid.card.Card", "(vccid.card.type=pcsc-mirror)");
        assertNotNull(refs);
        assertEquals(1, refs.length);
        assertEquals(ViccPeer.READER_0, refs[0].getProperty("vccid.card.name"));
        assertEquals(ViccPeer.READER_0, refs[0].getProperty(HostMirror.HOST_READER));
        Object card = ctx.getService(refs[0]);
        Class<?> cardApi = mirror.loadClass("org.vccid.card.Card");
        assertTrue(cardApi.isInstance(card));
        assertArrayEquals(Hex.decode(ViccPeer.VICC_ATR), (byte[]) cardApi.getMethod("powerOn").invoke(card));
        byte[] apdu = Hex.decode("0084000008");
        byte[] r = (byte[]) cardApi.getMethod("transmit", byte[].class, int.class, int.class).invoke(card, apdu, 0, 5);
        assertEquals("9000", Hex.encode(r, r.length - 2, 2));
        assertEquals(10, r.length);
        ctx.ungetService(refs[0]);

        // ccid.core's reader component picks the mirrored card by a slot filter; a host attached to the reader
        // powers it on and sends an APDU through CCID (IccPowerOn, XfrBlock) to vicc
        ServiceReference<?> caRef = any(ctx, "org.osgi.service.cm.ConfigurationAdmin");
        Bundle caBundle = caRef.getBundle();
        Object readerConf = call(caBundle, "org.osgi.service.cm.ConfigurationAdmin", ctx.getService(caRef),
                "getFactoryConfiguration", new Class<?>[] { String.class, String.class, String.class },
                "org.vccid.reader", "mirror-it", "?");
        Dictionary<String, Object> readerProps = new Hashtable<>();
        readerProps.put("name", "mirror IT reader");
        readerProps.put("slots", 1);
        readerProps.put("slot.cards",
                new String[] { "(&(vccid.card.type=pcsc-mirror)(vccid.card.name=" + ViccPeer.READER_0 + "))" });
        call(caBundle, "org.osgi.service.cm.Configuration", readerConf, "update", new Class<?>[] { Dictionary.class },
                readerProps);
        ReaderHost host = ReaderHost.attach(ctx, "(vccid.reader.name=mirror IT reader)");
        assertEquals("50 03", host.nextInterrupt(), "slot 0: card present + changed");
        assertEquals("80 0B 00 00 00 00 01 00 00 00 " + ViccPeer.VICC_ATR, host.exchange("62 00 00 00 00 00 01 00 00 00"));
        // ISO/IEC 7816-4:2005 §7.1.1 SELECT MF, P2=0C -> 90 00
        assertEquals("80 02 00 00 00 00 02 00 00 00 90 00",
                host.exchange("6F 07 00 00 00 00 02 00 00 00 00 A4 00 0C 02 3F 00"));

        // Metatype describes the configuration
        ServiceReference<?> mtRef = any(ctx, "org.osgi.service.metatype.MetaTypeService");
        Bundle mtBundle = mtRef.getBundle();
        Object info = call(mtBundle, "org.osgi.service.metatype.MetaTypeService", ctx.getService(mtRef),
                "getMetaTypeInformation", new Class<?>[] { Bundle.class }, mirror);
        String[] pids = (String[]) call(mtBundle, "org.osgi.service.metatype.MetaTypeInformation", info, "getPids",
                new Class<?>[0]);
        assertTrue(Arrays.asList(pids).contains(PcscMirrorComponent.PID), Arrays.toString(pids));
        Object ocd = call(mtBundle, "org.osgi.service.metatype.MetaTypeInformation", info,
                "getObjectClassDefinition", new Class<?>[] { String.class, String.class }, PcscMirrorComponent.PID,
                null);
        Object[] ads = (Object[]) call(mtBundle, "org.osgi.service.metatype.ObjectClassDefinition", ocd,
                "getAttributeDefinitions", new Class<?>[] { int.class }, -1);
        Set<String> ids = new HashSet<>();
        for (Object ad : ads) {
            ids.add((String) call(mtBundle, "org.osgi.service.metatype.AttributeDefinition", ad, "getID",
                    new Class<?>[0]));
        }
        assertTrue(ids.containsAll(Set.of("readerPattern", "readerExclude", "shareMode", "protocol", "waitMillis",
                "retrySeconds")), ids.toString());

        // ConfigAdmin: mirror only "Virtual PCD 00 01" -> the 00 00 card goes, the 00 01 card comes
        Object conf = call(caBundle, "org.osgi.service.cm.ConfigurationAdmin", ctx.getService(caRef),
                "getConfiguration", new Class<?>[] { String.class, String.class }, PcscMirrorComponent.PID, "?");
        Dictionary<String, Object> props = new Hashtable<>();
        props.put("readerPattern", ".* 00 01");
        call(caBundle, "org.osgi.service.cm.Configuration", conf, "update", new Class<?>[] { Dictionary.class },
                props);
        assertEquals("-" + ViccPeer.READER_0, poll(events));
        assertEquals("50 02", host.nextInterrupt(), "the reader's slot 0 saw the card go");
        assertEquals("81 00 00 00 00 00 03 02 00 00", host.exchange("65 00 00 00 00 00 03 00 00 00"), "absent");
        vicc1 = ViccPeer.startVicc(dir, 1);
        assertEquals("+" + ViccPeer.READER_1, poll(events));

        // back to the default (no configuration): both cards
        call(caBundle, "org.osgi.service.cm.Configuration", conf, "delete", new Class<?>[0]);
        assertEquals("-" + ViccPeer.READER_1, poll(events));
        Set<String> back = new HashSet<>(Set.of(poll(events), poll(events)));
        assertEquals(Set.of("+" + ViccPeer.READER_0, "+" + ViccPeer.READER_1), back);
        assertEquals("50 03", host.nextInterrupt(), "the 00 00 card is back in the reader's slot 0");
        assertEquals("80 0B 00 00 00 00 04 00 00 00 " + ViccPeer.VICC_ATR, host.exchange("62 00 00 00 00 00 04 00 00 00"));
        assertEquals("80 02 00 00 00 00 05 00 00 00 90 00",
                host.exchange("6F 07 00 00 00 00 05 00 00 00 00 A4 00 0C 02 3F 00"));

        // stopping the bundle removes its services and its thread
        mirror.stop();
        Set<String> gone = new HashSet<>(Set.of(poll(events), poll(events)));
        assertEquals(Set.of("-" + ViccPeer.READER_0, "-" + ViccPeer.READER_1), gone);
        assertFalse(Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.getName().equals("vccid-pcsc-mirror") && t.isAlive()), "mirror thread ended");
        Files.createDirectories(dir); // keep the scratch directory for its logs
    }

    private static ServiceReference<?> any(BundleContext ctx, String clazz) throws Exception {
        ServiceReference<?>[] refs = ctx.getAllServiceReferences(clazz, null);
        return refs == null ? null : refs[0];
    }

    private String poll(BlockingQueue<String> events) throws Exception {
        String e = events.poll(20, TimeUnit.SECONDS);
        if (e == null) {
            throw new AssertionError("no Card service event within 20 s; framework log:\n" + frameworkLog());
        }
        return e;
    }

    /** Bundle states and the Felix Log entries (LogReaderService), newest first. */
    private String frameworkLog() throws Exception {
        StringBuilder sb = new StringBuilder();
        BundleContext ctx = framework.getBundleContext();
        for (Bundle b : ctx.getBundles()) {
            sb.append("  bundle ").append(b.getSymbolicName()).append(" state ").append(b.getState()).append('\n');
        }
        ServiceReference<?> scrRef = any(ctx, "org.osgi.service.component.runtime.ServiceComponentRuntime");
        if (scrRef != null) {
            Object scr = ctx.getService(scrRef);
            String api = "org.osgi.service.component.runtime.ServiceComponentRuntime";
            java.util.Collection<?> descs = (java.util.Collection<?>) call(scrRef.getBundle(), api, scr,
                    "getComponentDescriptionDTOs", new Class<?>[] { Bundle[].class }, (Object) new Bundle[0]);
            for (Object d : descs) {
                sb.append("  component ").append(d.getClass().getField("name").get(d));
                Class<?> dtoType = scrRef.getBundle().loadClass(
                        "org.osgi.service.component.runtime.dto.ComponentDescriptionDTO");
                java.util.Collection<?> confs = (java.util.Collection<?>) scrRef.getBundle().loadClass(api)
                        .getMethod("getComponentConfigurationDTOs", dtoType).invoke(scr, d);
                for (Object c : confs) {
                    sb.append(" state ").append(c.getClass().getField("state").get(c)).append(" failure ")
                            .append(c.getClass().getField("failure").get(c));
                }
                sb.append('\n');
            }
        }
        ServiceReference<?> ref = any(ctx, "org.osgi.service.log.LogReaderService");
        if (ref != null) {
            Object reader = ctx.getService(ref);
            java.util.Enumeration<?> entries = (java.util.Enumeration<?>) call(ref.getBundle(),
                    "org.osgi.service.log.LogReaderService", reader, "getLog", new Class<?>[0]);
            int n = 0;
            while (entries.hasMoreElements() && n++ < 60) {
                Object entry = entries.nextElement();
                Object msg = call(ref.getBundle(), "org.osgi.service.log.LogEntry", entry, "getMessage",
                        new Class<?>[0]);
                Object ex = call(ref.getBundle(), "org.osgi.service.log.LogEntry", entry, "getException",
                        new Class<?>[0]);
                sb.append("  log: ").append(msg).append(ex != null ? " " + ex : "").append('\n');
            }
        }
        return sb.toString();
    }

    private static Object call(Bundle from, String api, Object target, String method, Class<?>[] types,
            Object... args) throws Exception {
        Method m = from.loadClass(api).getMethod(method, types);
        return m.invoke(target, args);
    }

    /**
     * A host attached to a reader registered by ccid.core's ReaderComponent (a CcidDevice service), through a
     * dynamic proxy of the bundle's HostLink interface (the test's own copy of the API is another class).
     */
    private static final class ReaderHost {
        final LinkedBlockingQueue<byte[]> bulkIn = new LinkedBlockingQueue<>();
        final java.util.concurrent.Semaphore interrupts = new java.util.concurrent.Semaphore(0);
        Bundle core;
        Object session;

        static ReaderHost attach(BundleContext ctx, String filter) throws Exception {
            ServiceReference<?> ref = null;
            for (int i = 0; i < 200 && ref == null; i++) {
                ServiceReference<?>[] refs = ctx.getAllServiceReferences("org.vccid.transport.CcidDevice", filter);
                if (refs == null) {
                    Thread.sleep(50);
                } else {
                    ref = refs[0];
                }
            }
            assertNotNull(ref, "no CcidDevice service " + filter + " within 10 s");
            ReaderHost h = new ReaderHost();
            h.core = ref.getBundle();
            Class<?> linkApi = h.core.loadClass("org.vccid.transport.HostLink");
            Object link = java.lang.reflect.Proxy.newProxyInstance(linkApi.getClassLoader(), new Class<?>[] { linkApi },
                    (proxy, m, a) -> {
                        switch (m.getName()) {
                        case "bulkIn":
                            int off = (Integer) a[1];
                            h.bulkIn.add(Arrays.copyOfRange((byte[]) a[0], off, off + (Integer) a[2]));
                            return null;
                        case "interruptAvailable":
                            h.interrupts.release();
                            return null;
                        case "hashCode":
                            return System.identityHashCode(proxy);
                        case "equals":
                            return proxy == a[0];
                        case "toString":
                            return "MirrorInFelixIT host";
                        default:
                            return null; // detached
                        }
                    });
            h.session = call(h.core, "org.vccid.transport.CcidDevice", ctx.getService(ref), "attach",
                    new Class<?>[] { linkApi }, link);
            return h;
        }

        /** Sends a CCID message and returns the answer with the same bSeq (time extensions skipped), in hex. */
        String exchange(String hex) throws Exception {
            byte[] m = Hex.decode(hex);
            call(core, "org.vccid.transport.CcidSession", session, "bulkOut",
                    new Class<?>[] { byte[].class, int.class, int.class }, m, 0, m.length);
            while (true) {
                byte[] r = bulkIn.poll(20, TimeUnit.SECONDS);
                assertNotNull(r, "no answer from the reader within 20 s to " + hex);
                if ((r[7] & 0xC0) != 0x80 || r[6] != m[6]) { // bmCommandStatus 2: time extension
                    return Hex.spaced(r);
                }
            }
        }

        String nextInterrupt() throws Exception {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (System.nanoTime() < end) {
                byte[] m = (byte[]) call(core, "org.vccid.transport.CcidSession", session, "takeInterrupt",
                        new Class<?>[0]);
                if (m != null) {
                    return Hex.spaced(m);
                }
                interrupts.tryAcquire(100, TimeUnit.MILLISECONDS);
            }
            throw new AssertionError("no NotifySlotChange within 20 s");
        }
    }
}
