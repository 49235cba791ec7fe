package org.vccid.transport.vpcd.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.vccid.card.Card;
import org.vccid.card.CardException;
import org.vccid.iso7816.Hex;

/**
 * The slot against a scripted vpcd (this test plays vpcd's side of the wire, byte for byte). The real vpcd is used in
 * {@link OpenScCacTest}.
 */
class VpcdSlotTest {

    static final int PORT = 37150; // this module's range: 37100-37199

    ServerSocket vpcd;
    VpcdSlot slot;
    RecordingCard card = new RecordingCard();
    List<String> log = new CopyOnWriteArrayList<>();

    @BeforeEach
    void listen() throws IOException {
        vpcd = new ServerSocket();
        vpcd.setReuseAddress(true);
        vpcd.bind(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), PORT));
        vpcd.setSoTimeout(5000);
        slot = new VpcdSlot("127.0.0.1", PORT, 2000, 50, new VpcdSlot.Log() {
            @Override
            public void info(String m) {
                log.add(m);
            }

            @Override
            public void warn(String m) {
                log.add("WARN " + m);
            }
        });
        slot.start();
    }

    @AfterEach
    void close() throws IOException {
        slot.close();
        vpcd.close();
    }

    static void send(Socket s, String hex) throws IOException {
        OutputStream out = s.getOutputStream();
        out.write(Vpcd.frame(Hex.decode(hex)));
        out.flush();
    }

    static String receive(Socket s) throws IOException {
        s.setSoTimeout(5000);
        DataInputStream in = new DataInputStream(s.getInputStream());
        int n = in.readUnsignedShort();
        byte[] b = new byte[n];
        in.readFully(b);
        return Hex.spaced(b);
    }

    @Test
    void noCardNoConnection() throws Exception {
        vpcd.setSoTimeout(300);
        assertThrows(java.net.SocketTimeoutException.class, () -> vpcd.accept());
        assertFalse(slot.isConnected());
    }

    @Test
    void controlsAndApdusFollowVpcdsProtocol() throws Exception {
        slot.setCard(card);
        try (Socket s = vpcd.accept()) {
            send(s, "01"); // power on: no answer
            send(s, "04"); // GET ATR
            assertEquals("3B 02 14 50", receive(s));
            send(s, "00 A4 04 00 02 3F 00");
            assertEquals("00 A4 04 00 02 3F 00 90 00", receive(s)); // the card echoes
            send(s, "02"); // reset: no answer
            send(s, "00"); // power off: no answer
            send(s, "07"); // unknown control: ignored
            send(s, "04");
            assertEquals("3B 02 14 50", receive(s));
            assertEquals(1, card.powerOns.get());
            assertEquals(1, card.resets.get());
            assertEquals(1, card.powerOffs.get());
            assertTrue(log.stream().anyMatch(m -> m.contains("unknown control code 07")), log.toString());
        }
    }

    @Test
    void getAtrNeverResetsTheCard() throws Exception {
        slot.setCard(card);
        try (Socket s = vpcd.accept()) {
            send(s, "01");
            for (int i = 0; i < 50; i++) {
                send(s, "04");
                assertEquals("3B 02 14 50", receive(s));
            }
            assertEquals(1, card.powerOns.get());
            assertEquals(0, card.resets.get());
        }
    }

    @Test
    void largestFrameIsServed() throws Exception {
        slot.setCard(card);
        try (Socket s = vpcd.accept()) {
            byte[] apdu = new byte[65535];
            s.getOutputStream().write(Vpcd.frame(apdu));
            s.setSoTimeout(5000);
            DataInputStream in = new DataInputStream(s.getInputStream());
            assertEquals(2, in.readUnsignedShort()); // RecordingCard answers long commands with 6700
            assertEquals(0x6700, in.readUnsignedShort());
        }
    }

    @Test
    void removalClosesAndInsertionReconnects() throws Exception {
        slot.setCard(card);
        try (Socket s = vpcd.accept()) {
            send(s, "04");
            assertEquals("3B 02 14 50", receive(s));
            slot.setCard(null);
            assertEquals(-1, s.getInputStream().read()); // vpcd sees the card gone
        }
        slot.setCard(card);
        try (Socket s = vpcd.accept()) {
            send(s, "04");
            assertEquals("3B 02 14 50", receive(s));
        }
    }

    @Test
    void reconnectsWhenVpcdDropsTheConnectionEvenMidFrame() throws Exception {
        slot.setCard(card);
        try (Socket s = vpcd.accept()) {
            s.getOutputStream().write(Hex.decode("00 07 00 A4")); // a frame cut short, then pcscd "dies"
        }
        try (Socket s = vpcd.accept()) {
            send(s, "04");
            assertEquals("3B 02 14 50", receive(s));
        }
        assertTrue(log.stream().anyMatch(m -> m.contains("inside a frame")), log.toString());
    }

    @Test
    void aMuteCardIsReportedAsRemovedAndRetried() throws Exception {
        card.mute = true;
        slot.setCard(card);
        try (Socket s = vpcd.accept()) {
            send(s, "00 A4 04 00");
            assertEquals(-1, s.getInputStream().read());
        }
        card.mute = false;
        try (Socket s = vpcd.accept()) {
            send(s, "04");
            assertEquals("3B 02 14 50", receive(s));
        }
    }

    @Test
    void closeStopsTheThread() throws Exception {
        slot.setCard(card);
        Socket s = vpcd.accept();
        slot.close();
        assertEquals(-1, s.getInputStream().read());
        s.close();
        Thread t = Thread.getAllStackTraces().keySet().stream()
                .filter(x -> x.getName().equals("vccid-vpcd-127.0.0.1:" + PORT)).findAny().orElse(null);
        assertTrue(t == null || !t.isAlive(), "slot thread still alive");
    }

    @Test
    void quickAckIsAvailableOnLinux() throws IOException {
        try (Socket s = new Socket()) {
            if (System.getProperty("os.name").startsWith("Linux")) {
                assertNotNull(VpcdSlot.quickAckOption(s));
            }
        }
    }

    /** Echoes commands with 9000 (6700 above 4096 bytes), counts power events, can go mute. */
    static final class RecordingCard implements Card {
        final AtomicInteger powerOns = new AtomicInteger();
        final AtomicInteger resets = new AtomicInteger();
        final AtomicInteger powerOffs = new AtomicInteger();
        volatile boolean mute;

        @Override
        public byte[] atr() {
            return Hex.decode("3B 02 14 50");
        }

        @Override
        public byte[] powerOn() {
            powerOns.incrementAndGet();
            return atr();
        }

        @Override
        public byte[] warmReset() {
            resets.incrementAndGet();
            return atr();
        }

        @Override
        public void powerOff() {
            powerOffs.incrementAndGet();
        }

        @Override
        public byte[] transmit(byte[] b, int off, int len) throws CardException {
            if (mute) {
                throw new CardException("mute");
            }
            if (len > 4096) {
                return new byte[] { 0x67, 0x00 };
            }
            byte[] r = new byte[len + 2];
            System.arraycopy(b, off, r, 0, len);
            r[len] = (byte) 0x90;
            return r;
        }
    }
}
