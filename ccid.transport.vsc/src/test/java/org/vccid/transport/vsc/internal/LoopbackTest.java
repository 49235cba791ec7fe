package org.vccid.transport.vsc.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.vccid.card.CardException;
import org.vccid.iso7816.Hex;
import org.vccid.transport.vsc.protocol.Vsc;
import org.vccid.transport.vsc.protocol.VscMessage;
import org.vccid.transport.vsc.session.CardSideSession;

/** Our card side against our reader side over 127.0.0.1 (ports 37210-37212), plus raw-socket bad input. */
class LoopbackTest {

    static final int PORT = 37210;
    static final int FAKE_HOST_PORT = 37211;

    private final BlockingQueue<RemoteCard> arrived = new LinkedBlockingQueue<>();
    private final BlockingQueue<RemoteCard> gone = new LinkedBlockingQueue<>();
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private ReaderSideServer server;

    @BeforeEach
    void startServer() throws IOException {
        server = new ReaderSideServer(new ReaderSideServer.Settings("127.0.0.1", PORT, 8, 2, 5000, "loop",
                Vsc.DEFAULT_MAX_PAYLOAD), new ReaderSideServer.CardSink() {
                    @Override
                    public void cardArrived(RemoteCard card) {
                        arrived.add(card);
                    }

                    @Override
                    public void cardGone(RemoteCard card) {
                        gone.add(card);
                    }
                });
    }

