package org.vccid.transport.vsc.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.apache.felix.framework.FrameworkFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;
import org.osgi.framework.launch.Framework;
import org.osgi.util.tracker.ServiceTracker;
import org.vccid.card.Card;
import org.vccid.card.CardException;
import org.vccid.iso7816.Hex;
import org.vccid.transport.vsc.internal.CardSideClient;
import org.vccid.transport.vsc.internal.ReaderSideServer;
import org.vccid.transport.vsc.internal.RemoteCard;
import org.vccid.transport.vsc.internal.TestCard;

/**
 * The packaged bundle in an embedded Felix with SCR and ConfigAdmin: both DS components configured through
 * ConfigAdmin factory configurations, cards as services. org.vccid.card is exported by the system bundle so the test
 * and the bundle share the Card interface. Ports 37230-37231.
 */
class VscBundleIT {

    private Framework framework;
    private BundleContext ctx;
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @BeforeEach
    void startFelix() throws Exception {
        Path storage = Files.createTempDirectory("vsc-felix");
        Map<String, String> config = new HashMap<>();
        config.put(Constants.FRAMEWORK_STORAGE, storage.toString());
        config.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        config.put(Constants.FRAMEWORK_SYSTEMPACKAGES_EXTRA, "org.vccid.card;version=1.0.0");
        framework = new FrameworkFactory().newFramework(config);
        framework.start();
        ctx = framework.getBundleContext();
        List<Bundle> bundles = new ArrayList<>();
        for (String name : new String[] { "org.osgi.util.function", "org.osgi.util.promise",
            "org.osgi.service.component-", "org.apache.felix.scr", "org.apache.felix.configadmin" }) {
            bundles.add(ctx.installBundle(new File(jar(name)).toURI().toString()));
        }
        String vsc = System.getProperty("vsc.bundle");
        assertNotNull(vsc, "vsc.bundle system property (set by failsafe)");
        bundles.add(ctx.installBundle(new File(vsc).toURI().toString()));
        for (Bundle b : bundles) {
            b.start();
        }
    }

