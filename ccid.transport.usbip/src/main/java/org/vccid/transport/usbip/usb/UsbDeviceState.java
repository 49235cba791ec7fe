package org.vccid.transport.usbip.usb;

/**
 * What standard requests change on the device, per host: the configuration (0 = Address state), remote wakeup and
 * the halt feature of the non-control endpoints. Not thread-safe: one connection's reader thread owns it.
 */
public final class UsbDeviceState {

    int configuration;
    boolean remoteWakeupEnabled;
    /** Halt bits by endpoint number (1..15) and direction: bit (number + (in ? 16 : 0)). */
    int halted;

    public int configuration() {
        return configuration;
    }

    public boolean isConfigured() {
        return configuration != 0;
    }

    public boolean remoteWakeupEnabled() {
        return remoteWakeupEnabled;
    }

    /** Is this endpoint (address with direction bit) halted? */
    public boolean isHalted(int address) {
        return (halted & bit(address)) != 0;
    }

    static int bit(int address) {
        return 1 << ((address & 0x0F) + ((address & 0x80) != 0 ? 16 : 0));
    }
}
