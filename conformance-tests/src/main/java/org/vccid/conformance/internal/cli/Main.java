package org.vccid.conformance.internal.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.vccid.card.Card;
import org.vccid.conformance.internal.card.ConformanceCard;
import org.vccid.conformance.internal.inprocess.EngineReaders;
import org.vccid.conformance.internal.inprocess.InProcessTarget;
import org.vccid.conformance.internal.runner.ClassCardSource;
import org.vccid.conformance.internal.runner.Conformance;
import org.vccid.conformance.internal.runner.Library;
import org.vccid.conformance.internal.runner.Runner;
import org.vccid.conformance.internal.runner.Summary;
import org.vccid.conformance.internal.runner.VectorResult;
import org.vccid.conformance.internal.vector.Vector;
import org.vccid.conformance.target.CardSource;

/**
 * {@code java -jar conformance-tests-<version>.jar [options] [files]}: the plain (non-OSGi) front end. It has the
 * in-process target and the cards whose classes it knows (the conformance reference card); inside OSGi, the Gogo
 * command {@code vccid:conformance} sees every Target and Card service.
 */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(System.out, System.err, args));
    }

    /** Runs and returns the exit code. */
    public static int run(PrintStream out, PrintStream err, String... args) {
        Options o;
        try {
            o = Options.parse(args);
        } catch (IllegalArgumentException e) {
            err.println("conformance: " + e.getMessage());
            err.println(Options.USAGE);
            return 2;
        }
        if (o.help) {
            out.println(Options.USAGE);
            out.println("targets: " + InProcessTarget.NAME + " (plain run); cards: (vccid.card.type=conformance)");
            return 0;
        }
        try {
            List<Vector> vectors = vectors(o);
            if (o.list) {
                for (Vector v : vectors) {
                    out.println(v.name() + "  " + String.join("; ", v.clauses()) + "  -- " + v.title());
                }
                return 0;
            }
            if (!o.target.equals(InProcessTarget.NAME)) {
                err.println("conformance: unknown target " + o.target + "; a plain run has " + InProcessTarget.NAME
                        + " (transports contribute theirs as OSGi services: use the Gogo command vccid:conformance)");
                return 2;
            }
            CardSource cards = cards(o.card);
            if (cards == null) {
                err.println("conformance: no card matches " + o.card + "; a plain run has (vccid.card.type=conformance)");
                return 2;
            }
            try (EngineReaders readers = new EngineReaders()) {
                List<VectorResult> results = Conformance.run(vectors, EngineReaders.target(readers), cards,
                        new Runner(o.timeout), out, o.report);
                if (Summary.ran(results) == 0) {
                    err.println("conformance: no vector ran");
                    return 1;
                }
                return Summary.allPassed(results) ? 0 : 1;
            }
        } catch (Exception e) {
            err.println("conformance: " + e.getMessage());
            return 2;
        }
    }

    static List<Vector> vectors(Options o) throws Exception {
        if (o.files.isEmpty()) {
            return Library.builtIn(o.only);
        }
        List<Vector> all = new ArrayList<>();
        for (Path p : o.files) {
            all.addAll(Library.files(p));
        }
        return all;
    }

    /** The cards a plain run knows, by filter. */
    static CardSource cards(String filter) {
        CardSource conformance = new ClassCardSource(Map.of(Card.TYPE, "conformance", Card.NAME, "conformance"),
                ConformanceCard::new);
        return org.vccid.conformance.internal.runner.Filters.matches(filter, conformance.properties()) ? conformance
                : null;
    }
}
