package org.vccid.transport.usbip.internal;

import static org.junit.jupiter.api.Assertions.*;
import static org.vccid.transport.usbip.wire.UsbIp.*;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.vccid.ccid.Ccid;
import org.vccid.ccid.CcidMessage;
import org.vccid.ccid.internal.engine.CcidEngine;
import org.vccid.iso7816.Hex;
import org.vccid.testcard.TestCard;
import org.vccid.transport.usbip.client.LinuxHost;
import org.vccid.transport.usbip.client.VhciClient;
import org.vccid.transport.usbip.client.VhciClient.Urb;
import org.vccid.transport.usbip.wire.RetSubmit;
import org.vccid.transport.usbip.wire.RetUnlink;
import org.vccid.transport.usbip.wire.UsbDeviceInfo;

/** The server against a client that behaves like Linux vhci + usbip + libccid. */
class UsbIpServerTest {

    Rig rig;
    TestCard card;
    CcidEngine engine;

    @BeforeEach
    void setUp() throws IOException {
        rig = new Rig();
        card = new TestCard(TestCard.ATR_T1, true);
        engine = rig.reader("vccid Test Reader", card);
    }

    @AfterEach
    void tearDown() {
        rig.close();
    }

    LinuxHost attach() throws IOException {
        LinuxHost h = LinuxHost.attach(rig.port, "1-1");
        h.enumerate();
        return h;
    }

    @Test
    void devlistShowsEachReaderUnderItsOwnBusid() throws IOException {
        rig.reader("second", null);
        List<UsbDeviceInfo> list = VhciClient.devlist(rig.port);
        assertEquals(2, list.size());
        UsbDeviceInfo d = list.get(0);
        assertEquals("1-1", d.busid());
        assertEquals("1-2", list.get(1).busid());
        assertEquals(1, d.busnum());
        assertEquals(1, d.devnum());
        assertEquals(SPEED_FULL, d.speed());
        assertEquals(0x1209, d.idVendor());
        assertEquals(0x0001, d.idProduct());
        assertEquals(1, d.bNumConfigurations());
        assertEquals(List.of(new UsbDeviceInfo.UsbInterfaceInfo(0x0B, 0, 0)), d.interfaces());
    }

    @Test
    void enumerationAndLibccidOpenAndApdus() throws IOException {
        try (LinuxHost h = attach()) {
            assertEquals(List.of("vccid Test Reader", "vccid", engine.serialNumber()), h.strings);
            assertEquals(Hex.spaced(engine.classDescriptor()), Hex.spaced(h.classDescriptor));
            assertEquals(3, h.epInterrupt);
            // open hack: the interrupt read finds the card inserted at attach (50 03), or is cancelled
            byte[] notify = h.interruptReadWithTimeout(100);
            assertArrayEquals(new byte[] { 0x50, 0x03 }, notify, "the card present at attach is reported");
            CcidMessage st = h.exchange(CcidMessage.getSlotStatus(0, h.nextSeq()), 10);
            assertEquals(Ccid.RDR_TO_PC_SLOT_STATUS, st.messageType());
            assertEquals(Ccid.ICC_PRESENT_INACTIVE, st.iccStatus());
            // a second open hack: nothing is due now, so the URB is parked and the unlink cancels it
            assertNull(h.interruptReadWithTimeout(100));

            CcidMessage atr = h.powerOn();
            assertEquals(Ccid.RDR_TO_PC_DATA_BLOCK, atr.messageType());
            assertArrayEquals(TestCard.ATR_T1, atr.data());
            CcidMessage r = h.transmit(Hex.decode("00 84 00 00 08"));
            assertEquals("00 01 02 03 04 05 06 07 90 00", Hex.spaced(r.data()));
            assertEquals(List.of(), h.usb.violations());
        }
    }

    @Test
    void a64ByteMessageIsOneRetSubmitOf64Bytes() throws IOException {
        try (LinuxHost h = attach()) {
            h.libccidOpen();
            h.powerOn();
            byte[] apdu = new byte[5 + 52];
            apdu[0] = (byte) 0x80;
            apdu[1] = (byte) 0xEE;
            apdu[4] = 52;
            h.send(CcidMessage.xfrBlock(0, h.nextSeq(), 0, 0, apdu));
            RetSubmit in = h.usb.bulkIn(h.epBulkIn, LinuxHost.LIBCCID_READ_BUFFER).await();
            assertEquals(64, in.actualLength(), "10 + 52 + SW: exactly one full packet");
            assertEquals(0, in.status());
            // no zero-length packet follows: a second read stays pending until unlinked
            Urb next = h.usb.bulkIn(h.epBulkIn, LinuxHost.LIBCCID_READ_BUFFER);
            assertNull(next.poll(100));
            assertEquals(ECONNRESET, VhciClient.getUnlink(h.usb.unlink(next)).status());
            assertNull(next.poll(100), "a cancelled URB never gets a RET_SUBMIT");
            assertEquals(List.of(), h.usb.violations());
        }
    }

