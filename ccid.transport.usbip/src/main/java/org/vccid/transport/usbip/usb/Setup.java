package org.vccid.transport.usbip.usb;

/** The 8-byte SETUP packet (USB 2.0 §9.3): raw USB bytes, words little-endian. */
public record Setup(int bmRequestType, int bRequest, int wValue, int wIndex, int wLength) {

    public static Setup parse(byte[] b, int off) {
        return new Setup(b[off] & 0xFF, b[off + 1] & 0xFF, le16(b, off + 2), le16(b, off + 4), le16(b, off + 6));
    }

    public static Setup of(int bmRequestType, int bRequest, int wValue, int wIndex, int wLength) {
        return new Setup(bmRequestType, bRequest, wValue, wIndex, wLength);
    }

    public byte[] toBytes() {
        return new byte[] { (byte) bmRequestType, (byte) bRequest, (byte) wValue, (byte) (wValue >>> 8),
                (byte) wIndex, (byte) (wIndex >>> 8), (byte) wLength, (byte) (wLength >>> 8) };
    }

    public boolean isIn() {
        return (bmRequestType & Usb.DIR_IN) != 0;
    }

    public int type() {
        return bmRequestType & Usb.TYPE_MASK;
    }

    public int recipient() {
        return bmRequestType & Usb.RECIPIENT_MASK;
    }

    private static int le16(byte[] b, int off) {
        return b[off] & 0xFF | (b[off + 1] & 0xFF) << 8;
    }

    @Override
    public String toString() {
        return String.format("%02X %02X %04X %04X %04X", bmRequestType, bRequest, wValue, wIndex, wLength);
    }
}
