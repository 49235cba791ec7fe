package org.vccid.conformance.internal.inprocess;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import org.vccid.ccid.internal.engine.CardClaims;
import org.vccid.ccid.internal.engine.CcidEngine;
import org.vccid.ccid.internal.engine.ExchangeLevel;
import org.vccid.ccid.internal.engine.ReaderSettings;
import org.vccid.conformance.target.ReaderSpec;
import org.vccid.reader.Reader;
import org.vccid.transport.CcidDevice;

/**
 * Readers for plain (non-OSGi) runs, the CLI and JUnit: ccid.core's engine built directly, as ccid.core's own
 * reader component builds it. The engine package is private to ccid.core; it is reachable here only on a plain
 * class path. In OSGi this class is never loaded (its import is optional) and {@link ConfigAdminReaders} is used.
 */
public final class EngineReaders implements ReaderFactory, AutoCloseable {

    private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "vccid-conformance-card");
        t.setDaemon(true);
        return t;
    });
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "vccid-conformance-timer");
        t.setDaemon(true);
        return t;
    });
    private final CardClaims claims = new CardClaims();

    /** An in-process target on engines of this factory. */
    public static InProcessTarget target(EngineReaders readers) {
        return new InProcessTarget(readers);
    }

    @Override
    public Built create(String name, ReaderSpec spec) {
        ReaderSettings settings = ReaderSettings.builder(name).slots(spec.slots())
                .level(ExchangeLevel.valueOf(spec.level().name())).maxMessageLength(spec.maxMessageLength())
                .timeExtensionMillis(spec.timeExtensionMillis()).build();
        CcidEngine engine = new CcidEngine(settings, pool, timer, claims);
        return new Built() {
            @Override
            public CcidDevice device() {
                return engine;
            }

            @Override
            public Reader reader() {
                return engine;
            }

            @Override
            public void close() {
                engine.close();
            }
        };
    }

    @Override
    public void close() {
        timer.shutdownNow();
        pool.shutdownNow();
    }
}
