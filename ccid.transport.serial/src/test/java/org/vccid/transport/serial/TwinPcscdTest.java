package org.vccid.transport.serial;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.vccid.iso7816.Hex;
import org.vccid.testcard.TestCard;
import org.vccid.testkit.Proc;
import org.vccid.transport.serial.framing.ReaderType;

/**
 * Real peer: pcscd 1.9 + libccid's libccidtwin.so (GemPC Twin: echo, one slot) drive our reader through a pty;
 * pcsc-tools, OpenSC and javax.smartcardio are the clients. TPDU level: the engine plays T=0 or T=1. Each test runs
 * with the pty of the line script (socat + TCP) and with our own pty.
 */
class TwinPcscdTest {

    static final String DATA_255;

    static {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 255; i++) {
            b.append(String.format("%02X", i));
        }
        DATA_255 = b.toString();
    }

    @BeforeAll
    static void peers() {
        Rig.assumePeers();
    }

    @ParameterizedTest
    @EnumSource(names = { "LINE_SCRIPT", "OWN_PTY" })
    void t0CardListedAndExchangesApdus(Rig.Mode mode) throws Exception {
        String name = "twin0-" + mode.name().toLowerCase();
        try (Rig rig = new Rig(name, ReaderType.GemPCTwin, 1, 37401, mode)) {
            rig.engine.slot(0).insert(new TestCard(TestCard.ATR_T0, true));
            rig.up(name);

            Proc.Result scan = rig.client("pcsc_scan", "-r");
            assertTrue(scan.output.contains(Rig.readerName(0)), scan.toString());
            Proc.Result list = rig.client("opensc-tool", "-l");
            assertTrue(list.output.matches("(?s).*\\d+\\s+Yes\\s+" + Rig.readerName(0) + ".*"), list.toString());
            Proc.Result atr = rig.client("opensc-tool", "-r", Rig.readerName(0), "-a");
            assertTrue(atr.output.contains("3b:02:14:50"), atr.toString());

            // several APDUs in one OpenSC session (T=0 at TPDU level: 61xx/GET RESPONSE handled by OpenSC)
            Proc.Result s = rig.client("opensc-tool", "-r", Rig.readerName(0), "-s", "00 A4 04 0C 02 3F 00",
                    "-s", "00 84 00 00 08", "-s", "80 EE 00 00 03 AA BB CC 00", "-s", "80 77 00 00");
            assertEquals(0, s.exitCode, s.toString());
            assertTrue(s.output.contains("Received (SW1=0x90, SW2=0x00)"), s.toString());
            assertTrue(s.output.contains("00 01 02 03 04 05 06 07"), s.toString());
            assertTrue(s.output.contains("AA BB CC"), s.toString());
            assertTrue(s.output.contains("Received (SW1=0x6D, SW2=0x00)"), s.toString());

            // javax.smartcardio: 255-byte case 4 (61 FF + GET RESPONSE), 6Cxx re-issue, case 1..3
            Proc.Result j = PcscClient.run(rig.pcscd, Duration.ofSeconds(30), "apdu", Rig.readerName(0), "T=0",
                    "00A4040C023F00", "0084000008", "80EE0000FF" + DATA_255 + "00", "80B0000508");
            List<String> r = PcscClient.responses(j);
            assertEquals(4, r.size(), j.toString());
            assertTrue(j.output.contains("ATR 3B021450"), j.toString());
            assertEquals("9000", r.get(0));
            assertEquals("00010203040506079000", r.get(1));
            assertEquals(DATA_255 + "9000", r.get(2));
            assertEquals("00010203049000", r.get(3)); // 6C 05 answered, the client re-issued with Le 05
            assertEquals(0, rig.server.line().lrcErrors.get() + rig.server.line().junkBytes.get()
                    + rig.server.line().truncated.get(), "framing errors on the line");
        }
    }

    @ParameterizedTest
    @EnumSource(names = { "LINE_SCRIPT", "OWN_PTY" })
    void t1CardWithChainingBothWays(Rig.Mode mode) throws Exception {
        String name = "twin1-" + mode.name().toLowerCase();
        try (Rig rig = new Rig(name, ReaderType.GemPCTwin, 1, 37402, mode)) {
            rig.engine.slot(0).insert(new TestCard(TestCard.ATR_T1, true));
            rig.up(name);
            Proc.Result atr = rig.client("opensc-tool", "-r", Rig.readerName(0), "-a");
            assertTrue(atr.output.contains("3b:88:81:31:fe:45:45:4d:55:2d:54:31:43:44:91"), atr.toString());
            // 260-byte command (> IFSC 254: host chains) and 257-byte response (> IFSD 254: card chains)
            Proc.Result j = PcscClient.run(rig.pcscd, Duration.ofSeconds(30), "apdu", Rig.readerName(0), "T=1",
                    "0084000008", "80EE0000FF" + DATA_255 + "00", "80B0010000", "00A4040C023F00");
            List<String> r = PcscClient.responses(j);
            assertEquals(4, r.size(), j.toString());
            assertEquals("00010203040506079000", r.get(0));
            assertEquals(DATA_255 + "9000", r.get(1));
            StringBuilder counting = new StringBuilder();
            for (int i = 0; i < 256; i++) {
                counting.append(String.format("%02X", i & 0xFF));
            }
            assertEquals(counting + "9000", r.get(2)); // 256 bytes: short Le 00
            assertEquals("9000", r.get(3));
            Proc.Result s = rig.client("opensc-tool", "-r", Rig.readerName(0), "-s", "00 84 00 00 08",
                    "-s", "80 EE 00 00 FF " + Hex.spaced(Hex.decode(DATA_255)) + " 00");
            assertEquals(0, s.exitCode, s.toString());
            assertTrue(s.output.contains("FC FD FE"), s.toString());
        }
    }
}
