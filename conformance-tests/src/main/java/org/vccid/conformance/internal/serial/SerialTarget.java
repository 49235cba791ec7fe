package org.vccid.conformance.internal.serial;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.vccid.card.Card;
import org.vccid.conformance.internal.slots.SlotCards;
import org.vccid.conformance.target.CardSource;
import org.vccid.conformance.target.NotSupportedException;
import org.vccid.conformance.target.ReaderSpec;
import org.vccid.conformance.target.Target;
import org.vccid.conformance.target.TargetSession;
import org.vccid.transport.serial.framing.ReaderType;

/**
 * The serial target: the reader is served by a ccid.transport.serial line (GemPC Twin framing on a loopback TCP
 * port, what socat turns into a pty for libccid's serial driver) and the runner is libccid's side of that line
 * ({@link TwinHost}): it opens the line with libccid's sequence (firmware escape, 01 01 01, two GetSlotStatus,
 * Escape 6A), then moves framed CCID messages.
 *
 * <p>Features: {@link Feature#BULK} only. The line has no control pipe, and its card movement bytes {@code 50 02}
 * / {@code 50 03} carry no slot bitmap and arrive only with the next answer (libccid's synchronous mode; the line
 * holds them back until then), so they are not the interrupt pipe's NotifySlotChange the vectors check: vectors
 * with {@code interrupt} / {@code no-interrupt} / {@code control} steps are skipped by the runner. Messages the line
 * cannot carry as written (framed by dwLength, NAKed above dwMaxCCIDMessageLength, Gemalto escapes the line answers
 * itself) make {@link TargetSession#send} throw {@link NotSupportedException}: that vector is reported as skipped
 * with the reason and the step's line.
 *
 * <p>Reader type by slot count: 1 GemPCTwin (echo), 2 SEC1210, 3-5 GemCorePOSPro; more slots: not supported.
 */
public final class SerialTarget implements Target {

    public static final String NAME = "serial";

    private final SerialLines lines;
    private final long timeoutMillis;
    private final AtomicInteger count = new AtomicInteger();

