package org.vccid.ccid.internal.engine;

import static org.junit.jupiter.api.Assertions.*;
import static org.vccid.ccid.Ccid.*;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.vccid.ccid.CcidMessage;
import org.vccid.iso7816.CommandApdu;
import org.vccid.iso7816.Hex;
import org.vccid.iso7816.StatusWord;
import org.vccid.iso7816.t1.T1Terminal;
import org.vccid.testcard.TestCard;

/** TPDU level: the engine plays the card side of T=0 and T=1 towards a host driver (as libccid's serial driver). */
class TpduEngineTest {

    final ExecutorService pool = Executors.newCachedThreadPool();
    final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    int seq;

    @AfterEach
    void tearDown() {
        pool.shutdownNow();
        timer.shutdownNow();
    }

    Host powered(TestCard card) {
        CcidEngine e = new CcidEngine(ReaderSettings.builder("tpdu").level(ExchangeLevel.TPDU).build(), pool, timer,
                new CardClaims());
        e.slot(0).insert(card);
        Host h = new Host(e);
        CcidMessage atr = h.exchange(CcidMessage.iccPowerOn(0, seq++, 1));
        assertArrayEquals(card.atr(), atr.data());
        return h;
    }

    String tpdu(Host h, String hex) {
        CcidMessage r = h.exchange(CcidMessage.xfrBlock(0, seq++, 0, 0, Hex.decode(hex)));
        assertEquals(RDR_TO_PC_DATA_BLOCK, r.messageType());
        assertEquals(0, r.commandStatus(), () -> "failed: " + r);
        return Hex.spaced(r.data());
    }

    @ParameterizedTest
    @ValueSource(booleans = { true, false })
    void t0CasesAsARealCard(boolean nonBlocking) {
        Host h = powered(new TestCard(TestCard.ATR_T0, nonBlocking));
        // case 2 with the right Le
        assertEquals("00 01 02 03 04 05 06 07 90 00", tpdu(h, "00 84 00 00 08"));
        // case 2 with a wrong Le: 6C xx, then the host re-issues with xx
        assertEquals("6C 05", tpdu(h, "80 B0 00 05 08"));
        assertEquals("00 01 02 03 04 90 00", tpdu(h, "80 B0 00 05 05"));
        // case 4 at T=0: 61 xx then GET RESPONSE
        assertEquals("61 03", tpdu(h, "80 EE 00 00 03 AA BB CC"));
        assertEquals("AA BB CC 90 00", tpdu(h, "00 C0 00 00 03"));
        // case 3 with a status only, case 1
        assertEquals("90 00", tpdu(h, "00 A4 04 0C 02 3F 00"));
        assertEquals("6D 00", tpdu(h, "80 77 00 00 00"));
        // the largest case 4: 255 bytes in, 61 FF, 255 bytes out in one GET RESPONSE
        StringBuilder data = new StringBuilder();
        for (int i = 0; i < 255; i++) {
            data.append(String.format("%02X", i));
        }
        assertEquals("61 FF", tpdu(h, "80 EE 00 00 FF " + data));
        assertEquals(Hex.spaced(Hex.decode(data + "9000")), tpdu(h, "00 C0 00 00 FF"));
        // a TPDU whose P3 disagrees with its length
        assertEquals("67 00", tpdu(h, "80 EE 00 00 05 AA"));
    }

