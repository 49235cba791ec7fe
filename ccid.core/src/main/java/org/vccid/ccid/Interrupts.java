package org.vccid.ccid;

/** Interrupt IN messages (CCID 1.1 §6.3). */
public final class Interrupts {

    private Interrupts() {
    }

    /**
     * RDR_to_PC_NotifySlotChange for any number of slots: 2 bits per slot (bit 0 present, bit 1 changed), slot 0
     * in the low bits of the first byte, padded to whole bytes.
     *
     * @param present slot i holds a card
     * @param changed slot i changed since the last notification
     */
    public static byte[] notifySlotChange(boolean[] present, boolean[] changed) {
        if (present.length != changed.length) {
            throw new IllegalArgumentException("present and changed differ in length");
        }
        byte[] m = new byte[1 + (present.length + 3) / 4];
        m[0] = (byte) Ccid.RDR_TO_PC_NOTIFY_SLOT_CHANGE;
        for (int i = 0; i < present.length; i++) {
            int bits = (present[i] ? 1 : 0) | (changed[i] ? 2 : 0);
            m[1 + i / 4] |= (byte) (bits << (2 * (i % 4)));
        }
        return m;
    }

    /** Whether slot i is present in a NotifySlotChange message. */
    public static boolean isPresent(byte[] notify, int slot) {
        return (notify[1 + slot / 4] >> (2 * (slot % 4)) & 1) != 0;
    }

    /** Whether slot i changed in a NotifySlotChange message. */
    public static boolean isChanged(byte[] notify, int slot) {
        return (notify[1 + slot / 4] >> (2 * (slot % 4)) & 2) != 0;
    }

    /** RDR_to_PC_HardwareError: bSlot, bSeq, bHardwareErrorCode (§6.3.2). */
    public static byte[] hardwareError(int slot, int seq, int code) {
        return new byte[] { (byte) Ccid.RDR_TO_PC_HARDWARE_ERROR, (byte) slot, (byte) seq, (byte) code };
    }
}
