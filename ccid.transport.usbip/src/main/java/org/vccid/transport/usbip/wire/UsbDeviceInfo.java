package org.vccid.transport.usbip.wire;

import static org.vccid.transport.usbip.wire.UsbIp.*;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * struct usbip_usb_device (0x138 bytes, packed) and the interface entries that follow it in OP_REP_DEVLIST.
 *
 * @param interfaces (bInterfaceClass, bInterfaceSubClass, bInterfaceProtocol) per interface; its size is
 *     bNumInterfaces
 */
public record UsbDeviceInfo(String path, String busid, int busnum, int devnum, int speed, int idVendor,
        int idProduct, int bcdDevice, int bDeviceClass, int bDeviceSubClass, int bDeviceProtocol,
        int bConfigurationValue, int bNumConfigurations, List<UsbInterfaceInfo> interfaces) {

    /** One 4-byte interface entry of OP_REP_DEVLIST. */
    public record UsbInterfaceInfo(int bInterfaceClass, int bInterfaceSubClass, int bInterfaceProtocol) {
    }

    public UsbDeviceInfo {
        interfaces = List.copyOf(interfaces);
        if (path.getBytes(StandardCharsets.UTF_8).length >= PATH_SIZE) {
            throw new IllegalArgumentException("path longer than " + (PATH_SIZE - 1) + " bytes");
        }
        if (busid.isEmpty() || busid.getBytes(StandardCharsets.US_ASCII).length >= BUSID_SIZE) {
            throw new IllegalArgumentException("busid must be 1.." + (BUSID_SIZE - 1) + " ASCII bytes: " + busid);
        }
    }

    public int bNumInterfaces() {
        return interfaces.size();
    }

    /** The 0x138-byte struct (as in OP_REP_IMPORT). */
    public byte[] toBytes() {
        byte[] b = new byte[DEVICE_LENGTH];
        write(b, 0);
        return b;
    }

    /** The struct followed by its interface entries (as in OP_REP_DEVLIST). */
    public byte[] toBytesWithInterfaces() {
        byte[] b = new byte[DEVICE_LENGTH + INTERFACE_LENGTH * interfaces.size()];
        write(b, 0);
        int off = DEVICE_LENGTH;
        for (UsbInterfaceInfo i : interfaces) {
            b[off] = (byte) i.bInterfaceClass();
            b[off + 1] = (byte) i.bInterfaceSubClass();
            b[off + 2] = (byte) i.bInterfaceProtocol();
            off += INTERFACE_LENGTH; // fourth byte: padding
        }
        return b;
    }

    void write(byte[] b, int off) {
        putString(b, off, PATH_SIZE, path);
        putString(b, off + 0x100, BUSID_SIZE, busid);
        putBe32(b, off + 0x120, busnum);
        putBe32(b, off + 0x124, devnum);
        putBe32(b, off + 0x128, speed);
        putBe16(b, off + 0x12C, idVendor);
        putBe16(b, off + 0x12E, idProduct);
        putBe16(b, off + 0x130, bcdDevice);
        b[off + 0x132] = (byte) bDeviceClass;
        b[off + 0x133] = (byte) bDeviceSubClass;
        b[off + 0x134] = (byte) bDeviceProtocol;
        b[off + 0x135] = (byte) bConfigurationValue;
        b[off + 0x136] = (byte) bNumConfigurations;
        b[off + 0x137] = (byte) interfaces.size();
    }

    /**
     * Parse the struct at {@code off}; with {@code withInterfaces} the bNumInterfaces 4-byte entries that follow it
     * too (OP_REP_DEVLIST), otherwise none are read (OP_REP_IMPORT).
     */
    public static UsbDeviceInfo parse(byte[] b, int off, boolean withInterfaces) {
        int n = b[off + 0x137] & 0xFF;
        List<UsbInterfaceInfo> ifs = new ArrayList<>();
        if (withInterfaces) {
            for (int i = 0; i < n; i++) {
                int p = off + DEVICE_LENGTH + INTERFACE_LENGTH * i;
                ifs.add(new UsbInterfaceInfo(b[p] & 0xFF, b[p + 1] & 0xFF, b[p + 2] & 0xFF));
            }
        } else {
            for (int i = 0; i < n; i++) {
                ifs.add(new UsbInterfaceInfo(0, 0, 0)); // unknown: OP_REP_IMPORT carries no interface list
            }
        }
        return new UsbDeviceInfo(string(b, off, PATH_SIZE), string(b, off + 0x100, BUSID_SIZE),
                be32(b, off + 0x120), be32(b, off + 0x124), be32(b, off + 0x128), be16(b, off + 0x12C),
                be16(b, off + 0x12E), be16(b, off + 0x130), b[off + 0x132] & 0xFF, b[off + 0x133] & 0xFF,
                b[off + 0x134] & 0xFF, b[off + 0x135] & 0xFF, b[off + 0x136] & 0xFF, ifs);
    }

    /** Bytes one device takes in OP_REP_DEVLIST, given its bNumInterfaces byte. */
    public static int devlistEntryLength(byte[] struct, int off) {
        return DEVICE_LENGTH + INTERFACE_LENGTH * (struct[off + 0x137] & 0xFF);
    }

    private static void putString(byte[] b, int off, int size, String s) {
        byte[] v = s.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(v, 0, b, off, Math.min(v.length, size - 1)); // always NUL-terminated
    }

    /** A NUL-terminated (or field-filling) string. */
    static String string(byte[] b, int off, int size) {
        int n = 0;
        while (n < size && b[off + n] != 0) {
            n++;
        }
        return new String(b, off, n, StandardCharsets.UTF_8);
    }
}
