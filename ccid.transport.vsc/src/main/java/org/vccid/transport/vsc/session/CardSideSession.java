package org.vccid.transport.vsc.session;

import java.util.ArrayDeque;

import org.vccid.transport.vsc.protocol.PassthruAtr;
import org.vccid.transport.vsc.protocol.Vsc;
import org.vccid.transport.vsc.protocol.VscInit;
import org.vccid.transport.vsc.protocol.VscMessage;
import org.vccid.transport.vsc.protocol.VscProtocolException;

/**
 * The card owner's side of one VSCard connection (vscclient's role towards QEMU's ccid-card-passthru): one reader,
 * at most one card. Pure: messages in, {@link Output} calls out, no I/O and no threads. Not thread-safe; the
 * owner serialises calls.
 *
 * <p>Flow: {@link #start()} sends VSC_Init; the host's VSC_Init is answered with VSC_ReaderAdd; the host's
 * VSC_Error(SUCCESS) to it carries our reader id; a card present is announced with VSC_ATR (again, after every
 * (re)connect); each VSC_APDU goes to the card via {@link Output#transmit}; VSC_Flush is answered with
 * VSC_FlushComplete after earlier APDUs; {@link #shutdown()} sends VSC_CardRemove and VSC_ReaderRemove.
 */
public final class CardSideSession {

    /** What the session asks of its connection. */
    public interface Output {
        /** Write one message. */
        void send(VscMessage message);

        /** Hand a command APDU to the card; answer later with {@link #apduResponse} or {@link #apduFailed}. */
        void transmit(int readerId, byte[] apdu);

        /** Answer later with {@link #flushComplete}, after every APDU handed out before. */
        void flush(int readerId);

        /** The peer broke the protocol: close the connection. */
        void close(String reason);

        /** Something worth a log line. */
        void log(System.Logger.Level level, String message);
    }

    public enum State { NEW, AWAIT_INIT, AWAIT_READER, READY, CLOSED }

    public enum CardState { ABSENT, ATR_SENT, INSERTED, REFUSED }

    private final String readerName;
    private final Output out;
    /** Types we sent that the host acknowledges with VSC_Error, oldest first. */
    private final ArrayDeque<Integer> pendingAcks = new ArrayDeque<>();
    private State state = State.NEW;
    private CardState cardState = CardState.ABSENT;
    private int readerId = Vsc.UNDEFINED_READER_ID;
    private byte[] atr;
    private int hostVersion;

    public CardSideSession(String readerName, Output out) {
        this.readerName = readerName;
        this.out = out;
    }

    public State state() {
        return state;
    }

    public CardState cardState() {
        return cardState;
    }

    /** Reader id the host gave us, or {@link Vsc#UNDEFINED_READER_ID}. */
    public int readerId() {
        return readerId;
    }

    /** The host's VSC_Init version, 0 before it arrived. */
    public int hostVersion() {
        return hostVersion;
    }

    /** Connection is up: send VSC_Init. */
    public void start() {
        if (state != State.NEW) {
            throw new IllegalStateException("started twice");
        }
        state = State.AWAIT_INIT;
        out.send(VscMessage.init(Vsc.UNDEFINED_READER_ID));
    }

    /** A message from the host. */
    public void onMessage(VscMessage m) {
        if (state == State.CLOSED || state == State.NEW) {
            return;
        }
        switch (m.type()) {
            case Vsc.VSC_Init:
                onInit(m);
                break;
            case Vsc.VSC_Error:
                onError(m);
                break;
            case Vsc.VSC_APDU:
                if (state == State.READY && (cardState == CardState.INSERTED || cardState == CardState.ATR_SENT)
                        && m.readerId() == readerId) {
                    out.transmit(readerId, m.payload());
                } else {
                    out.log(System.Logger.Level.WARNING, "VSC_APDU for reader " + Vsc.readerName(m.readerId())
                            + " but " + (state != State.READY ? "no reader yet" : m.readerId() != readerId
                                    ? "our reader is " + Vsc.readerName(readerId) : "no card") + ": VSC_Error");
                    out.send(VscMessage.error(m.readerId(), Vsc.VSC_GENERAL_ERROR));
                }
                break;
            case Vsc.VSC_Flush:
                out.flush(m.readerId());
                break;
            default:
                // vscclient too stops at anything a host never sends (ReaderAdd, ATR, FlushComplete, unknown)
                fail("unexpected " + m + " from the host");
        }
    }

