package org.vccid.conformance.internal.vector;

/** A vector file that does not follow the format; the message names the file and line. */
public class VectorFormatException extends Exception {
    private static final long serialVersionUID = 1L;

    public VectorFormatException(String source, int line, String message) {
        super(source + ":" + line + ": " + message);
    }
}
