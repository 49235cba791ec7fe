package org.vccid.transport.usbip.client;

import static org.vccid.transport.usbip.wire.UsbIp.*;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import org.vccid.transport.usbip.usb.Setup;
import org.vccid.transport.usbip.wire.CmdSubmit;
import org.vccid.transport.usbip.wire.CmdUnlink;
import org.vccid.transport.usbip.wire.OpCommon;
import org.vccid.transport.usbip.wire.OpMessages;
import org.vccid.transport.usbip.wire.RetSubmit;
import org.vccid.transport.usbip.wire.RetUnlink;
import org.vccid.transport.usbip.wire.UsbDeviceInfo;

/**
 * A host-side USB/IP client for tests that behaves like Linux vhci-hcd and the usbip tool (usbip.md 1.2-1.4): it
 * rejects what vhci would kill the link for (a RET_SUBMIT for a seqnum that is not pending, IN data longer than the
 * URB, an unknown command) by recording a {@linkplain #violations() violation}. Seqnums come from a counter shared
 * by SUBMIT and UNLINK, starting anywhere.
 */
public final class VhciClient implements AutoCloseable {

    /** A submitted URB and its completion. */
    public static final class Urb {
        public final CmdSubmit cmd;
        public final CompletableFuture<RetSubmit> done = new CompletableFuture<>();

        Urb(CmdSubmit cmd) {
            this.cmd = cmd;
        }

        public RetSubmit await() {
            return get(done, 5000);
        }

        /** The completion within {@code ms}, or null. */
        public RetSubmit poll(long ms) {
            try {
                return done.get(ms, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                return null;
            } catch (InterruptedException | ExecutionException e) {
                throw new AssertionError(e);
            }
        }
    }

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private final Capture capture;
    private final AtomicInteger seqnum;
    private final Map<Integer, Urb> pending = new ConcurrentHashMap<>();
    private final Map<Integer, CompletableFuture<RetUnlink>> unlinks = new ConcurrentHashMap<>();
    private final Map<Integer, Integer> unlinkTargets = new ConcurrentHashMap<>();
    private final List<String> violations = new CopyOnWriteArrayList<>();
    private final CompletableFuture<Void> eof = new CompletableFuture<>();
    private Thread rx;
    public final UsbDeviceInfo device;
    public final int devid;

    private VhciClient(Socket socket, Capture capture, UsbDeviceInfo device, int firstSeqnum) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
        this.capture = capture;
        this.device = device;
        this.devid = device == null ? 0 : devid(device.busnum(), device.devnum());
        this.seqnum = new AtomicInteger(firstSeqnum);
    }

