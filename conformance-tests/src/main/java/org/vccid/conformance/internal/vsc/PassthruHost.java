package org.vccid.conformance.internal.vsc;

import java.util.ArrayList;
import java.util.List;

import org.vccid.transport.vsc.protocol.PassthruAtr;
import org.vccid.transport.vsc.protocol.Vsc;
import org.vccid.transport.vsc.protocol.VscInit;
import org.vccid.transport.vsc.protocol.VscMessage;
import org.vccid.transport.vsc.protocol.VscProtocolException;

/**
 * QEMU's side of one VSCard connection ({@code hw/usb/ccid-card-passthru.c}): the host a card side (vscclient,
 * our {@code org.vccid.transport.vsc.card} component) connects to. Pure: messages in, messages out through
 * {@link Output}, no I/O, no threads, not thread-safe.
 *
 * <p>It answers as QEMU 7.2 does: VSC_Init with its own VSC_Init (reader id {@code FFFFFFFF}); VSC_ReaderAdd with
 * VSC_Error(SUCCESS) carrying reader id 0; VSC_ATR with SUCCESS and the ATR stored (the card is inserted) when
 * QEMU's {@code check_atr} takes it, else GENERAL_ERROR; VSC_CardRemove and VSC_ReaderRemove with SUCCESS; any
 * other type with GENERAL_ERROR. A command APDU goes out as VSC_APDU with reader id 0; the card side answers
 * VSC_APDU (the response) or VSC_Error (the command fails). Power on returns the stored ATR: VSCard has no power or
 * reset message, and QEMU sends nothing at power on or off.
 *
 * <p>Where QEMU only logs or silently tolerates, this host also records a {@link #problems() problem}: a wrong
 * magic or major version, a message before VSC_Init, a second VSC_ReaderAdd (QEMU grants it again), a reader id
 * other than the granted one, an answer nobody asked for, a type a card side never sends. The conformance target
 * fails on them.
 */
public final class PassthruHost {

    /** Where the host's messages go. */
    public interface Output {
        void send(VscMessage message);
    }

    /** QEMU's ATR before any VSC_ATR (an Athena card). */
    static final byte[] DEFAULT_ATR = { 0x3B, (byte) 0xD5, 0x18, (byte) 0xFF, (byte) 0x80, (byte) 0x91, (byte) 0xFE,
        0x1F, (byte) 0xC3, (byte) 0x80, 0x73, (byte) 0xC8, 0x21, 0x13, 0x08 };

    /** The reader id QEMU grants (VSCARD_MINIMAL_READER_ID) and puts on every VSC_APDU. */
    static final int READER_ID = Vsc.MINIMAL_READER_ID;

    private final Output out;
    private final List<String> problems = new ArrayList<>();
    private boolean initSeen;
    private boolean attached;
    private String readerName;
    private byte[] atr = DEFAULT_ATR.clone();
    private boolean cardPresent;
    private int atrsAccepted;
    private int atrsRefused;
    private String refusal;
    private int cardRemoves;
    private int readerRemoves;
    private boolean apduPending;
    private byte[] response;
    private String apduFailure;

    public PassthruHost(Output out) {
        this.out = out;
    }

    /** One message from the card side. */
    public void onMessage(VscMessage m) {
        if (!initSeen && m.type() != Vsc.VSC_Init) {
            problem(m + " before VSC_Init");
        }
        switch (m.type()) {
        case Vsc.VSC_Init:
            onInit(m);
            break;
        case Vsc.VSC_ReaderAdd:
            if (attached) {
                // QEMU 7.2 grants it again (reader 0; measured, QemuAnswersTest): one reader per passthru device
                problem("a second VSC_ReaderAdd on one connection (QEMU has one reader per passthru device)");
            }
            attached = true;
            readerName = m.readerAddName();
            out.send(VscMessage.error(READER_ID, Vsc.VSC_SUCCESS));
            break;
        case Vsc.VSC_ATR:
            checkReader(m);
            String why = m.payload().length > Vsc.PASSTHRU_MAX_ATR ? "ATR size exceeds spec"
                    : PassthruAtr.problem(m.payload());
            if (why != null) {
                atrsRefused++;
                refusal = why;
                out.send(VscMessage.error(m.readerId(), Vsc.VSC_GENERAL_ERROR));
                break;
            }
            atr = m.payload().clone();
            cardPresent = true;
            atrsAccepted++;
            out.send(VscMessage.error(m.readerId(), Vsc.VSC_SUCCESS));
            break;
        case Vsc.VSC_APDU:
            checkReader(m);
            if (!apduPending) {
                problem("unsolicited " + m + " (no command APDU outstanding)");
                break;
            }
            apduPending = false;
            response = m.payload().clone();
            break;
        case Vsc.VSC_Error:
            if (apduPending) {
                apduPending = false;
                apduFailure = "the card side answered the command with " + m;
            } else {
                // QEMU hands it to usb-ccid, which fails nothing when no command is pending
                problem("unsolicited " + m);
            }
            break;
        case Vsc.VSC_CardRemove:
            checkReader(m);
            cardRemoved("VSC_CardRemove");
            cardRemoves++;
            out.send(VscMessage.error(m.readerId(), Vsc.VSC_SUCCESS));
            break;
        case Vsc.VSC_ReaderRemove:
            checkReader(m);
            cardRemoved("VSC_ReaderRemove");
            attached = false;
            readerRemoves++;
            out.send(VscMessage.error(m.readerId(), Vsc.VSC_SUCCESS));
            break;
        default:
            problem("unexpected " + m + " (a card side sends Init, ReaderAdd, ATR, APDU, Error, CardRemove,"
                    + " ReaderRemove, FlushComplete only after a Flush, which QEMU never sends)");
            out.send(VscMessage.error(m.readerId(), Vsc.VSC_GENERAL_ERROR));
        }
    }