    public SerialTarget(SerialLines lines, long timeoutMillis) {
        this.lines = lines;
        this.timeoutMillis = timeoutMillis;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Set<Feature> features() {
        return EnumSet.of(Feature.BULK);
    }

    @Override
    public TargetSession open(ReaderSpec spec, CardSource cards) throws Exception {
        ReaderType type = ReaderType.forSlots(spec.slots());
        if (type == null) {
            throw new NotSupportedException("libccid's serial reader types have at most 5 slots (GemCorePOSPro);"
                    + " the vector asks for " + spec.slots());
        }
        int n = count.incrementAndGet();
        String firmware = "vccid conformance line " + n;
        SerialLines.Line line = lines.create("vccid serial conformance " + n, spec, type, firmware);
        try {
            return new Session(line, type, firmware, cards, timeoutMillis);
        } catch (Exception | Error e) {
            line.close();
            throw e;
        }
    }

    /** libccid's side of one line. */
    static final class Session implements TargetSession {
        private final SerialLines.Line line;
        private final TwinHost host;
        private final SlotCards slots;
        private final Socket socket;
        private final OutputStream out;
        /** Answers (byte[]) and line errors (IOException), in order. */
        private final LinkedBlockingQueue<Object> bulkIn = new LinkedBlockingQueue<>();
        private final Thread reader;
        /** Card movement notices seen (50 03 / 50 02); informational, as for libccid. */
        final AtomicLong notices = new AtomicLong();
        private volatile boolean closed;

        Session(SerialLines.Line line, ReaderType type, String firmware, CardSource cards, long timeoutMillis)
                throws Exception {
            this.line = line;
            this.slots = new SlotCards(line.reader(), cards);
            this.host = new TwinHost(type, Math.max(271, line.maxMessageLength()));
            this.socket = connect(line.port(), timeoutMillis);
            try {
                socket.setTcpNoDelay(true);
                out = socket.getOutputStream();
            } catch (IOException e) {
                socket.close();
                throw e;
            }
            reader = new Thread(this::readLoop, "serial-target :" + line.port());
            reader.setDaemon(true);
            reader.start();
            try {
                open(type, firmware, timeoutMillis);
            } catch (Exception | Error e) {
                closeSocket();
                throw e;
            }
        }

        /** The line component starts asynchronously after its configuration: connect when it listens. */
        private static Socket connect(int port, long timeoutMillis) throws Exception {
            long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
            while (true) {
                Socket s = new Socket();
                try {
                    s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
                    return s;
                } catch (ConnectException e) {
                    s.close();
                    if (System.nanoTime() > deadline) {
                        throw new IOException("nothing listens on 127.0.0.1:" + port + " " + timeoutMillis
                                + " ms after the serial line was configured (ccid.transport.serial inactive, or"
                                + " the port taken?)", e);
                    }
                    Thread.sleep(20);
                }
            }
        }

        /** libccid's open sequence (ccid_serial.c OpenSerialByName, ccid_open_hack_pre / _post). */
        private void open(ReaderType type, String firmware, long timeoutMillis) throws Exception {
            long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
            int seq = 0;
            byte[] fw = exchange(message(0x6B, seq++, new byte[] { (byte) type.openEscape() }), deadline,
                    "the firmware escape");
            String got = new String(fw, 10, fw.length - 10, StandardCharsets.US_ASCII);
            if ((fw[0] & 0xFF) != 0x83 || !firmware.equals(got)) {
                throw new IOException("the line on port " + line.port() + " answered the firmware escape with "
                        + TwinHost.hex(fw, fw.length) + " (\"" + got + "\"), not this line's \"" + firmware + "\"");
            }
            if (type != ReaderType.SEC1210) {
                byte[] sync = exchange(message(0x6B, seq++, new byte[] { 1, 1, 1 }), deadline, "Escape 01 01 01");
                require(sync, 0x83, false, "Escape 01 01 01");
            }
            for (int i = 0; i < 2; i++) {
                byte[] st = exchange(message(0x65, seq++, new byte[0]), deadline, "GetSlotStatus (the reader)");
                require(st, 0x81, false, "GetSlotStatus");
            }
            byte[] features = exchange(message(0x6B, seq++, new byte[] { 0x6A }), deadline, "Escape 6A");
            require(features, 0x83, true, "Escape 6A (GET_FIRMWARE_FEATURES: not supported)");
        }

        private static void require(byte[] m, int type, boolean failed, String what) throws IOException {
            if ((m[0] & 0xFF) != type || ((m[7] & 0x40) != 0) != failed || failed && m[8] != 0) {
                throw new IOException(what + ": unexpected answer " + TwinHost.hex(m, m.length));
            }
        }

        private static byte[] message(int type, int seq, byte[] data) {
            byte[] m = new byte[10 + data.length];
            m[0] = (byte) type;
            m[1] = (byte) data.length;
            m[6] = (byte) seq;
            System.arraycopy(data, 0, m, 10, data.length);
            return m;
        }

        private byte[] exchange(byte[] m, long deadline, String what) throws Exception {
            write(m);
            long left = (deadline - System.nanoTime()) / 1_000_000L;
            byte[] r = receive(Math.max(left, 1));
            if (r == null) {
                throw new IOException("the serial line on 127.0.0.1:" + line.port() + " did not answer " + what
                        + " in time (no reader attached?)");
            }
            if ((r[6] & 0xFF) != (m[6] & 0xFF)) {
                throw new IOException("answer to " + what + " with bSeq " + (r[6] & 0xFF) + ", sent "
                        + (m[6] & 0xFF) + ": " + TwinHost.hex(r, r.length));
            }
            return r;
        }

        private void readLoop() {
            byte[] b = new byte[8192];
            try {
                InputStream in = socket.getInputStream();
                while (true) {
                    int n = in.read(b);
                    if (n < 0) {
                        if (!closed) {
                            bulkIn.add(new IOException("the reader side closed the serial line"));
                        }
                        return;
                    }
                    java.util.List<TwinHost.Event> events;
                    synchronized (host) {
                        events = host.feed(b, 0, n);
                    }
                    for (TwinHost.Event e : events) {
                        if (e instanceof TwinHost.Event.Answer) {
                            bulkIn.add(((TwinHost.Event.Answer) e).message());
                        } else if (e instanceof TwinHost.Event.Notice) {
                            notices.incrementAndGet();
                        } else {
                            bulkIn.add(new IOException("the line answered NAK (03 15 16): the reader side rejected"
                                    + " a frame"));
                        }
                    }
                }
            } catch (TwinHost.LineError e) {
                bulkIn.add(new IOException("serial line out of step: " + e.getMessage(), e));
            } catch (IOException e) {
                if (!closed) {
                    bulkIn.add(new IOException("serial line lost: " + e, e));
                }
            }
        }

        private void write(byte[] message) throws IOException {
            byte[] f;
            synchronized (host) {
                f = host.command(message);
            }
            out.write(f);
            out.flush();
        }

        @Override
        public void send(byte[] message) throws Exception {
            String why = host.cannotCarry(message);
            if (why != null) {
                throw new NotSupportedException(why);
            }
            write(message);
        }

        @Override
        public byte[] receive(long timeoutMillis) throws Exception {
            Object o = timeoutMillis <= 0 ? bulkIn.poll() : bulkIn.poll(timeoutMillis, TimeUnit.MILLISECONDS);
            if (o instanceof IOException) {
                bulkIn.add(o); // the line stays broken for every later step
                throw new IOException(((IOException) o).getMessage(), (IOException) o);
            }
            return (byte[]) o;
        }

        private void closeSocket() {
            closed = true;
            try {
                socket.close();
            } catch (IOException e) {
                // closing anyway
            }
            try {
                reader.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void insert(int slot) {
            slots.insert(slot);
        }

        @Override
        public void remove(int slot) {
            slots.remove(slot);
        }

        @Override
        public void close() {
            closeSocket();
            line.close();
            slots.releaseAll();
        }

        @Override
        public String toString() {
            return "serial " + host.type() + " on 127.0.0.1:" + line.port() + ": " + host.echoes() + " echo(es), "
                    + notices.get() + " card movement notice(s)";
        }
    }
}