    @Test
    void aReadThatTimesOutIsUnlinkedAndTheAnswerGoesToTheNextRead() throws IOException {
        card = new TestCard(TestCard.ATR_T1, false); // blocking: SLOW waits for release()
        rig.reader("slow", card);
        try (LinuxHost h = LinuxHost.attach(rig.port, "1-2")) {
            h.enumerate();
            h.libccidOpen();
            h.powerOn();
            h.send(CcidMessage.xfrBlock(0, h.nextSeq(), 0, 0, Hex.decode("80 5E 00 00")));
            Urb first = h.usb.bulkIn(h.epBulkIn, LinuxHost.LIBCCID_READ_BUFFER);
            assertNull(first.poll(150), "the card is still busy");
            RetUnlink u = VhciClient.getUnlink(h.usb.unlink(first));
            assertEquals(ECONNRESET, u.status());
            card.release();
            Urb second = h.usb.bulkIn(h.epBulkIn, LinuxHost.LIBCCID_READ_BUFFER);
            RetSubmit r = second.await();
            assertEquals("90 00", Hex.spaced(CcidMessage.parse(r.data()).data()));
            assertNull(first.poll(100), "the cancelled read never completes");
            assertEquals(List.of(), h.usb.violations());
        }
    }

    @Test
    void unlinkRacingTheAnswerNeverBreaksVhciRules() throws IOException {
        TestCard blocking = new TestCard(TestCard.ATR_T1, false); // answers from a pool thread: a real race
        rig.reader("race", blocking);
        try (LinuxHost h = LinuxHost.attach(rig.port, "1-2")) {
            h.enumerate();
            h.libccidOpen();
            h.powerOn();
            int cancelled = 0;
            int answered = 0;
            for (int i = 0; i < 300; i++) {
                Urb in = h.usb.bulkIn(h.epBulkIn, LinuxHost.LIBCCID_READ_BUFFER);
                h.usb.bulkOut(h.epBulkOut, CcidMessage.xfrBlock(0, h.nextSeq(), 0, 0, Hex.decode("00 84 00 00 02"))
                        .toBytes());
                if (i % 3 != 0) {
                    Thread.onSpinWait(); // vary the timing a little
                }
                RetUnlink u = VhciClient.getUnlink(h.usb.unlink(in));
                if (u.status() == ECONNRESET) {
                    cancelled++;
                    assertNull(in.poll(0));
                    // the answer was not lost: the next read gets it
                    RetSubmit r = h.usb.bulkIn(h.epBulkIn, LinuxHost.LIBCCID_READ_BUFFER).await();
                    assertEquals("00 01 90 00", Hex.spaced(CcidMessage.parse(r.data()).data()));
                } else {
                    answered++;
                    assertEquals(0, u.status());
                    assertEquals("00 01 90 00", Hex.spaced(CcidMessage.parse(in.poll(0).data()).data()),
                            "a RET_UNLINK 0 comes after the RET_SUBMIT");
                }
            }
            System.out.println("unlink race: " + cancelled + " cancelled, " + answered + " already answered");
            assertEquals(List.of(), h.usb.violations());
            assertEquals(300, cancelled + answered);
        }
    }

    @Test
    void unlinkOfAnAnsweredUrbGetsZero() throws IOException {
        try (LinuxHost h = attach()) {
            h.libccidOpen();
            h.send(CcidMessage.getSlotStatus(0, h.nextSeq()));
            Urb in = h.usb.bulkIn(h.epBulkIn, 10);
            in.await();
            assertEquals(0, VhciClient.getUnlink(h.usb.unlink(in)).status());
            assertEquals(0, VhciClient.getUnlink(h.usb.unlink(999_999)).status(), "unknown seqnum");
            // still working
            assertEquals(Ccid.RDR_TO_PC_SLOT_STATUS, h.exchange(CcidMessage.getSlotStatus(0, h.nextSeq()), 10)
                    .messageType());
            assertEquals(List.of(), h.usb.violations());
        }
    }

    @Test
    void importedDeviceIsBusyThenOfferedAgainAfterDetach() throws IOException {
        LinuxHost h = attach();
        h.libccidOpen();
        h.powerOn();
        assertTrue(card.isPowered());
        assertEquals(ST_DEV_BUSY, VhciClient.tryImport(rig.port, "1-1"));
        assertEquals(ST_NODEV, VhciClient.tryImport(rig.port, "1-9"));
        assertTrue(rig.server.isImported("1-1"));
        // a parked read, then detach (EOF)
        h.usb.bulkIn(h.epBulkIn, 10);
        h.close();
        waitFor(() -> !rig.server.isImported("1-1"), "device offered again after EOF");
        waitFor(() -> !card.isPowered(), "the card loses power when the host goes");
        try (LinuxHost again = attach()) {
            CcidMessage st = again.libccidOpen();
            assertEquals(Ccid.ICC_PRESENT_INACTIVE, st.iccStatus());
            assertArrayEquals(TestCard.ATR_T1, again.powerOn().data());
            assertEquals("90 00", Hex.spaced(again.transmit(Hex.decode("00 A4 04 00 02 3F 00")).data()));
            assertEquals(List.of(), again.usb.violations());
        }
        waitFor(() -> rig.server.connectionCount() == 0, "connections end");
    }

