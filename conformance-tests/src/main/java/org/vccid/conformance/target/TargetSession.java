package org.vccid.conformance.target;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A host connected to one reader through a transport. The runner calls it from one thread, and only the methods of
 * the {@link Target#features() features} its target declares (the others need not be implemented).
 */
@ConsumerType
public interface TargetSession extends AutoCloseable {

    /**
     * Send one whole PC_to_RDR message on the bulk OUT pipe (any bytes: malformed messages are tests too).
     *
     * @throws NotSupportedException when this transport cannot carry the message as written (e.g. a line framed
     *         by dwLength cannot delimit a message whose dwLength disagrees with its size): the vector is skipped
     *         with the reason, not failed
     */
    default void send(byte[] message) throws Exception {
        throw new UnsupportedOperationException("no bulk pipes on this target");
    }

    /**
     * The next whole RDR_to_PC message from the bulk IN pipe.
     *
     * @return the message, or {@code null} if none came within the timeout
     */
    default byte[] receive(long timeoutMillis) throws Exception {
        throw new UnsupportedOperationException("no bulk pipes on this target");
    }

    /**
     * The next message of the interrupt IN pipe (RDR_to_PC_NotifySlotChange, RDR_to_PC_HardwareError).
     *
     * @return the message, or {@code null} if none came within the timeout (0: only what is due now)
     */
    default byte[] interrupt(long timeoutMillis) throws Exception {
        throw new UnsupportedOperationException("no interrupt pipe on this target");
    }

    /**
     * A CCID class request on the control pipe (CCID 1.1 §5.3).
     *
     * @return the data stage (empty for OUT requests), or {@code null} when the device STALLs the request
     */
    default byte[] control(int bmRequestType, int bRequest, int wValue, int wLength) throws Exception {
        throw new UnsupportedOperationException("no control pipe on this target");
    }

    /**
     * Put a card in a slot: a fresh card from the run's {@link CardSource} (the vector's "insert" step).
     *
     * @throws Exception if there is no such slot or no card
     */
    void insert(int slot) throws Exception;

    /** Take the card out of a slot (the vector's "remove" step). */
    void remove(int slot) throws Exception;

    /**
     * {@link Target.Feature#APDU}: power the slot's card on (a cold reset) and return its ATR.
     *
     * @throws Exception when there is no card or it does not answer (the step then fails)
     */
    default byte[] powerOn(int slot) throws Exception {
        throw new UnsupportedOperationException("no APDU access on this target");
    }

    /** {@link Target.Feature#APDU}: power the slot's card off. */
    default void powerOff(int slot) throws Exception {
        throw new UnsupportedOperationException("no APDU access on this target");
    }

    /**
     * {@link Target.Feature#APDU}: one command APDU to the slot's powered card, and its whole response APDU (data
     * and SW1 SW2), unchanged: the host must not answer 61xx / 6Cxx by itself, vectors check those.
     */
    default byte[] transmit(int slot, byte[] apdu) throws Exception {
        throw new UnsupportedOperationException("no APDU access on this target");
    }

    /** Disconnect and drop the reader. */
    @Override
    void close();
}
