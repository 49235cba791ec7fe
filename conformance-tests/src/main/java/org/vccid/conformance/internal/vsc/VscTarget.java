package org.vccid.conformance.internal.vsc;

import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import org.vccid.conformance.target.CardSource;
import org.vccid.conformance.target.NotSupportedException;
import org.vccid.conformance.target.ReaderSpec;
import org.vccid.conformance.target.Target;
import org.vccid.conformance.target.TargetSession;

/**
 * The {@code vsc} target: the conformance runner plays QEMU's {@code ccid-card-passthru} (the VSCard host, see
 * {@link PassthruHost}) and the card of the run sits behind ccid.transport.vsc's card side, which connects to it
 * over loopback. A host that sees cards, not CCID messages: {@link Target.Feature#APDU} only. One card per
 * connection (QEMU's passthru device is one reader with one slot): a vector asking for more slots is declined.
 */
public final class VscTarget implements Target {

    public static final String NAME = "vsc";

    /** Settings of the target. */
    public static final class Settings {
        final String host;
        final int port;
        final int ports;
        final long connectTimeoutMillis;
        final long answerTimeoutMillis;

        /**
         * @param host address to listen on (loopback)
         * @param port first port to listen on, 0 for any free one
         * @param ports how many consecutive ports from {@code port} to try (a port of the range may be held for a
         *        while by a client socket that got it as its ephemeral port)
         * @param connectTimeoutMillis how long a card side may take to connect and add its reader
         * @param answerTimeoutMillis how long an ATR, an APDU answer or a removal may take
         */
        public Settings(String host, int port, int ports, long connectTimeoutMillis, long answerTimeoutMillis) {
            if (port < 0 || port > 65535 || ports < 1 || port + ports - 1 > 65535) {
                throw new IllegalArgumentException("ports " + port + " + " + ports);
            }
            this.host = host;
            this.port = port;
            this.ports = port == 0 ? 1 : ports;
            this.connectTimeoutMillis = Math.max(1, connectTimeoutMillis);
            this.answerTimeoutMillis = Math.max(1, answerTimeoutMillis);
        }

        public Settings(String host, int port, long connectTimeoutMillis, long answerTimeoutMillis) {
            this(host, port, 1, connectTimeoutMillis, answerTimeoutMillis);
        }

        @Override
        public String toString() {
            return host + ":" + port + (ports > 1 ? "-" + (port + ports - 1) : "");
        }
    }

    private final Settings settings;
    private final CardSides cardSides;
    private final AtomicInteger sessions = new AtomicInteger();

    public VscTarget(Settings settings, CardSides cardSides) {
        this.settings = settings;
        this.cardSides = cardSides;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Set<Feature> features() {
        return EnumSet.of(Feature.APDU);
    }

    @Override
    public TargetSession open(ReaderSpec reader, CardSource cards) throws Exception {
        if (reader.slots() > 1) {
            throw new NotSupportedException("VSC carries one card per connection (QEMU's ccid-card-passthru is a"
                    + " one-slot reader); the vector wants " + reader.slots() + " slots");
        }
        return VscTargetSession.open(settings, cardSides, cards,
                "vccid conformance " + ProcessHandle.current().pid() + "-" + sessions.incrementAndGet());
    }
}