    @Test
    void cardInsertionIsNotifiedOnAParkedInterruptUrb() throws IOException {
        CcidEngine empty = rig.reader("empty", null);
        try (LinuxHost h = LinuxHost.attach(rig.port, "1-2")) {
            h.enumerate();
            assertNull(h.interruptReadWithTimeout(100), "no card, nothing to report");
            Urb poll = h.usb.bulkIn(h.epInterrupt, 8);
            assertNull(poll.poll(100));
            empty.slot(0).insert(new TestCard());
            assertArrayEquals(new byte[] { 0x50, 0x03 }, poll.await().data());
            Urb next = h.usb.bulkIn(h.epInterrupt, 8);
            empty.slot(0).eject();
            assertArrayEquals(new byte[] { 0x50, 0x02 }, next.await().data());
            assertEquals(List.of(), h.usb.violations());
        }
    }

    @Test
    void readerRemovedWhileImportedClosesTheConnectionAndLeavesTheList() throws IOException {
        CcidEngine second = rig.reader("second", new TestCard());
        try (LinuxHost h = LinuxHost.attach(rig.port, "1-2")) {
            h.enumerate();
            h.libccidOpen();
            rig.server.unexport(second);
            assertTrue(h.usb.awaitEof(5000), "the importing client is disconnected");
        }
        assertEquals(List.of("1-1"), VhciClient.devlist(rig.port).stream().map(UsbDeviceInfo::busid).toList());
        // a new reader takes the lowest free busid
        rig.reader("third", null);
        assertEquals(List.of("1-1", "1-2"),
                VhciClient.devlist(rig.port).stream().map(UsbDeviceInfo::busid).toList());
    }

    @Test
    void readerClosedByItsComponentDetachesTheHost() throws IOException {
        try (LinuxHost h = attach()) {
            h.libccidOpen();
            engine.close(); // HostLink.detached()
            assertTrue(h.usb.awaitEof(5000));
        }
    }

    @Test
    void messageSplitOverSeveralOutUrbsAndAnswerLongerThanTheUrb() throws IOException {
        try (LinuxHost h = attach()) {
            h.libccidOpen();
            h.powerOn();
            // ECHO of 200 bytes: a 215-byte XfrBlock sent as 64 + 64 + 64 + 23
            byte[] apdu = new byte[5 + 200];
            apdu[0] = (byte) 0x80;
            apdu[1] = (byte) 0xEE;
            apdu[4] = (byte) 200;
            for (int i = 0; i < 200; i++) {
                apdu[5 + i] = (byte) i;
            }
            byte[] msg = CcidMessage.xfrBlock(0, h.nextSeq(), 0, 0, apdu).toBytes();
            for (int off = 0; off < msg.length; off += 64) {
                RetSubmit r = h.usb.bulkOut(h.epBulkOut, Arrays.copyOfRange(msg, off, Math.min(msg.length, off + 64)))
                        .await();
                assertEquals(0, r.status());
            }
            // read it with 128-byte URBs: 128 + 84 (10 + 200 + 2 = 212)
            RetSubmit a = h.usb.bulkIn(h.epBulkIn, 128).await();
            RetSubmit b = h.usb.bulkIn(h.epBulkIn, 128).await();
            assertEquals(128, a.actualLength());
            assertEquals(84, b.actualLength());
            byte[] all = Arrays.copyOf(a.data(), 212);
            System.arraycopy(b.data(), 0, all, 128, 84);
            CcidMessage m = CcidMessage.parse(all);
            assertArrayEquals(Arrays.copyOfRange(apdu, 5, 205), Arrays.copyOf(m.data(), 200));
            assertEquals(List.of(), h.usb.violations());
        }
    }

    @Test
    void classRequestsReachTheReader() throws IOException {
        try (LinuxHost h = attach()) {
            RetSubmit rates = h.control(0xA1, 0x03, 0, 0, 64, null);
            assertEquals(0, rates.status());
            assertEquals(4, rates.actualLength());
            assertEquals(0, h.control(0x21, 0x01, 0x0100, 0, 0, new byte[0]).status(), "ABORT slot 0 seq 1");
            assertEquals(EPIPE, h.control(0xA1, 0x7F, 0, 0, 8, null).status(), "unknown class request");
        }
    }

    static void waitFor(java.util.function.BooleanSupplier c, String what) {
        long end = System.nanoTime() + 5_000_000_000L;
        while (!c.getAsBoolean()) {
            if (System.nanoTime() > end) {
                fail("timed out waiting: " + what);
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
