package org.vccid.ccid.internal.engine;

import static org.junit.jupiter.api.Assertions.*;
import static org.vccid.ccid.Ccid.*;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.vccid.ccid.CcidMessage;
import org.vccid.ccid.ClassDescriptor;
import org.vccid.ccid.Interrupts;
import org.vccid.iso7816.Hex;
import org.vccid.reader.IccState;
import org.vccid.reader.SlotEvent;
import org.vccid.testcard.TestCard;

class EngineTest {

    ExecutorService pool;
    ScheduledExecutorService timer;
    CardClaims claims;

    @BeforeEach
    void setUp() {
        pool = Executors.newCachedThreadPool();
        timer = Executors.newSingleThreadScheduledExecutor();
        claims = new CardClaims();
    }

    @AfterEach
    void tearDown() {
        pool.shutdownNow();
        timer.shutdownNow();
    }

    CcidEngine engine(ReaderSettings.Builder b) {
        return new CcidEngine(b.build(), pool, timer, claims);
    }

    CcidEngine engine(int slots) {
        return engine(ReaderSettings.builder("test").slots(slots));
    }

    static CcidMessage powerOn(int slot, int seq) {
        return CcidMessage.iccPowerOn(slot, seq, 0);
    }

    static CcidMessage xfr(int slot, int seq, String apdu) {
        return CcidMessage.xfrBlock(slot, seq, 0, 0, Hex.decode(apdu));
    }

    static void assertFailed(CcidMessage m, int type, int slot, int seq, int icc, int error) {
        assertEquals(type, m.messageType(), () -> "message type of " + m);
        assertEquals(slot, m.slot(), "bSlot");
        assertEquals(seq, m.seq(), "bSeq");
        assertEquals(bStatus(icc, COMMAND_STATUS_FAILED), m.status(), () -> "bStatus of " + m);
        assertEquals(error, m.error(), () -> "bError of " + m);
        assertEquals(0, m.dwLength(), "failed answers carry no data");
    }

    static void assertOk(CcidMessage m, int type, int slot, int seq, int icc) {
        assertEquals(type, m.messageType(), () -> "message type of " + m);
        assertEquals(slot, m.slot());
        assertEquals(seq, m.seq());
        assertEquals(bStatus(icc, COMMAND_STATUS_OK), m.status(), () -> "bStatus of " + m);
        assertEquals(0, m.error(), () -> "bError of " + m);
    }

    /** A powered card in slot 0, with a host attached. */
    Host poweredHost(CcidEngine e, TestCard card) {
        e.slot(0).insert(card);
        Host h = new Host(e);
        CcidMessage atr = h.exchange(powerOn(0, 1));
        assertOk(atr, RDR_TO_PC_DATA_BLOCK, 0, 1, ICC_PRESENT_ACTIVE);
        assertArrayEquals(card.atr(), atr.data());
        return h;
    }

    // ---------------------------------------------------------------- descriptor and basics

    @Test
    void descriptorFollowsSettings() {
        CcidEngine e = engine(ReaderSettings.builder("d").slots(16).level(ExchangeLevel.TPDU).protocols(2));
        ClassDescriptor d = ClassDescriptor.parse(e.classDescriptor());
        assertEquals(54, e.classDescriptor().length);
        assertEquals(15, d.maxSlotIndex());
        assertEquals(0x0110, d.bcdCCID());
        assertEquals(2, d.protocols());
        assertEquals(0x000104FE, d.features());
        assertEquals(271, d.maxCCIDMessageLength());
        assertEquals(0, d.numDataRatesSupported(), "libccid skips GET_DATA_RATES only when this is 0");
        assertEquals(0, d.pinSupport());
        assertEquals(16, d.maxCCIDBusySlots());
        assertEquals(0x000404FE, ClassDescriptor.parse(engine(1).classDescriptor()).features());
        assertEquals(65555, engine(1).maxMessageLength());
    }

    @Test
    void settingsRejectNonsense() {
        assertThrows(IllegalArgumentException.class, () -> ReaderSettings.builder("x").slots(0).build());
        assertThrows(IllegalArgumentException.class, () -> ReaderSettings.builder("x").slots(65).build());
        assertThrows(IllegalArgumentException.class, () -> ReaderSettings.builder("x").protocols(4).build());
        assertThrows(IllegalArgumentException.class,
                () -> ReaderSettings.builder("x").level(ExchangeLevel.SHORT_APDU).features(0x000404FE).build());
        assertThrows(IllegalArgumentException.class, () -> ReaderSettings.builder("x").maxMessageLength(100).build());
        assertThrows(IllegalArgumentException.class, () -> ReaderSettings.builder("x").vendorId(0x10000).build());
    }

