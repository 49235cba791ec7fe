package org.vccid.reader;

import java.util.Objects;

/** Something happened in a slot. */
public final class SlotEvent {

    /** What happened. */
    public enum Type {
        /** A card was put in the slot. */
        INSERTED,
        /** The card was taken out (ejected, or its card service went away). */
        REMOVED,
        /** The host powered the card (IccPowerOn). */
        POWERED_ON,
        /** The host powered the card off (IccPowerOff). */
        POWERED_OFF
    }

    private final Slot slot;
    private final Type type;
    private final IccState state;

    public SlotEvent(Slot slot, Type type, IccState state) {
        this.slot = Objects.requireNonNull(slot);
        this.type = Objects.requireNonNull(type);
        this.state = Objects.requireNonNull(state);
    }

    public Slot slot() {
        return slot;
    }

    public Type type() {
        return type;
    }

    /** The slot's state right after the event. */
    public IccState state() {
        return state;
    }

    @Override
    public String toString() {
        return slot.reader().name() + "[" + slot.index() + "] " + type + " -> " + state;
    }
}
