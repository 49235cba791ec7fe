package org.vccid.transport.serial.internal.line;

import org.vccid.transport.CcidDevice;
import org.vccid.transport.serial.internal.framing.SerialLine;

/**
 * What holds our end of one serial line: a TCP listener that socat turns into a pty ({@link SerialLineServer}), or
 * a pty of our own ({@link SerialPty}).
 */
public interface LineHolder extends AutoCloseable {

    /**
     * Whether our end is connected and what the host wrote before we listened has been dropped: from now on the
     * host's frames are answered. Start pcscd only then, or its first command (the firmware escape, 2 s timeout)
     * may be dropped.
     */
    boolean lineReady();

    /** Wait up to {@code millis} for {@link #lineReady()}. */
    default boolean awaitLineReady(long millis) throws InterruptedException {
        long deadline = System.nanoTime() + millis * 1_000_000L;
        while (!lineReady()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(10);
        }
        return true;
    }

    /** The framing state of the line now (for tests and diagnostics), or null. */
    SerialLine line();

    /** A reader service is going away: detach from it. */
    void deviceGone(CcidDevice device);

    /** Where the host finds the line, for logs: {@code 127.0.0.1:port} or the pty link. */
    String describe();

    @Override
    void close();
}
