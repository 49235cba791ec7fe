package org.vccid.conformance.target;

/**
 * Thrown by {@link Target#open} when the transport cannot give what a vector asks for (a slot count, a reader
 * level its host cannot use), or by a {@link TargetSession} method when the transport cannot carry that step as
 * written (a message a serial line framed by dwLength cannot delimit, an escape the line answers itself). Not a
 * failure: the runner reports the vector as skipped, with this message as the reason (and, for a step, its line).
 */
public class NotSupportedException extends Exception {

    private static final long serialVersionUID = 1L;

    public NotSupportedException(String reason) {
        super(reason);
    }
}
