package org.vccid.transport;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * What a reader sends to its host; implemented by a transport. Methods may be called from any thread but never
 * concurrently for one session, and must not block: a transport queues for its connection's single writer.
 *
 * <p>The reader calls these methods while holding its own lock, so they must not wait for a lock that the
 * transport holds while calling into {@link CcidSession} (hand over through a concurrent queue instead). They may
 * call {@link CcidSession#takeInterrupt()} of the same session.
 */
@ConsumerType
public interface HostLink {

    /**
     * One whole RDR_to_PC message for the bulk IN pipe. The buffer is only valid during the call: copy what you
     * keep.
     */
    void bulkIn(byte[] buffer, int offset, int length);

    /** An interrupt IN message is due: fetch it with {@link CcidSession#takeInterrupt()}. */
    void interruptAvailable();

    /** The reader is going away (its configuration was deleted or its bundle stopped). */
    void detached();
}
