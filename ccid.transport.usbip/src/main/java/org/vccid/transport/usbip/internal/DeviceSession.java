package org.vccid.transport.usbip.internal;

import static org.vccid.transport.usbip.wire.UsbIp.*;

import java.lang.System.Logger.Level;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Iterator;

import org.vccid.ccid.Ccid;
import org.vccid.transport.CcidSession;
import org.vccid.transport.HostLink;
import org.vccid.transport.usbip.usb.CcidUsbDescriptors;
import org.vccid.transport.usbip.usb.ControlRequests;
import org.vccid.transport.usbip.usb.ControlResult;
import org.vccid.transport.usbip.usb.Setup;
import org.vccid.transport.usbip.usb.UsbDeviceState;
import org.vccid.transport.usbip.wire.CmdSubmit;
import org.vccid.transport.usbip.wire.CmdUnlink;
import org.vccid.transport.usbip.wire.RetSubmit;
import org.vccid.transport.usbip.wire.RetUnlink;

/**
 * The URB side of one imported reader: answers control URBs, reassembles bulk OUT into CCID messages, parks bulk-IN
 * and interrupt-IN URBs until a whole message exists, and cancels parked URBs on CMD_UNLINK. No socket: replies go
 * to an {@link Output} (the connection's writer queue).
 *
 * <p>Threads: {@link #submit}, {@link #unlink} and {@link #close} come from the connection's reader thread only;
 * {@link HostLink} calls come from the engine (any thread, possibly under its lock). Queues are guarded by this
 * object's monitor, which is never held while calling the reader, so the lock order is always engine, then this.
 * A RET_SUBMIT is queued under the monitor, so an UNLINK that finds its URB gone is answered after it (status 0).
 */
final class DeviceSession implements HostLink {

    private static final System.Logger LOG = System.getLogger(DeviceSession.class.getName());

    /** Where replies go. */
    interface Output {
        /** Queue one whole reply for the writer; never blocks. */
        void send(byte[] frame);

        /** Drop the connection (the reason is logged). */
        void abort(String reason);
    }

    /** Most parked IN URBs per endpoint; vhci forwards what the class driver submits, libccid uses one. */
    static final int MAX_PARKED = 256;
    /** Answers waiting for a bulk-IN URB before OUT URBs are held back (USB would NAK them). */
    static final int MAX_BACKLOG = 16;
    /** Bytes of OUT URBs held back before the host is considered broken. */
    static final int MAX_DEFERRED_BYTES = 1 << 20;

    private final Exported dev;
    private final CcidUsbDescriptors desc;
    private final Output out;
    private final String label;
    private CcidSession session;

    // reader thread only
    private final UsbDeviceState state = new UsbDeviceState();
    /** The reader thread is inside a call to the reader (whose callbacks may hold the reader's lock). */
    private boolean inReader;
    private byte[] assembly;
    private int assembled;
    private boolean discarding;

    // guarded by this
    private final ArrayDeque<CmdSubmit> parkedIn = new ArrayDeque<>();
    private final ArrayDeque<CmdSubmit> parkedInterrupt = new ArrayDeque<>();
    private final ArrayDeque<CmdSubmit> deferredOut = new ArrayDeque<>();
    private int deferredBytes;
    private final ArrayDeque<byte[]> messages = new ArrayDeque<>();
    /** Bytes of the head message already sent (a message longer than a URB goes out in whole packets). */
    private int headSent;
    /** An interrupt message taken from the reader while no URB was parked. */
    private byte[] heldInterrupt;
    private boolean closed;

    DeviceSession(Exported dev, Output out, String label) {
        this.dev = dev;
        this.desc = dev.descriptors;
        this.out = out;
        this.label = label;
        this.assembly = new byte[Math.max(dev.device.maxMessageLength(), Ccid.HEADER_LENGTH) + 64];
    }

    /** Attach to the reader. @throws IllegalStateException if another host (another transport) has it */
    void open() {
        session = dev.device.attach(this);
    }

    UsbDeviceState state() {
        return state;
    }

    /**
     * Is the reader thread inside a call to the reader? Then a reply must go through the writer queue: the reader's
     * lock may be held, and a socket write must never block it. Meaningful on the reader thread only.
     */
    boolean inReaderCall() {
        return inReader;
    }