    public static Socket connect(int port) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
        s.setTcpNoDelay(true); // as the usbip tool does
        s.setSoTimeout(5000);
        return s;
    }

    /** {@code usbip list -r}: its own short connection. */
    public static List<UsbDeviceInfo> devlist(int port) throws IOException {
        try (Socket s = connect(port)) {
            s.getOutputStream().write(OpMessages.devlistRequest());
            DataInputStream in = new DataInputStream(s.getInputStream());
            byte[] h = new byte[12];
            in.readFully(h);
            OpCommon op = OpCommon.parse(h, 0);
            check(op.version() == VERSION && op.code() == OP_REP_DEVLIST && op.status() == ST_OK, "devlist reply " + op);
            int n = be32(h, 8);
            List<UsbDeviceInfo> r = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                byte[] d = new byte[DEVICE_LENGTH];
                in.readFully(d);
                byte[] all = Arrays.copyOf(d, UsbDeviceInfo.devlistEntryLength(d, 0));
                in.readFully(all, DEVICE_LENGTH, all.length - DEVICE_LENGTH);
                r.add(UsbDeviceInfo.parse(all, 0, true));
            }
            return r;
        }
    }

    /** The OP_REP_IMPORT status for this busid (the connection is closed afterwards unless it is ST_OK). */
    public static int tryImport(int port, String busid) throws IOException {
        try (Socket s = connect(port)) {
            s.getOutputStream().write(OpMessages.importRequest(busid));
            byte[] h = new byte[OP_COMMON_LENGTH];
            new DataInputStream(s.getInputStream()).readFully(h);
            return OpCommon.parse(h, 0).status();
        }
    }

    /** {@code usbip attach}: import, check the busid as usbip_attach.c does, then start the URB phase. */
    public static VhciClient attach(int port, String busid, int firstSeqnum) throws IOException {
        Socket s = connect(port);
        Capture cap = new Capture(s.getLocalPort(), port);
        byte[] req = OpMessages.importRequest(busid);
        s.getOutputStream().write(req);
        cap.add(true, req);
        DataInputStream in = new DataInputStream(s.getInputStream());
        byte[] h = new byte[OP_COMMON_LENGTH];
        in.readFully(h);
        OpCommon op = OpCommon.parse(h, 0);
        if (op.version() != VERSION || op.status() != ST_OK) {
            cap.add(false, h);
            s.close();
            throw new IOException("import of " + busid + " refused: status " + op.status());
        }
        byte[] d = new byte[DEVICE_LENGTH];
        in.readFully(d);
        byte[] reply = new byte[h.length + d.length];
        System.arraycopy(h, 0, reply, 0, h.length);
        System.arraycopy(d, 0, reply, h.length, d.length);
        cap.add(false, reply);
        UsbDeviceInfo info = UsbDeviceInfo.parse(d, 0, false);
        if (!info.busid().equals(busid)) {
            s.close();
            throw new IOException("recv different busid " + info.busid());
        }
        if (info.speed() != SPEED_FULL && info.speed() != SPEED_HIGH && info.speed() != SPEED_LOW) {
            s.close();
            throw new IOException("vhci would reject speed " + info.speed());
        }
        s.setSoTimeout(0);
        VhciClient c = new VhciClient(s, cap, info, firstSeqnum);
        c.rx = new Thread(c::receiveLoop, "vhci-client-rx");
        c.rx.setDaemon(true);
        c.rx.start();
        return c;
    }

    public Capture capture() {
        return capture;
    }

    public List<String> violations() {
        return violations;
    }

    public boolean isClosedByServer() {
        return eof.isDone();
    }

    /** Wait until the server closes the connection. */
    public boolean awaitEof(long ms) {
        try {
            eof.get(ms, TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (InterruptedException | ExecutionException e) {
            throw new AssertionError(e);
        }
    }

    // ------------------------------------------------------------------ URBs

    public int nextSeqnum() {
        return seqnum.incrementAndGet();
    }

    public Urb submit(int direction, int ep, int transferBufferLength, byte[] setup, byte[] data) throws IOException {
        int flags = direction == USBIP_DIR_IN ? URB_DIR_IN : 0;
        CmdSubmit c = new CmdSubmit(nextSeqnum(), devid, direction, ep, flags, transferBufferLength, 0, 0,
                ep == 0 ? 0 : 16, setup == null ? new byte[8] : setup, data == null ? new byte[0] : data);
        return submit(c);
    }

    public Urb submit(CmdSubmit c) throws IOException {
        Urb u = new Urb(c);
        pending.put(c.seqnum(), u);
        send(c.toBytes());
        return u;
    }

    public Urb control(Setup s, byte[] outData) throws IOException {
        return submit(s.isIn() ? USBIP_DIR_IN : USBIP_DIR_OUT, 0, s.wLength(), s.toBytes(), s.isIn() ? null : outData);
    }

    public Urb bulkOut(int ep, byte[] data) throws IOException {
        return submit(USBIP_DIR_OUT, ep, data.length, null, data);
    }

    public Urb bulkIn(int ep, int length) throws IOException {
        return submit(USBIP_DIR_IN, ep, length, null, null);
    }

    /** CMD_UNLINK of a URB (vhci_urb_dequeue): the answer says whether it was still pending. */
    public CompletableFuture<RetUnlink> unlink(Urb u) throws IOException {
        return unlink(u.cmd.seqnum());
    }

    public CompletableFuture<RetUnlink> unlink(int target) throws IOException {
        int seq = nextSeqnum();
        CompletableFuture<RetUnlink> f = new CompletableFuture<>();
        unlinks.put(seq, f);
        unlinkTargets.put(seq, target);
        send(new CmdUnlink(seq, devid, USBIP_DIR_OUT, 0, target).toBytes());
        return f;
    }

    public synchronized void send(byte[] b) throws IOException {
        capture.add(true, b);
        out.write(b);
        out.flush();
    }

    private void receiveLoop() {
        byte[] h = new byte[URB_HEADER_LENGTH];
        try {
            while (true) {
                in.readFully(h);
                int cmd = be32(h, 0);
                int seq = be32(h, 4);
                if (cmd == USBIP_RET_SUBMIT) {
                    Urb u = pending.remove(seq);
                    if (u == null) {
                        violation("cannot find a urb of seqnum " + seq);
                        capture.add(false, h.clone());
                        return; // vhci drops the link here
                    }
                    byte[] data = new byte[0];
                    int actual = RetSubmit.actualLength(h, 0);
                    if (u.cmd.isIn()) {
                        if (actual < 0 || actual > u.cmd.transferBufferLength()) {
                            violation("recv xbuf: actual_length " + actual + " > " + u.cmd.transferBufferLength());
                            return;
                        }
                        data = new byte[actual];
                        in.readFully(data);
                    } else if (actual > u.cmd.transferBufferLength()) {
                        violation("OUT actual_length " + actual + " > " + u.cmd.transferBufferLength());
                    }
                    byte[] all = Arrays.copyOf(h, h.length + data.length);
                    System.arraycopy(data, 0, all, h.length, data.length);
                    capture.add(false, all);
                    completed.add(seq);
                    u.done.complete(RetSubmit.parse(h, 0, data));
                } else if (cmd == USBIP_RET_UNLINK) {
                    capture.add(false, h.clone());
                    CompletableFuture<RetUnlink> f = unlinks.remove(seq);
                    RetUnlink r = RetUnlink.parse(h, 0);
                    Integer target = unlinkTargets.remove(seq);
                    if (target != null && pending.containsKey(target)) {
                        if (r.status() == ECONNRESET) {
                            pending.remove(target); // vhci gives the URB back as unlinked
                        } else if (r.status() == 0 && unlinkable(target)) {
                            // vhci gives it back now; the RET_SUBMIT still to come would kill the link
                            violation("RET_UNLINK 0 for seqnum " + target + " before its RET_SUBMIT");
                        }
                    } else if (target != null && r.status() == ECONNRESET && submittedEver(target)) {
                        violation("RET_UNLINK -ECONNRESET for seqnum " + target + " that already completed");
                    }
                    if (f == null) {
                        violation("RET_UNLINK for unknown unlink seqnum " + seq); // vhci: benign
                    } else {
                        f.complete(r);
                    }
                } else {
                    violation("unknown pdu " + cmd);
                    return;
                }
            }
        } catch (EOFException e) {
            // server closed
        } catch (IOException e) {
            // closed locally or reset
        } finally {
            eof.complete(null);
        }
    }

    /** A URB this client submitted (not an arbitrary number given to unlink). */
    private boolean unlinkable(int seq) {
        return pending.containsKey(seq);
    }

    private final java.util.Set<Integer> completed = ConcurrentHashMap.newKeySet();

    private boolean submittedEver(int seq) {
        return completed.contains(seq);
    }

    private void violation(String v) {
        violations.add(v);
    }

    /** Seqnums of URBs that have not completed. */
    public java.util.Set<Integer> pendingSeqnums() {
        return pending.keySet();
    }

    /** {@code usbip detach}: the socket goes away. */
    @Override
    public void close() throws IOException {
        socket.close();
        if (rx != null) {
            try {
                rx.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    public static RetUnlink getUnlink(CompletableFuture<RetUnlink> f) {
        return get(f, 5000);
    }

    static <T> T get(CompletableFuture<T> f, long ms) {
        try {
            return f.get(ms, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("no answer within " + ms + " ms");
        } catch (InterruptedException | ExecutionException e) {
            throw new AssertionError(e);
        }
    }

    private static void check(boolean ok, String what) throws IOException {
        if (!ok) {
            throw new IOException("unexpected " + what);
        }
    }
}
