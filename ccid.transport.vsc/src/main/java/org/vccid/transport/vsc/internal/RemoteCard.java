package org.vccid.transport.vsc.internal;

import java.util.concurrent.locks.LockSupport;

import org.vccid.card.Card;
import org.vccid.card.CardException;

/**
 * A card held by a VSC client (a remote machine's reader), seen as a {@link Card}. Each {@link #transmit} sends a
 * VSC_APDU and waits for the client's answer; the card is gone when the client removes it, removes its reader or
 * disconnects. VSCard has no power control: power on and reset return the ATR the client announced.
 */
public final class RemoteCard implements Card {

    /**
     * Poll for the answer on the caller's thread this long before parking (a loopback round trip is tens of
     * microseconds; a real card takes milliseconds, and then the I/O thread delivers the answer).
     */
    private static final long SPIN_NANOS = Long.getLong("vccid.vsc.spinNanos", 50_000);

    private final ReaderSideConnection connection;
    private final int readerId;
    private final String name;
    private final String readerName;
    private final byte[] atr;
    private final long timeoutNanos;
    private final Object transmitLock = new Object();

    // the one exchange in flight
    private volatile Thread waiter;
    private volatile byte[] response;
    private volatile String failure;
    private volatile boolean answered;
    private volatile boolean gone;
    private boolean polling; // guarded by transmitLock

    RemoteCard(ReaderSideConnection connection, int readerId, String name, String readerName, byte[] atr,
            long timeoutMillis) {
        this.connection = connection;
        this.readerId = readerId;
        this.name = name;
        this.readerName = readerName;
        this.atr = atr.clone();
        this.timeoutNanos = timeoutMillis * 1_000_000L;
        // (the spin below polls the socket: see ReaderSideConnection.poll)
    }

    /** Unique card name ({@link Card#NAME}). */
    public String name() {
        return name;
    }

    /** Name the client gave its reader in VSC_ReaderAdd ("" when none). */
    public String readerName() {
        return readerName;
    }

    public int readerId() {
        return readerId;
    }

    /** Address of the client. */
    public String client() {
        return connection.remote();
    }

    public boolean isGone() {
        return gone;
    }

    @Override
    public byte[] atr() {
        return atr.clone();
    }

    @Override
    public byte[] powerOn() throws CardException {
        checkPresent();
        return atr.clone();
    }

    @Override
    public byte[] warmReset() throws CardException {
        return powerOn();
    }

    @Override
    public void powerOff() {
        // VSCard cannot power a remote card down
    }

    @Override
    public byte[] transmit(byte[] buffer, int offset, int length) throws CardException {
        synchronized (transmitLock) {
            checkPresent();
            response = null;
            failure = null;
            answered = false;
            waiter = Thread.currentThread();
            try {
                if (!connection.transmit(readerId, buffer, offset, length)) {
                    throw new CardException(name + ": card gone");
                }
                connection.callerStarts();
                polling = true;
                long start = System.nanoTime();
                long spinUntil = start + SPIN_NANOS;
                long deadline = start + timeoutNanos;
                while (!answered) {
                    String closed = connection.closeReason();
                    if (closed != null && !answered) {
                        throw new CardException(name + ": VSC connection closed: " + closed);
                    }
                    long now = System.nanoTime();
                    if (now - spinUntil < 0) {
                        // read the answer on this thread if the I/O thread is not already at it: no thread hop
                        connection.poll();
                        if (!answered) {
                            Thread.onSpinWait();
                        }
                    } else if (polling) {
                        polling = false; // a slow card: let the I/O thread deliver the answer
                        connection.callerGivesUp();
                    } else if (now - deadline >= 0) {
                        connection.abort(name + ": no answer to an APDU in " + timeoutNanos / 1_000_000 + " ms");
                        throw new CardException(name + ": no answer from the VSC client");
                    } else {
                        LockSupport.parkNanos(this, Math.min(deadline - now, 10_000_000L));
                        if (Thread.interrupted()) {
                            Thread.currentThread().interrupt();
                            throw new CardException(name + ": interrupted while waiting for the VSC client");
                        }
                    }
                }
                if (failure != null) {
                    throw new CardException(name + ": " + failure);
                }
                return response;
            } finally {
                waiter = null;
                if (polling) {
                    polling = false;
                    connection.callerDone();
                }
            }
        }
    }

    /** The client answered (I/O thread). */
    void answer(byte[] r) {
        response = r;
        answered = true;
        Thread t = waiter;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    /** The exchange failed (I/O thread). */
    void fail(String why) {
        failure = why;
        answered = true;
        Thread t = waiter;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    void markGone() {
        gone = true;
    }

    private void checkPresent() throws CardException {
        if (gone) {
            throw new CardException(name + ": card removed");
        }
    }

    @Override
    public String toString() {
        return "RemoteCard[" + name + ", reader \"" + readerName + "\" of " + client() + "]";
    }
}
