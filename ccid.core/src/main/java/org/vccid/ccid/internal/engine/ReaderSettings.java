package org.vccid.ccid.internal.engine;

import org.vccid.ccid.Ccid;
import org.vccid.ccid.ClassDescriptor;

/** Everything that defines one reader, immutable. Built from a ConfigAdmin configuration or by tests. */
public final class ReaderSettings {

    /** The most slots one reader may have (bMaxSlotIndex is a byte; 64 keeps NotifySlotChange small). */
    public static final int MAX_SLOTS = 64;

    final String name;
    final int slots;
    final ExchangeLevel level;
    final int protocols;
    final int features;
    final int maxMessageLength;
    final int vendorId;
    final int productId;
    final int bcdDevice;
    final String manufacturer;
    final String serialNumber;
    final long timeExtensionMillis;

    private ReaderSettings(Builder b) {
        if (b.name == null || b.name.isBlank()) {
            throw new IllegalArgumentException("a reader needs a name");
        }
        if (b.slots < 1 || b.slots > MAX_SLOTS) {
            throw new IllegalArgumentException("slots must be 1.." + MAX_SLOTS + ", got " + b.slots);
        }
        if ((b.protocols & ~3) != 0 || b.protocols == 0) {
            throw new IllegalArgumentException("protocols is a mask of T=0 (1) and T=1 (2), got " + b.protocols);
        }
        name = b.name;
        slots = b.slots;
        level = b.level;
        protocols = b.protocols;
        int f = b.features != 0 ? b.features : 0x000004FE | b.level.feature();
        if ((f & Ccid.FEATURE_LEVEL_MASK) != b.level.feature()) {
            throw new IllegalArgumentException(String.format(
                    "dwFeatures 0x%08X names another exchange level than %s", f, b.level));
        }
        features = f;
        int min = b.level == ExchangeLevel.EXTENDED_APDU ? 10 + 261 : 271;
        int max = b.maxMessageLength != 0 ? b.maxMessageLength : b.level.defaultMaxMessageLength();
        if (max < min || max > 10 + 65544 + 1) {
            throw new IllegalArgumentException("maxMessageLength must be " + min + ".." + (10 + 65545) + ", got " + max);
        }
        maxMessageLength = max;
        vendorId = check16("vendorId", b.vendorId);
        productId = check16("productId", b.productId);
        bcdDevice = check16("bcdDevice", b.bcdDevice);
        manufacturer = b.manufacturer;
        serialNumber = b.serialNumber != null && !b.serialNumber.isEmpty() ? b.serialNumber
                : String.format("%08X", name.hashCode());
        if (b.timeExtensionMillis < 10) {
            throw new IllegalArgumentException("timeExtensionMillis must be >= 10");
        }
        timeExtensionMillis = b.timeExtensionMillis;
    }

    private static int check16(String what, int v) {
        if (v < 0 || v > 0xFFFF) {
            throw new IllegalArgumentException(what + " must be 0..0xFFFF, got " + v);
        }
        return v;
    }

    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** The CCID class descriptor these settings advertise. */
    public ClassDescriptor classDescriptor() {
        return ClassDescriptor.builder()
                .maxSlotIndex(slots - 1)
                .protocols(protocols)
                .features(features)
                .maxCCIDMessageLength(maxMessageLength)
                .maxCCIDBusySlots(slots) // every slot can work at once
                .build();
    }

    public String name() {
        return name;
    }

    public int slots() {
        return slots;
    }

    public ExchangeLevel level() {
        return level;
    }

    public int maxMessageLength() {
        return maxMessageLength;
    }

    /** Builder; defaults: 1 slot, extended APDU level, T=0 and T=1, VID:PID 1209:0001. */
    public static final class Builder {
        private String name;
        private int slots = 1;
        private ExchangeLevel level = ExchangeLevel.EXTENDED_APDU;
        private int protocols = 3;
        private int features;
        private int maxMessageLength;
        private int vendorId = 0x1209;
        private int productId = 0x0001;
        private int bcdDevice = 0x0100;
        private String manufacturer = "vccid";
        private String serialNumber;
        private long timeExtensionMillis = 1000;

        Builder(String name) {
            this.name = name;
        }

        public Builder slots(int v) {
            slots = v;
            return this;
        }

        public Builder level(ExchangeLevel v) {
            level = v;
            return this;
        }

        public Builder protocols(int v) {
            protocols = v;
            return this;
        }

        /** dwFeatures; 0 derives it from the level (0x000004FE | level). */
        public Builder features(int v) {
            features = v;
            return this;
        }

        /** dwMaxCCIDMessageLength; 0 derives it from the level. */
        public Builder maxMessageLength(int v) {
            maxMessageLength = v;
            return this;
        }

        public Builder vendorId(int v) {
            vendorId = v;
            return this;
        }

        public Builder productId(int v) {
            productId = v;
            return this;
        }

        public Builder bcdDevice(int v) {
            bcdDevice = v;
            return this;
        }

        public Builder manufacturer(String v) {
            manufacturer = v;
            return this;
        }

        public Builder serialNumber(String v) {
            serialNumber = v;
            return this;
        }

        /** How often a host waiting on a slow card gets a CCID time extension. */
        public Builder timeExtensionMillis(long v) {
            timeExtensionMillis = v;
            return this;
        }

        public ReaderSettings build() {
            return new ReaderSettings(this);
        }
    }
}
