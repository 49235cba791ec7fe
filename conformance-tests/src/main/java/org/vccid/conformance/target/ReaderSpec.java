package org.vccid.conformance.target;

import java.util.Objects;

/**
 * The reader a vector file asks for (its {@code # reader:} header): slot count, exchange level, message size.
 * Immutable.
 */
public final class ReaderSpec {

    /** The reader's exchange level (CCID 1.1 §5.1 dwFeatures), by the names ccid.core's reader configuration uses. */
    public enum Level {
        TPDU, SHORT_APDU, EXTENDED_APDU
    }

    private final int slots;
    private final Level level;
    private final int maxMessageLength;
    private final long timeExtensionMillis;

    /**
     * @param slots 1..64
     * @param level exchange level
     * @param maxMessageLength dwMaxCCIDMessageLength, 0 for the level's default
     * @param timeExtensionMillis how often a slow card gives the host a time extension
     */
    public ReaderSpec(int slots, Level level, int maxMessageLength, long timeExtensionMillis) {
        if (slots < 1 || slots > 64) {
            throw new IllegalArgumentException("slots must be 1..64, got " + slots);
        }
        this.slots = slots;
        this.level = Objects.requireNonNull(level);
        this.maxMessageLength = maxMessageLength;
        this.timeExtensionMillis = timeExtensionMillis;
    }

    public int slots() {
        return slots;
    }

    public Level level() {
        return level;
    }

    /** dwMaxCCIDMessageLength, 0 for the level's default. */
    public int maxMessageLength() {
        return maxMessageLength;
    }

    public long timeExtensionMillis() {
        return timeExtensionMillis;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ReaderSpec && ((ReaderSpec) o).slots == slots && ((ReaderSpec) o).level == level
                && ((ReaderSpec) o).maxMessageLength == maxMessageLength
                && ((ReaderSpec) o).timeExtensionMillis == timeExtensionMillis;
    }

    @Override
    public int hashCode() {
        return Objects.hash(slots, level, maxMessageLength, timeExtensionMillis);
    }

    @Override
    public String toString() {
        return "slots=" + slots + " level=" + level + (maxMessageLength != 0 ? " maxMessageLength=" + maxMessageLength
                : "") + " timeExtension=" + timeExtensionMillis + "ms";
    }
}
