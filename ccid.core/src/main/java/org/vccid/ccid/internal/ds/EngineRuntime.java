package org.vccid.ccid.internal.ds;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.vccid.ccid.internal.engine.CardClaims;

/**
 * What all readers of this bundle share: the pool that runs blocking card calls, the timer that sends time
 * extensions, and the card claims (a card is in one slot at a time). Owned by DS, so it lives and dies with the
 * bundle: no static state.
 */
@Component(service = EngineRuntime.class)
public class EngineRuntime {

    private ThreadPoolExecutor pool;
    private ScheduledThreadPoolExecutor timer;
    private final CardClaims claims = new CardClaims();

    @Activate
    void activate() {
        // threads come and go with busy slots: hundreds of idle readers cost no thread
        pool = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS, new SynchronousQueue<>(),
                threads("vccid-card-"));
        timer = new ScheduledThreadPoolExecutor(1, threads("vccid-timer-"));
        timer.setRemoveOnCancelPolicy(true);
    }

    @Deactivate
    void deactivate() {
        timer.shutdownNow();
        pool.shutdownNow();
    }

    public ExecutorService pool() {
        return pool;
    }

    public ScheduledThreadPoolExecutor timer() {
        return timer;
    }

    public CardClaims claims() {
        return claims;
    }

    static ThreadFactory threads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

}