    @ParameterizedTest
    @ValueSource(booleans = { true, false })
    void t1BlocksWithChainingBothWays(boolean nonBlocking) throws Exception {
        Host h = powered(new TestCard(TestCard.ATR_T1, nonBlocking));
        // libccid's exact S(IFS) request and the card's answer (libccid-serial.md)
        assertEquals("00 E1 01 FE 1E", tpdu(h, "00 C1 01 FE 3E"));
        T1Terminal t = new T1Terminal(254, 254, false);
        T1Terminal.Link link = block -> {
            CcidMessage r = h.exchange(CcidMessage.xfrBlock(0, seq++, 0, 0, block));
            assertEquals(0, r.commandStatus());
            return r.data();
        };
        assertEquals("00 01 02 03 04 05 06 07 90 00", Hex.spaced(t.transceive(Hex.decode("00 84 00 00 08"), link)));
        byte[] data = new byte[600];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 3);
        }
        int before = t.blocksSent();
        byte[] response = t.transceive(CommandApdu.of(0x80, 0xEE, 0, 0, data, 65536).toBytes(), link);
        assertArrayEquals(StatusWord.response(data, 0x9000), response, "600 bytes each way: chained both ways");
        // 607-byte command in 3 I-blocks of <= 254, then 2 R-blocks to fetch the 3-block response
        assertEquals(5, t.blocksSent() - before, "the command and the response were chained");
        assertEquals(0, t.errorsSeen());
    }

    @Test
    void t1BadBlockGetsAnRBlockAndTheCardKeepsWorking() throws Exception {
        Host h = powered(new TestCard(TestCard.ATR_T1, true));
        String r = tpdu(h, "00 00 05 00 84 00 00 08 FF"); // wrong LRC
        assertEquals(0x80, Hex.decode(r)[1] & 0xEC, "an R-block answers a block with a bad EDC: " + r);
        T1Terminal t = new T1Terminal(254, 254, false);
        t.reset();
        byte[] ok = t.transceive(Hex.decode("00 84 00 00 02"), block -> h.exchange(CcidMessage.xfrBlock(0, seq++, 0, 0,
                block)).data());
        assertEquals("00 01 90 00", Hex.spaced(ok));
    }

    @Test
    void setParametersSwitchesTheT1Edc() throws Exception {
        Host h = powered(new TestCard(TestCard.ATR_T1, true));
        CcidMessage p = h.exchange(CcidMessage.setParameters(0, seq++, 1, Hex.decode("11 11 00 45 00 FE 00")));
        assertEquals(0, p.commandStatus());
        T1Terminal crc = new T1Terminal(254, 254, true);
        byte[] r = crc.transceive(Hex.decode("00 84 00 00 01"), block -> h.exchange(CcidMessage.xfrBlock(0, seq++, 0, 0,
                block)).data());
        assertEquals("00 90 00", Hex.spaced(r));
        assertEquals(0, crc.errorsSeen(), "the engine checks and emits CRC after SetParameters");
    }

    /** QEMU/libcacard's CAC ATR: T=0 only, TA1 = 18, so libccid's serial driver negotiates with a PPS first. */
    static final byte[] CAC_ATR = Hex.decode("3B 7A 18 00 00 73 66 74 65 20 63 64 31 34 34");

    @Test
    void ppsRightAfterTheAtrIsAnsweredAsLibccidExpects() {
        Host h = powered(new TestCard(CAC_ATR, true));
        assertEquals("FF 10 18 F7", tpdu(h, "FF 10 18 F7"), "PPS1 = TA1 accepted and echoed");
        assertEquals("00 01 02 03 90 00", tpdu(h, "00 84 00 00 04"));
        // after the first TPDU a PPS is no longer a PPS: FF is then an invalid class byte
        assertEquals("6E 00", tpdu(h, "FF 10 18 F7 00"), "CLA FF is invalid (ISO 7816-3 §10.3.2)");
    }

    @Test
    void ppsForAProtocolTheCardLacksLeavesItMute() {
        Host h = powered(new TestCard(CAC_ATR, true));
        CcidMessage r = h.exchange(CcidMessage.xfrBlock(0, seq++, 0, 0, Hex.decode("FF 11 18 F6")));
        assertEquals(COMMAND_STATUS_FAILED, r.commandStatus());
        assertEquals(ICC_MUTE, r.error());
    }

    @Test
    void ppsSelectsT1OnADualProtocolCard() throws Exception {
        // T=0 first, T=1 offered: TD1 = 80 (T=0, TD2 follows), TD2 = 11 (T=1, TA3), TA3 = FE; TCK
        byte[] atr = org.vccid.iso7816.Atr.builder().protocols(0, 1).t1Ifsc(0xFE).build().bytes();
        Host h = powered(new TestCard(atr, true));
        assertEquals("FF 01 FE", tpdu(h, "FF 01 FE"));
        assertEquals("00 E1 01 FE 1E", tpdu(h, "00 C1 01 FE 3E"), "the slot now speaks T=1");
    }

    @Test
    void invalidIfscInTheAtrIsRefused() {
        // T=1 with TA3 = FF
        byte[] atr = Hex.decode("3B 80 81 11 FF 11");
        int x = 0;
        for (int i = 1; i < atr.length - 1; i++) {
            x ^= atr[i];
        }
        atr[atr.length - 1] = (byte) x;
        CcidEngine e = new CcidEngine(ReaderSettings.builder("t").level(ExchangeLevel.TPDU).build(), pool, timer,
                new CardClaims());
        e.slot(0).insert(new TestCard(atr, true));
        Host h = new Host(e);
        CcidMessage r = h.exchange(CcidMessage.iccPowerOn(0, 1, 0));
        assertEquals(COMMAND_STATUS_FAILED, r.commandStatus());
        assertEquals(ICC_PROTOCOL_NOT_SUPPORTED, r.error());
    }
}
