package org.vccid.transport.usbip.client;

import static org.vccid.transport.usbip.wire.UsbIp.*;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.vccid.ccid.CcidMessage;
import org.vccid.transport.usbip.client.VhciClient.Urb;
import org.vccid.transport.usbip.usb.Setup;
import org.vccid.transport.usbip.wire.RetSubmit;
import org.vccid.transport.usbip.wire.RetUnlink;

/**
 * What Linux does on top of vhci: the hub driver's enumeration (hub.c, usbip.md 1.4) and libccid's use of the
 * device (ccid_usb.c / commands.c: open hack, bulk transfers sized as libccid sizes them, unlinked reads).
 */
public final class LinuxHost implements AutoCloseable {

    /** libccid's XfrBlock read buffer: 10 + 65546 bytes. */
    public static final int LIBCCID_READ_BUFFER = 10 + 65546;

    public final VhciClient usb;
    public byte[] deviceDescriptor;
    public byte[] configuration;
    public final List<String> strings = new ArrayList<>();
    public int epBulkOut = -1;
    public int epBulkIn = -1;
    public int epInterrupt = -1;
    public byte[] classDescriptor;
    private int bSeq;

    public LinuxHost(VhciClient usb) {
        this.usb = usb;
    }

    public static LinuxHost attach(int port, String busid) throws IOException {
        return new LinuxHost(VhciClient.attach(port, busid, (int) (System.nanoTime() & 0xFFFF) + 100));
    }

    public RetSubmit control(int bmRequestType, int bRequest, int wValue, int wIndex, int wLength, byte[] out)
            throws IOException {
        return usb.control(Setup.of(bmRequestType, bRequest, wValue, wIndex, wLength), out).await();
    }

    private byte[] getDescriptor(int type, int index, int langid, int wLength) throws IOException {
        RetSubmit r = control(0x80, 6, type << 8 | index, langid, wLength, null);
        if (r.status() != 0) {
            throw new IOException("GET_DESCRIPTOR " + type + "/" + index + " failed: " + r.status());
        }
        return r.data();
    }

    /** hub_port_init + usb_new_device + usb_set_configuration, in the kernel's order. */
    public void enumerate() throws IOException {
        byte[] first = getDescriptor(1, 0, 0, 64); // the "new scheme" first read, 64 bytes
        if (first.length < 8 || (first[7] & 0xFF) != 64) {
            throw new IOException("bad first device descriptor read");
        }
        deviceDescriptor = getDescriptor(1, 0, 0, 18);
        byte[] head = getDescriptor(2, 0, 0, 9);
        int total = head[2] & 0xFF | (head[3] & 0xFF) << 8;
        configuration = getDescriptor(2, 0, 0, total);
        if (configuration.length != total) {
            throw new IOException("configuration of " + configuration.length + " bytes, wTotalLength " + total);
        }
        byte[] lang = getDescriptor(3, 0, 0, 255);
        int langid = lang[2] & 0xFF | (lang[3] & 0xFF) << 8;
        for (int i : new int[] { deviceDescriptor[15], deviceDescriptor[14], deviceDescriptor[16] }) { // product, manufacturer, serial
            strings.add(i == 0 ? "" : utf16(getDescriptor(3, i, langid, 255)));
        }
        parseConfiguration();
        RetSubmit r = control(0x00, 9, configuration[5] & 0xFF, 0, 0, new byte[0]);
        if (r.status() != 0 || r.actualLength() != 0) {
            throw new IOException("SET_CONFIGURATION failed: " + r);
        }
    }

    private static String utf16(byte[] d) {
        return new String(d, 2, (d[0] & 0xFF) - 2, StandardCharsets.UTF_16LE);
    }

