package org.vccid.ccid.internal.engine;

import static org.vccid.ccid.Ccid.*;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

import org.vccid.card.Card;
import org.vccid.card.CardException;
import org.vccid.ccid.Ccid;
import org.vccid.ccid.Interrupts;
import org.vccid.iso7816.Atr;
import org.vccid.iso7816.Hex;
import org.vccid.iso7816.Pps;
import org.vccid.iso7816.t0.T0Card;
import org.vccid.iso7816.t1.T1Card;
import org.vccid.reader.IccState;
import org.vccid.reader.Reader;
import org.vccid.reader.Slot;
import org.vccid.reader.SlotEvent;
import org.vccid.reader.SlotListener;
import org.vccid.transport.CcidDevice;
import org.vccid.transport.CcidSession;
import org.vccid.transport.HostLink;

/**
 * The CCID 1.1 reader engine for one reader: decodes PC_to_RDR messages, keeps per-slot state, talks to cards and
 * answers with RDR_to_PC messages. No I/O: a transport feeds {@link CcidSession#bulkOut} and receives through its
 * {@link HostLink}.
 *
 * <p>Threading model, kept deliberately simple: one lock per reader guards all state, and every message to the host
 * is emitted while holding it, so a host sees answers in order and never concurrently. A card that says it is
 * {@linkplain Card#isNonBlocking() non-blocking} is called inline; any other card is called on its slot's serial
 * executor (a shared pool), while a timer sends CCID time extensions (bmCommandStatus 2) until it answers. A card's
 * late answer after an abort, a removal or a new host is recognised by its {@link Pending} ticket and dropped.
 * Slot listeners are called outside the lock, in order, from a per-reader serial executor.
 */
public final class CcidEngine implements Reader, CcidDevice {

    private static final System.Logger LOG = System.getLogger(CcidEngine.class.getName());

    /** The longest APDU the engine assembles from chained blocks (extended case 4 with 65535 data bytes). */
    static final int MAX_APDU = 4 + 3 + 65535 + 3;

    private final ReaderSettings cfg;
    private final byte[] descriptor;
    private final Executor pool;
    private final ScheduledExecutorService timer;
    private final CardClaims claims;
    private final Executor events;
    private final ReentrantLock lock = new ReentrantLock();
    private final EngineSlot[] slots;
    private final List<Slot> slotList;
    private final CopyOnWriteArrayList<SlotListener> listeners = new CopyOnWriteArrayList<>();
    /** Outgoing message buffer, only used while holding the lock. */
    private final byte[] out;
    /** Events raised under the lock, dispatched after it. */
    private final ArrayList<SlotEvent> raised = new ArrayList<>();

    private Session session;
    private boolean closed;

    /**
     * @param pool runs blocking card calls and listener dispatch (a cached pool)
     * @param timer sends time extensions
     * @param claims shared by all readers of one runtime
     */
    public CcidEngine(ReaderSettings cfg, Executor pool, ScheduledExecutorService timer, CardClaims claims) {
        this.cfg = cfg;
        this.descriptor = cfg.classDescriptor().toBytes();
        this.pool = pool;
        this.timer = timer;
        this.claims = claims;
        this.events = new SerialExecutor(pool);
        this.slots = new EngineSlot[cfg.slots];
        for (int i = 0; i < slots.length; i++) {
            slots[i] = new EngineSlot(i);
        }
        this.slotList = Collections.unmodifiableList(Arrays.asList(slots));
        this.out = new byte[Math.max(cfg.maxMessageLength, HEADER_LENGTH + 261)];
    }

    // ------------------------------------------------------------------ Reader / CcidDevice

    @Override
    public String name() {
        return cfg.name;
    }

    @Override
    public List<Slot> slots() {
        return slotList;
    }

    @Override
    public void addListener(SlotListener listener) {
        listeners.add(listener);
    }

    @Override
    public void removeListener(SlotListener listener) {
        listeners.remove(listener);
    }

    @Override
    public int vendorId() {
        return cfg.vendorId;
    }

    @Override
    public int productId() {
        return cfg.productId;
    }

    @Override
    public int bcdDevice() {
        return cfg.bcdDevice;
    }

    @Override
    public String manufacturer() {
        return cfg.manufacturer;
    }

    @Override
    public String serialNumber() {
        return cfg.serialNumber;
    }

    @Override
    public int slotCount() {
        return slots.length;
    }

    @Override
    public int maxMessageLength() {
        return cfg.maxMessageLength;
    }

    @Override
    public byte[] classDescriptor() {
        return descriptor.clone();
    }

    /** The settings this reader was built from. */
    public ReaderSettings settings() {
        return cfg;
    }