    @Test
    void powerOnTransmitPowerOff() {
        CcidEngine e = engine(1);
        TestCard card = new TestCard();
        Host h = poweredHost(e, card);
        CcidMessage r = h.exchange(xfr(0, 2, "00 84 00 00 08"));
        assertOk(r, RDR_TO_PC_DATA_BLOCK, 0, 2, ICC_PRESENT_ACTIVE);
        assertEquals("00 01 02 03 04 05 06 07 90 00", Hex.spaced(r.data()));
        assertEquals(CHAIN_BEGIN_AND_END, r.b9());
        assertOk(h.exchange(CcidMessage.getSlotStatus(0, 3)), RDR_TO_PC_SLOT_STATUS, 0, 3, ICC_PRESENT_ACTIVE);
        assertOk(h.exchange(CcidMessage.iccPowerOff(0, 4)), RDR_TO_PC_SLOT_STATUS, 0, 4, ICC_PRESENT_INACTIVE);
        assertFalse(card.isPowered());
        assertFailed(h.exchange(xfr(0, 5, "00 A4 04 00")), RDR_TO_PC_DATA_BLOCK, 0, 5, ICC_PRESENT_INACTIVE, ICC_MUTE);
        // a power on of a powered card is a warm reset and returns the ATR again
        h.exchange(powerOn(0, 6));
        CcidMessage again = h.exchange(powerOn(0, 7));
        assertOk(again, RDR_TO_PC_DATA_BLOCK, 0, 7, ICC_PRESENT_ACTIVE);
        assertArrayEquals(TestCard.ATR_T0, again.data());
    }

    @Test
    void bSeqIsEchoedForEveryValue() {
        CcidEngine e = engine(1);
        Host h = poweredHost(e, new TestCard());
        for (int seq = 0; seq < 256; seq++) {
            assertEquals(seq, h.exchange(CcidMessage.getSlotStatus(0, seq)).seq());
        }
    }

    @Test
    void emptySlotAnswersAbsent() {
        CcidEngine e = engine(2);
        Host h = new Host(e);
        assertFailed(h.exchange(powerOn(1, 9)), RDR_TO_PC_DATA_BLOCK, 1, 9, ICC_ABSENT, ICC_MUTE);
        assertOk(h.exchange(CcidMessage.getSlotStatus(1, 10)), RDR_TO_PC_SLOT_STATUS, 1, 10, ICC_ABSENT);
        assertFailed(h.exchange(xfr(1, 11, "00 A4 04 00")), RDR_TO_PC_DATA_BLOCK, 1, 11, ICC_ABSENT, ICC_MUTE);
        assertFailed(h.exchange(CcidMessage.getParameters(1, 12)), RDR_TO_PC_PARAMETERS, 1, 12, ICC_ABSENT, ICC_MUTE);
        assertOk(h.exchange(CcidMessage.iccPowerOff(1, 13)), RDR_TO_PC_SLOT_STATUS, 1, 13, ICC_ABSENT);
    }

    // ---------------------------------------------------------------- malformed input table

