package org.vccid.conformance.internal.runner;

import java.util.List;

/** The result of one vector file. Immutable. */
public final class VectorResult {

    private final String name;
    private final String title;
    private final List<String> clauses;
    private final Outcome outcome;
    private final String message;
    private final String detail;
    private final long millis;

    public VectorResult(String name, String title, List<String> clauses, Outcome outcome, String message,
            String detail, long millis) {
        this.name = name;
        this.title = title;
        this.clauses = List.copyOf(clauses);
        this.outcome = outcome;
        this.message = message;
        this.detail = detail;
        this.millis = millis;
    }

    public String name() {
        return name;
    }

    public String title() {
        return title;
    }

    public List<String> clauses() {
        return clauses;
    }

    public Outcome outcome() {
        return outcome;
    }

    /** One line: what went wrong (or why skipped); empty when passed. */
    public String message() {
        return message;
    }

    /** The readable diff of expected vs actual bytes, and the transcript; empty when passed. */
    public String detail() {
        return detail;
    }

    public long millis() {
        return millis;
    }

    /** The progress line: {@code PASS ccid/power-on.vec (CCID 1.1 §6.1.1) 3 ms}. */
    public String line() {
        String tag = outcome == Outcome.PASSED ? "PASS" : outcome == Outcome.FAILED ? "FAIL"
                : outcome == Outcome.ERROR ? "ERROR" : "SKIP";
        return tag + " " + name + " (" + String.join("; ", clauses) + ") " + millis + " ms"
                + (message.isEmpty() ? "" : ": " + message);
    }
}
