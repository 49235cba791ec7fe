package org.vccid.card.pcsc.mirror.internal;

import org.vccid.pcsc.JdkPcsc;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.osgi.framework.Filter;
import org.osgi.framework.FrameworkUtil;
import org.vccid.card.Card;
import org.vccid.ccid.Ccid;
import org.vccid.ccid.CcidMessage;
import org.vccid.ccid.internal.engine.CardClaims;
import org.vccid.ccid.internal.engine.CcidEngine;
import org.vccid.ccid.internal.engine.ReaderSettings;
import org.vccid.iso7816.Hex;
import org.vccid.reader.Slot;
import org.vccid.testcard.TestCard;
import org.vccid.testkit.Pcscd;
import org.vccid.transport.CcidSession;
import org.vccid.transport.HostLink;

/**
 * Issue 8 at the reader-engine level: vicc's card, mirrored from a private pcscd (vpcd on 37800), sits in slot 0
 * of a vccid reader engine ({@link CcidEngine} built directly, as ccid.core's EngineTest does); a host attached to
 * the engine speaks CCID to it. The mirror's registrations are bound to the slot the way ccid.core's
 * ReaderComponent binds Card services (LDAP filter on the service properties; insert when the slot is free,
 * {@code cardGone} when the service goes).
 *
 * <p>Runs in the {@code pcsc-real-peer} surefire execution (add-opens, fixed PCSCLITE_CSOCK_NAME), after or before
 * PcscMirrorRealPeerTest; each class starts and stops its own pcscd in the shared directory. Steps in order:
 * card inserted into the slot, ISO 7816-4 vectors through CCID, vicc killed/restarted (50 02 / 50 03), pcscd
 * restarted, a slow mirrored APDU (vicc stopped with SIGSTOP) gets time extensions while slot 1 keeps answering.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MirrorInEngineRealPeerTest {

    private static final long WAIT_S = 15;
    /** The slot filter a ReaderComponent configuration would carry for this card (README). */
    private static final String SLOT_FILTER = "(&(vccid.card.type=pcsc-mirror)(vccid.card.name=" + ViccPeer.READER_0
            + "))";
    /** Time extension period of the engine under test (ReaderSettings minimum is 10 ms). */
    private static final long TIME_EXTENSION_MS = 50;

    /** procps' kill: SIGSTOP/SIGCONT for vicc (Java cannot send those). */
    private static final String KILL = "/bin/kill";

    private Path dir;
    private Pcscd pcscd;
    private Process vicc;
    private HostMirror mirror;
    private final Recorder rec = new Recorder();
    private ExecutorService pool;
    private ScheduledExecutorService timer;
    private CcidEngine engine;
    private HostSide host;

    @BeforeAll
    void peers() throws Exception {
        String reason = ViccPeer.unavailableReason();
        if (reason == null && !new java.io.File(KILL).canExecute()) {
            reason = KILL + " is missing (apt-get install procps): it freezes vicc to make a slow card";
        }
        if (reason != null) {
            System.out.println("SKIPPED MirrorInEngineRealPeerTest: " + reason);
        }
        assumeTrue(reason == null, reason);
        dir = ViccPeer.pcscdDir();
        assumeTrue(dir != null, "run through the pcsc-real-peer surefire execution (fixed PCSCLITE_CSOCK_NAME)");
        assumeTrue(new JdkPcsc().unavailableReason() == null, () -> "" + new JdkPcsc().unavailableReason());
        Files.createDirectories(dir);
        Files.deleteIfExists(dir.resolve("run").resolve("pcscd.comm"));

        pool = Executors.newCachedThreadPool();
        timer = Executors.newSingleThreadScheduledExecutor();
        engine = new CcidEngine(ReaderSettings.builder("mirror-engine").slots(2)
                .timeExtensionMillis(TIME_EXTENSION_MS).build(), pool, timer, new CardClaims());
        host = new HostSide(engine);
        assertNull(host.session.takeInterrupt(), "empty reader: nothing to notify");

        pcscd = ViccPeer.startPcscd(dir);
        vicc = ViccPeer.startVicc(dir, 0);
        mirror = new HostMirror(new JdkPcsc(), new Settings(".*", "", "shared", "*", 300, 200),
                new SlotBinder(engine, slot(0), SLOT_FILTER, rec), rec);
        mirror.start();
    }

    @AfterAll
    void cleanUp() {
        if (vicc != null && vicc.isAlive()) {
            signal(vicc, "CONT"); // in case a slow-card step failed half-way
        }
        if (mirror != null) {
            mirror.stop();
        }
        ViccPeer.stop(vicc);
        if (pcscd != null) {
            pcscd.close();
        }
        if (host != null) {
            host.session.close();
        }
        if (engine != null) {
            engine.close();
        }
        if (pool != null) {
            pool.shutdownNow();
            timer.shutdownNow();
        }
    }

    private Slot slot(int i) {
        return engine.slots().get(i);
    }

    // ------------------------------------------------------------------------------------------------ the steps

    @Test
    @Order(1)
    void theMirroredCardIsInsertedIntoTheSlotAndTheHostIsNotified() throws Exception {
        assertEquals("+" + ViccPeer.READER_0, rec.next(WAIT_S));
        assertSame(rec.cards.get(ViccPeer.READER_0), slot(0).card().orElseThrow(), "the mirror's card is in slot 0");
        // CCID 1.1 §6.3.1 RDR_to_PC_NotifySlotChange: slot 0 present (bit 0) + changed (bit 1)
        assertEquals("50 03", Hex.spaced(host.nextInterrupt()));
        // CCID §6.1.4 PC_to_RDR_GetSlotStatus -> §6.2.2 RDR_to_PC_SlotStatus, bmICCStatus 1: present, inactive
        assertEquals("81 00 00 00 00 00 01 01 00 00", host.exchange("65 00 00 00 00 00 01 00 00 00"));
        // slot 1 is empty: bmICCStatus 2
        assertEquals("81 00 00 00 00 01 02 02 00 00", host.exchange("65 00 00 00 00 01 02 00 00 00"));
    }

    @Test
    @Order(2)
    void iso7816VectorsPassThroughTheEngineAndTheMirror() {
        // CCID §6.1.1 PC_to_RDR_IccPowerOn -> RDR_to_PC_DataBlock with vicc's real ATR (ISO 7816-3 §8, T=1)
        assertEquals("80 0B 00 00 00 00 03 00 00 00 " + ViccPeer.VICC_ATR,
                host.exchange("62 00 00 00 00 00 03 00 00 00"));
        assertEquals("81 00 00 00 00 00 04 00 00 00", host.exchange("65 00 00 00 00 00 04 00 00 00"),
                "present and active after power on");

        // ISO/IEC 7816-4:2005 §7.5 GET CHALLENGE (INS 84), Le 08: 8 random bytes + 90 00
        String c1 = host.exchange("6F 05 00 00 00 00 05 00 00 00 00 84 00 00 08");
        String c2 = host.exchange("6F 05 00 00 00 00 06 00 00 00 00 84 00 00 08");
        assertTrue(c1.matches("80 0A 00 00 00 00 05 00 00 00( [0-9A-F]{2}){8} 90 00"), c1);
        assertTrue(c2.matches("80 0A 00 00 00 00 06 00 00 00( [0-9A-F]{2}){8} 90 00"), c2);
        assertNotEquals(c1.substring(30, 53), c2.substring(30, 53), "two challenges are random");

        // ISO/IEC 7816-4:2005 §7.1.1 SELECT, P1=00 (MF by identifier 3F00), P2=0C (no response data) -> 90 00.
        // (never P2=00 with vicc: answering with FCI crashes it)
        assertEquals("80 02 00 00 00 00 07 00 00 00 90 00",
                host.exchange("6F 07 00 00 00 00 07 00 00 00 00 A4 00 0C 02 3F 00"));
        // §7.1.1 SELECT P1=04 (DF name / AID) of an application the card does not have -> §5.1.3 6A 82
        // (file or application not found)
        assertEquals("80 02 00 00 00 00 08 00 00 00 6A 82",
                host.exchange("6F 0A 00 00 00 00 08 00 00 00 00 A4 04 0C 05 A0 00 00 00 01"));
        // §7.1.1 SELECT P1=02 (EF under the current DF) 2F00, absent on vicc's card -> 6A 82
        assertEquals("80 02 00 00 00 00 09 00 00 00 6A 82",
                host.exchange("6F 07 00 00 00 00 09 00 00 00 00 A4 02 0C 02 2F 00"));
        // §7.2.3 READ BINARY with no current EF -> §5.1.3 69 86 (command not allowed, no current EF)
        assertEquals("80 02 00 00 00 00 0A 00 00 00 69 86",
                host.exchange("6F 05 00 00 00 00 0A 00 00 00 00 B0 00 00 04"));
        // §5.1.3 (Table 6) an INS the card does not know -> 6D 00
        assertEquals("80 02 00 00 00 00 0B 00 00 00 6D 00",
                host.exchange("6F 04 00 00 00 00 0B 00 00 00 00 FF 00 00"));
        // the card is still fine after the errors: SELECT MF again
        assertEquals("80 02 00 00 00 00 0C 00 00 00 90 00",
                host.exchange("6F 07 00 00 00 00 0C 00 00 00 00 A4 00 0C 02 3F 00"));
        // extended length (ISO/IEC 7816-4:2005 §5.1, extended Le 00 00 08) through the extended-APDU-level
        // engine and the mirror (vpcd allows 64 KiB APDUs)
        assertTrue(host.exchange("6F 07 00 00 00 00 0D 00 00 00 00 84 00 00 00 00 08")
                .matches("80 0A 00 00 00 00 0D 00 00 00( [0-9A-F]{2}){8} 90 00"));
        // CCID §6.1.2 PC_to_RDR_IccPowerOff -> SlotStatus present, inactive; power on again gives the ATR
        assertEquals("81 00 00 00 00 00 0E 01 00 00", host.exchange("63 00 00 00 00 00 0E 00 00 00"));
        assertEquals("80 0B 00 00 00 00 0F 00 00 00 " + ViccPeer.VICC_ATR,
                host.exchange("62 00 00 00 00 00 0F 00 00 00"));
        host.assertQuiet();
    }

    @Test
    @Order(3)
    void removingAndReinsertingViccsCardIsSeenInTheSlot() throws Exception {
        ViccPeer.stop(vicc); // vpcd: the card is gone
        assertEquals("-" + ViccPeer.READER_0, rec.next(WAIT_S));
        // CCID §6.3.1: slot 0 absent (bit 0 clear) + changed (bit 1)
        assertEquals("50 02", Hex.spaced(host.nextInterrupt()));
        assertTrue(slot(0).card().isEmpty());
        // bmICCStatus 2 (absent); an XfrBlock now fails with bError ICC_MUTE (FE), bmCommandStatus 1
        assertEquals("81 00 00 00 00 00 10 02 00 00", host.exchange("65 00 00 00 00 00 10 00 00 00"));
        assertEquals("80 00 00 00 00 00 11 42 FE 00",
                host.exchange("6F 05 00 00 00 00 11 00 00 00 00 84 00 00 08"));

        vicc = ViccPeer.startVicc(dir, 0);
        assertEquals("+" + ViccPeer.READER_0, rec.next(WAIT_S));
        assertEquals("50 03", Hex.spaced(host.nextInterrupt()));
        assertEquals("81 00 00 00 00 00 12 01 00 00", host.exchange("65 00 00 00 00 00 12 00 00 00"));
        assertEquals("80 0B 00 00 00 00 13 00 00 00 " + ViccPeer.VICC_ATR,
                host.exchange("62 00 00 00 00 00 13 00 00 00"));
        assertEquals("80 02 00 00 00 00 14 00 00 00 90 00",
                host.exchange("6F 07 00 00 00 00 14 00 00 00 00 A4 00 0C 02 3F 00"));
        assertNull(host.session.takeInterrupt(), "no further slot change");
    }

    @Test
    @Order(4)
    void restartingPcscdBringsTheMirroredCardBackIntoTheSlot() throws Exception {
        pcscd.close(); // vicc exits with vpcd
        assertEquals("-" + ViccPeer.READER_0, rec.next(WAIT_S));
        vicc.waitFor(10, TimeUnit.SECONDS);
        assertEquals("50 02", Hex.spaced(host.nextInterrupt()));
        assertEquals("81 00 00 00 00 00 15 02 00 00", host.exchange("65 00 00 00 00 00 15 00 00 00"));

        pcscd = ViccPeer.startPcscd(dir);
        vicc = ViccPeer.startVicc(dir, 0);
        assertEquals("+" + ViccPeer.READER_0, rec.next(WAIT_S));
        assertEquals("50 03", Hex.spaced(host.nextInterrupt()));
        assertSame(rec.cards.get(ViccPeer.READER_0), slot(0).card().orElseThrow());
        assertEquals("80 0B 00 00 00 00 16 00 00 00 " + ViccPeer.VICC_ATR,
                host.exchange("62 00 00 00 00 00 16 00 00 00"));
        assertTrue(host.exchange("6F 05 00 00 00 00 17 00 00 00 00 84 00 00 08")
                .matches("80 0A 00 00 00 00 17 00 00 00( [0-9A-F]{2}){8} 90 00"));
        assertTrue(rec.events.isEmpty(), () -> "unexpected mirror events " + rec.events);
    }

    @Test
    @Order(5)
    void aSlowMirroredApduGetsTimeExtensionsWhileTheOtherSlotKeepsAnswering() throws Exception {
        Card mirrored = slot(0).card().orElseThrow();
        assertFalse(mirrored.isNonBlocking(), "the mirror card is blocking: the engine must use a worker");
        TestCard fast = new TestCard(TestCard.ATR_T0, true);
        slot(1).insert(fast);
        // CCID §6.3.1: slot 0 present (bit 0, unchanged), slot 1 present + changed (bits 2, 3)
        assertEquals("50 0D", Hex.spaced(host.nextInterrupt()));
        assertEquals("80 04 00 00 00 01 20 00 00 00 3B 02 14 50", host.exchange("62 00 00 00 00 01 20 00 00 00"));

        // vicc is stopped: the mirrored APDU goes down SCardTransmit -> pcscd -> vpcd -> vicc's socket and waits
        signal(vicc, "STOP");
        long t0 = System.nanoTime();
        host.send("6F 05 00 00 00 00 21 00 00 00 00 84 00 00 08");
        // CCID §6.2.1 / §6.2.6: bmCommandStatus 2 (time extension), bError = BWT multiplier 1, no data
        String ext = Hex.spaced(host.receive(5));
        assertEquals("80 00 00 00 00 00 21 80 01 00", ext, "a time extension for the slow slot");

        // meanwhile slot 1 answers, and slot 0 says it is busy (bError CMD_SLOT_BUSY E0); time extensions for
        // slot 0 may come in between
        host.send("6F 04 00 00 00 01 22 00 00 00 00 A4 04 00");
        host.send("65 00 00 00 00 00 23 00 00 00");
        List<String> got = new ArrayList<>();
        int extensions = 1;
        while (got.size() < 2) {
            String m = Hex.spaced(host.receive(5));
            if (m.equals(ext)) {
                extensions++;
            } else {
                got.add(m);
            }
        }
        got.sort(null);
        assertEquals(List.of("80 02 00 00 00 01 22 00 00 00 90 00", "81 00 00 00 00 00 23 40 E0 00"), got);
        assertEquals(1, fast.commands.get(), "slot 1's card was called while slot 0's APDU was in flight");

        // keep vicc stopped a little longer, so that several time extensions are due
        Thread.sleep(5 * TIME_EXTENSION_MS);
        signal(vicc, "CONT");
        String done;
        while ((done = Hex.spaced(host.receive(10))).equals(ext)) {
            extensions++;
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(done.matches("80 0A 00 00 00 00 21 00 00 00( [0-9A-F]{2}){8} 90 00"), done);
        assertTrue(extensions >= 2, extensions + " time extensions in " + ms + " ms");
        System.out.println("[engine] slow mirrored GET CHALLENGE: " + ms + " ms, " + extensions
                + " time extensions (period " + TIME_EXTENSION_MS + " ms)");
        Thread.sleep(2 * TIME_EXTENSION_MS);
        host.assertQuiet();
        // the mirrored card is fine afterwards
        assertEquals("80 02 00 00 00 00 24 00 00 00 90 00",
                host.exchange("6F 07 00 00 00 00 24 00 00 00 00 A4 00 0C 02 3F 00"));
    }

    @Test
    @Order(6)
    void anAbortedMirroredApduEndsAtOnceAndItsLateAnswerNeverReachesTheHost() throws Exception {
        signal(vicc, "STOP");
        host.send("6F 05 00 00 00 00 30 00 00 00 00 84 00 00 08");
        assertEquals("80 00 00 00 00 00 30 80 01 00", Hex.spaced(host.receive(5)), "in flight: time extension");
        // CCID §5.3.1 ABORT class request (wValue = bSeq << 8 | bSlot), then §6.1.13 PC_to_RDR_Abort
        assertNotNull(host.session.controlRequest(Ccid.REQUEST_TYPE_OUT, Ccid.REQUEST_ABORT, 0x30 << 8, 0));
        assertEquals("80 00 00 00 00 00 30 40 FF 00", host.answerTo(0x30),
                "the aborted XfrBlock: bmCommandStatus 1, bError CMD_ABORTED (FF)");
        assertEquals("81 00 00 00 00 00 30 00 00 00", host.exchange("72 00 00 00 00 00 30 00 00 00"));
        Thread.sleep(3 * TIME_EXTENSION_MS);
        host.assertQuiet(); // no time extension for an aborted command
        signal(vicc, "CONT"); // vicc answers the aborted GET CHALLENGE now: the engine must drop it
        assertEquals("80 02 00 00 00 00 31 00 00 00 90 00",
                host.exchange("6F 07 00 00 00 00 31 00 00 00 00 A4 00 0C 02 3F 00"));
        Thread.sleep(3 * TIME_EXTENSION_MS);
        host.assertQuiet();
    }

    @Test
    @Order(7)
    void theHostCardPulledWhileAMirroredApduIsInFlightEndsWithADefinedError() throws Exception {
        signal(vicc, "STOP");
        host.send("6F 05 00 00 00 00 40 00 00 00 00 84 00 00 08");
        assertEquals("80 00 00 00 00 00 40 80 01 00", Hex.spaced(host.receive(5)), "in flight: time extension");
        vicc.destroyForcibly().waitFor(10, TimeUnit.SECONDS); // SIGKILL also ends a stopped process
        // SCardTransmit fails (vicc's socket closed) or the slot is emptied first: either way bmCommandStatus 1,
        // bError ICC_MUTE (FE), bmICCStatus 0 (still present) or 2 (absent), and exactly one answer
        String failed = host.answerTo(0x40);
        assertTrue(failed.matches("80 00 00 00 00 00 40 4[02] FE 00"), failed);
        assertEquals("-" + ViccPeer.READER_0, rec.next(WAIT_S));
        // slot 0 absent + changed (bit 1), slot 1 present (bit 2, unchanged)
        assertEquals("50 06", Hex.spaced(host.nextInterrupt()));
        assertEquals("81 00 00 00 00 00 41 02 00 00", host.exchange("65 00 00 00 00 00 41 00 00 00"));
        Thread.sleep(3 * TIME_EXTENSION_MS);
        host.assertQuiet();

        vicc = ViccPeer.startVicc(dir, 0);
        assertEquals("+" + ViccPeer.READER_0, rec.next(WAIT_S));
        assertEquals("50 07", Hex.spaced(host.nextInterrupt()));
        assertEquals("80 0B 00 00 00 00 42 00 00 00 " + ViccPeer.VICC_ATR,
                host.exchange("62 00 00 00 00 00 42 00 00 00"));
        assertEquals("80 02 00 00 00 00 43 00 00 00 90 00",
                host.exchange("6F 07 00 00 00 00 43 00 00 00 00 A4 00 0C 02 3F 00"));
        // slot 1's card was never disturbed
        assertEquals("80 02 00 00 00 01 44 00 00 00 90 00", host.exchange("6F 04 00 00 00 01 44 00 00 00 00 A4 04 00"));
    }

    private static void signal(Process p, String sig) {
        try {
            Process k = new ProcessBuilder(KILL, "-" + sig, Long.toString(p.pid())).inheritIO().start();
            assertTrue(k.waitFor(5, TimeUnit.SECONDS) && k.exitValue() == 0 || !p.isAlive(), "kill -" + sig);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    // ------------------------------------------------------------------------------------------------ helpers

    /**
     * Binds the mirror's registrations to one slot the way ccid.core's ReaderComponent binds Card services: a
     * service matching the slot filter goes into the slot when the slot is empty; when it goes away the engine is
     * told ({@code cardGone}) before the service is gone.
     */
    private static final class SlotBinder implements HostMirror.Registrar {
        private final CcidEngine engine;
        private final Slot slot;
        private final Filter filter;
        private final Recorder rec;

        SlotBinder(CcidEngine engine, Slot slot, String filter, Recorder rec) throws Exception {
            this.engine = engine;
            this.slot = slot;
            this.filter = FrameworkUtil.createFilter(filter);
            this.rec = rec;
        }

        @Override
        public HostMirror.Registration register(MirrorCard card, Map<String, Object> properties) {
            if (filter.matches(properties) && slot.card().isEmpty()) {
                slot.insert(card);
            }
            HostMirror.Registration r = rec.register(card, properties);
            return () -> {
                engine.cardGone(card);
                r.unregister();
            };
        }
    }

    /** The host side of the engine: sends CCID bulk-out messages, collects bulk-in answers and interrupts. */
    private static final class HostSide implements HostLink {
        final LinkedBlockingQueue<byte[]> bulkIn = new LinkedBlockingQueue<>();
        final Semaphore interrupts = new Semaphore(0);
        final CcidSession session;

        HostSide(CcidEngine engine) {
            session = engine.attach(this);
        }

        @Override
        public void bulkIn(byte[] buffer, int offset, int length) {
            bulkIn.add(Arrays.copyOfRange(buffer, offset, offset + length));
        }

        @Override
        public void interruptAvailable() {
            interrupts.release();
        }

        @Override
        public void detached() {
        }

        void send(String hex) {
            byte[] m = Hex.decode(hex);
            session.bulkOut(m, 0, m.length);
        }

        byte[] receive(long seconds) throws InterruptedException {
            byte[] m = bulkIn.poll(seconds, TimeUnit.SECONDS);
            assertNotNull(m, "no answer from the reader within " + seconds + " s");
            return m;
        }

        /**
         * Sends one message and returns its answer, spaced hex; time extensions for the same bSeq (a loaded
         * machine may earn some) are skipped.
         */
        String exchange(String hex) {
            int seq = Hex.decode(hex)[6] & 0xFF;
            send(hex);
            return answerTo(seq);
        }

        /** The answer to a message already sent with bSeq {@code seq}, skipping its time extensions. */
        String answerTo(int seq) {
            try {
                byte[] m = receive(WAIT_S);
                while (CcidMessage.parse(m).commandStatus() == Ccid.COMMAND_STATUS_TIME_EXTENSION
                        && (m[6] & 0xFF) == seq) {
                    m = receive(WAIT_S);
                }
                assertQuiet();
                return Hex.spaced(m);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }

        void assertQuiet() {
            byte[] extra = bulkIn.peek();
            assertNull(extra, () -> "unexpected extra message " + Hex.spaced(extra));
        }

        /** The next RDR_to_PC_NotifySlotChange (waits for the engine to signal one). */
        byte[] nextInterrupt() throws InterruptedException {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_S);
            while (System.nanoTime() < end) {
                byte[] m = session.takeInterrupt();
                if (m != null) {
                    return m;
                }
                interrupts.tryAcquire(100, TimeUnit.MILLISECONDS);
            }
            throw new AssertionError("no NotifySlotChange within " + WAIT_S + " s");
        }
    }
}
