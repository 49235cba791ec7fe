package org.vccid.ccid.internal.engine;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Arrays;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.vccid.ccid.CcidMessage;
import org.vccid.transport.CcidDevice;
import org.vccid.transport.CcidSession;
import org.vccid.transport.HostLink;

/** A host for engine tests: sends PC_to_RDR messages, collects what the reader answers. */
final class Host implements HostLink {

    final LinkedBlockingQueue<byte[]> bulkIn = new LinkedBlockingQueue<>();
    final AtomicInteger interrupts = new AtomicInteger();
    volatile boolean detached;
    final CcidSession session;

    Host(CcidDevice device) {
        session = device.attach(this);
    }

    @Override
    public void bulkIn(byte[] buffer, int offset, int length) {
        bulkIn.add(Arrays.copyOfRange(buffer, offset, offset + length));
    }

    @Override
    public void interruptAvailable() {
        interrupts.incrementAndGet();
    }

    @Override
    public void detached() {
        detached = true;
    }

    void sendRaw(byte[] message) {
        session.bulkOut(message, 0, message.length);
    }

    void send(CcidMessage m) {
        sendRaw(m.toBytes());
    }

    /** The next message from the reader (5 s at most). */
    CcidMessage receive() {
        try {
            byte[] m = bulkIn.poll(5, TimeUnit.SECONDS);
            assertNotNull(m, "no answer from the reader within 5 s");
            return CcidMessage.parse(m);
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * Send and return the single answer, skipping time extensions (a blocking card on a loaded machine may earn
     * some; tests about them read with {@link #receive()}).
     */
    CcidMessage exchange(CcidMessage m) {
        send(m);
        CcidMessage r = receive();
        while (r.commandStatus() == org.vccid.ccid.Ccid.COMMAND_STATUS_TIME_EXTENSION && r.seq() == m.seq()) {
            r = receive();
        }
        assertQuiet();
        return r;
    }

    void assertQuiet() {
        assertNull(bulkIn.peek(), "unexpected extra message");
    }
}
