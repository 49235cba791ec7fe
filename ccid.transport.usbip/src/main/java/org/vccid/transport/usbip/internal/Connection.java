package org.vccid.transport.usbip.internal;

import static org.vccid.transport.usbip.wire.UsbIp.*;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

import org.vccid.transport.usbip.wire.CmdSubmit;
import org.vccid.transport.usbip.wire.CmdUnlink;
import org.vccid.transport.usbip.wire.OpCommon;
import org.vccid.transport.usbip.wire.OpMessages;

/**
 * One TCP connection: a reader thread (this runnable) that parses, and one writer thread that sends queued replies
 * whole and in order. Phase 1 serves one OP request (OP_REQ_DEVLIST, or OP_REQ_IMPORT), as usbipd does; after a
 * successful import the connection carries URBs for that reader until EOF, which means detach.
 */
final class Connection implements Runnable, DeviceSession.Output {

    private static final System.Logger LOG = System.getLogger(Connection.class.getName());
    private static final byte[] END = new byte[0];

    private final UsbIpServer server;
    private final Socket socket;
    private final String label;
    private final LinkedBlockingQueue<byte[]> queue = new LinkedBlockingQueue<>();
    private final Thread writer;
    /** Serialises socket writes: the writer thread's, and the reader thread's direct ones. */
    private final ReentrantLock writeLock = new ReentrantLock();
    /** Frames queued and not yet written. */
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile OutputStream out;
    private Thread readerThread;
    private volatile boolean closed;
    private volatile String abortReason;
    private Exported imported;
    /** Set by the reader thread after a successful import; read unsynchronised only on that thread. */
    private DeviceSession device;

    Connection(UsbIpServer server, Socket socket) {
        this.server = server;
        this.socket = socket;
        this.label = "usbip " + socket.getRemoteSocketAddress();
        this.writer = new Thread(this::writeLoop, "usbip-tx " + socket.getRemoteSocketAddress());
        this.writer.setDaemon(true);
    }

