package org.vccid.card.pcsc.mirror.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.vccid.card.Card;

/** Records what a mirror registers and logs (the test's stand-in for the OSGi registry and log). */
final class Recorder implements HostMirror.Registrar, MirrorLog {

    /** "+name" on registration, "-name" on unregistration. */
    final BlockingQueue<String> events = new LinkedBlockingQueue<>();
    final Map<String, MirrorCard> cards = new ConcurrentHashMap<>();
    final Map<String, Map<String, Object>> properties = new ConcurrentHashMap<>();
    private final List<String> log = new ArrayList<>();

    @Override
    public HostMirror.Registration register(MirrorCard card, Map<String, Object> props) {
        String name = (String) props.get(Card.NAME);
        cards.put(name, card);
        properties.put(name, Map.copyOf(props));
        events.add("+" + name);
        return () -> {
            cards.remove(name, card);
            events.add("-" + name);
        };
    }

    /** The next registration event, or fails after the limit. */
    String next(long seconds) throws InterruptedException {
        String e = events.poll(seconds, TimeUnit.SECONDS);
        if (e == null) {
            throw new AssertionError("no mirror event within " + seconds + " s; log:\n" + String.join("\n", log()));
        }
        return e;
    }

    synchronized List<String> log() {
        return new ArrayList<>(log);
    }

    synchronized long count(String level, String fragment) {
        return log.stream().filter(l -> l.startsWith(level + " ") && l.contains(fragment)).count();
    }

    private synchronized void add(String line) {
        log.add(line);
        System.out.println("[mirror] " + line);
    }

    @Override
    public void debug(String message) {
        add("DEBUG " + message);
    }

    @Override
    public void info(String message) {
        add("INFO " + message);
    }

    @Override
    public void warn(String message) {
        add("WARN " + message);
    }

    @Override
    public void error(String message, Throwable t) {
        add("ERROR " + message + ": " + t);
    }
}
