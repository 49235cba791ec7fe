package org.vccid.conformance.internal.runner;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.vccid.card.Card;
import org.vccid.conformance.internal.vector.Vector;
import org.vccid.conformance.target.CardSource;
import org.vccid.conformance.target.Target;

/** One run: vectors x one target x one card, with progress lines, the summary line and a JUnit XML report. */
public final class Conformance {

    private Conformance() {
    }

    /**
     * Run every vector, print a progress line per vector (and the diff of failures), the summary line last.
     *
     * @param reportDir where {@code TEST-conformance.<target>.<card>.xml} goes, or {@code null}
     */
    public static List<VectorResult> run(List<Vector> vectors, Target target, CardSource cards, Runner runner,
            PrintStream out, Path reportDir) throws IOException {
        String suite = suiteName(target, cards);
        out.println("conformance: " + vectors.size() + " vector(s), target " + target.name() + ", card "
                + cards.properties().get(Card.TYPE));
        List<VectorResult> results = new ArrayList<>();
        int i = 0;
        for (Vector v : vectors) {
            VectorResult r = runner.run(v, target, cards);
            results.add(r);
            out.println("[" + ++i + "/" + vectors.size() + "] " + r.line());
            if (r.outcome() == Outcome.FAILED || r.outcome() == Outcome.ERROR) {
                out.print(indent(r.detail()));
            }
        }
        if (reportDir != null) {
            out.println("report: " + JUnitXml.write(reportDir, suite, results));
        }
        long skipped = Summary.skipped(results);
        if (skipped > 0) {
            out.println(skipped + " skipped (the card or the target does not fit them; reasons above)");
        }
        out.println(Summary.line(results));
        return results;
    }

    /** {@code conformance.<target>.<card type>}. */
    public static String suiteName(Target target, CardSource cards) {
        return "conformance." + target.name() + "." + cards.properties().get(Card.TYPE);
    }

    private static String indent(String s) {
        StringBuilder sb = new StringBuilder();
        for (String l : s.split("\n")) {
            sb.append("    ").append(l).append('\n');
        }
        return sb.toString();
    }
}
