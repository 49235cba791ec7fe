package org.vccid.conformance.internal.vector;

/** One step of a vector, with the line it came from. Immutable. */
public final class Step {

    /** What a step does. */
    public enum Kind {
        /** {@code slot N}: the slot later steps use by default. */
        SLOT,
        /** {@code insert [slot]}: put a fresh card in. */
        INSERT,
        /** {@code remove [slot]}: take the card out. */
        REMOVE,
        /** {@code power-on [slot]}: PC_to_RDR_IccPowerOn; expects an ATR in a successful DataBlock. */
        POWER_ON,
        /** {@code power-off [slot]}: PC_to_RDR_IccPowerOff; expects a successful SlotStatus. */
        POWER_OFF,
        /** {@code send <bytes>}: a PC_to_RDR message. */
        SEND,
        /** {@code expect <pattern>}: the next RDR_to_PC message. */
        EXPECT,
        /** {@code quiet}: nothing more on bulk IN (waits briefly). */
        QUIET,
        /** {@code interrupt <pattern>}: the next interrupt IN message. */
        INTERRUPT,
        /** {@code no-interrupt}: no interrupt message is due. */
        NO_INTERRUPT,
        /** {@code control <8-byte setup packet> -> <pattern> | STALL}. */
        CONTROL,
        /** {@code apdu <C-APDU> -> <R-APDU pattern>}: through XfrBlock, the runner chains as the level needs. */
        APDU
    }

    private final Kind kind;
    private final int line;
    private final String text;
    private final int slot;
    private final Template bytes;
    private final Template answer;

    Step(Kind kind, int line, String text, int slot, Template bytes, Template answer) {
        this.kind = kind;
        this.line = line;
        this.text = text;
        this.slot = slot;
        this.bytes = bytes;
        this.answer = answer;
    }

    public Kind kind() {
        return kind;
    }

    /** Line number in the file (1-based). */
    public int line() {
        return line;
    }

    /** The line as written (without comment). */
    public String text() {
        return text;
    }

    /** The slot, for steps that take one ({@code -1}: the current slot). */
    public int slot() {
        return slot;
    }

    /** What to send (SEND, CONTROL setup, APDU command) or expect (EXPECT, INTERRUPT). */
    public Template bytes() {
        return bytes;
    }

    /** CONTROL and APDU: the expected answer; {@code null} for a STALL. */
    public Template answer() {
        return answer;
    }

    @Override
    public String toString() {
        return line + ": " + text;
    }
}
