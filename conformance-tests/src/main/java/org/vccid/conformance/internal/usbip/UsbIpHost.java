package org.vccid.conformance.internal.usbip;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import org.vccid.transport.usbip.usb.CcidUsbDescriptors;
import org.vccid.transport.usbip.wire.CmdSubmit;
import org.vccid.transport.usbip.wire.CmdUnlink;
import org.vccid.transport.usbip.wire.OpCommon;
import org.vccid.transport.usbip.wire.OpMessages;
import org.vccid.transport.usbip.wire.UsbDeviceInfo;
import org.vccid.transport.usbip.wire.UsbIp;

/**
 * A USB/IP host (what Linux vhci-hcd does) for one imported CCID reader, written with ccid.transport.usbip's
 * exported wire codecs: OP_REQ_IMPORT, SET_CONFIGURATION 1, then one CMD_SUBMIT per bulk OUT message, one
 * outstanding bulk IN URB, an interrupt IN URB per poll (unlinked when nothing came) and requests on endpoint 0.
 */
final class UsbIpHost implements AutoCloseable {

    private final Socket socket;
    private final OutputStream out;
    private final DataInputStream in;
    private final int devid;
    private final long timeoutMillis;
    private final AtomicInteger seqnum = new AtomicInteger();
    private final Map<Integer, Urb> pending = new ConcurrentHashMap<>();
    /** CMD_UNLINK seqnum -> the URB it unlinks. */
    private final Map<Integer, Urb> unlinks = new ConcurrentHashMap<>();
    private final LinkedBlockingQueue<byte[]> bulkIn = new LinkedBlockingQueue<>();
    private final Thread reader;
    private volatile boolean closed;

