package org.vccid.transport.vsc.session;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

import org.vccid.transport.vsc.protocol.PassthruAtr;
import org.vccid.transport.vsc.protocol.Vsc;
import org.vccid.transport.vsc.protocol.VscInit;
import org.vccid.transport.vsc.protocol.VscMessage;
import org.vccid.transport.vsc.protocol.VscProtocolException;

/**
 * The host's side of one VSCard connection (QEMU's ccid-card-passthru role): a client owns up to
 * {@code maxReaders} readers, each with at most one card. Pure: messages in, {@link Output} calls out. Not
 * thread-safe; the owner serialises calls.
 *
 * <p>Replies follow QEMU: VSC_Init is answered with VSC_Init; VSC_ReaderAdd with VSC_Error(SUCCESS) whose header
 * carries the new reader id (or VSC_CANNOT_ADD_MORE_READERS); VSC_ATR, VSC_CardRemove and VSC_ReaderRemove with
 * VSC_Error(SUCCESS); an ATR QEMU would refuse, a message for an unknown reader, an unsolicited VSC_APDU and any
 * type a client never sends with VSC_Error(GENERAL_ERROR). A bad VSC_Init, or anything before VSC_Init, closes the
 * connection.
 */
public final class ReaderSideSession {

    /** What the session asks of its connection. */
    public interface Output {
        void send(VscMessage message);

        void readerAdded(int readerId, String name);

        /** A card was inserted (or, when one was in, reset with a new ATR). */
        void cardInserted(int readerId, byte[] atr);

        void cardRemoved(int readerId);

        void readerRemoved(int readerId);

        /** The answer to the outstanding {@link #transmit}. */
        void apduAnswered(int readerId, byte[] response);

        /** The outstanding {@link #transmit} will not be answered. */
        void apduFailed(int readerId, String why);

        void close(String reason);

        void log(System.Logger.Level level, String message);
    }

    /** Longest reader name kept (bytes beyond are cut). */
    public static final int MAX_NAME = 128;
    /** Longest ATR kept: the Card API and ISO 7816-3 allow 33 bytes. */
    public static final int MAX_ATR = 33;

    private static final class ReaderState {
        final String name;
        byte[] atr;
        boolean apduOutstanding;

        ReaderState(String name) {
            this.name = name;
        }
    }

    private final int maxReaders;
    private final Output out;
    private final TreeMap<Integer, ReaderState> readers = new TreeMap<>();
    private boolean initDone;
    private boolean closed;

    public ReaderSideSession(int maxReaders, Output out) {
        if (maxReaders < 1) {
            throw new IllegalArgumentException("maxReaders " + maxReaders);
        }
        this.maxReaders = maxReaders;
        this.out = out;
    }

    public boolean isOpen() {
        return initDone && !closed;
    }

    /** Reader ids in use. */
    public List<Integer> readerIds() {
        return new ArrayList<>(readers.keySet());
    }

    public String readerName(int readerId) {
        ReaderState r = readers.get(readerId);
        return r == null ? null : r.name;
    }

    /** A message from the client. */
    public void onMessage(VscMessage m) {
        if (closed) {
            return;
        }
        if (!initDone && m.type() != Vsc.VSC_Init) {
            out.send(VscMessage.error(m.readerId(), Vsc.VSC_GENERAL_ERROR));
            fail(m + " before VSC_Init");
            return;
        }
        switch (m.type()) {
            case Vsc.VSC_Init:
                onInit(m);
                return;
            case Vsc.VSC_ReaderAdd:
                onReaderAdd(m);
                return;
            case Vsc.VSC_Error:
                onError(m);
                return;
            case Vsc.VSC_ReaderRemove:
            case Vsc.VSC_ATR:
            case Vsc.VSC_CardRemove:
            case Vsc.VSC_APDU:
                break;
            default:
                // VSC_Flush, VSC_FlushComplete (we never flush) and unknown types: as QEMU does
                reject(m, "unexpected " + m);
                return;
        }
        ReaderState r = readers.get(m.readerId());
        if (r == null) {
            reject(m, m + " for unknown reader " + Vsc.readerName(m.readerId()));
            return;
        }
        int id = m.readerId();
        switch (m.type()) {
            case Vsc.VSC_ReaderRemove:
                dropCard(id, r, "reader removed");
                readers.remove(id);
                out.send(VscMessage.error(id, Vsc.VSC_SUCCESS));
                out.readerRemoved(id);
                break;
            case Vsc.VSC_ATR:
                onAtr(id, r, m.payload());
                break;
            case Vsc.VSC_CardRemove:
                dropCard(id, r, "card removed");
                out.send(VscMessage.error(id, Vsc.VSC_SUCCESS));
                break;
            default: // VSC_APDU
                if (r.apduOutstanding) {
                    r.apduOutstanding = false;
                    out.apduAnswered(id, m.payload());
                } else {
                    reject(m, "unsolicited " + m);
                }
        }
    }

