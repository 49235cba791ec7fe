package org.vccid.transport.usbip.usb;

/**
 * The outcome of a control transfer: a status (0, or -EPIPE for a STALL) and the IN data stage (empty for OUT
 * requests and stalls), never longer than wLength.
 */
public record ControlResult(int status, byte[] data) {

    /** -EPIPE: the device STALLs the request (USB 2.0 §9.2.7 "Request Error"). */
    public static final int STALL_STATUS = -32;

    private static final byte[] NONE = new byte[0];

    public static ControlResult stall() {
        return new ControlResult(STALL_STATUS, NONE);
    }

    public static ControlResult ack() {
        return new ControlResult(0, NONE);
    }

    /** An IN data stage, cut to wLength. */
    public static ControlResult in(byte[] data, int wLength) {
        if (data.length > wLength) {
            data = java.util.Arrays.copyOf(data, wLength);
        }
        return new ControlResult(0, data);
    }

    public boolean isStall() {
        return status == STALL_STATUS;
    }
}
