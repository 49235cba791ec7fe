package org.vccid.conformance.internal.runner;

/** How one vector ended. */
public enum Outcome {
    /** Every step matched. */
    PASSED,
    /** An answer differed from the expectation. */
    FAILED,
    /** The vector could not run (no reader, no card, a transport error). */
    ERROR,
    /** The run's card does not fit the vector's {@code # requires:} filter. */
    SKIPPED
}