    // ------------------------------------------------------------------ from the host (reader thread)

    void submit(CmdSubmit c) {
        if (c.devid() != dev.devid()) {
            LOG.log(Level.DEBUG, "{0}: devid 0x{1} is not 0x{2}: {3}", label, Integer.toHexString(c.devid()),
                    Integer.toHexString(dev.devid()), c);
            out.send(RetSubmit.encodeNoData(c.seqnum(), ENODEV, 0));
            return;
        }
        if (isParked(c.seqnum())) {
            out.abort("seqnum " + c.seqnum() + " submitted twice while pending");
            return;
        }
        if (c.ep() == 0) {
            control(c);
            return;
        }
        int address = c.ep() & 0x0F | (c.isIn() ? 0x80 : 0);
        if (c.ep() > 15 || c.direction() > 1 || c.direction() < 0
                || CcidUsbDescriptors.endpointType(address) <= 0 || !state.isConfigured() || state.isHalted(address)) {
            LOG.log(Level.DEBUG, "{0}: STALL {1} (configured {2})", label, c, state.isConfigured());
            out.send(RetSubmit.encodeNoData(c.seqnum(), EPIPE, 0));
            return;
        }
        switch (address) {
        case CcidUsbDescriptors.EP_BULK_OUT:
            bulkOutUrb(c);
            break;
        case CcidUsbDescriptors.EP_BULK_IN:
            bulkInUrb(c);
            break;
        default:
            interruptUrb(c);
            break;
        }
    }

    void unlink(CmdUnlink u) {
        boolean cancelled;
        synchronized (this) {
            cancelled = remove(parkedIn, u.unlinkSeqnum()) || remove(parkedInterrupt, u.unlinkSeqnum());
            if (!cancelled && remove(deferredOut, u.unlinkSeqnum())) {
                cancelled = true;
            }
            // cancelled: it never gets a RET_SUBMIT; otherwise its RET_SUBMIT is already queued (or it never existed)
            out.send(new RetUnlink(u.seqnum(), cancelled ? ECONNRESET : 0).toBytes());
        }
        LOG.log(Level.TRACE, "{0}: unlink seqnum {1}: {2}", label, u.unlinkSeqnum(),
                cancelled ? "cancelled" : "not pending");
    }

