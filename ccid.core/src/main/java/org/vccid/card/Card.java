package org.vccid.card;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A smart card personality, seen by a reader as ISO 7816 APDUs.
 *
 * <p>Threading: a reader calls one card from one slot at a time (never concurrently), but not always from the
 * same thread. Unless {@link #isNonBlocking()} says otherwise, the reader calls the card on a worker thread of its
 * own, so a slow card (an RSA operation, a remote card) never blocks other slots, other readers or a transport's
 * I/O thread; the host meanwhile gets CCID time extensions.
 *
 * <p>Buffers passed to a card are only valid for the duration of the call.
 */
@ConsumerType
public interface Card {

    /** Service property: the kind of card ({@code cac}, {@code pcsc-mirror}, ...). */
    String TYPE = "vccid.card.type";
    /** Service property: a name unique among the cards of one JVM, used in logs and Gogo commands. */
    String NAME = "vccid.card.name";

    /**
     * The current Answer To Reset, without touching the card's state (vpcd, for one, polls it several times a
     * second).
     *
     * @return the ATR bytes (2..33)
     */
    byte[] atr();

    /**
     * Cold reset: power the card up from scratch (all volatile state such as login and selected applets is lost).
     *
     * @return the ATR
     * @throws CardException if the card cannot be powered (mute)
     */
    byte[] powerOn() throws CardException;

    /**
     * Warm reset of a powered card. Volatile state is lost as for a cold reset.
     *
     * @return the ATR
     * @throws CardException if the card cannot be reset (mute)
     */
    default byte[] warmReset() throws CardException {
        powerOff();
        return powerOn();
    }

    /** Power the card down. Never fails. */
    void powerOff();

    /**
     * Process one command APDU (ISO 7816-4 short or extended encoding) and return the response APDU.
     *
     * @param buffer holds the command; read-only, valid only during the call
     * @param offset where the command starts
     * @param length command length
     * @return response data followed by SW1 SW2 (at least 2 bytes). An error status word is an ordinary return
     *     value, never an exception.
     * @throws CardException only when the card cannot answer at all (a remote card lost, a mirrored card
     *     removed): the reader reports the card mute to the host
     */
    byte[] transmit(byte[] buffer, int offset, int length) throws CardException;

    /**
     * Whether {@link #transmit}, {@link #powerOn()} and {@link #warmReset()} always return at once (pure
     * computation of a few microseconds, no I/O, no lock held by another thread). The reader then calls them on
     * the caller's thread and saves a thread hop. Default {@code false}.
     */
    default boolean isNonBlocking() {
        return false;
    }
}