    private static String jar(String namePart) {
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (new File(e).getName().startsWith(namePart) && e.endsWith(".jar")) {
                return e;
            }
        }
        throw new IllegalStateException("no " + namePart + " jar on the test class path");
    }

    @AfterEach
    void stopFelix() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
        framework.stop();
        framework.waitForStop(10_000);
        waitFor("all VSC threads ended", () -> Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.getName().startsWith("vsc-") && t.isAlive()));
    }

    static void waitFor(String what, java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not reached within 30 s: " + what);
            }
            Thread.sleep(10);
        }
    }

    /** ConfigAdmin through reflection: its API classes live in the framework, not on the test class path. */
    private Object factoryConfiguration(String factoryPid, Dictionary<String, Object> props) throws Exception {
        // Felix ConfigAdmin 1.9 registers its service once its persistence manager is up (asynchronously)
        ServiceTracker<Object, Object> t = new ServiceTracker<>(ctx,
                ctx.createFilter("(objectClass=org.osgi.service.cm.ConfigurationAdmin)"), null);
        t.open(true); // all services: the system bundle has no wiring to org.osgi.service.cm
        Object ca = t.waitForService(10_000);
        assertNotNull(ca, () -> "ConfigurationAdmin; bundles: " + java.util.Arrays.stream(ctx.getBundles())
                .map(b -> b.getSymbolicName() + "=" + b.getState()).collect(java.util.stream.Collectors.joining(", ")));
        Object conf = ca.getClass().getMethod("createFactoryConfiguration", String.class, String.class)
                .invoke(ca, factoryPid, "?");
        conf.getClass().getMethod("update", Dictionary.class).invoke(conf, props);
        return conf;
    }

    private static void delete(Object conf) throws Exception {
        conf.getClass().getMethod("delete").invoke(conf);
    }

    @Test
    void readerSideRegistersRemoteCardsAsServices() throws Exception {
        Dictionary<String, Object> p = new Hashtable<>();
        p.put("port", 37230);
        p.put("name.prefix", "it");
        Object conf = factoryConfiguration("org.vccid.transport.vsc.reader", p);
        ServiceTracker<Card, Card> cards = new ServiceTracker<>(ctx,
                ctx.createFilter("(&(objectClass=org.vccid.card.Card)(vccid.card.type=vsc-remote))"), null);
        cards.open();
        // a remote machine's card, connecting as a VSC client (retries until the component listens)
        TestCard card = new TestCard();
        CardSideClient client = new CardSideClient(new CardSideClient.Settings("127.0.0.1", 37230, "Remote R"), card,
                null).start();
        toClose.add(client);
        Card service = cards.waitForService(10_000);
        assertNotNull(service, "remote card service");
        ServiceReference<Card> ref = cards.getServiceReference();
        assertEquals("it-1-0", ref.getProperty(Card.NAME));
        assertEquals("Remote R", ref.getProperty("vsc.reader.name"));
        assertEquals(Hex.encode(TestCard.ATR), Hex.encode(service.atr()));
        assertEquals("0201039000", Hex.encode(service.transmit(Hex.decode("0000000003030102"), 0, 8)));
        client.setCard(null); // removed on the remote machine: the service goes
        waitFor("service unregistered", () -> cards.getService() == null);
        assertThrows(CardException.class, () -> service.transmit(Hex.decode("00CA000000"), 0, 5));
        client.setCard(new TestCard());
        assertNotNull(cards.waitForService(10_000));
        delete(conf); // listener and clients go, and with them the service
        waitFor("service gone with the configuration", () -> cards.getService() == null);
        cards.close();
    }

    @Test
    void cardSideServesTheCardServiceItsFilterPicks() throws Exception {
        BlockingQueue<RemoteCard> arrived = new LinkedBlockingQueue<>();
        BlockingQueue<RemoteCard> gone = new LinkedBlockingQueue<>();
        // our reader side plays QEMU's part here (QemuPassthruTest covers QEMU itself)
        ReaderSideServer host = new ReaderSideServer(new ReaderSideServer.Settings("127.0.0.1", 37231),
                new ReaderSideServer.CardSink() {
                    @Override
                    public void cardArrived(RemoteCard c) {
                        arrived.add(c);
                    }

                    @Override
                    public void cardGone(RemoteCard c) {
                        gone.add(c);
                    }
                });
        toClose.add(host);
        Dictionary<String, Object> p = new Hashtable<>();
        p.put("port", 37231);
        p.put("reader.name", "IT reader");
        p.put("card.target", "(vccid.card.type=it-test)");
        Object conf = factoryConfiguration("org.vccid.transport.vsc.card", p);
        // a card of another type is not picked
        Dictionary<String, Object> other = new Hashtable<>();
        other.put(Card.TYPE, "other");
        ctx.registerService(Card.class, new TestCard(TestCard.ATR, true), other);
        waitFor("reader added without a card", () -> host.clientCount() == 1);
        assertNull(arrived.poll(300, TimeUnit.MILLISECONDS), "a card of another type must not be served");
        Dictionary<String, Object> props = new Hashtable<>();
        props.put(Card.TYPE, "it-test");
        TestCard card = new TestCard(org.vccid.iso7816.Hex.decode("3B02AABB"), false);
        ServiceRegistration<Card> reg = ctx.registerService(Card.class, card, props);
        RemoteCard remote = arrived.poll(30, TimeUnit.SECONDS);
        assertNotNull(remote, "card served through the DS component");
        assertEquals("IT reader", remote.readerName());
        assertEquals("3B02AABB", Hex.encode(remote.atr()));
        assertEquals("00019000", Hex.encode(remote.transmit(Hex.decode("00CA000000"), 0, 5)));
        reg.unregister();
        assertEquals(remote, gone.poll(30, TimeUnit.SECONDS));
        reg = ctx.registerService(Card.class, card, props);
        assertNotNull(arrived.poll(30, TimeUnit.SECONDS), "card back");
        delete(conf);
        assertNotNull(gone.poll(30, TimeUnit.SECONDS), "card removed when the component goes");
        waitFor("client disconnected", () -> host.clientCount() == 0);
        reg.unregister();
    }
}