    @Override
    public CcidSession attach(HostLink host) {
        lock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("reader " + cfg.name + " is closed");
            }
            if (session != null) {
                throw new IllegalStateException("reader " + cfg.name + " already has a host attached");
            }
            session = new Session(host);
            // a reader plugged in with cards reports them (NotifySlotChange with the changed bits of present slots)
            for (EngineSlot s : slots) {
                s.resetHostState();
                s.changed = s.card != null;
            }
            return session;
        } finally {
            unlockAndDispatch();
        }
    }

    /** Detach the host and release every card; the reader cannot be used afterwards. */
    public void close() {
        Session s;
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            for (EngineSlot slot : slots) {
                slot.remove(false);
            }
            s = session;
            session = null;
        } finally {
            unlockAndDispatch();
        }
        if (s != null) {
            s.link.detached();
        }
    }

    // ------------------------------------------------------------------ message handling

    /** Handle one PC_to_RDR message; holds the lock. Every path answers exactly once (or parks an Abort). */
    private void handle(byte[] b, int off, int len) {
        if (len < HEADER_LENGTH) {
            // truncated header (§6.1: 10 bytes): answer with what can be read, zero for the rest
            int type = len > 0 ? u8(b, off) : 0;
            int slot = len > OFFSET_SLOT ? u8(b, off + OFFSET_SLOT) : 0;
            int seq = len > OFFSET_SEQ ? u8(b, off + OFFSET_SEQ) : 0;
            LOG.log(Level.DEBUG, "{0}: truncated message of {1} bytes: {2}", cfg.name, len, Hex.spaced(b, off, len));
            fail(type, slot, seq, iccStatusOf(slot), BAD_DW_LENGTH);
            return;
        }
        int type = u8(b, off);
        int slotIndex = u8(b, off + OFFSET_SLOT);
        int seq = u8(b, off + OFFSET_SEQ);
        long dw = dwLength(b, off);
        if (dw != len - HEADER_LENGTH || len > cfg.maxMessageLength) {
            LOG.log(Level.DEBUG, "{0}: dwLength {1} with {2} data bytes (max message {3})", cfg.name, dw,
                    len - HEADER_LENGTH, cfg.maxMessageLength);
            fail(type, slotIndex, seq, iccStatusOf(slotIndex), BAD_DW_LENGTH);
            return;
        }
        if (!isPcToRdr(type)) {
            fail(type, slotIndex, seq, iccStatusOf(slotIndex), CMD_NOT_SUPPORTED);
            return;
        }
        if (slotIndex >= slots.length) {
            fail(type, slotIndex, seq, ICC_ABSENT, BAD_SLOT);
            return;
        }
        EngineSlot s = slots[slotIndex];
        int dwLength = (int) dw;
        if (type == PC_TO_RDR_ABORT) {
            abortMessage(s, seq, dwLength);
            return;
        }
        if (s.abortControlSeq >= 0) {
            // §5.3.1: between the ABORT request and PC_to_RDR_Abort, commands for the slot are aborted
            fail(type, slotIndex, seq, s.iccStatus(), CMD_ABORTED);
            return;
        }
        if (s.pending != null || s.abortBulkSeq >= 0) {
            fail(type, slotIndex, seq, s.iccStatus(), CMD_SLOT_BUSY);
            return;
        }
        switch (type) {
        case PC_TO_RDR_ICC_POWER_ON:
            iccPowerOn(s, seq, b, off, dwLength);
            break;
        case PC_TO_RDR_ICC_POWER_OFF:
            if (zeroLength(s, type, seq, dwLength)) {
                iccPowerOff(s, seq);
            }
            break;
        case PC_TO_RDR_GET_SLOT_STATUS:
            if (zeroLength(s, type, seq, dwLength)) {
                slotStatus(s, seq, bStatus(s.iccStatus(), COMMAND_STATUS_OK), 0);
            }
            break;
        case PC_TO_RDR_XFR_BLOCK:
            xfrBlock(s, seq, b, off, dwLength);
            break;
        case PC_TO_RDR_GET_PARAMETERS:
            if (zeroLength(s, type, seq, dwLength)) {
                parameters(s, seq);
            }
            break;
        case PC_TO_RDR_RESET_PARAMETERS:
            if (zeroLength(s, type, seq, dwLength)) {
                s.resetParameters();
                parameters(s, seq);
            }
            break;
        case PC_TO_RDR_SET_PARAMETERS:
            setParameters(s, seq, b, off, dwLength);
            break;
        case PC_TO_RDR_ICC_CLOCK:
            if (zeroLength(s, type, seq, dwLength)) {
                int command = u8(b, off + OFFSET_7);
                if (command == 0) {
                    slotStatus(s, seq, bStatus(s.iccStatus(), COMMAND_STATUS_OK), 0);
                } else {
                    // 1 = stop the clock: not offered (dwFeatures 0x100 clear); other values are invalid
                    fail(type, s.index, seq, s.iccStatus(), command == 1 ? CMD_NOT_SUPPORTED : BAD_BYTE_7);
                }
            }
            break;
        case PC_TO_RDR_T0_APDU:
            if (zeroLength(s, type, seq, dwLength)) {
                int changes = u8(b, off + OFFSET_7);
                if (changes > 3) {
                    fail(type, s.index, seq, s.iccStatus(), BAD_BYTE_7);
                } else {
                    // §6.1.10: the class bytes only matter to readers that build GET RESPONSE themselves
                    slotStatus(s, seq, bStatus(s.iccStatus(), COMMAND_STATUS_OK), 0);
                }
            }
            break;
        case PC_TO_RDR_MECHANICAL:
            if (zeroLength(s, type, seq, dwLength)) {
                int function = u8(b, off + OFFSET_7);
                fail(type, s.index, seq, s.iccStatus(), function >= 1 && function <= 5 ? CMD_NOT_SUPPORTED : BAD_BYTE_7);
            }
            break;
        case PC_TO_RDR_SET_DATA_RATE_AND_CLOCK_FREQUENCY:
            if (dwLength != 8) {
                fail(type, s.index, seq, s.iccStatus(), BAD_DW_LENGTH);
            } else {
                // no data rate or clock to change on a virtual line: answer the values in use (§6.2.5)
                int n = putHeader(out, 0, RDR_TO_PC_DATA_RATE_AND_CLOCK_FREQUENCY, 8, s.index, seq,
                        bStatus(s.iccStatus(), COMMAND_STATUS_OK), 0, 0);
                putLe32(out, n, 4000);
                putLe32(out, n + 4, 10752);
                emit(n + 8);
            }
            break;
        case PC_TO_RDR_ESCAPE: // no vendor commands
        case PC_TO_RDR_SECURE: // no PIN pad (bPINSupport 0)
        default:
            fail(type, s.index, seq, s.iccStatus(), CMD_NOT_SUPPORTED);
            break;
        }
    }

    private boolean zeroLength(EngineSlot s, int type, int seq, int dwLength) {
        if (dwLength != 0) {
            fail(type, s.index, seq, s.iccStatus(), BAD_DW_LENGTH);
            return false;
        }
        return true;
    }

    private int iccStatusOf(int slotIndex) {
        return slotIndex < slots.length ? slots[slotIndex].iccStatus() : ICC_ABSENT;
    }

    // ------------------------------------------------------------------ power

    private void iccPowerOn(EngineSlot s, int seq, byte[] b, int off, int dwLength) {
        if (dwLength != 0) {
            fail(PC_TO_RDR_ICC_POWER_ON, s.index, seq, s.iccStatus(), BAD_DW_LENGTH);
            return;
        }
        if (u8(b, off + OFFSET_7) > 3) { // bPowerSelect: 0 automatic, 1 5V, 2 3V, 3 1.8V
            fail(PC_TO_RDR_ICC_POWER_ON, s.index, seq, s.iccStatus(), BAD_BYTE_7);
            return;
        }
        Card card = s.card;
        if (card == null) {
            fail(PC_TO_RDR_ICC_POWER_ON, s.index, seq, ICC_ABSENT, ICC_MUTE);
            return;
        }
        boolean warm = s.state == IccState.PRESENT_ACTIVE;
        if (card.isNonBlocking()) {
            powerOnDone(s, seq, callPowerOn(card, warm));
            return;
        }
        Pending p = s.begin(PC_TO_RDR_ICC_POWER_ON, seq);
        s.cardCalls.execute(() -> {
            byte[] atr = callPowerOn(card, warm);
            finish(s, p, () -> powerOnDone(s, seq, atr));
        });
    }

    private byte[] callPowerOn(Card card, boolean warm) {
        try {
            return warm ? card.warmReset() : card.powerOn();
        } catch (CardException | RuntimeException e) {
            LOG.log(Level.INFO, "{0}: card did not power on: {1}", cfg.name, e.toString());
            return null;
        }
    }

    private void powerOnDone(EngineSlot s, int seq, byte[] atrBytes) {
        if (atrBytes == null) {
            s.state = IccState.PRESENT_INACTIVE;
            fail(PC_TO_RDR_ICC_POWER_ON, s.index, seq, s.iccStatus(), ICC_MUTE);
            return;
        }
        Atr atr;
        try {
            atr = Atr.parse(atrBytes);
        } catch (IllegalArgumentException e) {
            LOG.log(Level.WARNING, "{0}: card gave a bad ATR {1}: {2}", cfg.name, Hex.spaced(atrBytes), e.getMessage());
            s.state = IccState.PRESENT_INACTIVE;
            int ts = atrBytes.length > 0 ? atrBytes[0] & 0xFF : 0;
            fail(PC_TO_RDR_ICC_POWER_ON, s.index, seq, s.iccStatus(), ts == 0x3B || ts == 0x3F ? BAD_ATR_TCK : BAD_ATR_TS);
            return;
        }
        if (atr.offers(1) && (atr.t1Ifsc() < 1 || atr.t1Ifsc() > 254)) {
            // ISO 7816-3 §11.4.2: IFSC 00 and FF are invalid; a T=1 exchange with this card is impossible
            LOG.log(Level.WARNING, "{0}: ATR {1} has an invalid IFSC {2}", cfg.name, Hex.spaced(atrBytes), atr.t1Ifsc());
            s.state = IccState.PRESENT_INACTIVE;
            fail(PC_TO_RDR_ICC_POWER_ON, s.index, seq, s.iccStatus(), ICC_PROTOCOL_NOT_SUPPORTED);
            return;
        }
        s.powered(atr);
        raise(s, SlotEvent.Type.POWERED_ON);
        dataBlock(s, seq, atrBytes, 0, atrBytes.length, CHAIN_BEGIN_AND_END);
    }

    private void iccPowerOff(EngineSlot s, int seq) {
        if (s.state == IccState.PRESENT_ACTIVE) {
            Card card = s.card;
            s.state = IccState.PRESENT_INACTIVE;
            s.resetHostState();
            raise(s, SlotEvent.Type.POWERED_OFF);
            if (card.isNonBlocking()) {
                card.powerOff();
            } else {
                s.cardCalls.execute(card::powerOff); // ordered before any later power on of this slot
            }
        }
        slotStatus(s, seq, bStatus(s.iccStatus(), COMMAND_STATUS_OK), 0);
    }

    // ------------------------------------------------------------------ parameters (§6.1.5-7, §6.2.3)

    private void parameters(EngineSlot s, int seq) {
        if (s.card == null) {
            fail(PC_TO_RDR_GET_PARAMETERS, s.index, seq, ICC_ABSENT, ICC_MUTE);
            return;
        }
        int n = s.protocol == 1 ? 7 : 5;
        int at = putHeader(out, 0, RDR_TO_PC_PARAMETERS, n, s.index, seq, bStatus(s.iccStatus(), COMMAND_STATUS_OK), 0,
                s.protocol);
        System.arraycopy(s.params, 0, out, at, n);
        emit(at + n);
    }

    private void setParameters(EngineSlot s, int seq, byte[] b, int off, int dwLength) {
        int protocol = u8(b, off + OFFSET_7);
        if (protocol > 1) {
            fail(PC_TO_RDR_SET_PARAMETERS, s.index, seq, s.iccStatus(), BAD_BYTE_7);
            return;
        }
        if (dwLength != (protocol == 1 ? 7 : 5)) {
            fail(PC_TO_RDR_SET_PARAMETERS, s.index, seq, s.iccStatus(), BAD_DW_LENGTH);
            return;
        }
        if (s.card == null) {
            fail(PC_TO_RDR_SET_PARAMETERS, s.index, seq, ICC_ABSENT, ICC_MUTE);
            return;
        }
        int d = off + HEADER_LENGTH;
        int bad = protocol == 1 ? checkT1Parameters(b, d) : checkT0Parameters(b, d);
        if (bad != 0) {
            fail(PC_TO_RDR_SET_PARAMETERS, s.index, seq, s.iccStatus(), bad);
            return;
        }
        if (s.atr != null && (s.atr.protocolMask() & 1 << protocol) == 0) {
            fail(PC_TO_RDR_SET_PARAMETERS, s.index, seq, s.iccStatus(), ICC_PROTOCOL_NOT_SUPPORTED);
            return;
        }
        s.protocol = protocol;
        Arrays.fill(s.params, (byte) 0);
        System.arraycopy(b, d, s.params, 0, dwLength);
        s.protocolChanged();
        parameters(s, seq);
    }

    /** @return 0, or the bError offset of the bad field (10 + index in abProtocolDataStructure) */
    private static int checkT0Parameters(byte[] b, int d) {
        int tcck = u8(b, d + 1);
        if ((tcck & ~0x02) != 0) { // bmTCCKST0: only bit 1 (convention) may be set
            return BAD_DATA + 1;
        }
        if (u8(b, d + 4) > 3) { // bClockStop
            return BAD_DATA + 4;
        }
        return 0;
    }

    private static int checkT1Parameters(byte[] b, int d) {
        int tcck = u8(b, d + 1);
        if ((tcck & ~0x03) != 0x10) { // bmTCCKST1: 0x10 | convention bit 1 | CRC bit 0
            return BAD_DATA + 1;
        }
        if (u8(b, d + 3) >>> 4 > 9) { // BWI 0..9 (ISO 7816-3 §11.4.3)
            return BAD_DATA + 3;
        }
        if (u8(b, d + 4) > 3) {
            return BAD_DATA + 4;
        }
        int ifsc = u8(b, d + 5);
        if (ifsc == 0 || ifsc == 0xFF) {
            return BAD_DATA + 5;
        }
        return 0;
    }

    // ------------------------------------------------------------------ XfrBlock (§6.1.4)

    private void xfrBlock(EngineSlot s, int seq, byte[] b, int off, int dwLength) {
        if (s.state != IccState.PRESENT_ACTIVE) {
            fail(PC_TO_RDR_XFR_BLOCK, s.index, seq, s.iccStatus(), ICC_MUTE);
            return;
        }
        int data = off + HEADER_LENGTH;
        if (cfg.level == ExchangeLevel.TPDU) {
            tpdu(s, seq, b, data, dwLength);
            return;
        }
        int levelParameter = le16(b, off + OFFSET_8);
        if (cfg.level == ExchangeLevel.SHORT_APDU && levelParameter != 0) {
            fail(PC_TO_RDR_XFR_BLOCK, s.index, seq, s.iccStatus(), BAD_BYTE_8);
            return;
        }
        switch (levelParameter) {
        case CHAIN_BEGIN_AND_END:
            s.dropChains();
            exchange(s, seq, b, data, dwLength);
            break;
        case CHAIN_BEGIN:
            s.dropChains();
            s.chainAppend(b, data, dwLength);
            dataBlock(s, seq, out, 0, 0, CHAIN_CONTINUE_RESPONSE); // bChainParameter 0x10: send the rest
            break;
        case CHAIN_CONTINUE:
        case CHAIN_END:
            if (s.command == null) {
                fail(PC_TO_RDR_XFR_BLOCK, s.index, seq, s.iccStatus(), BAD_BYTE_8);
                return;
            }
            if (s.commandLength + dwLength > MAX_APDU) {
                s.dropChains();
                fail(PC_TO_RDR_XFR_BLOCK, s.index, seq, s.iccStatus(), XFR_OVERRUN);
                return;
            }
            s.chainAppend(b, data, dwLength);
            if (levelParameter == CHAIN_CONTINUE) {
                dataBlock(s, seq, out, 0, 0, CHAIN_CONTINUE_RESPONSE);
            } else {
                byte[] apdu = s.command;
                int n = s.commandLength;
                s.command = null;
                s.commandLength = 0;
                exchange(s, seq, apdu, 0, n);
            }
            break;
        case CHAIN_CONTINUE_RESPONSE:
            if (s.response == null || dwLength != 0) {
                fail(PC_TO_RDR_XFR_BLOCK, s.index, seq, s.iccStatus(), s.response == null ? BAD_BYTE_8 : BAD_DW_LENGTH);
                return;
            }
            sendResponsePart(s, seq);
            break;
        default:
            fail(PC_TO_RDR_XFR_BLOCK, s.index, seq, s.iccStatus(), BAD_BYTE_8);
            break;
        }
    }

    /** APDU level: the card gets the APDU, the host the response (chained when longer than a message). */
    private void exchange(EngineSlot s, int seq, byte[] b, int off, int len) {
        Card card = s.card;
        if (card.isNonBlocking()) {
            apduDone(s, seq, callTransmit(card, b, off, len));
            return;
        }
        byte[] command = Arrays.copyOfRange(b, off, off + len);
        Pending p = s.begin(PC_TO_RDR_XFR_BLOCK, seq);
        s.cardCalls.execute(() -> {
            byte[] response = callTransmit(card, command, 0, command.length);
            finish(s, p, () -> apduDone(s, seq, response));
        });
    }

    private byte[] callTransmit(Card card, byte[] b, int off, int len) {
        try {
            return card.transmit(b, off, len);
        } catch (CardException | RuntimeException e) {
            LOG.log(Level.INFO, "{0}: card did not answer: {1}", cfg.name, e.toString());
            return null;
        }
    }

    private boolean checkResponse(EngineSlot s, int seq, byte[] response) {
        if (response == null) {
            fail(PC_TO_RDR_XFR_BLOCK, s.index, seq, s.iccStatus(), ICC_MUTE);
            return false;
        }
        if (response.length < 2) {
            LOG.log(Level.WARNING, "{0}: card answered {1} bytes, no status word", cfg.name, response.length);
            fail(PC_TO_RDR_XFR_BLOCK, s.index, seq, s.iccStatus(), HW_ERROR);
            return false;
        }
        return true;
    }

    private void apduDone(EngineSlot s, int seq, byte[] response) {
        if (!checkResponse(s, seq, response)) {
            return;
        }
        int room = cfg.maxMessageLength - HEADER_LENGTH;
        if (response.length <= room) {
            dataBlock(s, seq, response, 0, response.length, CHAIN_BEGIN_AND_END);
        } else if (cfg.level == ExchangeLevel.EXTENDED_APDU) {
            s.response = response;
            s.responseOffset = room;
            dataBlock(s, seq, response, 0, room, CHAIN_BEGIN);
        } else {
            fail(PC_TO_RDR_XFR_BLOCK, s.index, seq, s.iccStatus(), XFR_OVERRUN);
        }
    }

    private void sendResponsePart(EngineSlot s, int seq) {
        int room = cfg.maxMessageLength - HEADER_LENGTH;
        byte[] r = s.response;
        int at = s.responseOffset;
        int n = Math.min(room, r.length - at);
        boolean last = at + n == r.length;
        if (last) {
            s.response = null;
            s.responseOffset = 0;
        } else {
            s.responseOffset = at + n;
        }
        dataBlock(s, seq, r, at, n, last ? CHAIN_END : CHAIN_CONTINUE);
    }

    /** TPDU level: the engine plays the card side of T=0 or T=1. */
    private void tpdu(EngineSlot s, int seq, byte[] b, int off, int len) {
        int at = HEADER_LENGTH;
        if (s.ppsAllowed && Pps.isPps(b, off, len)) {
            // ISO 7816-3 §9: right after the ATR a driver may negotiate (libccid does when TA1 is present and
            // the reader lacks automatic PPS, as with the serial driver); a malformed request leaves a card mute
            s.ppsAllowed = false;
            int n = Pps.answer(b, off, len, s.atr, out, at);
            if (n < 0) {
                fail(PC_TO_RDR_XFR_BLOCK, s.index, seq, s.iccStatus(), ICC_MUTE);
                return;
            }
            int t = out[at + 1] & 0x0F;
            if (t != s.protocol) {
                s.resetParameters(t);
            }
            emitDataBlockInPlace(s, seq, n);
            return;
        }
        s.ppsAllowed = false;
        int r;
        int apduReady;
        if (s.protocol == 1) {
            r = s.t1.receive(b, off, len, out, at);
            apduReady = T1Card.APDU_READY;
        } else {
            r = s.t0.receive(b, off, len, out, at);
            apduReady = T0Card.APDU_READY;
        }
        if (r >= 0) {
            emitDataBlockInPlace(s, seq, r);
            return;
        }
        if (r != apduReady) {
            // T1Card.WTX_ACKNOWLEDGED: the engine never asks for WTX, so this cannot happen; answer as a mute card
            fail(PC_TO_RDR_XFR_BLOCK, s.index, seq, s.iccStatus(), ICC_MUTE);
            return;
        }
        byte[] apdu = s.protocol == 1 ? s.t1.apduBuffer() : s.t0.apduBuffer();
        int n = s.protocol == 1 ? s.t1.apduLength() : s.t0.apduLength();
        Card card = s.card;
        if (card.isNonBlocking()) {
            tpduDone(s, seq, callTransmit(card, apdu, 0, n));
            return;
        }
        byte[] command = Arrays.copyOf(apdu, n);
        Pending p = s.begin(PC_TO_RDR_XFR_BLOCK, seq);
        s.cardCalls.execute(() -> {
            byte[] response = callTransmit(card, command, 0, command.length);
            finish(s, p, () -> tpduDone(s, seq, response));
        });
    }

    private void tpduDone(EngineSlot s, int seq, byte[] response) {
        if (!checkResponse(s, seq, response)) {
            return;
        }
        int n = s.protocol == 1 ? s.t1.respond(response, 0, response.length, out, HEADER_LENGTH)
                : s.t0.respond(response, 0, response.length, out, HEADER_LENGTH);
        emitDataBlockInPlace(s, seq, n);
    }

    // ------------------------------------------------------------------ abort (§5.3.1, §6.1.13)

    private void abortMessage(EngineSlot s, int seq, int dwLength) {
        if (dwLength != 0) {
            fail(PC_TO_RDR_ABORT, s.index, seq, s.iccStatus(), BAD_DW_LENGTH);
            return;
        }
        if (s.abortControlSeq == seq) {
            s.abortControlSeq = -1;
            slotStatus(s, seq, bStatus(s.iccStatus(), COMMAND_STATUS_OK), 0);
        } else {
            s.abortBulkSeq = seq; // answered when the ABORT control request with this bSeq arrives
        }
    }

    private void abortRequest(int slotIndex, int seq) {
        EngineSlot s = slots[slotIndex];
        Pending p = s.pending;
        if (p != null) {
            s.end(p);
            fail(p.type, s.index, p.seq, s.iccStatus(), CMD_ABORTED);
        }
        s.dropChains();
        if (s.abortBulkSeq == seq) {
            s.abortBulkSeq = -1;
            s.abortControlSeq = -1;
            slotStatus(s, seq, bStatus(s.iccStatus(), COMMAND_STATUS_OK), 0);
        } else {
            s.abortControlSeq = seq;
        }
    }

    // ------------------------------------------------------------------ asynchronous card calls

    /** A card call in flight; its identity is the ticket that lets a late answer be recognised. */
    static final class Pending {
        final int type;
        final int seq;
        ScheduledFuture<?> timeExtension;

        Pending(int type, int seq) {
            this.type = type;
            this.seq = seq;
        }
    }

    /** Run a card call's completion if its ticket is still current. Called on a card worker thread. */
    private void finish(EngineSlot s, Pending p, Runnable completion) {
        lock.lock();
        try {
            if (s.pending != p) {
                return; // aborted, card removed or host gone: the answer has been given already
            }
            s.end(p);
            completion.run();
        } finally {
            unlockAndDispatch();
        }
    }

    private void timeExtension(EngineSlot s, Pending p) {
        lock.lock();
        try {
            if (s.pending != p) {
                return;
            }
            // §6.2.6: bmCommandStatus 2, bError = multiplier of the host's timeout; same bSeq, no data
            int n = putHeader(out, 0, responseType(p.type), 0, s.index, p.seq,
                    bStatus(s.iccStatus(), COMMAND_STATUS_TIME_EXTENSION), 1, 0);
            emit(n);
        } finally {
            lock.unlock();
        }
    }

    // ------------------------------------------------------------------ output

    private void fail(int commandType, int slot, int seq, int iccStatus, int error) {
        int n = putHeader(out, 0, responseType(commandType), 0, slot, seq, bStatus(iccStatus, COMMAND_STATUS_FAILED),
                error, 0);
        emit(n);
    }

    private void slotStatus(EngineSlot s, int seq, int status, int clockStatus) {
        emit(putHeader(out, 0, RDR_TO_PC_SLOT_STATUS, 0, s.index, seq, status, 0, clockStatus));
    }

    private void dataBlock(EngineSlot s, int seq, byte[] data, int off, int len, int chain) {
        int at = putHeader(out, 0, RDR_TO_PC_DATA_BLOCK, len, s.index, seq, bStatus(s.iccStatus(), COMMAND_STATUS_OK),
                0, chain);
        System.arraycopy(data, off, out, at, len);
        emit(at + len);
    }

    /** A DataBlock whose abData has already been written at out[10..]. */
    private void emitDataBlockInPlace(EngineSlot s, int seq, int len) {
        putHeader(out, 0, RDR_TO_PC_DATA_BLOCK, len, s.index, seq, bStatus(s.iccStatus(), COMMAND_STATUS_OK), 0,
                CHAIN_BEGIN_AND_END);
        emit(HEADER_LENGTH + len);
    }

    private void emit(int length) {
        Session s = session;
        if (s != null) {
            s.link.bulkIn(out, 0, length);
        }
    }

    private void raise(EngineSlot s, SlotEvent.Type type) {
        if (!listeners.isEmpty() || !s.listeners.isEmpty()) {
            raised.add(new SlotEvent(s, type, s.state));
        }
    }

    private void slotChanged(EngineSlot s) {
        s.changed = true;
        Session host = session;
        if (host != null) {
            host.link.interruptAvailable();
        }
    }

    /** Unlock, then hand the events raised meanwhile to the listeners (in order, off this thread). */
    private void unlockAndDispatch() {
        List<SlotEvent> batch = null;
        if (!raised.isEmpty() && lock.getHoldCount() == 1) {
            batch = new ArrayList<>(raised);
            raised.clear();
        }
        lock.unlock();
        if (batch != null) {
            List<SlotEvent> todo = batch;
            events.execute(() -> {
                for (SlotEvent e : todo) {
                    for (SlotListener l : listeners) {
                        notify(l, e);
                    }
                    for (SlotListener l : ((EngineSlot) e.slot()).listeners) {
                        notify(l, e);
                    }
                }
            });
        }
    }

    private static void notify(SlotListener l, SlotEvent e) {
        try {
            l.slotChanged(e);
        } catch (RuntimeException ex) {
            LOG.log(Level.WARNING, "slot listener failed on " + e, ex);
        }
    }

    // ------------------------------------------------------------------ host session

    private final class Session implements CcidSession {
        final HostLink link;

        Session(HostLink link) {
            this.link = link;
        }

        @Override
        public void bulkOut(byte[] buffer, int offset, int length) {
            lock.lock();
            try {
                if (session == this) {
                    handle(buffer, offset, length);
                }
            } finally {
                unlockAndDispatch();
            }
        }

        @Override
        public byte[] controlRequest(int bmRequestType, int bRequest, int wValue, int wLength) {
            lock.lock();
            try {
                if (session != this) {
                    return null;
                }
                if (bmRequestType == REQUEST_TYPE_OUT && bRequest == REQUEST_ABORT) {
                    int slot = wValue & 0xFF;
                    if (slot >= slots.length) {
                        return null;
                    }
                    abortRequest(slot, wValue >>> 8 & 0xFF);
                    return new byte[0];
                }
                if (bmRequestType == REQUEST_TYPE_IN && bRequest == REQUEST_GET_CLOCK_FREQUENCIES) {
                    return dwords(wLength, 4000); // bNumClockSupported 0: the default clock only
                }
                if (bmRequestType == REQUEST_TYPE_IN && bRequest == REQUEST_GET_DATA_RATES) {
                    return dwords(wLength, 10752);
                }
                return null;
            } finally {
                unlockAndDispatch();
            }
        }

        private byte[] dwords(int wLength, int... values) {
            byte[] d = new byte[values.length * 4];
            for (int i = 0; i < values.length; i++) {
                putLe32(d, 4 * i, values[i]);
            }
            return wLength < d.length ? Arrays.copyOf(d, Math.max(0, wLength)) : d;
        }

        @Override
        public byte[] takeInterrupt() {
            lock.lock();
            try {
                if (session != this) {
                    return null;
                }
                boolean any = false;
                boolean[] present = new boolean[slots.length];
                boolean[] changed = new boolean[slots.length];
                for (int i = 0; i < slots.length; i++) {
                    present[i] = slots[i].card != null;
                    changed[i] = slots[i].changed;
                    any |= changed[i];
                    slots[i].changed = false;
                }
                return any ? Interrupts.notifySlotChange(present, changed) : null;
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void close() {
            lock.lock();
            try {
                if (session != this) {
                    return;
                }
                session = null;
                // the host unplugged the reader: cards lose power, calls in flight are dropped
                for (EngineSlot s : slots) {
                    s.cancelPending();
                    s.resetHostState();
                    if (s.state == IccState.PRESENT_ACTIVE) {
                        Card card = s.card;
                        s.state = IccState.PRESENT_INACTIVE;
                        raise(s, SlotEvent.Type.POWERED_OFF);
                        s.cardCalls.execute(card::powerOff);
                    }
                }
            } finally {
                unlockAndDispatch();
            }
        }
    }

    // ------------------------------------------------------------------ slot

    private final class EngineSlot implements Slot {
        final int index;
        /** Runs the blocking calls of the card in the slot, in order. Each card gets its own (see insert). */
        SerialExecutor cardCalls = new SerialExecutor(pool);
        /** The card {@link #cardCalls} serves. */
        Card cardCallsOwner;
        final CopyOnWriteArrayList<SlotListener> listeners = new CopyOnWriteArrayList<>();

        Card card;
        IccState state = IccState.ABSENT;
        Atr atr;
        int protocol;
        final byte[] params = new byte[7];
        T0Card t0;
        T1Card t1;
        /** Between the ATR and the first block: a PPS request may come (TPDU level). */
        boolean ppsAllowed;
        boolean changed;
        Pending pending;
        int abortControlSeq = -1;
        int abortBulkSeq = -1;
        /** Extended APDU level: command being chained, and response still to send. */
        byte[] command;
        int commandLength;
        byte[] response;
        int responseOffset;

        EngineSlot(int index) {
            this.index = index;
            resetParameters();
        }

        int iccStatus() {
            return state.bmIccStatus();
        }

        Pending begin(int type, int seq) {
            Pending p = new Pending(type, seq);
            pending = p;
            p.timeExtension = timer.scheduleAtFixedRate(() -> timeExtension(this, p), cfg.timeExtensionMillis,
                    cfg.timeExtensionMillis, TimeUnit.MILLISECONDS);
            return p;
        }

        void end(Pending p) {
            pending = null;
            p.timeExtension.cancel(false);
        }

        void cancelPending() {
            if (pending != null) {
                end(pending);
            }
        }

        void dropChains() {
            command = null;
            commandLength = 0;
            response = null;
            responseOffset = 0;
        }

        void chainAppend(byte[] b, int off, int len) {
            if (command == null) {
                command = new byte[Math.max(len, 512)];
            } else if (commandLength + len > command.length) {
                command = Arrays.copyOf(command, Math.min(MAX_APDU, Math.max(commandLength + len, command.length * 2)));
            }
            System.arraycopy(b, off, command, commandLength, len);
            commandLength += len;
        }

        /** Forget what a host left behind: chains, aborts. */
        void resetHostState() {
            dropChains();
            abortControlSeq = -1;
            abortBulkSeq = -1;
        }

        /** Defaults from the ATR (or T=0 defaults before the first power on), ISO 7816-3 / CCID §6.1.7. */
        void resetParameters() {
            resetParameters(atr == null ? 0 : atr.defaultProtocol() == 1 ? 1 : 0);
        }

        /** Defaults from the ATR for one protocol (the ATR's first offered one, or the one a PPS chose). */
        void resetParameters(int t) {
            Arrays.fill(params, (byte) 0);
            if (atr == null) {
                protocol = 0;
                params[0] = 0x11;
                params[3] = 10;
            } else {
                protocol = t;
                params[0] = (byte) atr.ta1();
                if (protocol == 1) {
                    params[1] = (byte) (0x10 | (atr.t1Crc() ? 1 : 0) | (atr.inverseConvention() ? 2 : 0));
                    params[2] = (byte) atr.tc1();
                    params[3] = (byte) (atr.t1Bwi() << 4 | atr.t1Cwi());
                    params[5] = (byte) atr.t1Ifsc();
                } else {
                    params[1] = (byte) (atr.inverseConvention() ? 2 : 0);
                    params[2] = (byte) atr.tc1();
                    params[3] = (byte) atr.t0WaitingInteger();
                }
            }
            protocolChanged();
        }

        void protocolChanged() {
            if (cfg.level != ExchangeLevel.TPDU) {
                return;
            }
            if (protocol == 1) {
                t1 = new T1Card(params[5] & 0xFF, (params[1] & 1) != 0);
            } else {
                t0 = new T0Card();
            }
        }

        void powered(Atr a) {
            atr = a;
            state = IccState.PRESENT_ACTIVE;
            ppsAllowed = true;
            dropChains();
            resetParameters();
        }

        /** Take the card out (lock held). An APDU in flight ends with ICC_MUTE and the slot absent. */
        void remove(boolean notify) {
            Card old = card;
            if (old == null) {
                return;
            }
            Pending p = pending;
            card = null;
            state = IccState.ABSENT;
            atr = null;
            resetParameters();
            resetHostState();
            claims.release(old, this);
            if (p != null) {
                end(p);
                fail(p.type, index, p.seq, ICC_ABSENT, ICC_MUTE);
            }
            raise(this, SlotEvent.Type.REMOVED);
            if (notify) {
                slotChanged(this);
            }
        }

        @Override
        public int index() {
            return index;
        }

        @Override
        public Reader reader() {
            return CcidEngine.this;
        }

        @Override
        public IccState state() {
            lock.lock();
            try {
                return state;
            } finally {
                lock.unlock();
            }
        }

        @Override
        public Optional<Card> card() {
            lock.lock();
            try {
                return Optional.ofNullable(card);
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void insert(Card newCard) {
            lock.lock();
            try {
                if (closed) {
                    throw new IllegalStateException("reader " + cfg.name + " is closed");
                }
                if (newCard == card) {
                    return;
                }
                if (!claims.claim(newCard, this)) {
                    throw new IllegalStateException("the card is already in another slot");
                }
                remove(false);
                card = newCard;
                if (cardCallsOwner != newCard) {
                    // the removed card may still be busy (a slow or hung call): another card never queues behind
                    // it; the same card coming back keeps its queue, so it is never called concurrently
                    cardCalls = new SerialExecutor(pool);
                    cardCallsOwner = newCard;
                }
                state = IccState.PRESENT_INACTIVE;
                raise(this, SlotEvent.Type.INSERTED);
                slotChanged(this);
            } finally {
                unlockAndDispatch();
            }
        }

        @Override
        public void eject() {
            lock.lock();
            try {
                remove(true);
            } finally {
                unlockAndDispatch();
            }
        }

        /** Eject only if this card is the one in the slot (its service went away). */
        boolean ejectIf(Card c) {
            lock.lock();
            try {
                if (card != c) {
                    return false;
                }
                remove(true);
                return true;
            } finally {
                unlockAndDispatch();
            }
        }

        @Override
        public void addListener(SlotListener l) {
            listeners.add(l);
        }

        @Override
        public void removeListener(SlotListener l) {
            listeners.remove(l);
        }

        @Override
        public String toString() {
            return cfg.name + "[" + index + "]";
        }
    }

    /** Eject a card from whichever slot holds it (its service is going away). */
    public void cardGone(Card c) {
        for (EngineSlot s : slots) {
            if (s.ejectIf(c)) {
                return;
            }
        }
    }
}
