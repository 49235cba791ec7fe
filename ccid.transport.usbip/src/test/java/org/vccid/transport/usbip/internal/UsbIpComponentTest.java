package org.vccid.transport.usbip.internal;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import org.junit.jupiter.api.Test;
import org.vccid.ccid.internal.engine.CardClaims;
import org.vccid.ccid.internal.engine.CcidEngine;
import org.vccid.ccid.internal.engine.ReaderSettings;
import org.vccid.transport.usbip.client.LinuxHost;
import org.vccid.transport.usbip.client.VhciClient;
import org.vccid.transport.usbip.wire.UsbDeviceInfo;

/** The DS component's life cycle as SCR drives it (constructor with the configuration, bind, unbind, deactivate). */
class UsbIpComponentTest {

    static UsbIpConfig config(Map<String, Object> values) {
        return (UsbIpConfig) Proxy.newProxyInstance(UsbIpConfig.class.getClassLoader(),
                new Class<?>[] { UsbIpConfig.class }, (p, m, a) -> values.containsKey(m.getName())
                        ? values.get(m.getName()) : m.getDefaultValue());
    }

    @Test
    void exportsBoundReadersWithTheConfiguredIdsAndStopsCleanly() throws IOException {
        ExecutorService pool = Executors.newCachedThreadPool();
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        try {
            CcidEngine a = new CcidEngine(ReaderSettings.builder("A").build(), pool, timer, new CardClaims());
            CcidEngine b = new CcidEngine(ReaderSettings.builder("B").build(), pool, timer, new CardClaims());
            int port = 37595;
            UsbIpComponent c = new UsbIpComponent(config(Map.of("port", port, "busnum", 3, "idVendor", "0x08E6",
                    "idProduct", "13367"))); // 13367 = 0x3437
            c.addDevice(a);
            c.addDevice(b);
            List<UsbDeviceInfo> list = VhciClient.devlist(port);
            assertEquals(List.of("3-1", "3-2"), list.stream().map(UsbDeviceInfo::busid).toList());
            assertEquals(0x08E6, list.get(0).idVendor());
            assertEquals(0x3437, list.get(0).idProduct());
            try (LinuxHost h = LinuxHost.attach(port, "3-2")) {
                h.enumerate();
                assertEquals("12 01 00 02 00 00 00 40 E6 08 37 34 00 01 01 02 03 01",
                        org.vccid.iso7816.Hex.spaced(h.deviceDescriptor));
                c.removeDevice(b); // the reader goes away while imported
                assertTrue(h.usb.awaitEof(5000));
            }
            assertEquals(List.of("3-1"), VhciClient.devlist(port).stream().map(UsbDeviceInfo::busid).toList());
            c.deactivate();
            assertThrows(IOException.class, () -> VhciClient.devlist(port), "listener closed");
            UsbIpServerTest.waitFor(() -> Thread.getAllStackTraces().keySet().stream()
                    .noneMatch(t -> t.getName().startsWith("usbip-listen") && t.getName().endsWith(":" + port)),
                    "the listener thread ends");
        } finally {
            pool.shutdownNow();
            timer.shutdownNow();
        }
    }

    @Test
    void rejectsBadSettings() {
        assertThrows(IllegalArgumentException.class,
                () -> UsbIpComponent.settings(config(Map.of("idVendor", "0x10000"))));
        assertThrows(IllegalArgumentException.class, () -> UsbIpComponent.settings(config(Map.of("busnum", 0))));
        assertThrows(NumberFormatException.class, () -> UsbIpComponent.settings(config(Map.of("idProduct", "xyz"))));
        assertEquals(new UsbIpServer.Settings("127.0.0.1", 3240, 1, -1, -1, 16, 30000),
                UsbIpComponent.settings(config(Map.of())), "defaults: loopback:3240, the readers' own IDs");
    }
}
