package org.vccid.transport;

import org.osgi.annotation.versioning.ProviderType;

/**
 * A host's connection to a reader. Calls for one session must not overlap (a transport has one reader thread per
 * connection); they never block on a card.
 */
@ProviderType
public interface CcidSession extends AutoCloseable {

    /**
     * One whole PC_to_RDR message from the bulk OUT pipe (header and abData, reassembled by the transport). Any
     * bytes are accepted: a malformed message gets the CCID error answer, never an exception. The answer arrives
     * through {@link HostLink#bulkIn}, possibly before this method returns.
     */
    void bulkOut(byte[] buffer, int offset, int length);

    /**
     * A CCID class-specific request on the control pipe (CCID 1.1 §5.3): ABORT, GET_CLOCK_FREQUENCIES,
     * GET_DATA_RATES.
     *
     * @param bmRequestType 0x21 (OUT) or 0xA1 (IN)
     * @param bRequest the request code
     * @param wValue request-specific
     * @param wLength the host's buffer size for IN requests
     * @return the data stage for IN requests (at most wLength bytes), an empty array for OUT requests, or
     *     {@code null} when the request is not supported: the transport then STALLs it
     */
    byte[] controlRequest(int bmRequestType, int bRequest, int wValue, int wLength);

    /**
     * The interrupt IN message that is due (RDR_to_PC_NotifySlotChange or RDR_to_PC_HardwareError), or
     * {@code null}. Taking a NotifySlotChange clears its changed bits. Call it when {@link
     * HostLink#interruptAvailable()} says so, or when the host polls the interrupt pipe.
     */
    byte[] takeInterrupt();

    /** The host went away (detach, connection closed). The reader becomes free for another host. */
    @Override
    void close();
}
