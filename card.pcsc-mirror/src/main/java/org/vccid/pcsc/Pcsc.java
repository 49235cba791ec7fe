package org.vccid.pcsc;

/**
 * The few PC/SC (pcsc-lite winscard) calls vccid needs (card.pcsc-mirror, the conformance runner's PC/SC
 * targets), with their native handles as {@code long}s. One implementation: {@link JdkPcsc} (the JDK's own javax.smartcardio native layer).
 */
@org.osgi.annotation.versioning.ProviderType
public interface Pcsc {

    int SCARD_SCOPE_USER = 0;

    int SCARD_SHARE_EXCLUSIVE = 1;
    int SCARD_SHARE_SHARED = 2;

    int SCARD_PROTOCOL_T0 = 1;
    int SCARD_PROTOCOL_T1 = 2;

    int SCARD_LEAVE_CARD = 0;
    int SCARD_RESET_CARD = 1;
    int SCARD_UNPOWER_CARD = 2;

    int SCARD_STATE_UNAWARE = 0x0000;
    int SCARD_STATE_IGNORE = 0x0001;
    int SCARD_STATE_CHANGED = 0x0002;
    int SCARD_STATE_UNKNOWN = 0x0004;
    int SCARD_STATE_UNAVAILABLE = 0x0008;
    int SCARD_STATE_EMPTY = 0x0010;
    int SCARD_STATE_PRESENT = 0x0020;
    int SCARD_STATE_EXCLUSIVE = 0x0080;
    int SCARD_STATE_INUSE = 0x0100;
    int SCARD_STATE_MUTE = 0x0200;

    /** pcsc-lite's pseudo reader whose state changes when a reader is added or removed. */
    String PNP_NOTIFICATION = "\\\\?PnP?\\Notification";

    /** Infinite wait for {@link #getStatusChange}. */
    long INFINITE = 0xFFFFFFFFL;

    /** Why this implementation cannot work in this JVM at all, or {@code null}. */
    String unavailableReason();

    long establishContext() throws PcscException;

    /** Reader names; empty (not an exception) when there are none. */
    String[] listReaders(long context) throws PcscException;

    /**
     * SCardGetStatusChange.
     *
     * @return the event states, same order as the names; {@code null} on timeout
     */
    int[] getStatusChange(long context, long timeoutMillis, int[] currentStates, String[] readers)
            throws PcscException;

    long connect(long context, String reader, int shareMode, int preferredProtocols) throws PcscException;

    /**
     * SCardStatus.
     *
     * @param stateAndProtocol out: [0] reader state (low byte), [1] active protocol
     * @return the ATR
     */
    byte[] status(long card, byte[] stateAndProtocol) throws PcscException;

    byte[] transmit(long card, int protocol, byte[] buffer, int offset, int length) throws PcscException;

    void disconnect(long card, int disposition) throws PcscException;
}
