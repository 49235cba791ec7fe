package org.vccid.ccid;

import static org.vccid.ccid.Ccid.le16;
import static org.vccid.ccid.Ccid.le32;
import static org.vccid.ccid.Ccid.putLe16;
import static org.vccid.ccid.Ccid.putLe32;

/**
 * The 54-byte Smart Card Device Class descriptor (CCID 1.1 §5.1, table 5.1-1). Immutable; build one with
 * {@link #builder()}.
 */
public final class ClassDescriptor {

    public static final int LENGTH = 0x36;
    public static final int DESCRIPTOR_TYPE = 0x21;
    public static final int BCD_CCID_1_1 = 0x0110;

    public static final int VOLTAGE_5V = 0x01;
    public static final int VOLTAGE_3V = 0x02;
    public static final int VOLTAGE_1_8V = 0x04;
    public static final int PROTOCOL_T0 = 0x01;
    public static final int PROTOCOL_T1 = 0x02;

    private final byte[] bytes;

    private ClassDescriptor(byte[] bytes) {
        this.bytes = bytes;
    }

    /** Parse a descriptor; checks bLength and bDescriptorType. */
    public static ClassDescriptor parse(byte[] b) {
        if (b.length != LENGTH || (b[0] & 0xFF) != LENGTH || (b[1] & 0xFF) != DESCRIPTOR_TYPE) {
            throw new IllegalArgumentException("not a 54-byte CCID class descriptor");
        }
        return new ClassDescriptor(b.clone());
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The 54 bytes (a copy). */
    public byte[] toBytes() {
        return bytes.clone();
    }

    public int bcdCCID() {
        return le16(bytes, 2);
    }

    public int maxSlotIndex() {
        return bytes[4] & 0xFF;
    }

    public int voltageSupport() {
        return bytes[5] & 0xFF;
    }

    public int protocols() {
        return le32(bytes, 6);
    }

    public int defaultClock() {
        return le32(bytes, 10);
    }

    public int maximumClock() {
        return le32(bytes, 14);
    }

    public int numClockSupported() {
        return bytes[18] & 0xFF;
    }

    public int dataRate() {
        return le32(bytes, 19);
    }

    public int maxDataRate() {
        return le32(bytes, 23);
    }

    public int numDataRatesSupported() {
        return bytes[27] & 0xFF;
    }

    public int maxIFSD() {
        return le32(bytes, 28);
    }

    public int synchProtocols() {
        return le32(bytes, 32);
    }

    public int mechanical() {
        return le32(bytes, 36);
    }

    public int features() {
        return le32(bytes, 40);
    }

    public int maxCCIDMessageLength() {
        return le32(bytes, 44);
    }

    public int classGetResponse() {
        return bytes[48] & 0xFF;
    }

    public int classEnvelope() {
        return bytes[49] & 0xFF;
    }

    public int lcdLayout() {
        return le16(bytes, 50);
    }

    public int pinSupport() {
        return bytes[52] & 0xFF;
    }

    public int maxCCIDBusySlots() {
        return bytes[53] & 0xFF;
    }

    /** Builder with the defaults of an APDU-level virtual reader (see ccid.md §5.2). */
    public static final class Builder {
        private int maxSlotIndex = 0;
        private int voltageSupport = VOLTAGE_5V | VOLTAGE_3V | VOLTAGE_1_8V;
        private int protocols = PROTOCOL_T0 | PROTOCOL_T1;
        private int defaultClock = 4000;
        private int maximumClock = 4000;
        private int dataRate = 10752;
        private int maxDataRate = 344086;
        private int maxIFSD = 254;
        private int features = 0x000404FE;
        private int maxMessageLength = 65544;
        private int classGetResponse = 0xFF;
        private int classEnvelope = 0xFF;
        private int pinSupport = 0;
        private int maxBusySlots = 1;

        public Builder maxSlotIndex(int v) {
            maxSlotIndex = v;
            return this;
        }

        public Builder voltageSupport(int v) {
            voltageSupport = v;
            return this;
        }

        public Builder protocols(int v) {
            protocols = v;
            return this;
        }

        public Builder defaultClock(int kHz) {
            defaultClock = kHz;
            return this;
        }

        public Builder maximumClock(int kHz) {
            maximumClock = kHz;
            return this;
        }

        public Builder dataRate(int bps) {
            dataRate = bps;
            return this;
        }

        public Builder maxDataRate(int bps) {
            maxDataRate = bps;
            return this;
        }

        public Builder maxIFSD(int v) {
            maxIFSD = v;
            return this;
        }

        public Builder features(int v) {
            features = v;
            return this;
        }

        public Builder maxCCIDMessageLength(int v) {
            maxMessageLength = v;
            return this;
        }

        public Builder classGetResponse(int v) {
            classGetResponse = v;
            return this;
        }

        public Builder classEnvelope(int v) {
            classEnvelope = v;
            return this;
        }

        public Builder pinSupport(int v) {
            pinSupport = v;
            return this;
        }

        public Builder maxCCIDBusySlots(int v) {
            maxBusySlots = v;
            return this;
        }

        public ClassDescriptor build() {
            byte[] b = new byte[LENGTH];
            b[0] = LENGTH;
            b[1] = DESCRIPTOR_TYPE;
            putLe16(b, 2, BCD_CCID_1_1);
            b[4] = (byte) maxSlotIndex;
            b[5] = (byte) voltageSupport;
            putLe32(b, 6, protocols);
            putLe32(b, 10, defaultClock);
            putLe32(b, 14, maximumClock);
            b[18] = 0; // bNumClockSupported: GET_CLOCK_FREQUENCIES answers the default clock only
            putLe32(b, 19, dataRate);
            putLe32(b, 23, maxDataRate);
            b[27] = 0; // bNumDataRatesSupported 0: libccid then skips GET_DATA_RATES at open
            putLe32(b, 28, maxIFSD);
            putLe32(b, 32, 0); // dwSynchProtocols
            putLe32(b, 36, 0); // dwMechanical
            putLe32(b, 40, features);
            putLe32(b, 44, maxMessageLength);
            b[48] = (byte) classGetResponse;
            b[49] = (byte) classEnvelope;
            putLe16(b, 50, 0); // wLcdLayout: no LCD
            b[52] = (byte) pinSupport;
            b[53] = (byte) maxBusySlots;
            return new ClassDescriptor(b);
        }
    }
}
