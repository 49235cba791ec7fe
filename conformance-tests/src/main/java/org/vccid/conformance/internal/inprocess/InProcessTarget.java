package org.vccid.conformance.internal.inprocess;

import java.util.Arrays;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.vccid.conformance.internal.slots.SlotCards;
import org.vccid.conformance.target.CardSource;
import org.vccid.conformance.target.ReaderSpec;
import org.vccid.conformance.target.Target;
import org.vccid.conformance.target.TargetSession;
import org.vccid.transport.CcidSession;
import org.vccid.transport.HostLink;

/**
 * The in-process target: no transport at all, the runner is the host and talks to the reader through the
 * transport SPI ({@link org.vccid.transport.CcidDevice#attach}) exactly as a transport would. It checks the
 * reader engine itself; the other targets add their wire on top.
 */
public final class InProcessTarget implements Target {

    public static final String NAME = "in-process";

    private final ReaderFactory readers;
    private final AtomicInteger count = new AtomicInteger();

    public InProcessTarget(ReaderFactory readers) {
        this.readers = readers;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public TargetSession open(ReaderSpec spec, CardSource cards) throws Exception {
        ReaderFactory.Built built = readers.create("vccid conformance " + count.incrementAndGet(), spec);
        try {
            return new Session(built, cards);
        } catch (RuntimeException e) {
            built.close();
            throw e;
        }
    }

    private static final class Session implements TargetSession, HostLink {
        private final ReaderFactory.Built built;
        private final SlotCards slots;
        private final CcidSession session;
        private final LinkedBlockingQueue<byte[]> bulkIn = new LinkedBlockingQueue<>();
        private final Semaphore interrupts = new Semaphore(0);

        Session(ReaderFactory.Built built, CardSource cards) {
            this.built = built;
            this.slots = new SlotCards(built.reader(), cards);
            this.session = built.device().attach(this);
        }

        // HostLink: called by the reader
        @Override
        public void bulkIn(byte[] buffer, int offset, int length) {
            bulkIn.add(Arrays.copyOfRange(buffer, offset, offset + length));
        }

        @Override
        public void interruptAvailable() {
            interrupts.release();
        }

        @Override
        public void detached() {
            // the reader went away; the next receive times out and the vector reports it
        }

        // TargetSession: called by the runner
        @Override
        public void send(byte[] message) {
            session.bulkOut(message, 0, message.length);
        }

        @Override
        public byte[] receive(long timeoutMillis) throws InterruptedException {
            return timeoutMillis <= 0 ? bulkIn.poll() : bulkIn.poll(timeoutMillis, TimeUnit.MILLISECONDS);
        }

        @Override
        public byte[] interrupt(long timeoutMillis) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
            while (true) {
                // like a host polling the interrupt pipe: whatever is due now
                byte[] m = session.takeInterrupt();
                long left = deadline - System.nanoTime();
                if (m != null || left <= 0) {
                    return m;
                }
                interrupts.tryAcquire(left, TimeUnit.NANOSECONDS);
            }
        }

        @Override
        public byte[] control(int bmRequestType, int bRequest, int wValue, int wLength) {
            return session.controlRequest(bmRequestType, bRequest, wValue, wLength);
        }

        @Override
        public void insert(int slot) {
            slots.insert(slot);
        }

        @Override
        public void remove(int slot) {
            slots.remove(slot);
        }

        @Override
        public void close() {
            session.close();
            built.close();
            slots.releaseAll();
        }
    }
}
