package org.vccid.transport.serial.framing;

import java.util.Locale;

/**
 * The reader types libccid's serial driver knows by the {@code :name} suffix of DEVICENAME
 * ({@code ccid_serial.c set_ccid_descriptor}). The type fixes what the driver expects from the line: whether every
 * command frame is echoed, how many slots it opens, and which Escape it sends first.
 */
public enum ReaderType {

    /** GemPC Twin: one slot, echoes every command frame; the driver's default without a suffix. */
    GemPCTwin(1, true, 0x02),
    /** Microchip SEC1210: two slots, no echo; opens with Escape 06 and skips the 01 01 01 escape. */
    SEC1210(2, false, 0x06),
    /** GemCore POS Pro: five slots, no echo. */
    GemCorePOSPro(5, false, 0x02);

    private final int slots;
    private final boolean echo;
    private final int openEscape;

    ReaderType(int slots, boolean echo, int openEscape) {
        this.slots = slots;
        this.echo = echo;
        this.openEscape = openEscape;
    }

    /** How many slots the driver opens (bMaxSlotIndex + 1 in its hard-coded descriptor). */
    public int slots() {
        return slots;
    }

    /** Whether the driver expects each command frame echoed before the answer. */
    public boolean echo() {
        return echo;
    }

    /** The Escape byte the driver sends first at open, expecting a firmware string (02, or 06 for SEC1210). */
    public int openEscape() {
        return openEscape;
    }

    /** The DEVICENAME suffix, e.g. {@code /tmp/line:GemCorePOSPro}. */
    public String deviceSuffix() {
        return ":" + name();
    }

    /** The type with the fewest slots that has at least {@code slots}, or null (the driver opens 5 at most). */
    public static ReaderType forSlots(int slots) {
        ReaderType best = null;
        for (ReaderType r : values()) {
            if (slots <= r.slots && (best == null || r.slots < best.slots)) {
                best = r;
            }
        }
        return best;
    }

    /** Parse a type name, case-insensitive as the driver does (strcasecmp). */
    public static ReaderType parse(String s) {
        String t = s == null ? "" : s.trim().toLowerCase(Locale.ROOT);
        for (ReaderType r : values()) {
            if (r.name().toLowerCase(Locale.ROOT).equals(t)) {
                return r;
            }
        }
        throw new IllegalArgumentException("unknown serial reader type \"" + s + "\" (GemPCTwin, SEC1210, GemCorePOSPro)");
    }
}
