package org.vccid.transport.vsc.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vccid.card.CardException;
import org.vccid.iso7816.Hex;
import org.vccid.testkit.Proc;

/**
 * Real peer for the reader side: libcacard's CAC emulation (NSS soft card, three self-signed certificates) as a VSC
 * client (src/test/c/vsc-cacard-client.c, built here with gcc) connects to our reader side on 127.0.0.1:37240; the
 * remote card answers CAC applet selection like libcacard does. Skips without gcc, libcacard-dev or certutil
 * (libnss3-tools).
 */
class CacardClientTest {

    static final int PORT = 37240;

    @TempDir
    Path dir;

    @Test
    void libcacardCardThroughOurReaderSide() throws Exception {
        boolean tools = Proc.which("gcc") && Proc.which("pkg-config") && Proc.which("certutil");
        boolean lib = tools && Proc.run(Duration.ofSeconds(20), "pkg-config", "--exists", "libcacard").exitCode == 0;
        if (!lib) {
            System.out.println("SKIP CacardClientTest: needs gcc, pkg-config, libcacard-dev, libnss3-tools");
        }
        assumeTrue(lib, "gcc/libcacard-dev/certutil missing");
        Path exe = dir.resolve("vsc-cacard-client");
        String flags = Proc.run(Duration.ofSeconds(20), "pkg-config", "--cflags", "--libs", "libcacard").output.strip();
        Proc.Result cc = Proc.run(Duration.ofMinutes(2), java.util.Map.of(), java.util.List.of("sh", "-c",
                "gcc -O1 -o '" + exe + "' src/test/c/vsc-cacard-client.c " + flags));
        assertEquals(0, cc.exitCode, cc.output);
        Path db = dir.resolve("nssdb");
        Files.createDirectories(db);
        Path noise = dir.resolve("noise");
        Files.write(noise, new java.security.SecureRandom().generateSeed(64));
        assertEquals(0, Proc.run(Duration.ofSeconds(60), "certutil", "-N", "-d", "sql:" + db, "--empty-password")
                .exitCode);
        for (int i = 1; i <= 3; i++) {
            Proc.Result r = Proc.run(Duration.ofSeconds(120), "certutil", "-S", "-d", "sql:" + db, "-n", "cert" + i,
                    "-s", "CN=vccid VSC test " + i, "-x", "-t", "CT,C,C", "-k", "rsa", "-g", "2048", "-v", "12",
                    "-z", noise.toString(), "-m", String.valueOf(100 + i));
            assertEquals(0, r.exitCode, r.output);
        }

        BlockingQueue<RemoteCard> arrived = new LinkedBlockingQueue<>();
        BlockingQueue<RemoteCard> gone = new LinkedBlockingQueue<>();
        try (ReaderSideServer server = new ReaderSideServer(new ReaderSideServer.Settings("127.0.0.1", PORT),
                new ReaderSideServer.CardSink() {
                    @Override
                    public void cardArrived(RemoteCard c) {
                        arrived.add(c);
                    }

                    @Override
                    public void cardGone(RemoteCard c) {
                        gone.add(c);
                    }
                })) {
            Process p = new ProcessBuilder(exe.toString(), "127.0.0.1", String.valueOf(PORT), db.toString())
                    .redirectErrorStream(true).start();
            try {
                BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(),
                        StandardCharsets.UTF_8));
                OutputStream in = p.getOutputStream();
                String ready = out.readLine();
                assertNotNull(ready, "client output");
                assertTrue(ready.startsWith("READY "), ready); // our reader side acknowledged reader and ATR
                RemoteCard card = arrived.poll(30, TimeUnit.SECONDS);
                assertNotNull(card, "remote card");
                assertEquals("libcacard reader", card.readerName());
                assertArrayEquals(Hex.decode(ready.substring(6)), card.atr());
                // SELECT the first CAC PKI applet: libcacard answers 90 00 (or 61 xx)
                byte[] r = card.transmit(Hex.decode("00A4040007A000000079010000"), 0, 12);
                int sw1 = r[r.length - 2] & 0xFF;
                assertTrue(sw1 == 0x90 || sw1 == 0x61, Hex.encode(r));
                // an unknown applet: 6A 82
                byte[] nf = card.transmit(Hex.decode("00A4040007A000000000009900"), 0, 12);
                assertEquals("6A82", Hex.encode(nf, nf.length - 2, 2));
                // card removed on the client
                in.write("remove\n".getBytes(StandardCharsets.US_ASCII));
                in.flush();
                assertEquals("REMOVED 0", out.readLine());
                assertEquals(card, gone.poll(30, TimeUnit.SECONDS));
                assertThrows(CardException.class, () -> card.transmit(Hex.decode("00A4040000"), 0, 5));
                in.write("insert\n".getBytes(StandardCharsets.US_ASCII));
                in.flush();
                assertTrue(out.readLine().startsWith("READY "));
                RemoteCard again = arrived.poll(30, TimeUnit.SECONDS);
                assertNotNull(again);
                byte[] r2 = again.transmit(Hex.decode("00A4040007A000000079010000"), 0, 12);
                assertTrue((r2[r2.length - 2] & 0xFF) == 0x90 || (r2[r2.length - 2] & 0xFF) == 0x61, Hex.encode(r2));
                in.write("exit\n".getBytes(StandardCharsets.US_ASCII));
                in.flush();
                assertTrue(p.waitFor(10, TimeUnit.SECONDS));
                assertEquals(0, p.exitValue());
                assertEquals(again, gone.poll(30, TimeUnit.SECONDS));
                LoopbackTest.waitFor("client gone", () -> server.clientCount() == 0);
            } finally {
                p.destroyForcibly();
            }
        }
    }
}