    /** libccid get_ccid_usb_interface / get_end_points: the class descriptor must be the interface's extra. */
    private void parseConfiguration() throws IOException {
        int off = 0;
        boolean inCcid = false;
        while (off < configuration.length) {
            int len = configuration[off] & 0xFF;
            int type = configuration[off + 1] & 0xFF;
            if (len < 2) {
                throw new IOException("descriptor of length " + len);
            }
            if (type == 4) {
                inCcid = (configuration[off + 5] & 0xFF) == 0x0B;
                if (inCcid) {
                    int next = off + len;
                    if ((configuration[next] & 0xFF) != 54 || (configuration[next + 1] & 0xFF) != 0x21) {
                        throw new IOException("Extra field has a wrong length");
                    }
                    classDescriptor = java.util.Arrays.copyOfRange(configuration, next, next + 54);
                }
            } else if (type == 5 && inCcid) {
                int addr = configuration[off + 2] & 0xFF;
                int attr = configuration[off + 3] & 0xFF;
                if (attr == 2 && addr < 0x80) {
                    epBulkOut = addr;
                } else if (attr == 2) {
                    epBulkIn = addr & 0x0F;
                } else if (attr == 3) {
                    epInterrupt = addr & 0x0F;
                }
            }
            off += len;
        }
        if (epBulkOut < 0 || epBulkIn < 0 || classDescriptor == null) {
            throw new IOException("no CCID interface");
        }
    }

    /**
     * ccid_open_hack_pre: InterruptRead(100 ms), then unlink. Returns the notification if one came, else null (then
     * the unlink must have cancelled the URB).
     */
    public byte[] interruptReadWithTimeout(long ms) throws IOException {
        Urb u = usb.bulkIn(epInterrupt, 8); // libccid's interrupt buffer is 8 bytes
        RetSubmit r = u.poll(ms);
        RetUnlink un = VhciClient.get(usb.unlink(u), 5000);
        if (r != null) {
            if (un.status() != 0) {
                throw new IOException("unlink of a completed URB answered " + un.status());
            }
            return r.data();
        }
        if (un.status() != ECONNRESET) {
            // it completed between our timeout and the unlink: its RET_SUBMIT must have come first
            RetSubmit late = u.poll(0);
            if (un.status() != 0 || late == null) {
                throw new IOException("unlink of a pending URB answered " + un.status());
            }
            return late.data();
        }
        return null;
    }

    public int nextSeq() {
        return bSeq++ & 0xFF;
    }

    /** One command: a synchronous bulk OUT, then one bulk-IN of {@code readBuffer} bytes. */
    public CcidMessage exchange(CcidMessage m, int readBuffer) throws IOException {
        send(m);
        RetSubmit in = usb.bulkIn(epBulkIn, readBuffer).await();
        if (in.status() != 0) {
            throw new IOException("bulk IN failed: " + in.status());
        }
        return CcidMessage.parse(in.data());
    }

    public void send(CcidMessage m) throws IOException {
        byte[] b = m.toBytes();
        RetSubmit out = usb.bulkOut(epBulkOut, b).await();
        if (out.status() != 0 || out.actualLength() != b.length) {
            throw new IOException("bulk OUT failed: " + out);
        }
    }

    /** libccid's open: interrupt read hack, GetSlotStatus (3 s), the 100 ms warm-up GetSlotStatus. */
    public CcidMessage libccidOpen() throws IOException {
        if (epInterrupt >= 0) {
            interruptReadWithTimeout(100);
        }
        exchange(CcidMessage.getSlotStatus(0, nextSeq()), 10);
        return exchange(CcidMessage.getSlotStatus(0, nextSeq()), 10);
    }

    public CcidMessage powerOn() throws IOException {
        return exchange(CcidMessage.iccPowerOn(0, nextSeq(), 0), 10 + 33);
    }

    public CcidMessage transmit(byte[] apdu) throws IOException {
        return exchange(CcidMessage.xfrBlock(0, nextSeq(), 0, 0, apdu), LIBCCID_READ_BUFFER);
    }

    @Override
    public void close() throws IOException {
        usb.close();
    }

    static void sleep(long ms) {
        try {
            TimeUnit.MILLISECONDS.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