    @AfterEach
    void stop() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
        server.close();
        waitFor("all VSC threads ended", () -> Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.getName().startsWith("vsc-") && t.isAlive()));
    }

    private CardSideClient client(TestCard card, String name) {
        CardSideClient c = new CardSideClient(new CardSideClient.Settings("127.0.0.1", PORT, name), card, null);
        toClose.add(c);
        return c.start();
    }

    private static RemoteCard take(BlockingQueue<RemoteCard> q, String what) throws InterruptedException {
        RemoteCard c = q.poll(60, TimeUnit.SECONDS);
        assertNotNull(c, "no " + what + " within 60 s");
        return c;
    }

    /** Polls until the condition holds; 60 s at most (QEMU starts slowly on a loaded 2-core CI machine). */
    static void waitFor(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not reached within 60 s: " + what);
            }
            Thread.sleep(10);
        }
    }

    @Test
    void remoteCardAppearsAnswersAndGoes() throws Exception {
        TestCard card = new TestCard();
        CardSideClient client = client(card, "Loop Reader");
        RemoteCard remote = take(arrived, "remote card");
        assertArrayEquals(TestCard.ATR, remote.atr());
        assertArrayEquals(TestCard.ATR, remote.powerOn());
        assertEquals("Loop Reader", remote.readerName());
        assertEquals("loop-1-0", remote.name());
        // the server's VSC_Error(SUCCESS) for the ATR may still be on its way to the card side
        waitFor("card side sees the ATR acknowledged", () -> client.cardState() == CardSideSession.CardState.INSERTED);
        byte[] r = remote.transmit(Hex.decode("FF0001020303AABBCC"), 1, 8);
        assertEquals("CCBBAA9000", Hex.encode(r));
        for (int i = 2; i <= 200; i++) {
            assertEquals(String.format("%04X9000", i), Hex.encode(remote.transmit(Hex.decode("00CA000000"), 0, 5)));
        }
        // card removed on the card side: the remote card goes, its transmit fails
        client.setCard(null);
        assertEquals(remote, take(gone, "card removal"));
        assertTrue(remote.isGone());
        assertThrows(CardException.class, () -> remote.transmit(Hex.decode("00CA000000"), 0, 5));
        waitFor("test card powered off", () -> card.powerOffs.get() == 1);
        // another card inserted: a new remote card with its ATR
        TestCard other = new TestCard(Hex.decode("3B02AABB"), false);
        client.setCard(other);
        RemoteCard second = take(arrived, "second card");
        assertArrayEquals(Hex.decode("3B02AABB"), second.atr());
        assertEquals("0102039000", Hex.encode(second.transmit(Hex.decode("0000000003030201"), 0, 8)));
        // orderly stop: CardRemove + ReaderRemove
        client.close();
        assertEquals(second, take(gone, "card after client stop"));
        waitFor("client gone from server", () -> server.clientCount() == 0);
    }

    @Test
    void muteCardFailsOneApduNotTheConnection() throws Exception {
        TestCard card = new TestCard(TestCard.ATR, false);
        client(card, "Mute");
        RemoteCard remote = take(arrived, "remote card");
        card.mute = true;
        CardException e = assertThrows(CardException.class, () -> remote.transmit(Hex.decode("00CA000000"), 0, 5));
        assertTrue(e.getMessage().contains("VSC_Error"), e.getMessage());
        card.mute = false;
        assertEquals("00029000", Hex.encode(remote.transmit(Hex.decode("00CA000000"), 0, 5)));
    }

    @Test
    void slowCardAnswersComeThroughTheIoThread() throws Exception {
        TestCard card = new TestCard(TestCard.ATR, false);
        card.delayMillis = 5; // longer than a transmit caller polls the socket itself
        client(card, "Slow");
        RemoteCard remote = take(arrived, "remote card");
        for (int i = 1; i <= 20; i++) {
            assertEquals(String.format("%04X9000", i), Hex.encode(remote.transmit(Hex.decode("00CA000000"), 0, 5)));
        }
        card.delayMillis = 0;
        for (int i = 21; i <= 40; i++) {
            assertEquals(String.format("%04X9000", i), Hex.encode(remote.transmit(Hex.decode("00CA000000"), 0, 5)));
        }
    }

    @Test
    void clientLostDuringATransmitFailsItWithoutWaitingForTheTimeout() throws Exception {
        TestCard card = new TestCard(TestCard.ATR, false);
        CardSideClient client = client(card, "Lost");
        RemoteCard remote = take(arrived, "remote card");
        card.block = new java.util.concurrent.CountDownLatch(1);
        ExecutorService one = Executors.newSingleThreadExecutor();
        try {
            Future<byte[]> pending = one.submit(() -> remote.transmit(Hex.decode("00CA000000"), 0, 5));
            waitFor("card busy", () -> card.transmits.get() == 1);
            Thread closer = new Thread(client::close); // sends CardRemove + ReaderRemove, closes the socket
            closer.start();
            java.util.concurrent.ExecutionException e = assertThrows(java.util.concurrent.ExecutionException.class,
                    () -> pending.get(4, TimeUnit.SECONDS)); // the APDU timeout here is 5 s
            assertTrue(e.getCause() instanceof CardException, String.valueOf(e.getCause()));
            card.block.countDown();
            closer.join(10_000);
        } finally {
            card.block.countDown();
            one.shutdownNow();
        }
        assertEquals(remote, take(gone, "card gone"));
    }

    @Test
    void manyClientsAtOnce() throws Exception {
        int n = 6;
        List<TestCard> cards = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            TestCard c = new TestCard(TestCard.ATR, i % 2 == 0);
            cards.add(c);
            client(c, "Reader " + i);
        }
        List<RemoteCard> remotes = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            remotes.add(take(arrived, "remote card " + i));
        }
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (RemoteCard r : remotes) {
                results.add(pool.submit((Callable<Integer>) () -> {
                    int ok = 0;
                    for (int i = 0; i < 100; i++) {
                        byte[] cmd = { 0, 0, 0, 0, 2, (byte) i, (byte) (i + 1) };
                        byte[] resp = r.transmit(cmd, 0, cmd.length);
                        if (resp.length == 4 && resp[0] == (byte) (i + 1) && resp[1] == (byte) i) {
                            ok++;
                        }
                    }
                    return ok;
                }));
            }
            for (Future<Integer> f : results) {
                assertEquals(100, f.get(30, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
        for (TestCard c : cards) {
            assertEquals(100, c.transmits.get());
        }
    }

    @Test
    void badClientsAreClosedOrAnsweredAndOthersLoseNothing() throws Exception {
        client(new TestCard(), "Good");
        RemoteCard good = take(arrived, "good card");
        // wrong magic: closed
        try (Socket s = raw()) {
            s.getOutputStream().write(Hex.decode("00000001000000000000000C444353560000000200000000"));
            assertClosed(s);
        }
        // a header announcing 4 GiB: closed before any payload
        try (Socket s = raw()) {
            s.getOutputStream().write(VscMessage.init(0).encode());
            readMessage(s);
            s.getOutputStream().write(Hex.decode("00000007 00000000 FFFFFFF0".replace(" ", "")));
            assertClosed(s);
        }
        // unknown type, unknown reader, Flush: VSC_Error(GENERAL_ERROR), connection stays
        try (Socket s = raw()) {
            s.getOutputStream().write(VscMessage.init(0).encode());
            assertEquals("00000001FFFFFFFF0000000C565343440000000200000000", readMessage(s));
            s.getOutputStream().write(Hex.decode("000000630000000000000000"));
            assertEquals("00000002000000000000000400000001", readMessage(s));
            s.getOutputStream().write(Hex.decode("00000005000000090000000 23B00".replace(" ", "")));
            assertEquals("00000002000000090000000400000001", readMessage(s));
            s.getOutputStream().write(VscMessage.readerAdd("x").encode());
            assertEquals("00000002000000000000000400000000", readMessage(s));
            s.getOutputStream().write(Hex.decode("0000000500000000000000023C00")); // TS 3C: QEMU refuses it
            assertEquals("00000002000000000000000400000001", readMessage(s));
            // then it dies mid-message
            s.getOutputStream().write(Hex.decode("000000050000000000000010 3B".replace(" ", "")));
        }
        assertEquals("00019000", Hex.encode(good.transmit(Hex.decode("00CA000000"), 0, 5)));
        assertTrue(arrived.isEmpty(), "no card from bad clients: " + arrived);
        waitFor("only the good client left", () -> server.clientCount() == 1);
    }

    @Test
    void cardSideClosesOnBadHostAndReconnects() throws Exception {
        try (ServerSocket fake = new ServerSocket(FAKE_HOST_PORT, 4, java.net.InetAddress.getLoopbackAddress())) {
            fake.setSoTimeout(10_000);
            CardSideClient c = new CardSideClient(new CardSideClient.Settings("127.0.0.1", FAKE_HOST_PORT, "R",
                    1000, 50, 200, Vsc.DEFAULT_MAX_PAYLOAD), new TestCard(), null);
            toClose.add(c);
            c.start();
            String[] badHosts = {
                "00000001FFFFFFFF0000000C444353560000000200000000", // wrong magic
                "00000001FFFFFFFF0000000C565343440000000200000000 00000007000000007FFFFFFF", // 2 GiB APDU
                "00000001FFFFFFFF0000000C565343440000000200000000 00000005000000000000000 23B00", // ATR from host
            };
            for (String bad : badHosts) {
                try (Socket s = fake.accept()) {
                    s.setSoTimeout(10_000);
                    assertEquals("00000001FFFFFFFF0000000C565343440000000200000000", readMessage(s));
                    s.getOutputStream().write(Hex.decode(bad.replace(" ", "")));
                    // whatever the client sent before closing, it must close
                    InputStream in = s.getInputStream();
                    while (in.read() >= 0) {
                        // drain
                    }
                }
            }
            // the client keeps trying: a good host gets a full handshake
            try (Socket s = fake.accept()) {
                s.setSoTimeout(10_000);
                readMessage(s);
                s.getOutputStream().write(VscMessage.init(Vsc.UNDEFINED_READER_ID).encode());
                String add = readMessage(s);
                assertTrue(add.startsWith("00000003FFFFFFFF00000002"), add);
                s.getOutputStream().write(VscMessage.error(0, 0).encode());
                assertEquals("00000005000000000000000D3B888001766363696456534334", readMessage(s));
                s.getOutputStream().write(VscMessage.error(0, 0).encode());
                s.getOutputStream().write(Hex.decode("00000007000000000000000700000000020102"));
                assertEquals("00000007000000000000000402019000", readMessage(s));
                s.getOutputStream().write(Hex.decode("000000080000000000000000"));
                assertEquals("000000090000000000000000", readMessage(s));
                c.close();
                assertEquals("000000060000000000000000", readMessage(s));
                assertEquals("000000040000000000000000", readMessage(s));
                assertClosed(s);
            }
        }
    }

    private static Socket raw() throws IOException {
        Socket s = new Socket("127.0.0.1", PORT);
        s.setSoTimeout(10_000);
        return s;
    }

    static String readMessage(Socket s) throws IOException {
        DataInputStream in = new DataInputStream(s.getInputStream());
        byte[] h = new byte[12];
        in.readFully(h);
        int len = ((h[8] & 0xFF) << 24) | ((h[9] & 0xFF) << 16) | ((h[10] & 0xFF) << 8) | (h[11] & 0xFF);
        byte[] p = new byte[len];
        in.readFully(p);
        return Hex.encode(h) + Hex.encode(p);
    }

    static void assertClosed(Socket s) throws IOException {
        try {
            int b;
            while ((b = s.getInputStream().read()) >= 0) {
                // skip what came before the close (an Error answer)
                assertTrue(b >= 0);
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("connection not closed within 10 s");
        } catch (IOException e) {
            // reset by peer: closed as well
        }
    }
}
