package org.vccid.transport.usbip.it;

import static org.junit.Assert.*;
import static org.ops4j.pax.exam.CoreOptions.*;

import java.io.File;
import java.io.IOException;
import java.util.Arrays;
import java.util.Hashtable;
import java.util.List;
import java.util.function.BooleanSupplier;

import javax.inject.Inject;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.vccid.ccid.it.Provisioning;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.metatype.MetaTypeService;
import org.vccid.ccid.CcidMessage;
import org.vccid.iso7816.Hex;
import org.vccid.transport.usbip.client.LinuxHost;
import org.vccid.transport.usbip.client.VhciClient;
import org.vccid.transport.usbip.wire.UsbDeviceInfo;

/**
 * The bundle in Felix with SCR, ConfigAdmin and Metatype: the USB/IP component configured through ConfigAdmin
 * exports a reader made by a factory configuration of ccid.core, holding the test card bundle's card; a client
 * imports and uses it; deleting the reader's configuration disconnects the client and empties the device list.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class UsbIpIT {

    static final int PORT = 37597;

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
                bundle(new File(System.getProperty("core.bundle.file")).toURI().toString()),
                // started by the test once its configuration exists: unconfigured, the component would bind 3240
                bundle(new File(System.getProperty("bundle.file")).toURI().toString()).start(false),
                Provisioning.testCard(),
                junitBundles());
    }

    /** ccid.core's test card (from its test-jar on our class path) as a bundle. */

    @Test
    public void configuredReaderIsExportedAndUsableOverUsbIp() throws Exception {
        org.osgi.service.cm.Configuration transport = configAdmin.getConfiguration("org.vccid.transport.usbip", "?");
        Hashtable<String, Object> tp = new Hashtable<>();
        tp.put("port", PORT);
        tp.put("busnum", 2);
        transport.update(tp);
        Bundle ours = Arrays.stream(context.getBundles())
                .filter(b -> "ccid.transport.usbip".equals(b.getSymbolicName())).findFirst().orElseThrow();
        ours.start();
        org.osgi.service.cm.Configuration reader = configAdmin.getFactoryConfiguration("org.vccid.reader", "usbip-it",
                "?");
        Hashtable<String, Object> rp = new Hashtable<>();
        rp.put("name", "USBIP IT Reader");
        rp.put("slot.cards", new String[] { "(vccid.card.type=test)" });
        reader.update(rp);

        waitFor(() -> busids().equals(List.of("2-1")), "the reader is listed as 2-1 on port " + PORT);
        try (LinuxHost h = LinuxHost.attach(PORT, "2-1")) {
            h.enumerate();
            assertEquals("USBIP IT Reader", h.strings.get(0));
            h.libccidOpen();
            assertEquals("3B 02 14 50", Hex.spaced(h.powerOn().data()));
            CcidMessage r = h.transmit(Hex.decode("00 84 00 00 04"));
            assertEquals("00 01 02 03 90 00", Hex.spaced(r.data()));
            assertEquals(List.of(), h.usb.violations());
            reader.delete(); // the reader goes away while imported
            assertTrue("the client is disconnected", h.usb.awaitEof(10_000));
        }
        waitFor(() -> busids().isEmpty(), "the device list is empty");

        assertEquals(Bundle.ACTIVE, ours.getState());
        assertNotNull("Metatype describes the transport configuration",
                metaType.getMetaTypeInformation(ours).getObjectClassDefinition("org.vccid.transport.usbip", null));
        ours.stop(); // not transport.delete(): the component would come back with the default port
        waitFor(() -> {
            try {
                VhciClient.devlist(PORT);
                return false;
            } catch (IOException e) {
                return true;
            }
        }, "the listener on " + PORT + " is closed when the bundle stops");
    }

    List<String> busids() {
        try {
            return VhciClient.devlist(PORT).stream().map(UsbDeviceInfo::busid).toList();
        } catch (IOException e) {
            return List.of("(" + e + ")");
        }
    }

    static void waitFor(BooleanSupplier c, String what) throws InterruptedException {
        long end = System.nanoTime() + 10_000_000_000L;
        while (!c.getAsBoolean()) {
            assertTrue("timed out: " + what, System.nanoTime() < end);
            Thread.sleep(50);
        }
    }
}
