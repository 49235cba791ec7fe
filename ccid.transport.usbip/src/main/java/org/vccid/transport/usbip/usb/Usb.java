package org.vccid.transport.usbip.usb;

/** USB 2.0 chapter 9 constants. */
public final class Usb {

    private Usb() {
    }

    // bmRequestType (§9.3.1)
    public static final int DIR_IN = 0x80;
    public static final int TYPE_MASK = 0x60;
    public static final int TYPE_STANDARD = 0x00;
    public static final int TYPE_CLASS = 0x20;
    public static final int TYPE_VENDOR = 0x40;
    public static final int RECIPIENT_MASK = 0x1F;
    public static final int RECIPIENT_DEVICE = 0;
    public static final int RECIPIENT_INTERFACE = 1;
    public static final int RECIPIENT_ENDPOINT = 2;

    // bRequest (Table 9-4)
    public static final int GET_STATUS = 0;
    public static final int CLEAR_FEATURE = 1;
    public static final int SET_FEATURE = 3;
    public static final int SET_ADDRESS = 5;
    public static final int GET_DESCRIPTOR = 6;
    public static final int SET_DESCRIPTOR = 7;
    public static final int GET_CONFIGURATION = 8;
    public static final int SET_CONFIGURATION = 9;
    public static final int GET_INTERFACE = 10;
    public static final int SET_INTERFACE = 11;
    public static final int SYNCH_FRAME = 12;

    // descriptor types (Table 9-5)
    public static final int DT_DEVICE = 1;
    public static final int DT_CONFIG = 2;
    public static final int DT_STRING = 3;
    public static final int DT_INTERFACE = 4;
    public static final int DT_ENDPOINT = 5;
    public static final int DT_DEVICE_QUALIFIER = 6;
    public static final int DT_OTHER_SPEED_CONFIG = 7;
    public static final int DT_BOS = 15;

    // feature selectors (Table 9-6)
    public static final int FEATURE_ENDPOINT_HALT = 0;
    public static final int FEATURE_DEVICE_REMOTE_WAKEUP = 1;

    // endpoint bmAttributes
    public static final int XFER_CONTROL = 0;
    public static final int XFER_ISO = 1;
    public static final int XFER_BULK = 2;
    public static final int XFER_INTERRUPT = 3;

    /** The smart card device class (bInterfaceClass). */
    public static final int CLASS_CSCID = 0x0B;

    /** English (United States), the one language of our strings. */
    public static final int LANGID_EN_US = 0x0409;
}
