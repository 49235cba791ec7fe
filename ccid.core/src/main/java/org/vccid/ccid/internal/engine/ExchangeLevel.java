package org.vccid.ccid.internal.engine;

import org.vccid.ccid.Ccid;

/** The reader's exchange level (CCID 1.1 §5.1 dwFeatures bits 16..18). */
public enum ExchangeLevel {
    /** One XfrBlock per short APDU (max 261 + 10 bytes). */
    SHORT_APDU(Ccid.FEATURE_LEVEL_SHORT_APDU, 271),
    /** Short and extended APDUs, with command and response chaining through wLevelParameter / bChainParameter. */
    EXTENDED_APDU(Ccid.FEATURE_LEVEL_EXTENDED_APDU, 10 + 4 + 3 + 65535 + 2 + 1),
    /** TPDU level: the reader plays the card side of T=0 and T=1 towards the host driver. */
    TPDU(Ccid.FEATURE_LEVEL_TPDU, 271);

    private final int feature;
    private final int defaultMaxMessageLength;

    ExchangeLevel(int feature, int defaultMaxMessageLength) {
        this.feature = feature;
        this.defaultMaxMessageLength = defaultMaxMessageLength;
    }

    /** The dwFeatures level bit. */
    public int feature() {
        return feature;
    }

    /** dwMaxCCIDMessageLength when the configuration leaves it to us. */
    public int defaultMaxMessageLength() {
        return defaultMaxMessageLength;
    }
}