    /** The devices a USB/IP server lists (OP_REQ_DEVLIST). */
    static List<UsbDeviceInfo> devices(String host, int port, int timeoutMillis) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), timeoutMillis);
            s.setSoTimeout(timeoutMillis);
            s.getOutputStream().write(OpMessages.devlistRequest());
            DataInputStream in = new DataInputStream(s.getInputStream());
            byte[] head = new byte[UsbIp.OP_COMMON_LENGTH + 4];
            in.readFully(head);
            OpCommon c = OpCommon.parse(head, 0);
            if (c.code() != UsbIp.OP_REP_DEVLIST || c.status() != UsbIp.ST_OK) {
                throw new IOException("OP_REP_DEVLIST code " + c.code() + " status " + c.status());
            }
            int n = ByteBuffer.wrap(head).getInt(UsbIp.OP_COMMON_LENGTH);
            List<UsbDeviceInfo> list = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                byte[] d = new byte[UsbIp.DEVICE_LENGTH];
                in.readFully(d);
                int extra = UsbDeviceInfo.devlistEntryLength(d, 0) - UsbIp.DEVICE_LENGTH;
                byte[] all = new byte[UsbIp.DEVICE_LENGTH + extra];
                System.arraycopy(d, 0, all, 0, d.length);
                in.readFully(all, UsbIp.DEVICE_LENGTH, extra);
                list.add(UsbDeviceInfo.parse(all, 0, true));
            }
            return list;
        }
    }

    /**
     * Import {@code busid} from the server at host:port and configure the device.
     *
     * @throws IOException when the import is refused or the device does not configure
     */
    UsbIpHost(String host, int port, String busid, long timeoutMillis) throws Exception {
        this.timeoutMillis = timeoutMillis;
        socket = new Socket();
        try {
            socket.connect(new InetSocketAddress(host, port), (int) Math.min(timeoutMillis, Integer.MAX_VALUE));
            socket.setTcpNoDelay(true);
            out = socket.getOutputStream();
            in = new DataInputStream(socket.getInputStream());
            socket.setSoTimeout((int) timeoutMillis);
            out.write(OpMessages.importRequest(busid));
            byte[] common = new byte[UsbIp.OP_COMMON_LENGTH];
            in.readFully(common);
            int status = ByteBuffer.wrap(common).getInt(4);
            if (status != UsbIp.ST_OK) {
                throw new IOException("OP_REP_IMPORT status " + status + " for busid " + busid + " at " + host + ":"
                        + port);
            }
            byte[] device = new byte[UsbIp.DEVICE_LENGTH];
            in.readFully(device);
            socket.setSoTimeout(0);
            ByteBuffer d = ByteBuffer.wrap(device);
            devid = d.getInt(UsbIp.PATH_SIZE + UsbIp.BUSID_SIZE) << 16
                    | d.getInt(UsbIp.PATH_SIZE + UsbIp.BUSID_SIZE + 4);
        } catch (Exception e) {
            socket.close();
            throw e;
        }
        reader = new Thread(this::readLoop, "usbip-target-" + busid);
        reader.setDaemon(true);
        reader.start();
        try {
            // SET_CONFIGURATION 1, as a host does before using the interface
            if (control(0x00, 0x09, 1, 0) == null) {
                throw new IOException("SET_CONFIGURATION 1 stalled");
            }
            submitBulkIn();
        } catch (Exception e) {
            close();
            throw e;
        }
    }

    private static final class Urb {
        final boolean in;
        final int seq;
        final CompletableFuture<byte[]> done = new CompletableFuture<>(); // null data = STALL or error

        Urb(boolean in, int seq) {
            this.in = in;
            this.seq = seq;
        }
    }

    private Urb submit(boolean isIn, int ep, byte[] setup, byte[] data, int length) throws IOException {
        int seq = seqnum.incrementAndGet();
        Urb u = new Urb(isIn, seq);
        pending.put(seq, u);
        CmdSubmit c = new CmdSubmit(seq, devid, isIn ? UsbIp.USBIP_DIR_IN : UsbIp.USBIP_DIR_OUT, ep,
                isIn ? UsbIp.URB_DIR_IN : 0, length, 0, 0, 0, setup, isIn ? new byte[0] : data);
        synchronized (out) {
            out.write(c.toBytes());
            out.flush();
        }
        return u;
    }

    private void submitBulkIn() throws IOException {
        Urb u = submit(true, CcidUsbDescriptors.EP_BULK_IN & 0x7F, new byte[8], null, 65_600);
        u.done.thenAccept(data -> {
            if (data != null) {
                bulkIn.add(data);
            }
            if (!closed) {
                try {
                    submitBulkIn();
                } catch (IOException e) {
                    // connection gone: receive() times out
                }
            }
        });
    }

    private void readLoop() {
        byte[] h = new byte[UsbIp.URB_HEADER_LENGTH];
        try {
            while (true) {
                in.readFully(h);
                ByteBuffer b = ByteBuffer.wrap(h);
                int command = b.getInt(0);
                int seq = b.getInt(4);
                int status = b.getInt(0x14);
                if (command == UsbIp.USBIP_RET_UNLINK) {
                    // the server answers RET_UNLINK and no RET_SUBMIT for a URB it removed (-ECONNRESET), or
                    // RET_UNLINK 0 after the URB's RET_SUBMIT: either way the URB is done; no-op if completed
                    Urb u = unlinks.remove(seq);
                    if (u != null) {
                        pending.remove(u.seq);
                        u.done.complete(null);
                    }
                    continue;
                }
                if (command != UsbIp.USBIP_RET_SUBMIT) {
                    throw new IOException("unexpected USB/IP command " + command);
                }
                Urb u = pending.remove(seq);
                int actual = b.getInt(0x18);
                byte[] data = new byte[0];
                if (u != null && u.in && actual > 0) {
                    data = new byte[actual];
                    in.readFully(data);
                }
                if (u != null) {
                    u.done.complete(status == 0 ? data : null);
                }
            }
        } catch (IOException e) {
            pending.values().forEach(u -> u.done.complete(null));
        }
    }

    void send(byte[] message) throws Exception {
        Urb u = submit(false, CcidUsbDescriptors.EP_BULK_OUT, new byte[8], message, message.length);
        if (u.done.get(timeoutMillis, TimeUnit.MILLISECONDS) == null) {
            throw new IOException("bulk OUT URB failed");
        }
    }

    byte[] receive(long timeoutMillis) throws InterruptedException {
        return timeoutMillis <= 0 ? bulkIn.poll() : bulkIn.poll(timeoutMillis, TimeUnit.MILLISECONDS);
    }

    byte[] interrupt(long waitMillis) throws Exception {
        Urb u = submit(true, CcidUsbDescriptors.EP_INTERRUPT_IN & 0x7F, new byte[8], null, 64);
        byte[] data;
        try {
            // the value the URB completes with, not a side effect of a dependent action: get() may wake
            // before such an action has run
            data = u.done.get(Math.max(waitMillis, 30), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            int unlink = seqnum.incrementAndGet();
            unlinks.put(unlink, u);
            synchronized (out) {
                out.write(new CmdUnlink(unlink, devid, UsbIp.USBIP_DIR_IN, CcidUsbDescriptors.EP_INTERRUPT_IN & 0x7F,
                        u.seq).toBytes());
                out.flush();
            }
            try {
                // the data if the URB completed before the unlink, null once RET_UNLINK came
                data = u.done.get(timeoutMillis, TimeUnit.MILLISECONDS);
            } catch (TimeoutException again) {
                throw new IOException("no RET_UNLINK for an interrupt URB within " + timeoutMillis + " ms");
            }
        }
        return data != null && data.length > 0 ? data : null;
    }

    /** A request on endpoint 0; null when the device STALLs it. */
    byte[] control(int bmRequestType, int bRequest, int wValue, int wLength) throws Exception {
        return control(bmRequestType, bRequest, wValue, 0, wLength);
    }

    byte[] control(int bmRequestType, int bRequest, int wValue, int wIndex, int wLength) throws Exception {
        byte[] setup = { (byte) bmRequestType, (byte) bRequest, (byte) wValue, (byte) (wValue >>> 8), (byte) wIndex,
                (byte) (wIndex >>> 8), (byte) wLength, (byte) (wLength >>> 8) };
        boolean isIn = (bmRequestType & 0x80) != 0;
        Urb u = submit(isIn, 0, setup, new byte[0], isIn ? wLength : 0);
        return u.done.get(timeoutMillis, TimeUnit.MILLISECONDS);
    }

    /** The device's product string (USB string descriptor 2, language 0x0409): the reader's name. */
    String product() throws Exception {
        byte[] d = control(0x80, 0x06, 0x0300 | CcidUsbDescriptors.STRING_PRODUCT, 0x0409, 255);
        if (d == null || d.length < 2) {
            throw new IOException("GET_DESCRIPTOR string 2 failed");
        }
        return new String(d, 2, Math.min(d[0] & 0xFF, d.length) - 2, StandardCharsets.UTF_16LE);
    }

    @Override
    public void close() {
        closed = true;
        try {
            socket.close();
        } catch (IOException e) {
            // closing anyway
        }
    }
}
