package org.vccid.conformance.internal.pcsc;

import org.vccid.pcsc.Pcsc;
import org.vccid.pcsc.PcscException;
/**
 * One PC/SC context of this JVM, established when first needed and again when pcscd went away since (the JDK has no
 * SCardReleaseContext: a dead context's socket is left to the JVM). Thread safe.
 */
public final class PcscContext {

    private final Pcsc pc;
    private long context;

    public PcscContext(Pcsc pc) {
        this.pc = pc;
    }

    /** The PC/SC calls this context is for. */
    public Pcsc pcsc() {
        return pc;
    }

    /** A context that worked a moment ago (checked with SCardListReaders). */
    public synchronized long get() throws PcscException {
        if (context != 0) {
            try {
                pc.listReaders(context);
                return context;
            } catch (PcscException e) {
                context = 0;
            }
        }
        context = pc.establishContext();
        return context;
    }
}