    @Override
    public void run() {
        readerThread = Thread.currentThread();
        try {
            out = new BufferedOutputStream(socket.getOutputStream(), 65536);
        } catch (IOException e) {
            closeSocket();
            server.connectionEnded(this);
            return;
        }
        writer.start();
        try {
            socket.setTcpNoDelay(true); // small URB replies must not wait for delayed ACKs
            socket.setKeepAlive(true);
            DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 65536));
            if (opPhase(in)) {
                urbPhase(in);
            }
        } catch (EOFException e) {
            if (imported != null) {
                LOG.log(Level.INFO, "{0}: {1} detached (EOF)", label, imported);
            } else {
                LOG.log(Level.DEBUG, "{0}: closed by the client", label);
            }
        } catch (SocketTimeoutException e) {
            LOG.log(Level.INFO, "{0}: no OP request within {1} ms, closing", label, server.settings().opTimeoutMillis());
        } catch (IOException e) {
            if (!closed) {
                LOG.log(Level.INFO, "{0}: connection lost: {1}", label, e.toString());
            } else if (abortReason != null) {
                LOG.log(Level.DEBUG, "{0}: reader stopped after abort", label);
            }
        } catch (RuntimeException e) {
            LOG.log(Level.ERROR, label + ": internal error, closing the connection", e);
        } finally {
            finish();
        }
    }

    /** @return true when a device was imported and URBs follow */
    private boolean opPhase(DataInputStream in) throws IOException {
        socket.setSoTimeout(server.settings().opTimeoutMillis());
        byte[] h = new byte[OP_COMMON_LENGTH];
        in.readFully(h);
        OpCommon op = OpCommon.parse(h, 0);
        int replyCode = op.code() & ~OP_REQUEST;
        if (op.version() != VERSION) {
            LOG.log(Level.WARNING, "{0}: OP version 0x{1} is not 0x0111, closing", label,
                    Integer.toHexString(op.version()));
            send(OpMessages.reply(replyCode, ST_ERROR));
            return false;
        }
        switch (op.code()) {
        case OP_REQ_DEVLIST:
            send(OpMessages.devlistReply(server.devices()));
            return false;
        case OP_REQ_IMPORT:
            byte[] busid = new byte[BUSID_SIZE];
            in.readFully(busid);
            return importDevice(OpMessages.importBusid(busid, 0));
        default:
            LOG.log(Level.WARNING, "{0}: unknown OP code 0x{1}, closing", label, Integer.toHexString(op.code()));
            send(OpMessages.reply(replyCode, ST_NA));
            return false;
        }
    }

    private boolean importDevice(String busid) {
        Exported e = server.claim(busid, this);
        if (e == null) {
            int status = server.isExported(busid) ? ST_DEV_BUSY : ST_NODEV;
            LOG.log(Level.INFO, "{0}: import of {1} refused: {2}", label, busid,
                    status == ST_NODEV ? "no such busid" : "busy");
            send(OpMessages.importReply(status, null));
            return false;
        }
        DeviceSession ds = new DeviceSession(e, this, label + " " + busid);
        try {
            ds.open();
        } catch (IllegalStateException ex) {
            server.release(e, this);
            LOG.log(Level.INFO, "{0}: import of {1} refused: {2}", label, busid, ex.getMessage());
            send(OpMessages.importReply(ST_DEV_BUSY, null));
            return false;
        }
        synchronized (this) {
            imported = e;
            device = ds;
        }
        send(OpMessages.importReply(ST_OK, e.info));
        LOG.log(Level.INFO, "{0}: imported {1}", label, e);
        return true;
    }

    private void urbPhase(DataInputStream in) throws IOException {
        socket.setSoTimeout(0); // an attached device may be idle for hours; keepalive finds dead peers
        byte[] h = new byte[URB_HEADER_LENGTH];
        long maxOut = server.maxOutLength(imported);
        while (!closed) {
            in.readFully(h);
            int command = be32(h, 0);
            switch (command) {
            case USBIP_CMD_SUBMIT:
                int packets = be32(h, 0x20);
                if (!CmdSubmit.isNonIso(packets)) {
                    abort("CMD_SUBMIT with number_of_packets " + packets + " (no isochronous endpoint)");
                    return;
                }
                long n = CmdSubmit.dataLength(h, 0);
                if (n > maxOut) {
                    abort("CMD_SUBMIT OUT with transfer_buffer_length " + n + " (limit " + maxOut + ")");
                    return;
                }
                byte[] data = new byte[(int) n];
                in.readFully(data);
                device.submit(CmdSubmit.parse(h, 0, data));
                break;
            case USBIP_CMD_UNLINK:
                device.unlink(CmdUnlink.parse(h, 0));
                break;
            default:
                abort("unknown URB command " + commandName(command));
                return;
            }
        }
    }

    // ------------------------------------------------------------------ Output

    /**
     * Queue a reply for the writer thread. Fast path: a reply the reader thread makes itself, outside any call into
     * the reader, while nothing is queued, is written right here (in order, under the write lock), which saves
     * the hand-over to the writer thread on every URB. Replies from the reader (engine) always take the queue, so
     * its threads never wait on the socket.
     */
    @Override
    public void send(byte[] frame) {
        if (closed) {
            return;
        }
        if (Thread.currentThread() == readerThread && device != null && !device.inReaderCall()
                && writeLock.tryLock()) {
            try {
                if (inFlight.get() == 0) {
                    out.write(frame);
                    out.flush();
                    return;
                }
            } catch (IOException e) {
                abort("write failed: " + e);
                return;
            } finally {
                writeLock.unlock();
            }
        }
        inFlight.incrementAndGet();
        queue.add(frame);
    }

    @Override
    public void abort(String reason) {
        if (closed) {
            return;
        }
        abortReason = reason;
        LOG.log(Level.WARNING, "{0}: closing: {1}", label, reason);
        closed = true;
        queue.add(END);
        closeSocket();
    }

    /** End of the reader thread: let the writer flush what is queued, then close; free the device. */
    private void finish() {
        if (!closed) {
            queue.add(END);
            try {
                writer.join(TimeUnit.SECONDS.toMillis(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            closed = true;
        }
        closeSocket();
        DeviceSession ds;
        Exported e;
        synchronized (this) {
            ds = device;
            e = imported;
        }
        if (ds != null) {
            ds.close();
        }
        if (e != null) {
            server.release(e, this);
        }
        server.connectionEnded(this);
    }

    private void writeLoop() {
        try {
            while (true) {
                byte[] b = queue.take();
                writeLock.lock();
                try {
                    while (b != null) {
                        if (b == END) {
                            out.flush();
                            return;
                        }
                        out.write(b);
                        inFlight.decrementAndGet(); // counted by send() before it was queued
                        b = queue.poll();
                    }
                    out.flush();
                } finally {
                    writeLock.unlock();
                }
            }
        } catch (IOException e) {
            if (!closed) {
                LOG.log(Level.INFO, "{0}: write failed: {1}", label, e.toString());
                closed = true;
                closeSocket();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void closeSocket() {
        try {
            socket.close();
        } catch (IOException e) {
            // nothing left to do
        }
    }

    /** Stop from outside (server shutdown, reader removed). */
    void shutdown(String reason) {
        abort(reason);
    }

    Thread writerThread() {
        return writer;
    }

    @Override
    public String toString() {
        return label;
    }
}
