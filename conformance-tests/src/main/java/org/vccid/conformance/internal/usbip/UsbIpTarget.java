package org.vccid.conformance.internal.usbip;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicInteger;

import org.vccid.conformance.internal.slots.SlotCards;
import org.vccid.conformance.target.CardSource;
import org.vccid.conformance.target.ReaderSpec;
import org.vccid.conformance.target.Target;
import org.vccid.conformance.target.TargetSession;

/**
 * The USB/IP target: the reader is exported by ccid.transport.usbip's server and the runner is a USB/IP host
 * ({@link UsbIpHost}) that imports it, checks that the device's product string is the reader's name, and moves
 * CCID messages through bulk, interrupt and control URBs.
 */
public final class UsbIpTarget implements Target {

    public static final String NAME = "usbip";

    private final UsbIpExports exports;
    private final long timeoutMillis;
    private final AtomicInteger count = new AtomicInteger();
    private final AtomicInteger open = new AtomicInteger();

    public UsbIpTarget(UsbIpExports exports, long timeoutMillis) {
        this.exports = exports;
        this.timeoutMillis = timeoutMillis;
    }

    @Override
    public String name() {
        return NAME;
    }

    /** Sessions open now (tests: one imported connection per session). */
    public int openSessions() {
        return open.get();
    }

    @Override
    public TargetSession open(ReaderSpec spec, CardSource cards) throws Exception {
        String name = "vccid usbip conformance " + count.incrementAndGet();
        UsbIpExports.Export e = exports.export(name, spec);
        UsbIpHost host = null;
        try {
            host = new UsbIpHost(e.host(), e.port(), e.busid(), timeoutMillis);
            String product = host.product();
            if (!name.equals(product)) {
                throw new IOException("busid " + e.busid() + " at " + e.host() + ":" + e.port() + " is \"" + product
                        + "\", not the reader \"" + name + "\" made for this vector");
            }
            open.incrementAndGet();
            return new Session(e, host, cards);
        } catch (Exception | Error x) {
            if (host != null) {
                host.close();
            }
            e.close();
            throw x;
        }
    }

    private final class Session implements TargetSession {
        private final UsbIpExports.Export export;
        private final UsbIpHost host;
        private final SlotCards slots;
        private boolean closed;

        Session(UsbIpExports.Export export, UsbIpHost host, CardSource cards) {
            this.export = export;
            this.host = host;
            this.slots = new SlotCards(export.reader(), cards);
        }

        @Override
        public void send(byte[] message) throws Exception {
            host.send(message);
        }

        @Override
        public byte[] receive(long timeoutMillis) throws Exception {
            return host.receive(timeoutMillis);
        }

        @Override
        public byte[] interrupt(long timeoutMillis) throws Exception {
            return host.interrupt(timeoutMillis);
        }

        @Override
        public byte[] control(int bmRequestType, int bRequest, int wValue, int wLength) throws Exception {
            return host.control(bmRequestType, bRequest, wValue, wLength);
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
            if (closed) {
                return;
            }
            closed = true;
            open.decrementAndGet();
            host.close();
            export.close();
            slots.releaseAll();
        }
    }
}
