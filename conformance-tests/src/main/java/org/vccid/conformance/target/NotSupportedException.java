package org.vccid.conformance.target;

/**
 * Thrown by {@link Target#open} when the transport cannot give what a vector asks for (a slot count, a reader
 * level its host cannot use). Not a failure: the runner reports the vector as skipped, with this message as the
 * reason.
 */
public class NotSupportedException extends Exception {

    private static final long serialVersionUID = 1L;

    public NotSupportedException(String reason) {
        super(reason);
    }
}
