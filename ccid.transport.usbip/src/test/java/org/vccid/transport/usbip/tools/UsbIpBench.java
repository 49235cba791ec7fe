package org.vccid.transport.usbip.tools;

import static org.vccid.transport.usbip.wire.UsbIp.*;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Arrays;

import org.vccid.ccid.CcidMessage;
import org.vccid.iso7816.Hex;
import org.vccid.testcard.TestCard;
import org.vccid.transport.usbip.client.VhciClient;
import org.vccid.transport.usbip.internal.Rig;
import org.vccid.transport.usbip.usb.Setup;
import org.vccid.transport.usbip.wire.CmdSubmit;
import org.vccid.transport.usbip.wire.OpMessages;

/**
 * Benchmark, run by hand (not a test): the loopback APDU round trip through our USB/IP server, as libccid does it
 * (CMD_SUBMIT bulk OUT XfrBlock, wait for RET_SUBMIT, then CMD_SUBMIT bulk IN, wait for the answer: two TCP round
 * trips), next to a raw Java TCP echo (TCP_NODELAY, 64 bytes) in the same run. A synchronous client (no receiver
 * thread) so that the figures are the server's. Blocks of the two alternate to share the machine's mood.
 *
 * <pre>
 * java -cp target/classes:target/test-classes:../ccid.core/target/classes:../ccid.core/target/test-classes \
 *     org.vccid.transport.usbip.tools.UsbIpBench [iterations per block, default 5000] [blocks, default 6]
 * </pre>
 */
public final class UsbIpBench {