    private void onInit(VscMessage m) {
        if (initSeen) {
            problem("repeated VSC_Init");
        }
        initSeen = true;
        try {
            VscInit init = VscInit.parse(m.payload());
            if (!init.isCompatible()) {
                problem("VSC_Init: " + init.problem()); // QEMU only logs "wrong magic" and answers anyway
            }
        } catch (VscProtocolException e) {
            problem(e.getMessage());
        }
        out.send(VscMessage.init(Vsc.UNDEFINED_READER_ID));
    }

    private void checkReader(VscMessage m) {
        if (!attached) {
            problem(m + " with no reader added");
        } else if (m.readerId() != READER_ID) {
            problem(m + ": the reader id granted was " + READER_ID); // QEMU ignores it
        }
    }

    private void cardRemoved(String by) {
        cardPresent = false;
        if (apduPending) {
            apduPending = false;
            apduFailure = "the card was removed (" + by + ") while a command APDU was outstanding";
        }
    }

    private void problem(String what) {
        problems.add(what);
    }

    /**
     * Send a command APDU (VSC_APDU, reader 0), as QEMU does for the guest's XfrBlock.
     *
     * @throws IllegalStateException when there is no card or a command is outstanding
     */
    public void command(byte[] apdu) {
        if (!cardPresent) {
            throw new IllegalStateException("no card in the VSC reader"
                    + (refusal != null ? " (its ATR was refused: " + refusal + ")" : ""));
        }
        if (apduPending) {
            throw new IllegalStateException("a command APDU is already outstanding");
        }
        apduPending = true;
        response = null;
        apduFailure = null;
        out.send(new VscMessage(Vsc.VSC_APDU, READER_ID, apdu.clone()));
    }

    /** Whether the last command is still waiting for its answer. */
    public boolean apduPending() {
        return apduPending;
    }

    /** The last command's response (data and SW), or null. */
    public byte[] response() {
        return response == null ? null : response.clone();
    }

    /** Why the last command failed, or null. */
    public String apduFailure() {
        return apduFailure;
    }

    /** QEMU's power on: the stored ATR of the inserted card (nothing goes on the wire). */
    public byte[] powerOn() {
        if (!cardPresent) {
            throw new IllegalStateException("no card in the VSC reader: QEMU's usb-ccid answers ICC mute"
                    + (refusal != null ? " (the card's ATR was refused: " + refusal + ")" : ""));
        }
        return atr.clone();
    }

    public boolean initSeen() {
        return initSeen;
    }

    public boolean attached() {
        return attached;
    }

    /** The name in VSC_ReaderAdd ("" when none), or null before it. */
    public String readerName() {
        return readerName;
    }

    public boolean cardPresent() {
        return cardPresent;
    }

    public int atrsAccepted() {
        return atrsAccepted;
    }

    public int atrsRefused() {
        return atrsRefused;
    }

    /** Why the last ATR was refused, or null. */
    public String refusal() {
        return refusal;
    }

    public int cardRemoves() {
        return cardRemoves;
    }

    public int readerRemoves() {
        return readerRemoves;
    }

    /** Protocol deviations seen so far (QEMU would log or ignore most of them). */
    public List<String> problems() {
        return List.copyOf(problems);
    }
}
