package org.vccid.ccid;

import static org.vccid.ccid.Ccid.*;

import java.util.Arrays;

import org.vccid.iso7816.Hex;

/**
 * One bulk CCID message of either direction: the 10-byte header and abData. Immutable.
 *
 * <p>Bytes 7..9 are kept raw ({@link #b7()}, {@link #b8()}, {@link #b9()}); the named accessors read them for the
 * message types where they mean something (bStatus, bError, bChainParameter, wLevelParameter, ...).
 */
public final class CcidMessage {

    private final int type;
    private final int slot;
    private final int seq;
    private final int b7;
    private final int b8;
    private final int b9;
    private final byte[] data;

    private CcidMessage(int type, int slot, int seq, int b7, int b8, int b9, byte[] data) {
        this.type = type & 0xFF;
        this.slot = slot & 0xFF;
        this.seq = seq & 0xFF;
        this.b7 = b7 & 0xFF;
        this.b8 = b8 & 0xFF;
        this.b9 = b9 & 0xFF;
        this.data = data;
    }

    /** A message from its fields; dwLength is data.length. */
    public static CcidMessage of(int type, int slot, int seq, int b7, int b8, int b9, byte[] data) {
        return new CcidMessage(type, slot, seq, b7, b8, b9, data.clone());
    }

    /** Parse a whole message. */
    public static CcidMessage parse(byte[] b) {
        return parse(b, 0, b.length);
    }

    /**
     * Parse one whole message.
     *
     * @throws IllegalArgumentException if shorter than a header or if dwLength disagrees with the length
     */
    public static CcidMessage parse(byte[] b, int off, int len) {
        if (len < HEADER_LENGTH) {
            throw new IllegalArgumentException("CCID message shorter than its 10-byte header: " + len + " bytes");
        }
        long dw = Ccid.dwLength(b, off);
        if (dw != len - HEADER_LENGTH) {
            throw new IllegalArgumentException(
                    "dwLength " + dw + " but " + (len - HEADER_LENGTH) + " bytes of abData");
        }
        return new CcidMessage(b[off], b[off + OFFSET_SLOT], b[off + OFFSET_SEQ], b[off + OFFSET_7],
                b[off + OFFSET_8], b[off + OFFSET_9], Arrays.copyOfRange(b, off + HEADER_LENGTH, off + len));
    }

    // ---- PC_to_RDR (§6.1) ----

    /** §6.1.1; bPowerSelect 0 automatic, 1 5V, 2 3V, 3 1.8V. */
    public static CcidMessage iccPowerOn(int slot, int seq, int powerSelect) {
        return new CcidMessage(PC_TO_RDR_ICC_POWER_ON, slot, seq, powerSelect, 0, 0, new byte[0]);
    }

    /** §6.1.2. */
    public static CcidMessage iccPowerOff(int slot, int seq) {
        return new CcidMessage(PC_TO_RDR_ICC_POWER_OFF, slot, seq, 0, 0, 0, new byte[0]);
    }

    /** §6.1.3. */
    public static CcidMessage getSlotStatus(int slot, int seq) {
        return new CcidMessage(PC_TO_RDR_GET_SLOT_STATUS, slot, seq, 0, 0, 0, new byte[0]);
    }

    /** §6.1.4: bBWI, wLevelParameter (LE), abData. */
    public static CcidMessage xfrBlock(int slot, int seq, int bwi, int levelParameter, byte[] data) {
        return of(PC_TO_RDR_XFR_BLOCK, slot, seq, bwi, levelParameter, levelParameter >>> 8, data);
    }

    /** §6.1.5. */
    public static CcidMessage getParameters(int slot, int seq) {
        return new CcidMessage(PC_TO_RDR_GET_PARAMETERS, slot, seq, 0, 0, 0, new byte[0]);
    }

    /** §6.1.6. */
    public static CcidMessage resetParameters(int slot, int seq) {
        return new CcidMessage(PC_TO_RDR_RESET_PARAMETERS, slot, seq, 0, 0, 0, new byte[0]);
    }

    /** §6.1.7: bProtocolNum and abProtocolDataStructure (5 bytes for T=0, 7 for T=1). */
    public static CcidMessage setParameters(int slot, int seq, int protocolNum, byte[] protocolData) {
        return of(PC_TO_RDR_SET_PARAMETERS, slot, seq, protocolNum, 0, 0, protocolData);
    }

    /** §6.1.8. */
    public static CcidMessage escape(int slot, int seq, byte[] data) {
        return of(PC_TO_RDR_ESCAPE, slot, seq, 0, 0, 0, data);
    }

    /** §6.1.9: bClockCommand 0 restart, 1 stop. */
    public static CcidMessage iccClock(int slot, int seq, int clockCommand) {
        return new CcidMessage(PC_TO_RDR_ICC_CLOCK, slot, seq, clockCommand, 0, 0, new byte[0]);
    }

