package org.vccid.card.pcsc.mirror.internal;

import org.vccid.pcsc.JdkPcsc;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.vccid.card.Card;
import org.vccid.card.CardException;
import org.vccid.iso7816.Hex;
import org.vccid.testkit.Pcscd;
import org.vccid.testkit.Proc;

/**
 * The mirror against a real host PC/SC stack: a private pcscd with vpcd, vicc as the card. Runs in the
 * {@code pcsc-real-peer} surefire execution (its own JVM with PCSCLITE_CSOCK_NAME fixed and the add-opens the
 * mirror needs). The steps share one pcscd directory and run in order: no service, service comes, APDUs, card
 * removal and insertion, pcscd restart, exclusive access, reader pattern, stop.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PcscMirrorRealPeerTest {

    private static final long WAIT_S = 15;

    private Path dir;
    private Pcscd pcscd;
    private Process vicc;
    private Process vicc1;
    private HostMirror mirror;
    private final Recorder rec = new Recorder();

    @BeforeAll
    void peers() throws Exception {
        String reason = ViccPeer.unavailableReason();
        if (reason != null) {
            System.out.println("SKIPPED PcscMirrorRealPeerTest: " + reason);
        }
        assumeTrue(reason == null, reason);
        dir = ViccPeer.pcscdDir();
        assumeTrue(dir != null, "run through the pcsc-real-peer surefire execution (fixed PCSCLITE_CSOCK_NAME)");
        assumeTrue(new JdkPcsc().unavailableReason() == null, () -> "" + new JdkPcsc().unavailableReason());
        Files.createDirectories(dir);
        Files.deleteIfExists(dir.resolve("run").resolve("pcscd.comm"));
    }

    @AfterAll
    void cleanUp() {
        if (mirror != null) {
            mirror.stop();
        }
        ViccPeer.stop(vicc);
        ViccPeer.stop(vicc1);
        if (pcscd != null) {
            pcscd.close();
        }
    }

    /**
     * Starts a mirror for one step, stopping the previous one first: a step that failed half-way must not leave
     * its mirror running (an exclusive one would keep the card from every later client, other test classes too).
     */
    private HostMirror startMirror(Settings settings, Recorder recorder) {
        if (mirror != null) {
            mirror.stop();
        }
        mirror = new HostMirror(new JdkPcsc(), settings, recorder, recorder);
        mirror.start();
        return mirror;
    }

    private static Settings settings(String include, String shareMode) {
        return new Settings(include, "", shareMode, "*", 300, 200);
    }

    private static byte[] send(Card card, String hex) throws CardException {
        byte[] apdu = Hex.decode(hex);
        byte[] padded = new byte[apdu.length + 6];
        System.arraycopy(apdu, 0, padded, 3, apdu.length); // a command in the middle of a larger buffer
        return card.transmit(padded, 3, apdu.length);
    }

    private static String sw(byte[] response) {
        return Hex.encode(response, response.length - 2, 2).toUpperCase();
    }

    private void startHost() throws Exception {
        pcscd = ViccPeer.startPcscd(dir);
        vicc = ViccPeer.startVicc(dir, 0);
    }

    @Test
    @Order(1)
    void withoutPcscdTheMirrorLogsOnceKeepsRetryingAndPicksUpTheServiceWhenItComes() throws Exception {
        startMirror(settings(".*", "shared"), rec);
        Thread.sleep(1500); // about 7 retries at 200 ms
        assertEquals(1, rec.count("WARN", "no PC/SC service"), () -> "one warning expected:\n" + rec.log());
        assertTrue(rec.events.isEmpty());
        assertTrue(threadAlive(), "the mirror thread keeps retrying");

        startHost();
        assertEquals("+" + ViccPeer.READER_0, rec.next(WAIT_S));
        assertEquals(1, rec.count("INFO", "PC/SC service is available again"));
        assertEquals(1, rec.count("WARN", "no PC/SC service"), "no further warnings while it retried");
    }

    @Test
    @Order(2)
    void theMirroredCardHasTheRealAtrAndPassesApdusUnchanged() throws Exception {
        MirrorCard card = rec.cards.get(ViccPeer.READER_0);
        assertNotNull(card);
        assertEquals(HostMirror.TYPE, rec.properties.get(ViccPeer.READER_0).get(Card.TYPE));
        assertEquals("T=1", rec.properties.get(ViccPeer.READER_0).get(HostMirror.HOST_PROTOCOL));
        assertFalse(card.isNonBlocking(), "a real card blocks: the engine must call it on a worker thread");
        byte[] atr = Hex.decode(ViccPeer.VICC_ATR);
        assertArrayEquals(atr, card.atr());
        assertArrayEquals(atr, card.powerOn());

        byte[] c1 = send(card, "0084000008");
        byte[] c2 = send(card, "0084000008");
        assertEquals(10, c1.length);
        assertEquals("9000", sw(c1));
        assertFalse(Arrays.equals(c1, c2), "two challenges are random");

        // ISO 7816-4 vectors vicc's iso7816 card supports, answers as opensc-tool shows them directly
        String[][] vectors = {
            { "00A4000C023F00", "9000" }, // SELECT MF, no FCI (P2=0C; P2=00 crashes vicc)
            { "00A4020C022F00", "6A82" }, // SELECT EF under MF: not found
            { "00A4040C05A000000001", "6A82" }, // SELECT by unknown AID
            { "00B0000004", "6986" }, // READ BINARY without a current EF
            { "80CA9F7F00", "6A81" }, // GET DATA (proprietary class)
            { "00FF0000", "6D00" }, // unknown INS
        };
        for (String[] v : vectors) {
            assertEquals(v[1], sw(send(card, v[0])), v[0]);
        }
        // extended length (vpcd allows 64 KiB APDUs): extended Lc and extended Le reach vicc and are answered
        assertEquals("9000", sw(send(card, "00A4000C0000023F00")), "SELECT MF with extended Lc");
        byte[] ext = send(card, "00840000000008");
        assertEquals("9000", sw(ext), Hex.spaced(ext));
        assertEquals(10, ext.length, "GET CHALLENGE with extended Le 0008: " + Hex.spaced(ext));

        // bad input: not an APDU -> 6700 without touching the card; out-of-buffer -> caller's bug
        assertEquals("6700", sw(card.transmit(new byte[] { 0, (byte) 0x84, 0 }, 0, 3)));
        assertEquals("6700", sw(card.transmit(new byte[0], 0, 0)));
        assertThrows(IndexOutOfBoundsException.class, () -> card.transmit(new byte[4], 2, 4));
        assertEquals("9000", sw(send(card, "0084000008")), "card still fine after bad input");

        // APDUs must not queue behind the watcher's change wait (pcsc-lite locks a context for SCardGetStatusChange):
        // 100 APDUs take ~0.1 s here; sharing the watcher's context they took 12.9 s
        long t0 = System.nanoTime();
        for (int i = 0; i < 100; i++) {
            assertEquals("9000", sw(send(card, "0084000008")));
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(ms < 5_000, "100 APDUs took " + ms + " ms: serialised behind the watcher?");

        // another PC/SC client resets the shared card: our next APDU meets SCARD_W_RESET_CARD, reconnects, passes
        Proc.Result reset = pcscd.client(Duration.ofSeconds(20), "opensc-tool", "-r", "0", "--reset=warm");
        assertEquals(0, reset.exitCode, reset::toString);
        assertEquals("9000", sw(send(card, "0084000008")), "APDU after a foreign reset");
        assertFalse(card.isClosed());

        // warm reset = PC/SC reconnect with reset; power off/on = unpower + reconnect
        assertArrayEquals(atr, card.warmReset());
        assertEquals("9000", sw(send(card, "00A4000C023F00")));
        card.powerOff();
        assertArrayEquals(atr, card.atr(), "the ATR stays readable while unpowered");
        assertArrayEquals(atr, card.powerOn());
        assertEquals("9000", sw(send(card, "0084000008")));
    }

    @Test
    @Order(3)
    void hostCardRemovedAndInsertedIsSeenAsServiceGoneAndBack() throws Exception {
        MirrorCard old = rec.cards.get(ViccPeer.READER_0);
        ViccPeer.stop(vicc); // vpcd sees the card gone
        assertEquals("-" + ViccPeer.READER_0, rec.next(WAIT_S));
        for (int i = 0; i < 100 && !old.isClosed(); i++) {
            Thread.sleep(50); // the service goes first, then the mirror releases the PC/SC handle
        }
        assertTrue(old.isClosed());
        CardException e = assertThrows(CardException.class, () -> send(old, "0084000008"));
        assertTrue(e.getMessage().contains(ViccPeer.READER_0), e.getMessage());
        assertThrows(CardException.class, old::powerOn);

        vicc = ViccPeer.startVicc(dir, 0);
        assertEquals("+" + ViccPeer.READER_0, rec.next(WAIT_S));
        MirrorCard fresh = rec.cards.get(ViccPeer.READER_0);
        assertNotEquals(old, fresh);
        assertEquals("9000", sw(send(fresh, "0084000008")));
    }

    @Test
    @Order(4)
    void pcscdRestartUnregistersTheCardAndBringsItBack() throws Exception {
        long before = rec.count("WARN", "no PC/SC service"); // step 1's
        pcscd.close(); // vicc exits with it
        assertEquals("-" + ViccPeer.READER_0, rec.next(WAIT_S));
        assertTrue(vicc.waitFor(WAIT_S, TimeUnit.SECONDS), "vicc exits with vpcd");
        // the mirror unregisters the card, then logs: wait for that one warning rather than race the thread
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_S);
        while (rec.count("WARN", "no PC/SC service") == before && System.nanoTime() < end) {
            Thread.sleep(20);
        }
        assertEquals(before + 1, rec.count("WARN", "no PC/SC service"), () -> String.join("\n", rec.log()));
        Thread.sleep(1000); // about 5 retries
        assertEquals(before + 1, rec.count("WARN", "no PC/SC service"), "logged once, not once per retry");

        startHost();
        assertEquals("+" + ViccPeer.READER_0, rec.next(WAIT_S));
        assertEquals("9000", sw(send(rec.cards.get(ViccPeer.READER_0), "0084000008")));
        assertTrue(rec.events.isEmpty(), () -> "unexpected events " + rec.events);
    }

    @Test
    @Order(5)
    void stopUnregistersEverythingAndEndsTheThread() throws Exception {
        MirrorCard card = rec.cards.get(ViccPeer.READER_0);
        mirror.stop();
        mirror = null;
        assertEquals("-" + ViccPeer.READER_0, rec.next(1));
        assertTrue(card.isClosed());
        assertFalse(threadAlive(), "no thread left behind");
    }

    @Test
    @Order(6)
    void exclusiveModeKeepsOtherPcscClientsOut() throws Exception {
        Recorder ex = new Recorder();
        startMirror(settings(".*", "exclusive"), ex);
        assertEquals("+" + ViccPeer.READER_0, ex.next(WAIT_S));
        Proc.Result other = pcscd.client(Duration.ofSeconds(20), "opensc-tool", "-r", "0", "-s", "0084000008");
        assertFalse(other.output.contains("SW1=0x90"), () -> "opensc-tool got in despite exclusive mode:\n" + other);
        assertEquals("9000", sw(send(ex.cards.get(ViccPeer.READER_0), "0084000008")));
        mirror.stop();
        mirror = null;

        Proc.Result after = pcscd.client(Duration.ofSeconds(20), "opensc-tool", "-r", "0", "-s", "0084000008");
        assertTrue(after.output.contains("SW1=0x90, SW2=0x00"), () -> "opensc-tool after the mirror stopped:\n" + after);
    }

    @Test
    @Order(7)
    void onlyReadersMatchingThePatternAreMirrored() throws Exception {
        vicc1 = ViccPeer.startVicc(dir, 1);
        Recorder only1 = new Recorder();
        startMirror(settings(".* 00 01", "shared"), only1);
        assertEquals("+" + ViccPeer.READER_1, only1.next(WAIT_S));
        Thread.sleep(700); // two more change waits: reader 00 00 (card present) must stay unmirrored
        assertTrue(only1.events.isEmpty(), () -> "unexpected " + only1.events);
        assertEquals("9000", sw(send(only1.cards.get(ViccPeer.READER_1), "0084000008")));
        mirror.stop();
        mirror = null;
        assertEquals("-" + ViccPeer.READER_1, only1.next(1));
    }

    private static boolean threadAlive() {
        return Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.getName().equals("vccid-pcsc-mirror") && t.isAlive());
    }
}