    private void onInit(VscMessage m) {
        if (state != State.AWAIT_INIT) {
            out.log(System.Logger.Level.DEBUG, "repeated VSC_Init from the host ignored");
            return;
        }
        VscInit init;
        try {
            init = VscInit.parse(m.payload());
        } catch (VscProtocolException e) {
            fail(e.getMessage());
            return;
        }
        if (!init.isCompatible()) {
            fail("host VSC_Init: " + init.problem());
            return;
        }
        hostVersion = init.version();
        state = State.AWAIT_READER;
        pendingAcks.add(Vsc.VSC_ReaderAdd);
        out.send(VscMessage.readerAdd(readerName));
    }

    private void onError(VscMessage m) {
        Integer what = pendingAcks.poll();
        int code = m.errorCode();
        if (what == null) {
            out.log(System.Logger.Level.WARNING, "unsolicited " + m + " ignored");
            return;
        }
        switch (what) {
            case Vsc.VSC_ReaderAdd:
                if (code == Vsc.VSC_SUCCESS) {
                    readerId = m.readerId();
                    state = State.READY;
                    out.log(System.Logger.Level.INFO, "host added reader \"" + readerName + "\" as id "
                            + Vsc.readerName(readerId));
                    if (atr != null) {
                        sendAtr();
                    }
                } else {
                    fail("host refused VSC_ReaderAdd: " + Vsc.errorName(code));
                }
                break;
            case Vsc.VSC_ATR:
                if (cardState == CardState.ATR_SENT) {
                    if (code == Vsc.VSC_SUCCESS) {
                        cardState = CardState.INSERTED;
                        out.log(System.Logger.Level.INFO, "host accepted the ATR: card inserted");
                    } else {
                        cardState = CardState.REFUSED;
                        out.log(System.Logger.Level.ERROR, "host refused the ATR (" + Vsc.errorName(code)
                                + "): card not inserted");
                    }
                }
                break;
            default:
                if (code != Vsc.VSC_SUCCESS) {
                    out.log(System.Logger.Level.WARNING, "host answered " + Vsc.typeName(what) + " with "
                            + Vsc.errorName(code));
                }
        }
    }

    /** The card is present (or was reset) with this ATR. Sent now if the reader exists, else once it does. */
    public void cardInserted(byte[] newAtr) {
        atr = newAtr.clone();
        if (state == State.READY) {
            sendAtr();
        }
    }

    /** The card is gone. */
    public void cardRemoved() {
        atr = null;
        if (state == State.READY && cardState != CardState.ABSENT) {
            cardState = CardState.ABSENT;
            pendingAcks.add(Vsc.VSC_CardRemove);
            out.send(VscMessage.empty(Vsc.VSC_CardRemove, readerId));
        }
        cardState = CardState.ABSENT;
    }

    private void sendAtr() {
        String problem = PassthruAtr.problem(atr);
        if (problem != null) {
            out.log(System.Logger.Level.WARNING, "QEMU is expected to refuse this ATR: " + problem);
        }
        cardState = CardState.ATR_SENT;
        pendingAcks.add(Vsc.VSC_ATR);
        out.send(new VscMessage(Vsc.VSC_ATR, readerId, atr.clone()));
    }

    /** The card answered the APDU. */
    public void apduResponse(int forReader, byte[] response) {
        if (state == State.READY) {
            out.send(new VscMessage(Vsc.VSC_APDU, forReader, response));
        }
    }

    /** The card could not answer (mute, gone): the host fails the command. */
    public void apduFailed(int forReader) {
        if (state == State.READY) {
            out.send(VscMessage.error(forReader, Vsc.VSC_GENERAL_ERROR));
        }
    }

    /** Every APDU before the flush is answered. */
    public void flushComplete(int forReader) {
        if (state != State.CLOSED) {
            out.send(VscMessage.empty(Vsc.VSC_FlushComplete, forReader));
        }
    }

    /** Orderly end: VSC_CardRemove (if a card is in), VSC_ReaderRemove (if the reader exists). */
    public void shutdown() {
        if (state == State.READY) {
            if (cardState != CardState.ABSENT) {
                out.send(VscMessage.empty(Vsc.VSC_CardRemove, readerId));
            }
            out.send(VscMessage.empty(Vsc.VSC_ReaderRemove, readerId));
        }
        cardState = CardState.ABSENT;
        state = State.CLOSED;
    }

    private void fail(String reason) {
        state = State.CLOSED;
        out.close(reason);
    }
}
