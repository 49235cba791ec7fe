package org.vccid.conformance.usbip;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import org.vccid.card.Card;
import org.vccid.conformance.internal.inprocess.EngineReaders;
import org.vccid.conformance.internal.inprocess.ReaderFactory;
import org.vccid.conformance.target.CardSource;
import org.vccid.conformance.target.ReaderSpec;
import org.vccid.conformance.target.Target;
import org.vccid.conformance.target.TargetSession;
import org.vccid.transport.usbip.internal.UsbIpServer;
import org.vccid.transport.usbip.usb.CcidUsbDescriptors;
import org.vccid.transport.usbip.wire.CmdSubmit;
import org.vccid.transport.usbip.wire.CmdUnlink;
import org.vccid.transport.usbip.wire.OpMessages;
import org.vccid.transport.usbip.wire.UsbIp;

/**
 * The USB/IP target: the reader is exported by ccid.transport.usbip's server on a loopback port (37600-37619) and
 * the runner is a USB/IP host written here with the module's exported wire codecs: OP_REQ_IMPORT, then one
 * CMD_SUBMIT per bulk OUT message, one outstanding bulk IN URB, an interrupt IN URB per poll (unlinked when
 * nothing came) and class requests on endpoint 0. Test scope: it starts the server class directly.
 */
public final class UsbIpTarget implements Target, AutoCloseable {

    private final EngineReaders readers;
    private final UsbIpServer server;
    private final AtomicInteger count = new AtomicInteger();

    public UsbIpTarget(EngineReaders readers) throws IOException {
        this.readers = readers;
        UsbIpServer s = null;
        IOException last = null;
        for (int port = 37600; port < 37620 && s == null; port++) {
            UsbIpServer candidate = new UsbIpServer(new UsbIpServer.Settings("127.0.0.1", port, 1, -1, -1, 16, 5_000));
            try {
                candidate.start();
                s = candidate;
            } catch (IOException e) {
                last = e; // taken
            }
        }
        if (s == null) {
            throw last;
        }
        server = s;
    }

    @Override
    public String name() {
        return "usbip";
    }

    @Override
    public TargetSession open(ReaderSpec spec, CardSource cards) throws Exception {
        ReaderFactory.Built built = readers.create("vccid usbip conformance " + count.incrementAndGet(), spec);
        try {
            String busid = server.export(built.device());
            return new Session(built, cards, new Socket("127.0.0.1", server.port()), busid);
        } catch (Exception e) {
            server.unexport(built.device());
            built.close();
            throw e;
        }
    }

    /** USB/IP connections the server serves now (for tests). */
    public int connections() {
        return server.connectionCount();
    }

    @Override
    public void close() {
        server.close();
    }

    private final class Session implements TargetSession {
        private final ReaderFactory.Built built;
        private final CardSource cards;
        private final Socket socket;
        private final OutputStream out;
        private final DataInputStream in;
        private final int devid;
        private final AtomicInteger seqnum = new AtomicInteger();
        private final Map<Integer, Urb> pending = new ConcurrentHashMap<>();
        private final LinkedBlockingQueue<byte[]> bulkIn = new LinkedBlockingQueue<>();
        private final Map<Integer, Card> inserted = new ConcurrentHashMap<>();
        private final Thread reader;
        private volatile boolean closed;

        Session(ReaderFactory.Built built, CardSource cards, Socket socket, String busid) throws Exception {
            this.built = built;
            this.cards = cards;
            this.socket = socket;
            socket.setTcpNoDelay(true);
            out = socket.getOutputStream();
            in = new DataInputStream(socket.getInputStream());
            out.write(OpMessages.importRequest(busid));
            byte[] common = new byte[UsbIp.OP_COMMON_LENGTH];
            in.readFully(common);
            int status = ByteBuffer.wrap(common).getInt(4);
            if (status != UsbIp.ST_OK) {
                throw new IOException("OP_REP_IMPORT status " + status + " for " + busid);
            }
            byte[] device = new byte[UsbIp.DEVICE_LENGTH];
            in.readFully(device);
            ByteBuffer d = ByteBuffer.wrap(device);
            devid = d.getInt(UsbIp.PATH_SIZE + UsbIp.BUSID_SIZE) << 16 | d.getInt(UsbIp.PATH_SIZE + UsbIp.BUSID_SIZE + 4);
            reader = new Thread(this::readLoop, "usbip-target-" + busid);
            reader.setDaemon(true);
            reader.start();
            // SET_CONFIGURATION 1, as a host does before using the interface
            if (control(0x00, 0x09, 1, 0) == null) {
                throw new IOException("SET_CONFIGURATION stalled");
            }
            submitBulkIn();
        }

