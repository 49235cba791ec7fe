package org.vccid.card.pcsc.mirror.internal;

import org.vccid.pcsc.Pcsc;
import org.vccid.pcsc.PcscException;
import java.util.Objects;

import org.vccid.card.Card;
import org.vccid.card.CardException;

/**
 * The card in one host PC/SC reader, seen as a vccid {@link Card}: the real ATR, every command APDU passed to
 * SCardTransmit unchanged (short or extended, as the host reader allows), warm reset = reconnect with
 * SCARD_RESET_CARD, power off = disconnect with SCARD_UNPOWER_CARD.
 *
 * <p>Blocking: every call may wait for the real card, so {@link #isNonBlocking()} stays {@code false} and the
 * reader engine calls it on a worker thread (sending CCID time extensions meanwhile). Calls are serialised by
 * one lock; {@link #close()} (host card removed) waits for a running APDU.
 */
final class MirrorCard implements Card {

    /** Largest command APDU: header, 3-byte Lc, 65535 data bytes, 2-byte Le (ISO 7816-4 5.1). */
    static final int MAX_COMMAND = 4 + 3 + 65535 + 2;
    private static final byte[] SW_WRONG_LENGTH = { 0x67, 0x00 };

    private final Pcsc pcsc;
    private final long context;
    private final String reader;
    private final int shareMode;
    private final int protocols;
    private final Object lock = new Object();

    private long handle;
    private int protocol;
    private boolean connected;
    private boolean closed;
    private volatile byte[] atr;

    /** Connects at once (to learn the ATR); throws if the card cannot be reached. */
    MirrorCard(Pcsc pcsc, long context, String reader, int shareMode, int protocols) throws PcscException {
        this.pcsc = pcsc;
        this.context = context;
        this.reader = reader;
        this.shareMode = shareMode;
        this.protocols = protocols;
        synchronized (lock) {
            connectLocked();
        }
    }

    String reader() {
        return reader;
    }

    /** T=0 or T=1, as negotiated by the host reader. */
    String protocolName() {
        synchronized (lock) {
            return protocol == Pcsc.SCARD_PROTOCOL_T0 ? "T=0" : protocol == Pcsc.SCARD_PROTOCOL_T1 ? "T=1"
                    : "protocol " + protocol;
        }
    }

    private void connectLocked() throws PcscException {
        long h = pcsc.connect(context, reader, shareMode, protocols);
        byte[] state = new byte[2];
        byte[] a;
        try {
            a = pcsc.status(h, state);
        } catch (PcscException e) {
            disconnectQuietly(h, Pcsc.SCARD_LEAVE_CARD);
            throw e;
        }
        handle = h;
        protocol = state[1] & 0xFF;
        connected = true;
        atr = a;
    }

    private void disconnectQuietly(long h, int disposition) {
        try {
            pcsc.disconnect(h, disposition);
        } catch (PcscException e) {
            // the card or service is gone already: nothing left to release
        }
    }

    private CardException gone() {
        return new CardException("host card in \"" + reader + "\" was removed");
    }

    private CardException failed(String what, PcscException e) {
        if (e.cardGone() || e.serviceLost()) {
            closed = true;
            connected = false;
            return new CardException("host card in \"" + reader + "\" is gone: " + e.getMessage(), e);
        }
        return new CardException(what + " on host card in \"" + reader + "\": " + e.getMessage(), e);
    }

    @Override
    public byte[] atr() {
        return atr.clone();
    }

    @Override
    public byte[] powerOn() throws CardException {
        synchronized (lock) {
            if (closed) {
                throw gone();
            }
            if (!connected) {
                try {
                    connectLocked();
                } catch (PcscException e) {
                    throw failed("power on", e);
                }
            }
            return atr.clone();
        }
    }

    /** PC/SC reconnect with reset (SCardDisconnect(SCARD_RESET_CARD) + SCardConnect). */
    @Override
    public byte[] warmReset() throws CardException {
        synchronized (lock) {
            if (closed) {
                throw gone();
            }
            if (connected) {
                connected = false;
                disconnectQuietly(handle, Pcsc.SCARD_RESET_CARD);
            }
            try {
                connectLocked();
            } catch (PcscException e) {
                throw failed("warm reset", e);
            }
            return atr.clone();
        }
    }

    @Override
    public void powerOff() {
        synchronized (lock) {
            if (connected) {
                connected = false;
                disconnectQuietly(handle, Pcsc.SCARD_UNPOWER_CARD);
            }
        }
    }

    @Override
    public byte[] transmit(byte[] buffer, int offset, int length) throws CardException {
        Objects.checkFromIndexSize(offset, length, buffer.length);
        if (length < 4 || length > MAX_COMMAND) {
            return SW_WRONG_LENGTH.clone(); // not an APDU at all; the host card is not bothered
        }
        synchronized (lock) {
            if (closed) {
                throw gone();
            }
            try {
                if (!connected) {
                    connectLocked(); // the engine transmits only to a powered card; be lenient anyway
                }
                try {
                    return checked(pcsc.transmit(handle, protocol, buffer, offset, length));
                } catch (PcscException e) {
                    if (e.code != PcscException.SCARD_W_RESET_CARD) {
                        throw e;
                    }
                    // another PC/SC client reset the shared card: our handle must be re-established once
                    connected = false;
                    disconnectQuietly(handle, Pcsc.SCARD_LEAVE_CARD);
                    connectLocked();
                    return checked(pcsc.transmit(handle, protocol, buffer, offset, length));
                }
            } catch (PcscException e) {
                throw failed("transmit", e);
            }
        }
    }

    /**
     * A response without SW1-SW2 (ISO/IEC 7816-4 §5.1: the trailer is mandatory) is no answer. vpcd returns
     * SCardTransmit with 0 bytes and success when vicc's socket closes mid-command (seen here); passing that on
     * would make a reader report a hardware error instead of a mute card.
     */
    private byte[] checked(byte[] response) throws CardException {
        if (response == null || response.length < 2) {
            throw new CardException("host card in \"" + reader + "\" answered "
                    + (response == null ? 0 : response.length) + " bytes: no status word (card gone or mute?)");
        }
        return response;
    }

    /** The host card went away (or the mirror stops): release the PC/SC handle; later calls fail. */
    void close() {
        synchronized (lock) {
            closed = true;
            if (connected) {
                connected = false;
                disconnectQuietly(handle, Pcsc.SCARD_LEAVE_CARD);
            }
        }
    }

    boolean isClosed() {
        synchronized (lock) {
            return closed;
        }
    }

    @Override
    public String toString() {
        return "pcsc-mirror[" + reader + "]";
    }
}
