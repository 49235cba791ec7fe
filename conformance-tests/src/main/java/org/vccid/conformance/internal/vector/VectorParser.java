package org.vccid.conformance.internal.vector;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.vccid.conformance.target.ReaderSpec;

/**
 * Reads the vector format (README "Vector format"). Pure: text in, {@link Vector} out.
 *
 * <pre>
 * # title: GetSlotStatus on an empty slot
 * # clause: CCID 1.1 §6.1.3, §6.2.2
 * # reader: slots=1 level=EXTENDED_APDU
 * send   65 L4 00 SQ 00 00 00
 * expect 81 L4 00 SQ 42 FE 00     # bmICCStatus 2 (absent), command failed, ICC_MUTE
 * </pre>
 */
public final class VectorParser {

    private VectorParser() {
    }

    public static Vector parse(String name, String text) throws VectorFormatException {
        try {
            return parse(name, new StringReader(text));
        } catch (IOException e) {
            throw new IllegalStateException(e); // a StringReader does not fail
        }
    }

    public static Vector parse(String name, Reader in) throws IOException, VectorFormatException {
        BufferedReader r = new BufferedReader(in);
        String title = null;
        List<String> clauses = new ArrayList<>();
        ReaderSpec reader = null;
        String requires = null;
        List<Step> steps = new ArrayList<>();
        String line;
        int n = 0;
        while ((line = r.readLine()) != null) {
            n++;
            String t = line.trim();
            if (t.isEmpty()) {
                continue;
            }
            if (t.startsWith("#")) {
                String h = t.substring(1).trim();
                int colon = h.indexOf(':');
                String key = colon > 0 ? h.substring(0, colon).trim().toLowerCase(Locale.ROOT) : "";
                String value = colon > 0 ? h.substring(colon + 1).trim() : "";
                switch (key) {
                case "title":
                    title = value;
                    break;
                case "clause":
                    if (value.isEmpty()) {
                        throw new VectorFormatException(name, n, "empty clause");
                    }
                    clauses.add(value);
                    break;
                case "reader":
                    if (reader != null) {
                        throw new VectorFormatException(name, n, "a second reader header");
                    }
                    reader = readerSpec(name, n, value);
                    break;
                case "requires":
                    requires = value.isEmpty() ? null : value;
                    break;
                default:
                    break; // a comment
                }
                continue;
            }
            int hash = t.indexOf('#');
            if (hash >= 0) {
                t = t.substring(0, hash).trim();
            }
            try {
                steps.add(step(n, t));
            } catch (IllegalArgumentException e) {
                throw new VectorFormatException(name, n, e.getMessage() + " in \"" + t + "\"");
            }
        }
        if (clauses.isEmpty()) {
            throw new VectorFormatException(name, n, "no \"# clause:\" header: every vector names the spec clause it checks");
        }
        if (steps.isEmpty()) {
            throw new VectorFormatException(name, n, "no steps");
        }
        if (reader == null) {
            reader = new ReaderSpec(1, ReaderSpec.Level.EXTENDED_APDU, 0, 1000);
        }
        if (reader.level() == ReaderSpec.Level.TPDU) {
            for (Step s : steps) {
                if (s.kind() == Step.Kind.APDU) {
                    throw new VectorFormatException(name, s.line(), "apdu steps need an APDU level reader (at TPDU"
                            + " level, send the TPDUs or T=1 blocks in XfrBlocks)");
                }
            }
        }
        return new Vector(name, title != null ? title : name, clauses, reader, requires, steps);
    }

    static ReaderSpec readerSpec(String name, int line, String value) throws VectorFormatException {
        int slots = 1;
        ReaderSpec.Level level = ReaderSpec.Level.EXTENDED_APDU;
        int max = 0;
        long te = 1000;
        for (String kv : value.split("\\s+")) {
            if (kv.isEmpty()) {
                continue;
            }
            int eq = kv.indexOf('=');
            if (eq <= 0) {
                throw new VectorFormatException(name, line, "reader settings are key=value, got \"" + kv + "\"");
            }
            String k = kv.substring(0, eq);
            String v = kv.substring(eq + 1);
            try {
                switch (k) {
                case "slots":
                    slots = Integer.parseInt(v);
                    break;
                case "level":
                    level = level(v);
                    break;
                case "maxMessageLength":
                    max = Integer.parseInt(v);
                    break;
                case "timeExtension":
                    te = Long.parseLong(v);
                    break;
                default:
                    throw new VectorFormatException(name, line, "unknown reader setting \"" + k
                            + "\" (slots, level, maxMessageLength, timeExtension)");
                }
            } catch (IllegalArgumentException e) {
                throw new VectorFormatException(name, line, "bad reader setting \"" + kv + "\": " + e.getMessage());
            }
        }
        try {
            return new ReaderSpec(slots, level, max, te);
        } catch (IllegalArgumentException e) {
            throw new VectorFormatException(name, line, e.getMessage());
        }
    }

