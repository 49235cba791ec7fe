package org.vccid.conformance.internal.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Command-line options shared by the CLI and the Gogo command. Pure. */
public final class Options {

    public static final String USAGE = String.join("\n",
            "usage: conformance [options] [vector files or folders...]",
            "Replays CCID and ISO 7816 test vectors against a transport (target) and a card personality.",
            "Without files, runs the built-in library (vectors/ccid, vectors/apdu, vectors/tpdu).",
            "  --target NAME    host side of the transport to test (default in-process)",
            "  --card FILTER    LDAP filter choosing the card (default (vccid.card.type=conformance))",
            "  --only PREFIX    only built-in vectors whose name starts with PREFIX, e.g. ccid/ or tpdu/t0-",
            "                   (repeatable)",
            "  --report DIR     write a JUnit XML report (Surefire format) into DIR",
            "  --timeout MS     how long a step waits for an answer (default 5000)",
            "  --list           list the built-in vectors and the clauses they check, run nothing",
            "  --help           this text",
            "Prints one line per vector, the diff of every failure, and ends with \"N passed, N failed\".",
            "Exit code (CLI): 0 when nothing failed, 1 when a vector failed, 2 on a usage error.");

    public String target = "in-process";
    public String card = "(vccid.card.type=conformance)";
    public final List<String> only = new ArrayList<>();
    public Path report;
    public long timeout = 5000;
    public boolean list;
    public boolean help;
    public final List<Path> files = new ArrayList<>();

    /** @throws IllegalArgumentException on a bad option, with a readable message */
    public static Options parse(String... args) {
        Options o = new Options();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
            case "--help":
            case "-h":
                o.help = true;
                break;
            case "--list":
                o.list = true;
                break;
            case "--target":
                o.target = value(args, ++i, a);
                break;
            case "--card":
                o.card = value(args, ++i, a);
                break;
            case "--only":
                o.only.add(value(args, ++i, a));
                break;
            case "--report":
                o.report = Path.of(value(args, ++i, a));
                break;
            case "--timeout":
                try {
                    o.timeout = Long.parseLong(value(args, ++i, a));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("--timeout takes milliseconds");
                }
                break;
            default:
                if (a.startsWith("-")) {
                    throw new IllegalArgumentException("unknown option " + a + " (see --help)");
                }
                o.files.add(Path.of(a));
                break;
            }
        }
        return o;
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }
}
