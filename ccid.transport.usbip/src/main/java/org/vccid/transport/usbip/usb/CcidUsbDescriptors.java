package org.vccid.transport.usbip.usb;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The descriptors of a full-speed USB CCID reader: one configuration, one interface (class 0x0B) with the 54-byte
 * CCID class descriptor directly after it (libccid requires it as the interface's "extra"), then bulk OUT, bulk IN
 * and interrupt IN endpoints, all 64-byte packets. bcdUSB 2.00 (no BOS descriptor is asked for below 2.01).
 * Immutable.
 */
public final class CcidUsbDescriptors {

    public static final int EP0_MAX_PACKET = 64;
    /** Full speed: bulk endpoints carry at most 64 bytes per packet. */
    public static final int BULK_MAX_PACKET = 64;
    public static final int EP_BULK_OUT = 0x01;
    public static final int EP_BULK_IN = 0x82;
    public static final int EP_INTERRUPT_IN = 0x83;
    public static final int INTERRUPT_INTERVAL = 0x10;
    public static final int CONFIGURATION_VALUE = 1;
    public static final int INTERFACE_NUMBER = 0;
    public static final int STRING_MANUFACTURER = 1;
    public static final int STRING_PRODUCT = 2;
    public static final int STRING_SERIAL = 3;
    public static final int STRING_INTERFACE = 4;
    /** The longest string descriptor: bLength is one byte. */
    public static final int MAX_STRING_CHARS = 126;

    private static final int CCID_FEATURE_USB_WAKEUP = 0x00100000;

    private final byte[] device;
    private final byte[] configuration;
    private final List<String> strings;
    private final boolean remoteWakeup;
    private final int interruptMaxPacket;

    private CcidUsbDescriptors(Builder b) {
        byte[] cd = b.classDescriptor;
        if (cd.length != 54 || (cd[0] & 0xFF) != 54 || (cd[1] & 0xFF) != 0x21) {
            throw new IllegalArgumentException("a CCID class descriptor is 54 bytes of type 0x21");
        }
        int features = le32(cd, 40);
        remoteWakeup = (features & CCID_FEATURE_USB_WAKEUP) != 0;
        int slots = (cd[4] & 0xFF) + 1;
        int notifyLength = 1 + (2 * slots + 7) / 8; // RDR_to_PC_NotifySlotChange: 2 bits per slot
        interruptMaxPacket = notifyLength <= 8 ? 8 : 64;

        device = new byte[] { 18, Usb.DT_DEVICE, 0x00, 0x02, // bcdUSB 2.00
                0, 0, 0, // class per interface
                EP0_MAX_PACKET, (byte) b.idVendor, (byte) (b.idVendor >>> 8), (byte) b.idProduct,
                (byte) (b.idProduct >>> 8), (byte) b.bcdDevice, (byte) (b.bcdDevice >>> 8), STRING_MANUFACTURER,
                STRING_PRODUCT, STRING_SERIAL, 1 };

        ByteArrayOutputStream c = new ByteArrayOutputStream();
        int total = 9 + 9 + 54 + 3 * 7;
        c.writeBytes(new byte[] { 9, Usb.DT_CONFIG, (byte) total, (byte) (total >>> 8), 1, CONFIGURATION_VALUE, 0,
                (byte) (0x80 | (remoteWakeup ? 0x20 : 0)), // bus-powered, remote wakeup per dwFeatures
                50 }); // 100 mA
        c.writeBytes(new byte[] { 9, Usb.DT_INTERFACE, INTERFACE_NUMBER, 0, 3, Usb.CLASS_CSCID, 0, 0,
                STRING_INTERFACE });
        c.writeBytes(cd);
        c.writeBytes(endpoint(EP_BULK_OUT, Usb.XFER_BULK, BULK_MAX_PACKET, 0));
        c.writeBytes(endpoint(EP_BULK_IN, Usb.XFER_BULK, BULK_MAX_PACKET, 0));
        c.writeBytes(endpoint(EP_INTERRUPT_IN, Usb.XFER_INTERRUPT, interruptMaxPacket, INTERRUPT_INTERVAL));
        configuration = c.toByteArray();
        strings = List.of(b.manufacturer, b.product, b.serial, "CCID Interface");
    }

    private static byte[] endpoint(int address, int type, int maxPacket, int interval) {
        return new byte[] { 7, Usb.DT_ENDPOINT, (byte) address, (byte) type, (byte) maxPacket, (byte) (maxPacket >>> 8),
                (byte) interval };
    }

    public static Builder builder(byte[] classDescriptor) {
        return new Builder(classDescriptor);
    }

    /** The 18-byte device descriptor. */
    public byte[] device() {
        return device.clone();
    }

    /** The whole configuration: configuration, interface, CCID class and endpoint descriptors (wTotalLength). */
    public byte[] configuration() {
        return configuration.clone();
    }

    /**
     * String descriptor {@code index}: 0 is the LANGID list, 1..4 manufacturer, product, serial number, interface;
     * {@code null} for any other index. UTF-16LE, cut to {@value #MAX_STRING_CHARS} characters.
     */
    public byte[] string(int index) {
        if (index == 0) {
            return new byte[] { 4, Usb.DT_STRING, (byte) Usb.LANGID_EN_US, (byte) (Usb.LANGID_EN_US >>> 8) };
        }
        if (index < 1 || index > strings.size()) {
            return null;
        }
        String s = strings.get(index - 1);
        if (s.length() > MAX_STRING_CHARS) {
            s = s.substring(0, MAX_STRING_CHARS);
        }
        byte[] u = s.getBytes(StandardCharsets.UTF_16LE);
        byte[] d = new byte[2 + u.length];
        d[0] = (byte) d.length;
        d[1] = Usb.DT_STRING;
        System.arraycopy(u, 0, d, 2, u.length);
        return d;
    }

    public int idVendor() {
        return le16(device, 8);
    }

    public int idProduct() {
        return le16(device, 10);
    }

    public int bcdDevice() {
        return le16(device, 12);
    }

    public boolean remoteWakeup() {
        return remoteWakeup;
    }

    public int interruptMaxPacket() {
        return interruptMaxPacket;
    }

    /** The transfer type of an endpoint address (with its direction bit), or -1 if the device has no such endpoint. */
    public static int endpointType(int address) {
        switch (address) {
        case 0x00:
        case 0x80:
            return Usb.XFER_CONTROL;
        case EP_BULK_OUT:
        case EP_BULK_IN:
            return Usb.XFER_BULK;
        case EP_INTERRUPT_IN:
            return Usb.XFER_INTERRUPT;
        default:
            return -1;
        }
    }

    private static int le16(byte[] b, int off) {
        return b[off] & 0xFF | (b[off + 1] & 0xFF) << 8;
    }

    private static int le32(byte[] b, int off) {
        return le16(b, off) | le16(b, off + 2) << 16;
    }

    public static final class Builder {
        private final byte[] classDescriptor;
        private int idVendor = 0x1209;
        private int idProduct = 0x0001;
        private int bcdDevice = 0x0100;
        private String manufacturer = "vccid";
        private String product = "vccid Virtual Reader";
        private String serial = "0001";

        Builder(byte[] classDescriptor) {
            this.classDescriptor = classDescriptor.clone();
        }

        public Builder ids(int idVendor, int idProduct, int bcdDevice) {
            this.idVendor = check16(idVendor);
            this.idProduct = check16(idProduct);
            this.bcdDevice = check16(bcdDevice);
            return this;
        }

        public Builder strings(String manufacturer, String product, String serial) {
            this.manufacturer = manufacturer == null ? "" : manufacturer;
            this.product = product == null ? "" : product;
            this.serial = serial == null ? "" : serial;
            return this;
        }

        public CcidUsbDescriptors build() {
            return new CcidUsbDescriptors(this);
        }

        private static int check16(int v) {
            if (v < 0 || v > 0xFFFF) {
                throw new IllegalArgumentException("not a 16-bit value: " + v);
            }
            return v;
        }
    }
}
