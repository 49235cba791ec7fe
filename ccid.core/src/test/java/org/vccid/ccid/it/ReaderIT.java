package org.vccid.ccid.it;

import static org.junit.Assert.*;
import static org.ops4j.pax.exam.CoreOptions.*;

import java.io.File;
import java.io.IOException;
import java.util.Arrays;
import java.util.Hashtable;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import javax.inject.Inject;

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
import org.osgi.service.metatype.AttributeDefinition;
import org.osgi.service.metatype.MetaTypeService;
import org.osgi.service.metatype.ObjectClassDefinition;
import org.osgi.util.tracker.ServiceTracker;
import org.vccid.ccid.Ccid;
import org.vccid.ccid.CcidMessage;
import org.vccid.iso7816.Hex;
import org.vccid.reader.IccState;
import org.vccid.reader.Reader;
import org.vccid.transport.CcidDevice;
import org.vccid.transport.CcidSession;
import org.vccid.transport.HostLink;

/**
 * ccid.core in Felix with SCR and ConfigAdmin: a 2-slot reader made by a factory configuration holds the test card
 * bundle's card; stopping that bundle empties the slot (NotifySlotChange, GetSlotStatus absent, an APDU in flight
 * ends with an error), starting it again inserts the card.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ReaderIT {

    @Inject
    BundleContext context;

    @Inject
    ConfigurationAdmin configAdmin;

    @Inject
    MetaTypeService metaType;

    @Configuration
    public Option[] config() throws IOException {
        return options(
                Provisioning.services(),
                bundle(new File(System.getProperty("bundle.file")).toURI().toString()),
                Provisioning.testCard(),
                junitBundles());
    }

    /** The test card (test scope) as a bundle, built from the test classes. */

    static final class Link implements HostLink {
        final LinkedBlockingQueue<byte[]> in = new LinkedBlockingQueue<>();
        final LinkedBlockingQueue<Boolean> interrupts = new LinkedBlockingQueue<>();

        @Override
        public void bulkIn(byte[] b, int off, int len) {
            in.add(Arrays.copyOfRange(b, off, off + len));
        }

        @Override
        public void interruptAvailable() {
            interrupts.add(true);
        }

        @Override
        public void detached() {
        }

        CcidMessage receive() throws InterruptedException {
            byte[] m = in.poll(10, TimeUnit.SECONDS);
            assertNotNull("no answer from the reader", m);
            return CcidMessage.parse(m);
        }
    }

    @Test
    public void readerFromConfigAdminFollowsTheCardBundle() throws Exception {
        org.osgi.service.cm.Configuration c = configAdmin.getFactoryConfiguration("org.vccid.reader", "it", "?");
        Hashtable<String, Object> props = new Hashtable<>();
        props.put("name", "IT Reader");
        props.put("slots", 2);
        props.put("slot.cards", new String[] { "(vccid.card.type=test)", "" });
        props.put("timeExtensionMillis", 200L);
        c.update(props);

        ServiceTracker<CcidDevice, CcidDevice> readers = new ServiceTracker<>(context,
                context.createFilter("(&(objectClass=" + CcidDevice.class.getName() + ")(vccid.reader.name=IT Reader))"),
                null);
        readers.open();
        CcidDevice device = readers.waitForService(10_000);
        assertNotNull("the configured reader is registered", device);
        Reader reader = (Reader) device;
        assertEquals(2, reader.slots().size());
        assertEquals(2, device.slotCount());
        waitFor(() -> reader.slot(0).state() == IccState.PRESENT_INACTIVE, "the test card is inserted in slot 0");
        assertEquals(IccState.ABSENT, reader.slot(1).state());

        Link host = new Link();
        CcidSession session = device.attach(host);
        assertEquals("50 03", Hex.spaced(session.takeInterrupt()));

        session.bulkOut(CcidMessage.iccPowerOn(0, 1, 0).toBytes(), 0, 10);
        CcidMessage atr = host.receive();
        assertEquals(0, atr.commandStatus());
        assertEquals("3B 02 14 50", Hex.spaced(atr.data()));
        send(session, CcidMessage.xfrBlock(0, 2, 0, 0, Hex.decode("00 84 00 00 04")));
        CcidMessage r = skipTimeExtensions(host);
        assertEquals(2, r.seq());
        assertEquals("00 01 02 03 90 00", Hex.spaced(r.data()));

        // stop the card bundle while an APDU is in flight (the test card's SLOW command)
        Bundle cardBundle = Arrays.stream(context.getBundles())
                .filter(b -> "vccid.testcard".equals(b.getSymbolicName())).findFirst().orElseThrow();
        send(session, CcidMessage.xfrBlock(0, 3, 0, 0, Hex.decode("80 5E 00 00")));
        cardBundle.stop();
        CcidMessage failed = skipTimeExtensions(host);
        assertEquals(3, failed.seq());
        assertEquals(Ccid.COMMAND_STATUS_FAILED, failed.commandStatus());
        assertEquals(Ccid.ICC_ABSENT, failed.iccStatus());
        assertEquals(Ccid.ICC_MUTE, failed.error());
        assertNotNull(host.interrupts.poll(10, TimeUnit.SECONDS));
        assertEquals("50 02", Hex.spaced(session.takeInterrupt()));
        send(session, CcidMessage.getSlotStatus(0, 4));
        assertEquals(Ccid.ICC_ABSENT, host.receive().iccStatus());

        cardBundle.start();
        assertNotNull(host.interrupts.poll(10, TimeUnit.SECONDS));
        assertEquals("50 03", Hex.spaced(session.takeInterrupt()));
        send(session, CcidMessage.getSlotStatus(0, 5));
        assertEquals(Ccid.ICC_PRESENT_INACTIVE, host.receive().iccStatus());
        session.bulkOut(CcidMessage.iccPowerOn(0, 6, 0).toBytes(), 0, 10);
        assertEquals("3B 02 14 50", Hex.spaced(skipTimeExtensions(host).data()));

        // deleting the configuration removes the reader, and tells the host
        c.delete();
        waitFor(() -> readers.getService() == null, "the reader is unregistered");
        readers.close();
        assertTrue(FrameworkUtil.getBundle(CcidDevice.class).getState() == Bundle.ACTIVE);
    }

    @Test
    public void readerConfigurationIsDescribedByMetatype() {
        Bundle core = FrameworkUtil.getBundle(CcidDevice.class);
        assertTrue(Arrays.asList(metaType.getMetaTypeInformation(core).getFactoryPids()).contains("org.vccid.reader"));
        ObjectClassDefinition ocd = metaType.getMetaTypeInformation(core).getObjectClassDefinition("org.vccid.reader",
                null);
        java.util.Set<String> ids = new java.util.HashSet<>();
        for (AttributeDefinition ad : ocd.getAttributeDefinitions(ObjectClassDefinition.ALL)) {
            ids.add(ad.getID());
        }
        assertTrue(ids.toString(), ids.containsAll(Arrays.asList("name", "slots", "exchangeLevel", "features",
                "maxMessageLength", "vendorId", "productId", "manufacturer", "serialNumber", "slot.cards")));
    }

    private static void send(CcidSession s, CcidMessage m) {
        byte[] b = m.toBytes();
        s.bulkOut(b, 0, b.length);
    }

    private static CcidMessage skipTimeExtensions(Link host) throws InterruptedException {
        for (;;) {
            CcidMessage m = host.receive();
            if (m.commandStatus() != Ccid.COMMAND_STATUS_TIME_EXTENSION) {
                return m;
            }
        }
    }

    private static void waitFor(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            assertTrue("timed out: " + what, System.nanoTime() < deadline);
            Thread.sleep(20);
        }
    }

}
