package org.vccid.conformance.internal.pcsc;

/**
 * One PC/SC context of this JVM, established when first needed and again when pcscd went away since (the JDK has no
 * SCardReleaseContext: a dead context's socket is left to the JVM). Thread safe.
 */
public final class PcscContext {

    private final Winscard pc;
    private long context;

    public PcscContext(Winscard pc) {
        this.pc = pc;
    }

    /** A context that worked a moment ago (checked with SCardListReaders). */
    public synchronized long get() throws Winscard.PcscError {
        if (context != 0) {
            try {
                pc.listReaders(context);
                return context;
            } catch (Winscard.PcscError e) {
                context = 0;
            }
        }
        context = pc.establishContext();
        return context;
    }
}