        private final class Urb {
            final boolean in;
            final int ep;
            final CompletableFuture<byte[]> done = new CompletableFuture<>(); // null data = STALL
            volatile int seq;

            Urb(boolean in, int ep) {
                this.in = in;
                this.ep = ep;
            }
        }

        private Urb submit(boolean isIn, int ep, byte[] setup, byte[] data, int length) throws IOException {
            int seq = seqnum.incrementAndGet();
            Urb u = new Urb(isIn, ep);
            u.seq = seq;
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
                        continue; // the unlinked URB (if it was still there) is completed with no data below
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

        @Override
        public void send(byte[] message) throws Exception {
            Urb u = submit(false, CcidUsbDescriptors.EP_BULK_OUT, new byte[8], message, message.length);
            if (u.done.get(5, TimeUnit.SECONDS) == null) {
                throw new IOException("bulk OUT URB failed");
            }
        }

        @Override
        public byte[] receive(long timeoutMillis) throws InterruptedException {
            return timeoutMillis <= 0 ? bulkIn.poll() : bulkIn.poll(timeoutMillis, TimeUnit.MILLISECONDS);
        }

        @Override
        public byte[] interrupt(long timeoutMillis) throws Exception {
            Urb u = submit(true, CcidUsbDescriptors.EP_INTERRUPT_IN & 0x7F, new byte[8], null, 64);
            byte[] data;
            try {
                // the value the URB completes with, not a side effect of a dependent action: get() may wake
                // before such an action has run
                data = u.done.get(Math.max(timeoutMillis, 30), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                synchronized (out) {
                    out.write(new CmdUnlink(seqnum.incrementAndGet(), devid, UsbIp.USBIP_DIR_IN,
                            CcidUsbDescriptors.EP_INTERRUPT_IN & 0x7F, u.seq).toBytes());
                    out.flush();
                }
                try {
                    data = u.done.get(2, TimeUnit.SECONDS); // RET_SUBMIT -ECONNRESET (null), or the data if it raced
                } catch (TimeoutException again) {
                    data = null; // the server answered RET_UNLINK only: the URB is gone with no data
                    pending.remove(u.seq);
                }
            }
            return data != null && data.length > 0 ? data : null;
        }

        @Override
        public byte[] control(int bmRequestType, int bRequest, int wValue, int wLength) throws Exception {
            byte[] setup = { (byte) bmRequestType, (byte) bRequest, (byte) wValue, (byte) (wValue >>> 8), 0, 0,
                    (byte) wLength, (byte) (wLength >>> 8) };
            boolean isIn = (bmRequestType & 0x80) != 0;
            Urb u = submit(isIn, 0, setup, new byte[0], isIn ? wLength : 0);
            return u.done.get(5, TimeUnit.SECONDS);
        }

        @Override
        public void insert(int slot) {
            Card card = cards.newCard();
            try {
                built.reader().slot(slot).insert(card);
            } catch (RuntimeException e) {
                cards.release(card);
                throw e;
            }
            Card old = inserted.put(slot, card);
            if (old != null) {
                cards.release(old);
            }
        }

        @Override
        public void remove(int slot) {
            built.reader().slot(slot).eject();
            Card old = inserted.remove(slot);
            if (old != null) {
                cards.release(old);
            }
        }

        @Override
        public void close() {
            closed = true;
            try {
                socket.close();
            } catch (IOException e) {
                // closing anyway
            }
            server.unexport(built.device());
            built.close();
            inserted.values().forEach(cards::release);
        }
    }
}