    private void onInit(VscMessage m) {
        VscInit init;
        try {
            init = VscInit.parse(m.payload());
        } catch (VscProtocolException e) {
            fail(e.getMessage());
            return;
        }
        if (!init.isCompatible()) {
            fail("client VSC_Init: " + init.problem());
            return;
        }
        initDone = true;
        out.send(VscMessage.init(Vsc.UNDEFINED_READER_ID));
    }

    private void onReaderAdd(VscMessage m) {
        if (readers.size() >= maxReaders) {
            out.log(System.Logger.Level.WARNING, "VSC_ReaderAdd refused: " + maxReaders + " readers in use");
            out.send(VscMessage.error(Vsc.UNDEFINED_READER_ID, Vsc.VSC_CANNOT_ADD_MORE_READERS));
            return;
        }
        int id = Vsc.MINIMAL_READER_ID;
        while (readers.containsKey(id)) {
            id++;
        }
        String name = m.readerAddName();
        StringBuilder clean = new StringBuilder();
        name.codePoints().filter(c -> !Character.isISOControl(c)).limit(MAX_NAME).forEach(clean::appendCodePoint);
        readers.put(id, new ReaderState(clean.toString()));
        out.send(VscMessage.error(id, Vsc.VSC_SUCCESS));
        out.readerAdded(id, clean.toString());
    }

    private void onAtr(int id, ReaderState r, byte[] atr) {
        String problem = PassthruAtr.problem(atr);
        if (problem == null && atr.length > MAX_ATR) {
            problem = "ATR of " + atr.length + " bytes, at most " + MAX_ATR;
        }
        if (problem != null) {
            out.log(System.Logger.Level.WARNING, "VSC_ATR refused for reader " + id + ": " + problem);
            out.send(VscMessage.error(id, Vsc.VSC_GENERAL_ERROR));
            return;
        }
        if (r.apduOutstanding) {
            r.apduOutstanding = false;
            out.apduFailed(id, "card reset by a new VSC_ATR");
        }
        r.atr = atr.clone();
        out.send(VscMessage.error(id, Vsc.VSC_SUCCESS));
        out.cardInserted(id, atr.clone());
    }

    private void onError(VscMessage m) {
        ReaderState r = readers.get(m.readerId());
        if (r != null && r.apduOutstanding) {
            r.apduOutstanding = false;
            out.apduFailed(m.readerId(), "client answered the APDU with " + m);
        } else {
            // never answer an error with an error: vscclient sends VSC_Error for its own reasons
            out.log(System.Logger.Level.DEBUG, m + " from the client ignored");
        }
    }

    private void dropCard(int id, ReaderState r, String why) {
        if (r.apduOutstanding) {
            r.apduOutstanding = false;
            out.apduFailed(id, why);
        }
        if (r.atr != null) {
            r.atr = null;
            out.cardRemoved(id);
        }
    }

    private void reject(VscMessage m, String why) {
        out.log(System.Logger.Level.WARNING, why + ": VSC_Error(GENERAL_ERROR)");
        out.send(VscMessage.error(m.readerId(), Vsc.VSC_GENERAL_ERROR));
    }

    /**
     * Send a command APDU to the card in a reader. Its answer comes through {@link Output#apduAnswered} or
     * {@link Output#apduFailed}.
     *
     * @return false (and nothing sent) when there is no such card or an APDU is already outstanding on it
     */
    public boolean transmit(int readerId, byte[] apdu, int offset, int length) {
        ReaderState r = readers.get(readerId);
        if (closed || r == null || r.atr == null || r.apduOutstanding) {
            return false;
        }
        r.apduOutstanding = true;
        out.send(new VscMessage(Vsc.VSC_APDU, readerId, java.util.Arrays.copyOfRange(apdu, offset, offset + length)));
        return true;
    }

    /** The connection is gone: every card and reader goes with it. */
    public void disconnected() {
        if (closed && readers.isEmpty()) {
            return;
        }
        closed = true;
        for (Integer id : new ArrayList<>(readers.keySet())) {
            dropCard(id, readers.get(id), "connection closed");
            readers.remove(id);
            out.readerRemoved(id);
        }
    }

    private void fail(String reason) {
        out.close(reason);
        disconnected();
    }
}