    /** The host went away: free the reader. Idempotent. */
    void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            parkedIn.clear();
            parkedInterrupt.clear();
            deferredOut.clear();
            messages.clear();
            heldInterrupt = null;
        }
        if (session != null) {
            session.close();
        }
    }

    private void control(CmdSubmit c) {
        Setup s = Setup.parse(c.setup(), 0);
        ControlResult r;
        if (!s.isIn() && c.data().length != s.wLength() || s.isIn() && s.wLength() > 0 && !c.isIn()) {
            LOG.log(Level.DEBUG, "{0}: control transfer does not match its setup: {1}", label, c);
            r = ControlResult.stall();
        } else {
            inReader = true;
            try {
                r = ControlRequests.handle(desc, state, s, c.data(), session::controlRequest);
            } finally {
                inReader = false;
            }
        }
        if (r.isStall()) {
            LOG.log(Level.DEBUG, "{0}: STALL control request {1}", label, s);
            out.send(RetSubmit.encodeNoData(c.seqnum(), r.status(), 0));
        } else if (s.isIn()) {
            int n = Math.min(r.data().length, Math.max(0, c.transferBufferLength()));
            out.send(RetSubmit.encode(c.seqnum(), 0, r.data(), 0, n));
        } else {
            out.send(RetSubmit.encodeNoData(c.seqnum(), 0, c.data().length));
        }
    }

    // ------------------------------------------------------------------ bulk OUT

    private void bulkOutUrb(CmdSubmit c) {
        synchronized (this) {
            if (closed) {
                return;
            }
            if (messages.size() >= MAX_BACKLOG || !deferredOut.isEmpty()) {
                // the host does not read its answers: hold its commands back, as a device NAKs a full pipe
                deferredBytes += c.data().length;
                if (deferredBytes > MAX_DEFERRED_BYTES) {
                    out.abort("host sends bulk OUT without reading bulk IN (" + deferredBytes + " bytes held)");
                    return;
                }
                deferredOut.add(c);
                return;
            }
        }
        takeOut(c);
    }

    /** Acknowledge one OUT URB (all its bytes taken), then feed its bytes to the reassembly. */
    private void takeOut(CmdSubmit c) {
        out.send(RetSubmit.encodeNoData(c.seqnum(), 0, c.data().length));
        assemble(c.data());
    }

    /**
     * CCID over USB: a message is dwLength + 10 bytes; a transfer ends with a short packet. A host may split a
     * message over several URBs of whole packets. A message that cannot be right (too long, ended early, longer
     * than its dwLength) still goes to the reader, which answers it with the CCID error.
     */
    private void assemble(byte[] d) {
        boolean shortPacket = d.length % CcidUsbDescriptors.BULK_MAX_PACKET != 0 || d.length == 0;
        if (discarding) {
            // the rest of a message that was too long to keep
            discarding = !shortPacket;
            return;
        }
        if (assembled + d.length > assembly.length) {
            int keep = assembly.length - assembled;
            System.arraycopy(d, 0, assembly, assembled, keep);
            assembled += keep;
            LOG.log(Level.DEBUG, "{0}: bulk OUT transfer longer than dwMaxCCIDMessageLength", label);
            deliver();
            discarding = !shortPacket;
            return;
        }
        System.arraycopy(d, 0, assembly, assembled, d.length);
        assembled += d.length;
        if (assembled >= Ccid.HEADER_LENGTH) {
            long need = Ccid.HEADER_LENGTH + Ccid.dwLength(assembly, 0);
            if (need > dev.device.maxMessageLength()) {
                LOG.log(Level.DEBUG, "{0}: dwLength {1} exceeds dwMaxCCIDMessageLength", label, need - 10);
                deliver(); // answered with bError 01 (bad dwLength)
                discarding = !shortPacket;
                return;
            }
            if (assembled >= need) {
                deliver();
                return;
            }
        }
        if (shortPacket) {
            deliver(); // the transfer ended before dwLength bytes: the reader says so
        }
    }

    private void deliver() {
        int n = assembled;
        assembled = 0;
        inReader = true;
        try {
            session.bulkOut(assembly, 0, n);
        } finally {
            inReader = false;
        }
    }

    /** After bulk-IN answers were taken: feed OUT URBs that were held back, while the backlog allows. */
    private void resumeDeferredOut() {
        while (true) {
            CmdSubmit c;
            synchronized (this) {
                if (closed || deferredOut.isEmpty() || messages.size() >= MAX_BACKLOG) {
                    return;
                }
                c = deferredOut.poll();
                deferredBytes -= c.data().length;
            }
            takeOut(c);
        }
    }

    // ------------------------------------------------------------------ bulk IN

    private void bulkInUrb(CmdSubmit c) {
        if (c.transferBufferLength() <= 0) {
            out.send(RetSubmit.encodeNoData(c.seqnum(), EINVAL, 0)); // cannot hold a message
            return;
        }
        synchronized (this) {
            if (closed) {
                return;
            }
            if (parkedIn.size() >= MAX_PARKED) {
                out.abort("more than " + MAX_PARKED + " bulk-IN URBs pending");
                return;
            }
            parkedIn.add(c);
            matchIn();
        }
        resumeDeferredOut();
    }

    @Override
    public void bulkIn(byte[] buffer, int offset, int length) {
        if (length <= 0) {
            return;
        }
        byte[] m = Arrays.copyOfRange(buffer, offset, offset + length);
        synchronized (this) {
            if (closed) {
                return;
            }
            messages.add(m);
            matchIn();
        }
    }

    /** Pair parked bulk-IN URBs with whole messages, oldest first. Holds the monitor. */
    private void matchIn() {
        while (!parkedIn.isEmpty() && !messages.isEmpty()) {
            CmdSubmit urb = parkedIn.poll();
            byte[] m = messages.peek();
            int left = m.length - headSent;
            int room = urb.transferBufferLength();
            if (left <= room) {
                out.send(RetSubmit.encode(urb.seqnum(), 0, m, headSent, left));
                messages.poll();
                headSent = 0;
            } else if (room >= CcidUsbDescriptors.BULK_MAX_PACKET) {
                // a buffer of whole packets fills up; the rest of the message waits for the next URB (USB 2.0 5.8.3)
                int n = room - room % CcidUsbDescriptors.BULK_MAX_PACKET;
                out.send(RetSubmit.encode(urb.seqnum(), 0, m, headSent, n));
                headSent += n;
            } else {
                // babble: the first packet does not fit the buffer; the message is lost, as on a real bus
                LOG.log(Level.WARNING, "{0}: bulk-IN URB of {1} bytes too small for a {2}-byte message (dropped)",
                        label, room, left);
                out.send(RetSubmit.encodeNoData(urb.seqnum(), EOVERFLOW, 0));
                messages.poll();
                headSent = 0;
            }
        }
    }

    // ------------------------------------------------------------------ interrupt IN

    private void interruptUrb(CmdSubmit c) {
        if (c.transferBufferLength() <= 0) {
            out.send(RetSubmit.encodeNoData(c.seqnum(), EINVAL, 0));
            return;
        }
        synchronized (this) {
            if (closed) {
                return;
            }
            if (parkedInterrupt.size() >= MAX_PARKED) {
                out.abort("more than " + MAX_PARKED + " interrupt-IN URBs pending");
                return;
            }
            parkedInterrupt.add(c);
            if (heldInterrupt != null) {
                byte[] m = heldInterrupt;
                heldInterrupt = null;
                answerInterrupt(m);
                return;
            }
        }
        inReader = true;
        try {
            pumpInterrupt();
        } finally {
            inReader = false;
        }
    }

    @Override
    public void interruptAvailable() {
        pumpInterrupt(); // from the reader, on any thread
    }

    /** Move a due interrupt message from the reader to a parked URB. Never holds the monitor while asking. */
    private void pumpInterrupt() {
        synchronized (this) {
            if (closed || parkedInterrupt.isEmpty() || heldInterrupt != null) {
                return;
            }
        }
        byte[] m = session.takeInterrupt();
        if (m == null) {
            return;
        }
        synchronized (this) {
            if (closed) {
                return;
            }
            if (parkedInterrupt.isEmpty()) {
                heldInterrupt = heldInterrupt == null ? m : merge(heldInterrupt, m);
            } else {
                answerInterrupt(m);
            }
        }
    }

    /** Holds the monitor; a URB is parked. */
    private void answerInterrupt(byte[] m) {
        CmdSubmit urb = parkedInterrupt.poll();
        if (m.length > urb.transferBufferLength()) {
            LOG.log(Level.WARNING, "{0}: interrupt URB of {1} bytes too small for a {2}-byte message (dropped)",
                    label, urb.transferBufferLength(), m.length);
            out.send(RetSubmit.encodeNoData(urb.seqnum(), EOVERFLOW, 0));
        } else {
            out.send(RetSubmit.encode(urb.seqnum(), 0, m, 0, m.length));
        }
    }

    /** Two NotifySlotChange messages not yet delivered: the newer presence bits, the changed bits of both. */
    static byte[] merge(byte[] older, byte[] newer) {
        if (older[0] != newer[0] || newer[0] != Ccid.RDR_TO_PC_NOTIFY_SLOT_CHANGE || older.length != newer.length) {
            return newer;
        }
        byte[] r = newer.clone();
        for (int i = 1; i < r.length; i++) {
            r[i] |= older[i] & 0xAA; // bit 1 of each 2-bit pair is "changed"
        }
        return r;
    }

    // ------------------------------------------------------------------ HostLink

    @Override
    public void detached() {
        out.abort("reader " + dev + " went away");
    }

    // ------------------------------------------------------------------ helpers

    private synchronized boolean isParked(int seqnum) {
        return contains(parkedIn, seqnum) || contains(parkedInterrupt, seqnum) || contains(deferredOut, seqnum);
    }

    private static boolean contains(ArrayDeque<CmdSubmit> q, int seqnum) {
        for (CmdSubmit c : q) {
            if (c.seqnum() == seqnum) {
                return true;
            }
        }
        return false;
    }

    private boolean remove(ArrayDeque<CmdSubmit> q, int seqnum) {
        for (Iterator<CmdSubmit> it = q.iterator(); it.hasNext();) {
            CmdSubmit c = it.next();
            if (c.seqnum() == seqnum) {
                it.remove();
                if (q == deferredOut) {
                    deferredBytes -= c.data().length;
                }
                return true;
            }
        }
        return false;
    }
}
