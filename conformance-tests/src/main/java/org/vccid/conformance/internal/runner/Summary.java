package org.vccid.conformance.internal.runner;

import java.util.List;

/** Counts of a run and the summary line every front end ends with. */
public final class Summary {

    private Summary() {
    }

    /** The last line of every run: {@code N passed, N failed} (errors count as failed). */
    public static String line(List<VectorResult> results) {
        long passed = results.stream().filter(r -> r.outcome() == Outcome.PASSED).count();
        long failed = results.stream().filter(r -> r.outcome() == Outcome.FAILED || r.outcome() == Outcome.ERROR)
                .count();
        return passed + " passed, " + failed + " failed";
    }

    /** Vectors skipped (the card or the target does not fit them). */
    public static long skipped(List<VectorResult> results) {
        return results.stream().filter(r -> r.outcome() == Outcome.SKIPPED).count();
    }

    /** Vectors that ran (not skipped). */
    public static long ran(List<VectorResult> results) {
        return results.size() - skipped(results);
    }

    public static boolean allPassed(List<VectorResult> results) {
        return results.stream().noneMatch(r -> r.outcome() == Outcome.FAILED || r.outcome() == Outcome.ERROR);
    }
}