    /** §6.1.10: bmChanges, bClassGetResponse, bClassEnvelope. */
    public static CcidMessage t0Apdu(int slot, int seq, int changes, int classGetResponse, int classEnvelope) {
        return new CcidMessage(PC_TO_RDR_T0_APDU, slot, seq, changes, classGetResponse, classEnvelope, new byte[0]);
    }

    /** §6.1.11: bBWI, wLevelParameter, abPINOperationDataStructure. */
    public static CcidMessage secure(int slot, int seq, int bwi, int levelParameter, byte[] data) {
        return of(PC_TO_RDR_SECURE, slot, seq, bwi, levelParameter, levelParameter >>> 8, data);
    }

    /** §6.1.12: bFunction 1 accept, 2 eject, 3 capture, 4 lock, 5 unlock. */
    public static CcidMessage mechanical(int slot, int seq, int function) {
        return new CcidMessage(PC_TO_RDR_MECHANICAL, slot, seq, function, 0, 0, new byte[0]);
    }

    /** §6.1.13. */
    public static CcidMessage abort(int slot, int seq) {
        return new CcidMessage(PC_TO_RDR_ABORT, slot, seq, 0, 0, 0, new byte[0]);
    }

    /** §6.1.14: dwClockFrequency (kHz), dwDataRate (bps). */
    public static CcidMessage setDataRateAndClockFrequency(int slot, int seq, int clockKhz, int dataRate) {
        byte[] d = new byte[8];
        putLe32(d, 0, clockKhz);
        putLe32(d, 4, dataRate);
        return new CcidMessage(PC_TO_RDR_SET_DATA_RATE_AND_CLOCK_FREQUENCY, slot, seq, 0, 0, 0, d);
    }

    // ---- RDR_to_PC (§6.2) ----

    /** §6.2.1. */
    public static CcidMessage dataBlock(int slot, int seq, int status, int error, int chainParameter, byte[] data) {
        return of(RDR_TO_PC_DATA_BLOCK, slot, seq, status, error, chainParameter, data);
    }

    /** §6.2.2. */
    public static CcidMessage slotStatus(int slot, int seq, int status, int error, int clockStatus) {
        return new CcidMessage(RDR_TO_PC_SLOT_STATUS, slot, seq, status, error, clockStatus, new byte[0]);
    }

    /** §6.2.3. */
    public static CcidMessage parameters(int slot, int seq, int status, int error, int protocolNum, byte[] data) {
        return of(RDR_TO_PC_PARAMETERS, slot, seq, status, error, protocolNum, data);
    }

    /** §6.2.4. */
    public static CcidMessage escapeResponse(int slot, int seq, int status, int error, byte[] data) {
        return of(RDR_TO_PC_ESCAPE, slot, seq, status, error, 0, data);
    }

    /** §6.2.5; an empty data for a failed answer, else dwClockFrequency and dwDataRate. */
    public static CcidMessage dataRateAndClockFrequency(int slot, int seq, int status, int error, byte[] data) {
        return of(RDR_TO_PC_DATA_RATE_AND_CLOCK_FREQUENCY, slot, seq, status, error, 0, data);
    }

    // ---- fields ----

    public int messageType() {
        return type;
    }

    public int dwLength() {
        return data.length;
    }

    public int slot() {
        return slot;
    }

    public int seq() {
        return seq;
    }

    public int b7() {
        return b7;
    }

    public int b8() {
        return b8;
    }

    public int b9() {
        return b9;
    }

    /** RDR_to_PC: bStatus. */
    public int status() {
        return b7;
    }

    /** RDR_to_PC: bmICCStatus. */
    public int iccStatus() {
        return Ccid.iccStatus(b7);
    }

    /** RDR_to_PC: bmCommandStatus. */
    public int commandStatus() {
        return Ccid.commandStatus(b7);
    }

    /** RDR_to_PC: bError. */
    public int error() {
        return b8;
    }

    /** XfrBlock / Secure: wLevelParameter. */
    public int levelParameter() {
        return b8 | b9 << 8;
    }

    /** abData (a copy). */
    public byte[] data() {
        return data.clone();
    }

    /** Whether this is an answer that failed (bmCommandStatus 1). */
    public boolean isFailed() {
        return commandStatus() == COMMAND_STATUS_FAILED;
    }

    /** The encoded message. */
    public byte[] toBytes() {
        byte[] b = new byte[HEADER_LENGTH + data.length];
        putHeader(b, 0, type, data.length, slot, seq, b7, b8, b9);
        System.arraycopy(data, 0, b, HEADER_LENGTH, data.length);
        return b;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof CcidMessage)) {
            return false;
        }
        CcidMessage m = (CcidMessage) o;
        return type == m.type && slot == m.slot && seq == m.seq && b7 == m.b7 && b8 == m.b8 && b9 == m.b9
                && Arrays.equals(data, m.data);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(toBytes());
    }

    @Override
    public String toString() {
        return Ccid.messageName(type) + " slot=" + slot + " seq=" + seq
                + String.format(" [%02X %02X %02X] ", b7, b8, b9) + Hex.spaced(data);
    }
}
