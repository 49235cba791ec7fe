package org.vccid.transport.usbip.usb;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.vccid.ccid.ClassDescriptor;
import org.vccid.iso7816.Hex;

class ControlRequestsTest {

    static final byte[] CLASS = ClassDescriptor.builder().features(0x000404FE).maxCCIDMessageLength(0x10012).build()
            .toBytes();

    CcidUsbDescriptors d;
    UsbDeviceState st;
    List<String> classCalls;

    @BeforeEach
    void setUp() {
        d = CcidUsbDescriptors.builder(CLASS).ids(0x1209, 0x0001, 0x0100)
                .strings("vccid", "vccid Virtual Reader", "0001").build();
        st = new UsbDeviceState();
        classCalls = new ArrayList<>();
    }

    ControlResult req(int type, int request, int value, int index, int length) {
        return ControlRequests.handle(d, st, Setup.of(type, request, value, index, length), new byte[0],
                (t, r, v, l) -> {
                    classCalls.add(String.format("%02X %02X %04X %d", t, r, v, l));
                    return r == 0x03 ? Hex.decode("00 2A 00 00 80 25 00 00") : r == 0x01 ? new byte[0] : null;
                });
    }

    String in(int type, int request, int value, int index, int length) {
        ControlResult r = req(type, request, value, index, length);
        assertEquals(0, r.status(), "status");
        return Hex.spaced(r.data());
    }

    void assertStall(int type, int request, int value, int index, int length) {
        ControlResult r = req(type, request, value, index, length);
        assertTrue(r.isStall(), () -> "expected a STALL, got " + r);
        assertEquals(-32, r.status());
        assertEquals(0, r.data().length);
    }

    @Test
    void deviceDescriptorIncludingTheFirst64ByteRead() {
        String dev = "12 01 00 02 00 00 00 40 09 12 01 00 00 01 01 02 03 01";
        assertEquals(dev, in(0x80, 6, 0x0100, 0, 64), "the hub driver's first read gets all 18 bytes");
        assertEquals(dev, in(0x80, 6, 0x0100, 0, 18));
        assertEquals("12 01 00 02 00 00 00 40", in(0x80, 6, 0x0100, 0, 8), "cut to wLength");
    }

    @Test
    void configurationWithTheClassDescriptorRightAfterTheInterface() {
        assertEquals("09 02 5D 00 01 01 00 80 32", in(0x80, 6, 0x0200, 0, 9));
        byte[] all = req(0x80, 6, 0x0200, 0, 0xFFFF).data();
        assertEquals(93, all.length);
        assertEquals("09 04 00 00 03 0B 00 00 04", Hex.spaced(all, 9, 9));
        assertEquals(Hex.spaced(CLASS), Hex.spaced(all, 18, 54));
        assertEquals("07 05 01 02 40 00 00", Hex.spaced(all, 72, 7), "bulk OUT");
        assertEquals("07 05 82 02 40 00 00", Hex.spaced(all, 79, 7), "bulk IN");
        assertEquals("07 05 83 03 08 00 10", Hex.spaced(all, 86, 7), "interrupt IN, 8 bytes");
    }

    @Test
    void strings() {
        assertEquals("04 03 09 04", in(0x80, 6, 0x0300, 0, 255), "LANGID list");
        assertEquals("0C 03 76 00 63 00 63 00 69 00 64 00", in(0x80, 6, 0x0301, 0x0409, 255));
        assertEquals("0A 03 30 00 30 00 30 00 31 00", in(0x80, 6, 0x0303, 0x0409, 255));
        assertEquals("0C 03", in(0x80, 6, 0x0301, 0x0409, 2), "length probe");
        assertStall(0x80, 6, 0x0305, 0x0409, 255);
        CcidUsbDescriptors longName = CcidUsbDescriptors.builder(CLASS).strings("m", "x".repeat(300), "s").build();
        assertEquals(254, longName.string(2).length, "bLength is one byte: 126 characters at most");
    }

    @Test
    void setConfigurationAndGetConfiguration() {
        assertEquals("00", in(0x80, 8, 0, 0, 1));
        assertEquals("", in(0x00, 9, 1, 0, 0));
        assertTrue(st.isConfigured());
        assertEquals("01", in(0x80, 8, 0, 0, 1));
        assertStall(0x00, 9, 2, 0, 0);
        assertEquals("", in(0x00, 9, 0, 0, 0), "configuration 0: back to the Address state");
        assertFalse(st.isConfigured());
    }