    static Stream<Arguments> malformed() {
        byte[] getSlotStatus = CcidMessage.getSlotStatus(0, 0x33).toBytes();
        byte[] longer = java.util.Arrays.copyOf(getSlotStatus, 12); // dwLength 0, 2 extra bytes
        byte[] shorter = CcidMessage.xfrBlock(0, 0x33, 0, 0, Hex.decode("00 A4 04 00")).toBytes();
        shorter = java.util.Arrays.copyOf(shorter, shorter.length - 1); // dwLength 4, 3 bytes
        byte[] huge = CcidMessage.xfrBlock(0, 0x33, 0, 0, new byte[4]).toBytes();
        putLe32(huge, 1, 0x7FFFFFF0); // dwLength far beyond dwMaxCCIDMessageLength
        byte[] unknown = CcidMessage.getSlotStatus(0, 0x33).toBytes();
        unknown[0] = (byte) 0x99;
        byte[] rdrType = CcidMessage.getSlotStatus(0, 0x33).toBytes();
        rdrType[0] = (byte) RDR_TO_PC_DATA_BLOCK; // a reader-to-PC type sent to the reader
        byte[] badSlot = CcidMessage.getSlotStatus(7, 0x33).toBytes();
        byte[] badSlotXfr = CcidMessage.xfrBlock(200, 0x33, 0, 0, Hex.decode("00 A4 04 00")).toBytes();
        byte[] powerOnLength = CcidMessage.of(PC_TO_RDR_ICC_POWER_ON, 0, 0x33, 0, 0, 0, new byte[1]).toBytes();
        byte[] powerSelect = CcidMessage.iccPowerOn(0, 0x33, 4).toBytes();
        byte[] protocolNum = CcidMessage.setParameters(0, 0x33, 2, new byte[5]).toBytes();
        byte[] paramsLength = CcidMessage.setParameters(0, 0x33, 1, new byte[5]).toBytes();
        byte[] t0Tcck = CcidMessage.setParameters(0, 0x33, 0, Hex.decode("11 01 00 0A 00")).toBytes();
        byte[] clockStop = CcidMessage.setParameters(0, 0x33, 0, Hex.decode("11 00 00 0A 04")).toBytes();
        byte[] rateLength = CcidMessage.of(PC_TO_RDR_SET_DATA_RATE_AND_CLOCK_FREQUENCY, 0, 0x33, 0, 0, 0, new byte[4])
                .toBytes();
        byte[] level = CcidMessage.xfrBlock(0, 0x33, 0, 0x0005, Hex.decode("00 A4 04 00")).toBytes();
        byte[] continueWithoutBegin = CcidMessage.xfrBlock(0, 0x33, 0, CHAIN_CONTINUE, Hex.decode("00")).toBytes();
        byte[] moreResponseWithoutOne = CcidMessage.xfrBlock(0, 0x33, 0, CHAIN_CONTINUE_RESPONSE, new byte[0]).toBytes();
        byte[] clockCommand = CcidMessage.iccClock(0, 0x33, 2).toBytes();
        byte[] clockStopCmd = CcidMessage.iccClock(0, 0x33, 1).toBytes();
        byte[] mechanical = CcidMessage.mechanical(0, 0x33, 9).toBytes();
        byte[] mechanicalOk = CcidMessage.mechanical(0, 0x33, 2).toBytes();
        byte[] t0apdu = CcidMessage.t0Apdu(0, 0x33, 4, 0, 0).toBytes();
        byte[] escape = CcidMessage.escape(0, 0x33, Hex.decode("02")).toBytes();
        byte[] secure = CcidMessage.secure(0, 0x33, 0, 0, Hex.decode("00 00")).toBytes();
        byte[] abortLength = CcidMessage.of(PC_TO_RDR_ABORT, 0, 0x33, 0, 0, 0, new byte[2]).toBytes();
        int a = ICC_PRESENT_ACTIVE;
        return Stream.of(
                Arguments.of("truncated header (5 bytes)", java.util.Arrays.copyOf(getSlotStatus, 5),
                        RDR_TO_PC_SLOT_STATUS, 0, 0, a, BAD_DW_LENGTH),
                Arguments.of("truncated header (7 bytes)", java.util.Arrays.copyOf(getSlotStatus, 7),
                        RDR_TO_PC_SLOT_STATUS, 0, 0x33, a, BAD_DW_LENGTH),
                Arguments.of("empty message", new byte[0], RDR_TO_PC_SLOT_STATUS, 0, 0, a, BAD_DW_LENGTH),
                Arguments.of("dwLength smaller than the data", longer, RDR_TO_PC_SLOT_STATUS, 0, 0x33, a, BAD_DW_LENGTH),
                Arguments.of("dwLength larger than the data", shorter, RDR_TO_PC_DATA_BLOCK, 0, 0x33, a, BAD_DW_LENGTH),
                Arguments.of("dwLength beyond dwMaxCCIDMessageLength", huge, RDR_TO_PC_DATA_BLOCK, 0, 0x33, a,
                        BAD_DW_LENGTH),
                Arguments.of("unknown message type", unknown, RDR_TO_PC_SLOT_STATUS, 0, 0x33, a, CMD_NOT_SUPPORTED),
                Arguments.of("RDR_to_PC type sent to the reader", rdrType, RDR_TO_PC_SLOT_STATUS, 0, 0x33, a,
                        CMD_NOT_SUPPORTED),
                Arguments.of("bSlot beyond bMaxSlotIndex", badSlot, RDR_TO_PC_SLOT_STATUS, 7, 0x33, ICC_ABSENT, BAD_SLOT),
                Arguments.of("bSlot 200 on an XfrBlock", badSlotXfr, RDR_TO_PC_DATA_BLOCK, 200, 0x33, ICC_ABSENT,
                        BAD_SLOT),
                Arguments.of("IccPowerOn with data", powerOnLength, RDR_TO_PC_DATA_BLOCK, 0, 0x33, a, BAD_DW_LENGTH),
                Arguments.of("bPowerSelect 4", powerSelect, RDR_TO_PC_DATA_BLOCK, 0, 0x33, a, BAD_BYTE_7),
                Arguments.of("bProtocolNum 2", protocolNum, RDR_TO_PC_PARAMETERS, 0, 0x33, a, BAD_BYTE_7),
                Arguments.of("T=1 parameters of 5 bytes", paramsLength, RDR_TO_PC_PARAMETERS, 0, 0x33, a, BAD_DW_LENGTH),
                Arguments.of("bmTCCKST0 with bit 0", t0Tcck, RDR_TO_PC_PARAMETERS, 0, 0x33, a, BAD_DATA + 1),
                Arguments.of("bClockStop 4", clockStop, RDR_TO_PC_PARAMETERS, 0, 0x33, a, BAD_DATA + 4),
                Arguments.of("SetDataRateAndClockFrequency with 4 bytes", rateLength,
                        RDR_TO_PC_DATA_RATE_AND_CLOCK_FREQUENCY, 0, 0x33, a, BAD_DW_LENGTH),
                Arguments.of("wLevelParameter 5", level, RDR_TO_PC_DATA_BLOCK, 0, 0x33, a, BAD_BYTE_8),
                Arguments.of("chain continue without begin", continueWithoutBegin, RDR_TO_PC_DATA_BLOCK, 0, 0x33, a,
                        BAD_BYTE_8),
                Arguments.of("response continuation without a response", moreResponseWithoutOne,
                        RDR_TO_PC_DATA_BLOCK, 0, 0x33, a, BAD_BYTE_8),
                Arguments.of("bClockCommand 2", clockCommand, RDR_TO_PC_SLOT_STATUS, 0, 0x33, a, BAD_BYTE_7),
                Arguments.of("clock stop (not offered)", clockStopCmd, RDR_TO_PC_SLOT_STATUS, 0, 0x33, a,
                        CMD_NOT_SUPPORTED),
                Arguments.of("bFunction 9", mechanical, RDR_TO_PC_SLOT_STATUS, 0, 0x33, a, BAD_BYTE_7),
                Arguments.of("Mechanical eject (no mechanics)", mechanicalOk, RDR_TO_PC_SLOT_STATUS, 0, 0x33, a,
                        CMD_NOT_SUPPORTED),
                Arguments.of("T0APDU bmChanges 4", t0apdu, RDR_TO_PC_SLOT_STATUS, 0, 0x33, a, BAD_BYTE_7),
                Arguments.of("Escape (no vendor commands)", escape, RDR_TO_PC_ESCAPE, 0, 0x33, a, CMD_NOT_SUPPORTED),
                Arguments.of("Secure (no PIN pad)", secure, RDR_TO_PC_DATA_BLOCK, 0, 0x33, a, CMD_NOT_SUPPORTED),
                Arguments.of("Abort with data", abortLength, RDR_TO_PC_SLOT_STATUS, 0, 0x33, a, BAD_DW_LENGTH));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void malformedInputIsAnsweredAndTheReaderKeepsServing(String what, byte[] message, int type, int slot, int seq,
            int icc, int error) {
        CcidEngine e = engine(2);
        TestCard card = new TestCard();
        Host h = poweredHost(e, card);
        h.sendRaw(message);
        assertFailed(h.receive(), type, slot, seq, icc, error);
        h.assertQuiet();
        // the reader still serves, and the card kept its state
        CcidMessage r = h.exchange(xfr(0, 0x34, "00 84 00 00 04"));
        assertOk(r, RDR_TO_PC_DATA_BLOCK, 0, 0x34, ICC_PRESENT_ACTIVE);
        assertEquals("00 01 02 03 90 00", Hex.spaced(r.data()));
        assertEquals(1, card.powerOns.get());
    }

    // ---------------------------------------------------------------- card errors

    @Test
    void cardErrorsBecomeCcidErrors() {
        CcidEngine e = engine(1);
        Host h = poweredHost(e, new TestCard());
        assertFailed(h.exchange(xfr(0, 2, "80 01 00 00")), RDR_TO_PC_DATA_BLOCK, 0, 2, ICC_PRESENT_ACTIVE, HW_ERROR);
        assertFailed(h.exchange(xfr(0, 3, "80 02 00 00")), RDR_TO_PC_DATA_BLOCK, 0, 3, ICC_PRESENT_ACTIVE, ICC_MUTE);
        assertEquals("6D 00", Hex.spaced(h.exchange(xfr(0, 4, "80 77 00 00")).data()), "an error SW is a normal answer");
    }

    @Test
    void badAtrIsReported() {
        CcidEngine e = engine(1);
        e.slot(0).insert(new TestCard(Hex.decode("3C 00"), true));
        Host h = new Host(e);
        assertFailed(h.exchange(powerOn(0, 1)), RDR_TO_PC_DATA_BLOCK, 0, 1, ICC_PRESENT_INACTIVE, BAD_ATR_TS);
        e.slot(0).insert(new TestCard(Hex.decode("3B 80 01 00"), true)); // T=1 in TD1 but a wrong TCK
        h.session.takeInterrupt();
        assertFailed(h.exchange(powerOn(0, 2)), RDR_TO_PC_DATA_BLOCK, 0, 2, ICC_PRESENT_INACTIVE, BAD_ATR_TCK);
    }

    @Test
    void shortLevelRefusesResponsesLongerThanAMessage() {
        CcidEngine e = engine(ReaderSettings.builder("s").level(ExchangeLevel.SHORT_APDU));
        Host h = poweredHost(e, new TestCard());
        assertEquals(258, h.exchange(xfr(0, 2, "80 B0 01 00")).dwLength(), "256 bytes + SW fit");
        assertFailed(h.exchange(xfr(0, 3, "80 B0 01 10")), RDR_TO_PC_DATA_BLOCK, 0, 3, ICC_PRESENT_ACTIVE,
                XFR_OVERRUN);
        assertFailed(h.exchange(CcidMessage.xfrBlock(0, 4, 0, CHAIN_BEGIN, Hex.decode("00"))), RDR_TO_PC_DATA_BLOCK, 0,
                4, ICC_PRESENT_ACTIVE, BAD_BYTE_8);
    }

    // ---------------------------------------------------------------- parameters

    @Test
    void parametersFollowTheAtrAndSetParameters() {
        CcidEngine e = engine(1);
        Host h = poweredHost(e, new TestCard(TestCard.ATR_T1, true));
        CcidMessage p = h.exchange(CcidMessage.getParameters(0, 2));
        assertOk(p, RDR_TO_PC_PARAMETERS, 0, 2, ICC_PRESENT_ACTIVE);
        assertEquals(1, p.b9(), "bProtocolNum from TD1");
        assertEquals("11 10 00 45 00 FE 00", Hex.spaced(p.data()), "Fi/Di, LRC, BWI/CWI from TB3, IFSC from TA3");
        CcidMessage set = h.exchange(CcidMessage.setParameters(0, 3, 1, Hex.decode("11 11 00 45 00 20 00")));
        assertEquals("11 11 00 45 00 20 00", Hex.spaced(set.data()));
        assertEquals("11 10 00 45 00 FE 00", Hex.spaced(h.exchange(CcidMessage.resetParameters(0, 4)).data()));
        assertFailed(h.exchange(CcidMessage.setParameters(0, 5, 0, Hex.decode("11 00 00 0A 00"))),
                RDR_TO_PC_PARAMETERS, 0, 5, ICC_PRESENT_ACTIVE, ICC_PROTOCOL_NOT_SUPPORTED);
        assertFailed(h.exchange(CcidMessage.setParameters(0, 6, 1, Hex.decode("11 10 00 45 00 FF 00"))),
                RDR_TO_PC_PARAMETERS, 0, 6, ICC_PRESENT_ACTIVE, BAD_DATA + 5);
        assertFailed(h.exchange(CcidMessage.setParameters(0, 7, 1, Hex.decode("11 20 00 45 00 FE 00"))),
                RDR_TO_PC_PARAMETERS, 0, 7, ICC_PRESENT_ACTIVE, BAD_DATA + 1);
        assertFailed(h.exchange(CcidMessage.setParameters(0, 8, 1, Hex.decode("11 10 00 A5 00 FE 00"))),
                RDR_TO_PC_PARAMETERS, 0, 8, ICC_PRESENT_ACTIVE, BAD_DATA + 3);
    }

    @Test
    void dataRateAndClockAnswersTheValuesInUse() {
        CcidEngine e = engine(1);
        Host h = poweredHost(e, new TestCard());
        CcidMessage r = h.exchange(CcidMessage.setDataRateAndClockFrequency(0, 2, 8000, 9600));
        assertOk(r, RDR_TO_PC_DATA_RATE_AND_CLOCK_FREQUENCY, 0, 2, ICC_PRESENT_ACTIVE);
        assertEquals("A0 0F 00 00 00 2A 00 00", Hex.spaced(r.data()));
    }

    // ---------------------------------------------------------------- extended APDU chaining

    @Test
    void commandAndResponseChaining() {
        CcidEngine e = engine(ReaderSettings.builder("x").maxMessageLength(271));
        Host h = poweredHost(e, new TestCard());
        byte[] data = new byte[600];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 7);
        }
        byte[] apdu = org.vccid.iso7816.CommandApdu.of(0x80, 0xEE, 0, 0, data, 65536).toBytes();
        // command chaining: begin, continue, end (261 bytes each at most)
        int seq = 2;
        int at = 0;
        while (at < apdu.length) {
            int n = Math.min(261, apdu.length - at);
            int level = at == 0 ? CHAIN_BEGIN : at + n == apdu.length ? CHAIN_END : CHAIN_CONTINUE;
            h.send(CcidMessage.xfrBlock(0, seq, 0, level, java.util.Arrays.copyOfRange(apdu, at, at + n)));
            at += n;
            if (at < apdu.length) {
                CcidMessage ack = h.receive();
                assertOk(ack, RDR_TO_PC_DATA_BLOCK, 0, seq, ICC_PRESENT_ACTIVE);
                assertEquals(CHAIN_CONTINUE_RESPONSE, ack.b9(), "bChainParameter 0x10: more command expected");
                assertEquals(0, ack.dwLength());
                seq++;
            }
        }
        // response chaining: 602 bytes in blocks of 261
        java.io.ByteArrayOutputStream got = new java.io.ByteArrayOutputStream();
        List<Integer> chain = new ArrayList<>();
        CcidMessage r = h.receive();
        for (;;) {
            assertOk(r, RDR_TO_PC_DATA_BLOCK, 0, seq, ICC_PRESENT_ACTIVE);
            got.writeBytes(r.data());
            chain.add(r.b9());
            if (r.b9() == CHAIN_END) {
                break;
            }
            seq++;
            r = h.exchange(CcidMessage.xfrBlock(0, seq, 0, CHAIN_CONTINUE_RESPONSE, new byte[0]));
        }
        assertEquals(List.of(CHAIN_BEGIN, CHAIN_CONTINUE, CHAIN_END), chain);
        byte[] expected = org.vccid.iso7816.StatusWord.response(data, 0x9000);
        assertArrayEquals(expected, got.toByteArray());
    }

    @Test
    void oversizeChainIsRefused() {
        CcidEngine e = engine(1);
        Host h = poweredHost(e, new TestCard());
        byte[] block = new byte[65000];
        assertEquals(CHAIN_CONTINUE_RESPONSE, h.exchange(CcidMessage.xfrBlock(0, 2, 0, CHAIN_BEGIN, block)).b9());
        assertFailed(h.exchange(CcidMessage.xfrBlock(0, 3, 0, CHAIN_CONTINUE, block)), RDR_TO_PC_DATA_BLOCK, 0, 3,
                ICC_PRESENT_ACTIVE, XFR_OVERRUN);
        assertEquals("90 00", Hex.spaced(h.exchange(xfr(0, 4, "00 A4 04 00")).data()));
    }

    // ---------------------------------------------------------------- slow cards, busy, abort, time extension

    @Test
    void slowCardGetsTimeExtensionsAndOtherSlotsKeepWorking() throws Exception {
        CcidEngine e = engine(ReaderSettings.builder("slow").slots(2).timeExtensionMillis(20));
        TestCard slow = new TestCard(TestCard.ATR_T0, false);
        TestCard fast = new TestCard(TestCard.ATR_T0, false);
        Host h = poweredHost(e, slow);
        e.slot(1).insert(fast);
        assertOk(h.exchange(powerOn(1, 2)), RDR_TO_PC_DATA_BLOCK, 1, 2, ICC_PRESENT_ACTIVE);
        h.send(xfr(0, 3, "80 5E 00 00"));
        CcidMessage ext = h.receive();
        assertEquals(RDR_TO_PC_DATA_BLOCK, ext.messageType());
        assertEquals(3, ext.seq());
        assertEquals(COMMAND_STATUS_TIME_EXTENSION, ext.commandStatus());
        assertEquals(1, ext.error(), "bError is the time extension multiplier");
        // another slot is not blocked by the slow card; the slow slot is busy
        h.bulkIn.clear();
        h.send(xfr(1, 4, "00 A4 04 00"));
        h.send(CcidMessage.getSlotStatus(0, 5));
        List<CcidMessage> got = receiveIgnoringExtensions(h, 2);
        got.sort(java.util.Comparator.comparingInt(CcidMessage::slot).reversed()); // slot 1 answers from a worker
        assertOk(got.get(0), RDR_TO_PC_DATA_BLOCK, 1, 4, ICC_PRESENT_ACTIVE);
        assertFailed(got.get(1), RDR_TO_PC_SLOT_STATUS, 0, 5, ICC_PRESENT_ACTIVE, CMD_SLOT_BUSY);
        slow.release();
        CcidMessage done = receiveIgnoringExtensions(h, 1).get(0);
        assertOk(done, RDR_TO_PC_DATA_BLOCK, 0, 3, ICC_PRESENT_ACTIVE);
        assertEquals("90 00", Hex.spaced(done.data()));
        Thread.sleep(60);
        h.assertQuiet();
    }

    private static List<CcidMessage> receiveIgnoringExtensions(Host h, int n) {
        List<CcidMessage> got = new ArrayList<>();
        while (got.size() < n) {
            CcidMessage m = h.receive();
            if (m.commandStatus() != COMMAND_STATUS_TIME_EXTENSION) {
                got.add(m);
            }
        }
        return got;
    }

    @Test
    void abortControlThenBulk() {
        CcidEngine e = engine(ReaderSettings.builder("a").timeExtensionMillis(10_000));
        TestCard card = new TestCard(TestCard.ATR_T0, false);
        Host h = poweredHost(e, card);
        h.send(xfr(0, 7, "80 5E 00 00"));
        assertNotNull(h.session.controlRequest(REQUEST_TYPE_OUT, REQUEST_ABORT, 7 << 8, 0));
        assertFailed(h.receive(), RDR_TO_PC_DATA_BLOCK, 0, 7, ICC_PRESENT_ACTIVE, CMD_ABORTED);
        // between the request and PC_to_RDR_Abort, commands for the slot are aborted
        assertFailed(h.exchange(CcidMessage.getSlotStatus(0, 8)), RDR_TO_PC_SLOT_STATUS, 0, 8, ICC_PRESENT_ACTIVE,
                CMD_ABORTED);
        assertOk(h.exchange(CcidMessage.abort(0, 7)), RDR_TO_PC_SLOT_STATUS, 0, 7, ICC_PRESENT_ACTIVE);
        card.release(); // the late answer of the aborted command must not reach the host
        assertEquals("90 00", Hex.spaced(h.exchange(xfr(0, 9, "00 A4 04 00")).data()));
    }

    @Test
    void abortBulkThenControl() {
        CcidEngine e = engine(1);
        Host h = poweredHost(e, new TestCard());
        h.send(CcidMessage.abort(0, 0x21));
        h.assertQuiet(); // waits for the control request
        assertFailed(h.exchange(CcidMessage.getSlotStatus(0, 0x22)), RDR_TO_PC_SLOT_STATUS, 0, 0x22,
                ICC_PRESENT_ACTIVE, CMD_SLOT_BUSY);
        assertNotNull(h.session.controlRequest(REQUEST_TYPE_OUT, REQUEST_ABORT, 0x21 << 8, 0));
        assertOk(h.receive(), RDR_TO_PC_SLOT_STATUS, 0, 0x21, ICC_PRESENT_ACTIVE);
        h.assertQuiet();
        assertOk(h.exchange(CcidMessage.getSlotStatus(0, 0x23)), RDR_TO_PC_SLOT_STATUS, 0, 0x23, ICC_PRESENT_ACTIVE);
    }

    @Test
    void classRequests() {
        Host h = new Host(engine(2));
        assertEquals("A0 0F 00 00", Hex.spaced(h.session.controlRequest(REQUEST_TYPE_IN, REQUEST_GET_CLOCK_FREQUENCIES, 0, 64)));
        assertEquals("00 2A 00 00", Hex.spaced(h.session.controlRequest(REQUEST_TYPE_IN, REQUEST_GET_DATA_RATES, 0, 64)));
        assertEquals("00 2A", Hex.spaced(h.session.controlRequest(REQUEST_TYPE_IN, REQUEST_GET_DATA_RATES, 0, 2)));
        assertNull(h.session.controlRequest(REQUEST_TYPE_IN, 0x7F, 0, 64), "unknown requests are STALLed");
        assertNull(h.session.controlRequest(REQUEST_TYPE_OUT, REQUEST_ABORT, 5, 0), "ABORT for a slot that does not exist");
    }

    // ---------------------------------------------------------------- insertion, removal, notifications

    @Test
    void notifySlotChangeOnInsertAndRemove() {
        CcidEngine e = engine(2);
        Host h = new Host(e);
        assertNull(h.session.takeInterrupt(), "nothing changed yet");
        TestCard card = new TestCard();
        e.slot(1).insert(card);
        assertEquals(1, h.interrupts.get());
        assertEquals("50 0C", Hex.spaced(h.session.takeInterrupt()), "slot 1 present + changed");
        assertNull(h.session.takeInterrupt(), "taking clears the changed bits");
        e.slot(1).eject();
        assertEquals("50 08", Hex.spaced(h.session.takeInterrupt()), "slot 1 absent + changed");
        assertEquals(IccState.ABSENT, e.slot(1).state());
        // re-inserting elsewhere works once the card is free
        e.slot(0).insert(card);
        assertThrows(IllegalStateException.class, () -> e.slot(1).insert(card), "a card is in one slot only");
        assertEquals("50 03", Hex.spaced(h.session.takeInterrupt()));
    }

    @ParameterizedTest
    @ValueSource(ints = { 1, 4, 5, 16, 17, 64 })
    void notifySlotChangeForAnySlotCount(int n) {
        CcidEngine e = engine(n);
        Host h = new Host(e);
        e.slot(n - 1).insert(new TestCard());
        byte[] m = h.session.takeInterrupt();
        assertEquals(1 + (n + 3) / 4, m.length);
        assertEquals(RDR_TO_PC_NOTIFY_SLOT_CHANGE, m[0] & 0xFF);
        for (int i = 0; i < n; i++) {
            assertEquals(i == n - 1, Interrupts.isPresent(m, i));
            assertEquals(i == n - 1, Interrupts.isChanged(m, i));
        }
    }

    @Test
    void attachReportsCardsAlreadyPresent() {
        CcidEngine e = engine(3);
        e.slot(2).insert(new TestCard());
        Host h = new Host(e);
        assertEquals("50 30", Hex.spaced(h.session.takeInterrupt()));
    }

    @Test
    void removalMidApduEndsWithADefinedError() throws Exception {
        CcidEngine e = engine(ReaderSettings.builder("r").timeExtensionMillis(10_000));
        TestCard card = new TestCard(TestCard.ATR_T0, false);
        Host h = poweredHost(e, card);
        h.send(xfr(0, 5, "80 5E 00 00"));
        Thread.sleep(20);
        e.slot(0).eject();
        assertFailed(h.receive(), RDR_TO_PC_DATA_BLOCK, 0, 5, ICC_ABSENT, ICC_MUTE);
        assertEquals("50 02", Hex.spaced(h.session.takeInterrupt()));
        card.release();
        Thread.sleep(50);
        h.assertQuiet();
        assertOk(h.exchange(CcidMessage.getSlotStatus(0, 6)), RDR_TO_PC_SLOT_STATUS, 0, 6, ICC_ABSENT);
    }

    @Test
    void aNewCardDoesNotWaitForTheRemovedCardsCall() {
        CcidEngine e = engine(ReaderSettings.builder("r").timeExtensionMillis(10_000));
        TestCard old = new TestCard(TestCard.ATR_T0, false);
        Host h = poweredHost(e, old);
        h.send(xfr(0, 5, "80 5E 00 00")); // SLOW: blocks until released
        e.slot(0).eject();
        assertFailed(h.receive(), RDR_TO_PC_DATA_BLOCK, 0, 5, ICC_ABSENT, ICC_MUTE);
        TestCard next = new TestCard(TestCard.ATR_T0, false);
        e.slot(0).insert(next);
        try {
            // before the fix this waited for the old card's call (Host.receive gives up after 5 s)
            assertOk(h.exchange(powerOn(0, 6)), RDR_TO_PC_DATA_BLOCK, 0, 6, ICC_PRESENT_ACTIVE);
            assertEquals(1, next.powerOns.get());
            assertEquals("AA 90 00", Hex.spaced(h.exchange(xfr(0, 7, "80 EE 00 00 01 AA")).data()));
        } finally {
            old.release();
        }
    }

    @Test
    void slotListenersSeeEventsInOrder() throws Exception {
        CcidEngine e = engine(1);
        List<String> seen = new CopyOnWriteArrayList<>();
        e.addListener(ev -> seen.add(ev.type() + ":" + ev.state()));
        TestCard card = new TestCard();
        Host h = new Host(e);
        e.slot(0).insert(card);
        h.exchange(powerOn(0, 1));
        h.exchange(CcidMessage.iccPowerOff(0, 2));
        e.slot(0).eject();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (seen.size() < 4 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertEquals(List.of(SlotEvent.Type.INSERTED + ":PRESENT_INACTIVE", SlotEvent.Type.POWERED_ON + ":PRESENT_ACTIVE",
                SlotEvent.Type.POWERED_OFF + ":PRESENT_INACTIVE", SlotEvent.Type.REMOVED + ":ABSENT"), seen);
    }

    // ---------------------------------------------------------------- host sessions

    @Test
    void oneHostAtATimeAndDetachPowersCardsOff() throws Exception {
        CcidEngine e = engine(1);
        TestCard card = new TestCard();
        Host h = poweredHost(e, card);
        assertThrows(IllegalStateException.class, () -> new Host(e));
        h.session.close();
        h.session.bulkOut(CcidMessage.getSlotStatus(0, 1).toBytes(), 0, 10); // a closed session is ignored
        assertNull(h.bulkIn.poll(50, TimeUnit.MILLISECONDS));
        Host h2 = new Host(e);
        assertOk(h2.exchange(CcidMessage.getSlotStatus(0, 2)), RDR_TO_PC_SLOT_STATUS, 0, 2, ICC_PRESENT_INACTIVE);
        e.close();
        assertTrue(h2.detached);
        assertThrows(IllegalStateException.class, () -> new Host(e));
    }

    @Test
    void hundredsOfReadersShareThePool() {
        List<Host> hosts = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            CcidEngine e = engine(ReaderSettings.builder("r" + i).slots(2));
            hosts.add(poweredHost(e, new TestCard()));
        }
        int threads = Thread.activeCount();
        for (int i = 0; i < hosts.size(); i++) {
            CcidMessage r = hosts.get(i).exchange(xfr(0, 2, "00 84 00 00 02"));
            assertEquals("00 01 90 00", Hex.spaced(r.data()), "reader " + i);
        }
        assertTrue(Thread.activeCount() <= threads + 2, "non-blocking cards need no thread per reader");
    }
}
