package org.vccid.transport.usbip.usb;

import static org.vccid.transport.usbip.usb.Usb.*;

/**
 * Control transfers to a {@link CcidUsbDescriptors} device (USB 2.0 §9.4 standard requests; CCID §5.3 class
 * requests through a {@link ClassHandler}). Every request that is not defined for this device STALLs. Pure apart
 * from the {@link UsbDeviceState} it updates.
 */
public final class ControlRequests {

    private ControlRequests() {
    }

    /** The CCID class requests (ABORT, GET_CLOCK_FREQUENCIES, GET_DATA_RATES), answered by the reader. */
    @FunctionalInterface
    public interface ClassHandler {
        /** @return IN data, an empty array for OUT requests, or {@code null} to STALL */
        byte[] classRequest(int bmRequestType, int bRequest, int wValue, int wLength);
    }

    /**
     * @param data the OUT data stage (may be empty)
     * @return the status and the IN data stage, never longer than wLength
     */
    public static ControlResult handle(CcidUsbDescriptors d, UsbDeviceState st, Setup s, byte[] data,
            ClassHandler classHandler) {
        switch (s.type()) {
        case TYPE_STANDARD:
            return standard(d, st, s);
        case TYPE_CLASS:
            // CCID §5.3: interface class requests, wIndex = our interface; only in the Configured state
            if (s.recipient() != RECIPIENT_INTERFACE || s.wIndex() != CcidUsbDescriptors.INTERFACE_NUMBER
                    || !st.isConfigured() || classHandler == null) {
                return ControlResult.stall();
            }
            byte[] r = classHandler.classRequest(s.bmRequestType(), s.bRequest(), s.wValue(), s.wLength());
            if (r == null) {
                return ControlResult.stall();
            }
            return s.isIn() ? ControlResult.in(r, s.wLength()) : ControlResult.ack();
        default:
            return ControlResult.stall(); // vendor and reserved types
        }
    }

    private static ControlResult standard(CcidUsbDescriptors d, UsbDeviceState st, Setup s) {
        int req = s.bmRequestType();
        switch (s.bRequest()) {
        case GET_DESCRIPTOR:
            return req == 0x80 ? descriptor(d, s) : ControlResult.stall();
        case GET_STATUS: // §9.4.5
            if (s.wValue() != 0 || s.wLength() != 2) {
                return ControlResult.stall();
            }
            switch (req) {
            case 0x80:
                return ControlResult.in(new byte[] { (byte) (st.remoteWakeupEnabled ? 0x02 : 0x00), 0 }, 2);
            case 0x81:
                return interfaceExists(st, s.wIndex()) ? ControlResult.in(new byte[2], 2) : ControlResult.stall();
            case 0x82:
                if (!endpointExists(st, s.wIndex())) {
                    return ControlResult.stall();
                }
                return ControlResult.in(new byte[] { (byte) (st.isHalted(s.wIndex()) ? 1 : 0), 0 }, 2);
            default:
                return ControlResult.stall();
            }
        case CLEAR_FEATURE:
        case SET_FEATURE:
            return feature(d, st, s, s.bRequest() == SET_FEATURE);
        case SET_ADDRESS: // done by vhci itself; harmless if it arrives
            return req == 0x00 && s.wValue() <= 127 && s.wLength() == 0 ? ControlResult.ack() : ControlResult.stall();
        case GET_CONFIGURATION:
            return req == 0x80 && s.wLength() == 1 ? ControlResult.in(new byte[] { (byte) st.configuration }, 1)
                    : ControlResult.stall();
        case SET_CONFIGURATION: // §9.4.7: 0 deconfigures; a reset of all endpoint state either way
            if (req != 0x00 || s.wLength() != 0
                    || s.wValue() != 0 && s.wValue() != CcidUsbDescriptors.CONFIGURATION_VALUE) {
                return ControlResult.stall();
            }
            st.configuration = s.wValue();
            st.halted = 0;
            return ControlResult.ack();
        case GET_INTERFACE:
            return req == 0x81 && s.wLength() == 1 && interfaceExists(st, s.wIndex())
                    ? ControlResult.in(new byte[] { 0 }, 1) : ControlResult.stall();
        case SET_INTERFACE: // only alternate setting 0 exists; selecting it resets the endpoints' halt
            if (req != 0x01 || s.wValue() != 0 || s.wLength() != 0 || !interfaceExists(st, s.wIndex())) {
                return ControlResult.stall();
            }
            st.halted = 0;
            return ControlResult.ack();
        default: // SET_DESCRIPTOR, SYNCH_FRAME (no isochronous endpoint), unknown
            return ControlResult.stall();
        }
    }

    private static ControlResult descriptor(CcidUsbDescriptors d, Setup s) {
        int type = s.wValue() >>> 8;
        int index = s.wValue() & 0xFF;
        switch (type) {
        case DT_DEVICE:
            return index == 0 ? ControlResult.in(d.device(), s.wLength()) : ControlResult.stall();
        case DT_CONFIG:
            return index == 0 ? ControlResult.in(d.configuration(), s.wLength()) : ControlResult.stall();
        case DT_STRING:
            byte[] str = d.string(index);
            return str == null ? ControlResult.stall() : ControlResult.in(str, s.wLength());
        default:
            // DEVICE_QUALIFIER / OTHER_SPEED: a full-speed-only device STALLs (§9.6.2); BOS below bcdUSB 2.01
            return ControlResult.stall();
        }
    }

    private static ControlResult feature(CcidUsbDescriptors d, UsbDeviceState st, Setup s, boolean set) {
        if (s.wLength() != 0) {
            return ControlResult.stall();
        }
        switch (s.bmRequestType()) {
        case 0x00:
            if (s.wValue() != FEATURE_DEVICE_REMOTE_WAKEUP || !d.remoteWakeup()) {
                return ControlResult.stall(); // TEST_MODE is for high-speed devices only
            }
            st.remoteWakeupEnabled = set;
            return ControlResult.ack();
        case 0x02:
            int ep = s.wIndex();
            if (s.wValue() != FEATURE_ENDPOINT_HALT || !endpointExists(st, ep)) {
                return ControlResult.stall();
            }
            if ((ep & 0x0F) != 0) {
                st.halted = set ? st.halted | UsbDeviceState.bit(ep) : st.halted & ~UsbDeviceState.bit(ep);
            }
            return ControlResult.ack();
        default:
            return ControlResult.stall(); // interfaces have no features
        }
    }

    private static boolean interfaceExists(UsbDeviceState st, int wIndex) {
        return st.isConfigured() && wIndex == CcidUsbDescriptors.INTERFACE_NUMBER;
    }

    /** Endpoint 0 always; the others in the Configured state (§9.4.5). */
    private static boolean endpointExists(UsbDeviceState st, int wIndex) {
        if (wIndex == 0x00 || wIndex == 0x80) {
            return true;
        }
        return st.isConfigured() && (wIndex > 0xFF ? -1 : CcidUsbDescriptors.endpointType(wIndex)) > 0;
    }
}
