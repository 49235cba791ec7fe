package org.vccid.card.pcsc.mirror.internal;

import org.vccid.pcsc.JdkPcsc;

import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

import org.vccid.card.Card;

/**
 * Test scope of conformance-tests only: card.pcsc-mirror's {@link HostMirror} (package-private) outside OSGi, its
 * registrations handed to callbacks instead of the service registry, for the "mirror as a card source" run.
 */
public final class ConformanceMirror {

    private ConformanceMirror() {
    }

    /** Why the mirror cannot work in this JVM (no add-opens, no libpcsclite), or null. */
    public static String unavailableReason() {
        return new JdkPcsc().unavailableReason();
    }

    /**
     * Mirror the cards of the host readers whose whole name matches {@code readerPattern} (shared mode, any
     * protocol); {@code added} gets each mirrored card and its service properties, {@code removed} the card when it
     * goes. Close the result to stop the mirror.
     */
    public static AutoCloseable start(String readerPattern, BiConsumer<Card, Map<String, Object>> added,
            Consumer<Card> removed) {
        HostMirror m = new HostMirror(new JdkPcsc(), new Settings(readerPattern, "", "shared", "*", 300, 200),
                (card, properties) -> {
                    added.accept(card, properties);
                    return () -> removed.accept(card);
                }, new MirrorLog() {
                    @Override
                    public void debug(String message) {
                    }

                    @Override
                    public void info(String message) {
                    }

                    @Override
                    public void warn(String message) {
                        System.out.println("pcsc-mirror WARN: " + message);
                    }

                    @Override
                    public void error(String message, Throwable t) {
                        System.out.println("pcsc-mirror ERROR: " + message + " " + t);
                    }
                });
        m.start();
        return m::stop;
    }
}
