package org.vccid.transport.vsc.protocol;

/** The byte stream breaks the VSCard protocol badly enough that the connection must be closed. */
public class VscProtocolException extends Exception {
    private static final long serialVersionUID = 1L;

    public VscProtocolException(String message) {
        super(message);
    }
}