    private static ReaderSpec.Level level(String v) {
        switch (v.toUpperCase(Locale.ROOT)) {
        case "TPDU":
            return ReaderSpec.Level.TPDU;
        case "SHORT":
        case "SHORT_APDU":
            return ReaderSpec.Level.SHORT_APDU;
        case "EXTENDED":
        case "EXTENDED_APDU":
            return ReaderSpec.Level.EXTENDED_APDU;
        default:
            throw new IllegalArgumentException("level is TPDU, SHORT_APDU or EXTENDED_APDU");
        }
    }

    static Step step(int line, String t) {
        String[] kw = t.split("\\s+", 2);
        String keyword = kw[0].toLowerCase(Locale.ROOT);
        String rest = kw.length > 1 ? kw[1].trim() : "";
        switch (keyword) {
        case "slot":
            return new Step(Step.Kind.SLOT, line, t, slotArg(rest, false), null, null);
        case "insert":
            return new Step(Step.Kind.INSERT, line, t, slotArg(rest, true), null, null);
        case "remove":
            return new Step(Step.Kind.REMOVE, line, t, slotArg(rest, true), null, null);
        case "power-on":
            return new Step(Step.Kind.POWER_ON, line, t, slotArg(rest, true), null, null);
        case "power-off":
            return new Step(Step.Kind.POWER_OFF, line, t, slotArg(rest, true), null, null);
        case "send":
            return new Step(Step.Kind.SEND, line, t, -1, Template.parse(rest, false), null);
        case "expect":
            needBytes(rest);
            return new Step(Step.Kind.EXPECT, line, t, -1, Template.parse(rest, true), null);
        case "interrupt":
            needBytes(rest);
            return new Step(Step.Kind.INTERRUPT, line, t, -1, Template.parse(rest, true), null);
        case "quiet":
            noArgs(rest);
            return new Step(Step.Kind.QUIET, line, t, -1, null, null);
        case "no-interrupt":
            noArgs(rest);
            return new Step(Step.Kind.NO_INTERRUPT, line, t, -1, null, null);
        case "control": {
            String[] parts = arrow(rest);
            Template setup = Template.parse(parts[0], false);
            if (setup.fixedSize() != 8) {
                throw new IllegalArgumentException("a setup packet has 8 bytes (bmRequestType bRequest wValue wIndex"
                        + " wLength, little endian), got " + setup.fixedSize());
            }
            Template answer = parts[1].equalsIgnoreCase("STALL") ? null : Template.parse(parts[1], true);
            return new Step(Step.Kind.CONTROL, line, t, -1, setup, answer);
        }
        case "apdu": {
            String[] parts = arrow(rest);
            return new Step(Step.Kind.APDU, line, t, -1, Template.parse(parts[0], false), Template.parse(parts[1], true));
        }
        default:
            throw new IllegalArgumentException("unknown step \"" + kw[0] + "\" (slot, insert, remove, power-on,"
                    + " power-off, send, expect, quiet, interrupt, no-interrupt, control, apdu)");
        }
    }

    private static void needBytes(String rest) {
        if (rest.isEmpty()) {
            throw new IllegalArgumentException("the expected bytes are missing");
        }
    }

    private static void noArgs(String rest) {
        if (!rest.isEmpty()) {
            throw new IllegalArgumentException("this step takes no argument");
        }
    }

    private static int slotArg(String rest, boolean optional) {
        if (rest.isEmpty()) {
            if (optional) {
                return -1;
            }
            throw new IllegalArgumentException("slot number missing");
        }
        try {
            int s = Integer.parseInt(rest);
            if (s < 0 || s > 63) {
                throw new IllegalArgumentException("slot must be 0..63");
            }
            return s;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("slot must be a number");
        }
    }

    private static String[] arrow(String rest) {
        int a = rest.indexOf("->");
        if (a < 0) {
            throw new IllegalArgumentException("expected \"<bytes> -> <answer>\"");
        }
        return new String[] { rest.substring(0, a).trim(), rest.substring(a + 2).trim() };
    }
}