    @Test
    void getStatusAndFeatures() {
        assertEquals("00 00", in(0x80, 0, 0, 0, 2), "bus-powered, remote wakeup off");
        assertStall(0x81, 0, 0, 0, 2); // interface status before configuration
        in(0x00, 9, 1, 0, 0);
        assertEquals("00 00", in(0x81, 0, 0, 0, 2));
        assertStall(0x81, 0, 0, 1, 2); // no interface 1
        assertEquals("00 00", in(0x82, 0, 0, 0x82, 2));
        assertEquals("", in(0x02, 3, 0, 0x82, 0), "SET_FEATURE(ENDPOINT_HALT)");
        assertTrue(st.isHalted(0x82));
        assertEquals("01 00", in(0x82, 0, 0, 0x82, 2));
        assertEquals("", in(0x02, 1, 0, 0x82, 0), "CLEAR_FEATURE(ENDPOINT_HALT)");
        assertEquals("00 00", in(0x82, 0, 0, 0x82, 2));
        assertStall(0x82, 0, 0, 0x84, 2); // no such endpoint
        assertStall(0x00, 3, 1, 0, 0); // remote wakeup not offered (dwFeatures has no USB wake-up)
        assertStall(0x00, 3, 2, 0, 0); // TEST_MODE
        assertStall(0x01, 3, 0, 0, 0); // interfaces have no features
        assertEquals("00", in(0x81, 10, 0, 0, 1), "GET_INTERFACE");
        assertEquals("", in(0x01, 11, 0, 0, 0), "SET_INTERFACE alt 0");
        assertStall(0x01, 11, 1, 0, 0);
    }

    @Test
    void remoteWakeupWhenTheReaderOffersIt() {
        byte[] cd = ClassDescriptor.builder().features(0x001404FE).build().toBytes();
        d = CcidUsbDescriptors.builder(cd).build();
        assertEquals((byte) 0xA0, d.configuration()[7], "bmAttributes remote wakeup");
        assertEquals("", in(0x00, 3, 1, 0, 0));
        assertEquals("02 00", in(0x80, 0, 0, 0, 2));
        assertEquals("", in(0x00, 1, 1, 0, 0));
        assertEquals("00 00", in(0x80, 0, 0, 0, 2));
    }

    @Test
    void classRequestsGoToTheReaderOnlyWhenConfiguredAndForOurInterface() {
        assertStall(0xA1, 0x03, 0, 0, 8);
        assertEquals(List.of(), classCalls, "not before SET_CONFIGURATION");
        in(0x00, 9, 1, 0, 0);
        assertEquals("00 2A 00 00", in(0xA1, 0x03, 0, 0, 4), "GET_DATA_RATES cut to wLength");
        assertEquals("", in(0x21, 0x01, 0x0301, 0, 0), "ABORT slot 1 seq 3");
        assertStall(0xA1, 0x02, 0, 0, 8); // the handler says unsupported
        assertStall(0xA1, 0x03, 0, 1, 8); // interface 1 does not exist
        assertStall(0xA2, 0x03, 0, 0x82, 8); // class request to an endpoint
        assertEquals(List.of("A1 03 0000 4", "21 01 0301 0", "A1 02 0000 8"), classCalls);
    }

    @ParameterizedTest
    @ValueSource(ints = { 0x0600, 0x0700, 0x0F00, 0x0400, 0x0500, 0x2100, 0x0101, 0x0201 })
    void descriptorsThisDeviceDoesNotHaveStall(int wValue) {
        assertStall(0x80, 6, wValue, 0, 64);
    }

    @Test
    void everythingElseStalls() {
        assertStall(0x00, 7, 0x0100, 0, 0); // SET_DESCRIPTOR
        assertStall(0x82, 12, 0, 0x83, 2); // SYNCH_FRAME
        assertStall(0xC0, 0x01, 0, 0, 4); // vendor
        assertStall(0x80, 0x55, 0, 0, 4); // undefined request
        assertStall(0x60, 0x00, 0, 0, 0); // reserved type
        assertStall(0x81, 6, 0x0100, 0, 18); // GET_DESCRIPTOR to an interface
        assertStall(0x80, 8, 0, 0, 2); // GET_CONFIGURATION with wLength 2
    }

    @Test
    void interruptPacketSizeFollowsTheSlotCount() {
        assertEquals(8, d.interruptMaxPacket());
        byte[] many = ClassDescriptor.builder().maxSlotIndex(63).build().toBytes();
        assertEquals(64, CcidUsbDescriptors.builder(many).build().interruptMaxPacket(), "17-byte NotifySlotChange");
    }

    @Test
    void rejectsAClassDescriptorThatIsNotOne() {
        assertThrows(IllegalArgumentException.class, () -> CcidUsbDescriptors.builder(new byte[54]).build());
        assertThrows(IllegalArgumentException.class, () -> CcidUsbDescriptors.builder(CLASS).ids(0x10000, 0, 0));
    }
}
