package org.vccid.card;

/** The card cannot answer at all (it is mute, gone, or its backend failed). Not for error status words. */
public class CardException extends Exception {
    private static final long serialVersionUID = 1L;

    public CardException(String message) {
        super(message);
    }

    public CardException(String message, Throwable cause) {
        super(message, cause);
    }
}