    private UsbIpBench() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 5000;
        int blocks = args.length > 1 ? Integer.parseInt(args[1]) : 6;
        try (Rig rig = new Rig(); ServerSocket echo = new ServerSocket(37598, 1, InetAddress.getLoopbackAddress())) {
            rig.reader("bench", new TestCard(TestCard.ATR_T1, true));
            Thread echoer = new Thread(() -> echoLoop(echo), "echo");
            echoer.setDaemon(true);
            echoer.start();
            try (Socket raw = new Socket(InetAddress.getLoopbackAddress(), echo.getLocalPort());
                    Sync usb = Sync.attach(rig.port)) {
                raw.setTcpNoDelay(true);
                byte[] apdu = Hex.decode("00 84 00 00 08");
                long[] tUsb = new long[n * blocks];
                long[] tRaw = new long[n * blocks];
                long[] tPipe = new long[n * blocks];
                // warm-up
                for (int i = 0; i < 20000; i++) {
                    usb.apdu(apdu, false);
                    rawRoundTrip(raw);
                    usb.apdu(apdu, true);
                }
                for (int b = 0; b < blocks; b++) {
                    for (int i = 0; i < n; i++) {
                        long t0 = System.nanoTime();
                        rawRoundTrip(raw);
                        tRaw[b * n + i] = System.nanoTime() - t0;
                    }
                    for (int i = 0; i < n; i++) {
                        long t0 = System.nanoTime();
                        usb.apdu(apdu, false);
                        tUsb[b * n + i] = System.nanoTime() - t0;
                    }
                    for (int i = 0; i < n; i++) {
                        long t0 = System.nanoTime();
                        usb.apdu(apdu, true);
                        tPipe[b * n + i] = System.nanoTime() - t0;
                    }
                }
                double raw50 = pct(tRaw, 50);
                double usb50 = pct(tUsb, 50);
                System.out.printf("%d APDUs per variant (%d blocks), JDK %s, %d CPUs%n", n * blocks, blocks,
                        System.getProperty("java.version"), Runtime.getRuntime().availableProcessors());
                System.out.printf("%-52s %9s %9s %9s%n", "", "median", "p90", "p99");
                row("raw TCP echo, 64 bytes, TCP_NODELAY (1 round trip)", tRaw);
                row("USB/IP APDU: bulk OUT, then bulk IN (libccid)", tUsb);
                row("USB/IP APDU: bulk IN parked first, then bulk OUT", tPipe);
                System.out.printf("USB/IP APDU (libccid order) / two raw round trips: %.2f (goal <= 1.5)%n",
                        usb50 / (2 * raw50));
            }
        }
    }

    static void row(String name, long[] t) {
        System.out.printf("%-52s %7.1f us %7.1f us %7.1f us%n", name, pct(t, 50), pct(t, 90), pct(t, 99));
    }

    static double pct(long[] t, int p) {
        long[] s = t.clone();
        Arrays.sort(s);
        return s[Math.min(s.length - 1, (int) ((long) s.length * p / 100))] / 1000.0;
    }

    static final byte[] PING = new byte[64];
    static final byte[] PONG = new byte[64];

    static void rawRoundTrip(Socket s) throws IOException {
        s.getOutputStream().write(PING);
        new DataInputStream(s.getInputStream()).readFully(PONG);
    }

    static void echoLoop(ServerSocket ss) {
        try (Socket s = ss.accept()) {
            s.setTcpNoDelay(true);
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            byte[] b = new byte[64];
            while (true) {
                new DataInputStream(in).readFully(b);
                out.write(b);
            }
        } catch (IOException e) {
            // benchmark over
        }
    }

    /** A synchronous USB/IP client: one URB at a time, read on the calling thread. */
    static final class Sync implements AutoCloseable {
        final Socket s;
        final DataInputStream in;
        final OutputStream out;
        final int devid = devid(1, 1);
        int seqnum = 1;
        int bSeq;
        final byte[] header = new byte[URB_HEADER_LENGTH];
        final byte[] data = new byte[65536];

        Sync(Socket s) throws IOException {
            this.s = s;
            this.in = new DataInputStream(s.getInputStream());
            this.out = s.getOutputStream();
        }

        static Sync attach(int port) throws IOException {
            Socket s = VhciClient.connect(port);
            Sync c = new Sync(s);
            c.out.write(OpMessages.importRequest("1-1"));
            c.in.readFully(new byte[OP_COMMON_LENGTH + DEVICE_LENGTH]);
            c.urb(new CmdSubmit(c.seqnum++, c.devid, 0, 0, 0, 0, 0, 0, 0, Setup.of(0, 9, 1, 0, 0).toBytes(),
                    new byte[0]));
            c.urb(out(c, CcidMessage.iccPowerOn(0, c.bSeq++, 0).toBytes()));
            c.urb(in(c));
            return c;
        }

        static CmdSubmit out(Sync c, byte[] b) {
            return new CmdSubmit(c.seqnum++, c.devid, USBIP_DIR_OUT, 1, 0, b.length, 0, 0, 0, new byte[8], b);
        }

        static CmdSubmit in(Sync c) {
            return new CmdSubmit(c.seqnum++, c.devid, USBIP_DIR_IN, 2, URB_DIR_IN, 65556, 0, 0, 0, new byte[8],
                    new byte[0]);
        }

        /** Submit and wait for its RET_SUBMIT; returns actual_length. */
        int urb(CmdSubmit c) throws IOException {
            out.write(c.toBytes());
            return reply(c.isIn());
        }

        int reply(boolean in) throws IOException {
            this.in.readFully(header);
            int actual = be32(header, 0x18);
            if (be32(header, 0x14) != 0) {
                throw new IOException("URB failed: " + be32(header, 0x14));
            }
            if (in) {
                this.in.readFully(data, 0, actual);
            }
            return actual;
        }

        void apdu(byte[] apdu, boolean inFirst) throws IOException {
            byte[] msg = CcidMessage.xfrBlock(0, bSeq++ & 0xFF, 0, 0, apdu).toBytes();
            if (inFirst) {
                // both URBs in one write; the OUT is answered first, the IN with the card's answer
                CmdSubmit i = in(this);
                byte[] a = i.toBytes();
                byte[] b = out(this, msg).toBytes();
                byte[] both = Arrays.copyOf(a, a.length + b.length);
                System.arraycopy(b, 0, both, a.length, b.length);
                out.write(both);
                reply(false);
                check(reply(true));
            } else {
                urb(out(this, msg));
                check(urb(in(this)));
            }
        }

        private void check(int n) throws IOException {
            if (n != 10 + 10 || (data[n - 2] & 0xFF) != 0x90) {
                throw new IOException("unexpected answer " + Hex.spaced(data, 0, n));
            }
        }

        @Override
        public void close() throws IOException {
            s.close();
        }
    }
}
