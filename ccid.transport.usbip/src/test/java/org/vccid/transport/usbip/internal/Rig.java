package org.vccid.transport.usbip.internal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;

import org.vccid.ccid.internal.engine.CardClaims;
import org.vccid.ccid.internal.engine.CcidEngine;
import org.vccid.ccid.internal.engine.ReaderSettings;
import org.vccid.testcard.TestCard;

/**
 * A USB/IP server on a loopback port from this module's range (37500-37599) with engines from ccid.core holding test
 * cards. Test scope: it reaches into ccid.core's engine package.
 */
public final class Rig implements AutoCloseable {

    private static final AtomicInteger NEXT_PORT = new AtomicInteger(37510);

    public final ExecutorService pool = Executors.newCachedThreadPool();
    public final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    public final CardClaims claims = new CardClaims();
    public final UsbIpServer server;
    public final int port;
    public final List<CcidEngine> engines = new ArrayList<>();

    public Rig() throws IOException {
        this(-1, -1);
    }

    public Rig(int idVendor, int idProduct) throws IOException {
        UsbIpServer s = null;
        IOException last = null;
        for (int i = 0; i < 20 && s == null; i++) {
            int p = NEXT_PORT.getAndIncrement();
            if (p > 37589) {
                NEXT_PORT.set(37510);
                p = NEXT_PORT.getAndIncrement();
            }
            UsbIpServer candidate = new UsbIpServer(
                    new UsbIpServer.Settings("127.0.0.1", p, 1, idVendor, idProduct, 16, 2_000));
            try {
                candidate.start();
                s = candidate;
            } catch (IOException e) {
                last = e; // taken: try the next one of ours
            }
        }
        if (s == null) {
            throw last;
        }
        server = s;
        port = s.port();
    }

    /** A reader with {@code card} in slot 0 (null: empty), exported; returns the engine. */
    public CcidEngine reader(String name, TestCard card) {
        return reader(ReaderSettings.builder(name).timeExtensionMillis(10_000), card);
    }

    public CcidEngine reader(ReaderSettings.Builder b, TestCard card) {
        CcidEngine e = new CcidEngine(b.build(), pool, timer, claims);
        if (card != null) {
            e.slot(0).insert(card);
        }
        engines.add(e);
        server.export(e);
        return e;
    }

    @Override
    public void close() {
        server.close();
        for (CcidEngine e : engines) {
            e.close();
        }
        pool.shutdownNow();
        timer.shutdownNow();
    }
}
