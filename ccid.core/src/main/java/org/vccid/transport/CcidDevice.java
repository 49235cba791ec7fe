package org.vccid.transport;

import org.osgi.annotation.versioning.ProviderType;

/**
 * A reader as a USB CCID function: what a transport needs to present it to a host. Registered as a service
 * next to {@link org.vccid.reader.Reader} for every configured reader.
 */
@ProviderType
public interface CcidDevice {

    /** The reader's name (USB iProduct string). */
    String name();

    /** USB idVendor. */
    int vendorId();

    /** USB idProduct. */
    int productId();

    /** USB bcdDevice. */
    int bcdDevice();

    /** USB iManufacturer string. */
    String manufacturer();

    /** USB iSerialNumber string. */
    String serialNumber();

    /** Number of slots (bMaxSlotIndex + 1). */
    int slotCount();

    /** dwMaxCCIDMessageLength: the longest message, header included, either way. */
    int maxMessageLength();

    /** The 54-byte CCID class descriptor (CCID 1.1 §5.1), a fresh copy. */
    byte[] classDescriptor();

    /**
     * Connect a host. One host at a time: a reader has one bulk pipe pair.
     *
     * @param host receives what the reader sends
     * @return the session through which the host sends
     * @throws IllegalStateException if another host is attached
     */
    CcidSession attach(HostLink host);
}
