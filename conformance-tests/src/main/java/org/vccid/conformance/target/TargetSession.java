package org.vccid.conformance.target;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A host connected to one reader through a transport. The runner calls it from one thread.
 */
@ConsumerType
public interface TargetSession extends AutoCloseable {

    /** Send one whole PC_to_RDR message on the bulk OUT pipe (any bytes: malformed messages are tests too). */
    void send(byte[] message) throws Exception;

    /**
     * The next whole RDR_to_PC message from the bulk IN pipe.
     *
     * @return the message, or {@code null} if none came within the timeout
     */
    byte[] receive(long timeoutMillis) throws Exception;

    /**
     * The next message of the interrupt IN pipe (RDR_to_PC_NotifySlotChange, RDR_to_PC_HardwareError).
     *
     * @return the message, or {@code null} if none came within the timeout (0: only what is due now)
     */
    byte[] interrupt(long timeoutMillis) throws Exception;

    /**
     * A CCID class request on the control pipe (CCID 1.1 §5.3).
     *
     * @return the data stage (empty for OUT requests), or {@code null} when the device STALLs the request
     */
    byte[] control(int bmRequestType, int bRequest, int wValue, int wLength) throws Exception;

    /**
     * Put a card in a slot: a fresh card from the run's {@link CardSource} (the vector's "insert" step).
     *
     * @throws Exception if there is no such slot or no card
     */
    void insert(int slot) throws Exception;

    /** Take the card out of a slot (the vector's "remove" step). */
    void remove(int slot) throws Exception;

    /** Disconnect and drop the reader. */
    @Override
    void close();
}
