package org.vccid.transport.vsc.bench;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Arrays;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.vccid.card.Card;
import org.vccid.transport.vsc.internal.CardSideClient;
import org.vccid.transport.vsc.internal.ReaderSideServer;
import org.vccid.transport.vsc.internal.RemoteCard;
import org.vccid.transport.vsc.internal.TestCard;
import org.vccid.transport.vsc.protocol.Vsc;

/**
 * Benchmark, run by hand (not a test): the VSC loopback APDU round trip (our reader side's RemoteCard.transmit ->
 * VSC_APDU over 127.0.0.1 -> our card side -> card -> VSC_APDU back) next to a raw Java TCP echo (TCP_NODELAY,
 * one blocking thread per side) of the same bytes, in the same JVM and run, interleaved in rounds.
 *
 * <pre>
 * mvn -B -o -q -pl ccid.transport.vsc -am test-compile
 * java -cp ccid.core/target/classes:ccid.transport.vsc/target/classes:ccid.transport.vsc/target/test-classes \
 *     org.vccid.transport.vsc.bench.VscLoopbackBench [rounds] [per-round]
 * </pre>
 *
 * Ports 37250 (echo), 37251 (VSC reader side), 37252 (VSC, blocking card).
 */
public final class VscLoopbackBench {

    private VscLoopbackBench() {
    }

    interface RoundTrip {
        void once() throws Exception;
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        int perRound = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
        System.setProperty("java.util.logging.config.file", "/dev/null");
        java.util.logging.LogManager.getLogManager().reset();

        byte[] apdu = { 0x00, (byte) 0xCA, 0x00, 0x00, 0x00 };
        int vscRequest = Vsc.HEADER_LENGTH + apdu.length;
        int vscResponse = Vsc.HEADER_LENGTH + 4;

        // raw echo of the same sizes: request 17 bytes, answer 16 bytes
        try (ServerSocket echoServer = new ServerSocket(37250, 4, InetAddress.getLoopbackAddress())) {
            Thread echo = new Thread(() -> serveEcho(echoServer, vscRequest, vscResponse), "bench echo");
            echo.setDaemon(true);
            echo.start();
            Socket es = new Socket(InetAddress.getLoopbackAddress(), 37250);
            es.setTcpNoDelay(true);
            OutputStream eo = es.getOutputStream();
            DataInputStream ei = new DataInputStream(es.getInputStream());
            byte[] req = new byte[vscRequest];
            byte[] resp = new byte[vscResponse];
            RoundTrip raw = () -> {
                eo.write(req);
                ei.readFully(resp);
            };

            RemoteCard nb = remote(37251, new TestCard(TestCard.ATR, true));
            RemoteCard bl = remote(37252, new TestCard(TestCard.ATR, false));
            RoundTrip vsc = () -> check(nb.transmit(apdu, 0, apdu.length));
            RoundTrip hostRole = asHost(37253, apdu);
            RoundTrip vscBlocking = () -> check(bl.transmit(apdu, 0, apdu.length));

            String[] names = { "raw TCP echo (TCP_NODELAY)", "VSC loopback, non-blocking card",
                "VSC loopback, blocking card (worker thread)", "raw VSC host socket -> our card side" };
            RoundTrip[] kinds = { raw, vsc, vscBlocking, hostRole };
            for (RoundTrip k : kinds) { // warm-up
                for (int i = 0; i < 20_000; i++) {
                    k.once();
                }
            }
            long[][] samples = new long[kinds.length][rounds * perRound];
            for (int r = 0; r < rounds; r++) {
                for (int k = 0; k < kinds.length; k++) {
                    for (int i = 0; i < perRound; i++) {
                        long t0 = System.nanoTime();
                        kinds[k].once();
                        samples[k][r * perRound + i] = System.nanoTime() - t0;
                    }
                }
            }
            System.out.printf("%d rounds x %d round trips each, interleaved; %d cores; %s%n", rounds, perRound,
                    Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.version"));
            double rawMedian = 0;
            for (int k = 0; k < kinds.length; k++) {
                long[] s = samples[k];
                Arrays.sort(s);
                double median = s[s.length / 2] / 1000.0;
                double p99 = s[(int) (s.length * 0.99)] / 1000.0;
                double mean = Arrays.stream(s).average().orElse(0) / 1000.0;
                if (k == 0) {
                    rawMedian = median;
                }
                System.out.printf("%-46s median %7.1f us  p99 %7.1f us  mean %7.1f us  (%.2fx raw median)%n",
                        names[k], median, p99, mean, median / rawMedian);
            }
            es.close();
            System.exit(0);
        }
    }

    /**
     * Plays QEMU's part with a plain socket (handshake, then VSC_APDU out, answer in): isolates our card side.
     */
    private static RoundTrip asHost(int port, byte[] apdu) throws Exception {
        ServerSocket ss = new ServerSocket(port, 4, InetAddress.getLoopbackAddress());
        new CardSideClient(new CardSideClient.Settings("127.0.0.1", port, "bench host"),
                new TestCard(TestCard.ATR, true), null).start();
        Socket s = ss.accept();
        ss.close();
        s.setTcpNoDelay(true);
        OutputStream o = s.getOutputStream();
        DataInputStream in = new DataInputStream(s.getInputStream());
        byte[] header = new byte[12];
        for (int step = 0; step < 3; step++) { // Init, ReaderAdd, ATR
            in.readFully(header);
            in.readFully(new byte[((header[10] & 0xFF) << 8) | (header[11] & 0xFF)]);
            o.write(step == 0 ? org.vccid.transport.vsc.protocol.VscMessage.init(Vsc.UNDEFINED_READER_ID).encode()
                    : org.vccid.transport.vsc.protocol.VscMessage.error(0, Vsc.VSC_SUCCESS).encode());
        }
        byte[] request = org.vccid.transport.vsc.protocol.VscMessage.encode(Vsc.VSC_APDU, 0, apdu, 0, apdu.length);
        byte[] answer = new byte[Vsc.HEADER_LENGTH + 4];
        return () -> {
            o.write(request);
            in.readFully(answer);
            if (answer[3] != Vsc.VSC_APDU) {
                throw new IllegalStateException("not an APDU answer");
            }
        };
    }

    private static void check(byte[] r) {
        if (r.length != 4 || r[2] != (byte) 0x90) {
            throw new IllegalStateException("bad answer " + Arrays.toString(r));
        }
    }

    private static RemoteCard remote(int port, Card card) throws IOException, InterruptedException {
        LinkedBlockingQueue<RemoteCard> q = new LinkedBlockingQueue<>();
        new ReaderSideServer(new ReaderSideServer.Settings("127.0.0.1", port), new ReaderSideServer.CardSink() {
            @Override
            public void cardArrived(RemoteCard c) {
                q.add(c);
            }

            @Override
            public void cardGone(RemoteCard c) {
            }
        });
        new CardSideClient(new CardSideClient.Settings("127.0.0.1", port, "bench"), card, null).start();
        RemoteCard c = q.poll(10, TimeUnit.SECONDS);
        if (c == null) {
            throw new IllegalStateException("no remote card");
        }
        return c;
    }

    private static void serveEcho(ServerSocket ss, int in, int out) {
        try (Socket s = ss.accept()) {
            s.setTcpNoDelay(true);
            InputStream i = s.getInputStream();
            OutputStream o = s.getOutputStream();
            byte[] buf = new byte[in];
            byte[] answer = new byte[out];
            DataInputStream di = new DataInputStream(i);
            while (true) {
                di.readFully(buf);
                o.write(answer);
            }
        } catch (IOException e) {
            // benchmark over
        }
    }
}
