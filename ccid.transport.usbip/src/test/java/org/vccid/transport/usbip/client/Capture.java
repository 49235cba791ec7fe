package org.vccid.transport.usbip.client;

import java.util.ArrayList;
import java.util.List;

/** The bytes of one USB/IP TCP connection, message by message, in the order they crossed the wire. */
public final class Capture {

    /** One message (or OP exchange part); {@code fromClient} true for client to server. */
    public record Segment(boolean fromClient, long nanos, byte[] bytes) {
    }

    private final List<Segment> segments = new ArrayList<>();
    public final int clientPort;
    public final int serverPort;

    public Capture(int clientPort, int serverPort) {
        this.clientPort = clientPort;
        this.serverPort = serverPort;
    }

    public synchronized void add(boolean fromClient, byte[] bytes) {
        segments.add(new Segment(fromClient, System.nanoTime(), bytes.clone()));
    }

    public synchronized List<Segment> segments() {
        return new ArrayList<>(segments);
    }
}
