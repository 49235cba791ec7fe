package org.vccid.bench;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;
import org.vccid.card.Card;
import org.vccid.ccid.Ccid;
import org.vccid.ccid.CcidMessage;
import org.vccid.ccid.internal.engine.CardClaims;
import org.vccid.ccid.internal.engine.CcidEngine;
import org.vccid.ccid.internal.engine.ExchangeLevel;
import org.vccid.ccid.internal.engine.ReaderSettings;
import org.vccid.iso7816.Hex;
import org.vccid.iso7816.t1.T1Block;
import org.vccid.transport.CcidSession;
import org.vccid.transport.HostLink;

/**
 * One whole CCID exchange in process: PC_to_RDR_XfrBlock in → decode → engine → a trivial card → RDR_to_PC_DataBlock
 * out to the transport's HostLink. Short APDU level with a 10-byte APDU, and TPDU level at T=1 (the engine plays
 * the T=1 card side: block check, LRC, I-block out).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
public class ExchangeBenchmark {

    /** Answers 90 00 at once; the response array is the one allocation an exchange may make. */
    static final class TrivialCard implements Card {
        static final byte[] ATR_T1 = Hex.decode("3B 88 81 31 FE 45 45 4D 55 2D 54 31 43 44 91");

        @Override
        public byte[] atr() {
            return ATR_T1.clone();
        }

        @Override
        public byte[] powerOn() {
            return ATR_T1.clone();
        }

        @Override
        public void powerOff() {
        }

        @Override
        public byte[] transmit(byte[] b, int off, int len) {
            return new byte[] { (byte) 0x90, 0x00 };
        }

        @Override
        public boolean isNonBlocking() {
            return true;
        }
    }

    /** The transport side: hands each message to the Blackhole. */
    static final class SinkLink implements HostLink {
        Blackhole bh;
        int last;
        byte[] copy;

        @Override
        public void bulkIn(byte[] buffer, int offset, int length) {
            last = buffer[offset + Ccid.OFFSET_7];
            if (bh == null) {
                copy = java.util.Arrays.copyOfRange(buffer, offset, offset + length); // setup-time check only
            }
            if (bh != null) {
                bh.consume(buffer);
            }
        }

        @Override
        public void interruptAvailable() {
        }

        @Override
        public void detached() {
        }
    }

    @Param({ "SHORT_APDU", "TPDU_T1" })
    public String level;

    private ScheduledExecutorService timer;
    private CcidSession session;
    private final SinkLink link = new SinkLink();
    private byte[] message;
    private byte[] message2;
    private boolean flip;

    @Setup(Level.Trial)
    public void setUp() {
        timer = Executors.newSingleThreadScheduledExecutor();
        boolean tpdu = level.startsWith("TPDU");
        CcidEngine engine = new CcidEngine(ReaderSettings.builder("bench")
                .level(tpdu ? ExchangeLevel.TPDU : ExchangeLevel.SHORT_APDU).build(), Runnable::run, timer,
                new CardClaims());
        engine.slot(0).insert(new TrivialCard());
        session = engine.attach(link);
        byte[] on = CcidMessage.iccPowerOn(0, 0, 0).toBytes();
        session.bulkOut(on, 0, on.length);
        byte[] apdu = Hex.decode("00 A4 04 00 05 A0 00 00 00 01"); // 10 bytes, case 3
        if (tpdu) {
            // alternate N(S) 0 and 1, as a terminal does; the card answers each with an I-block
            message = CcidMessage.xfrBlock(0, 1, 0, 0, iBlock(0, apdu)).toBytes();
            message2 = CcidMessage.xfrBlock(0, 2, 0, 0, iBlock(1, apdu)).toBytes();
        } else {
            message = CcidMessage.xfrBlock(0, 1, 0, 0, apdu).toBytes();
            message2 = message;
        }
        // prove the measured path does the work: both messages must come back as a DataBlock ending in 90 00
        for (byte[] m : new byte[][] { message, message2 }) {
            session.bulkOut(m, 0, m.length);
            CcidMessage r = CcidMessage.parse(link.copy);
            String data = Hex.spaced(r.data());
            if (r.messageType() != Ccid.RDR_TO_PC_DATA_BLOCK || r.status() != 0 || !data.contains("90 00")) {
                throw new IllegalStateException("the benchmarked exchange does not work: " + r);
            }
        }
    }

    private static byte[] iBlock(int ns, byte[] apdu) {
        byte[] b = new byte[T1Block.MAX_BLOCK];
        int n = T1Block.iBlock(b, 0, 0, ns, false, apdu, 0, apdu.length, false);
        return java.util.Arrays.copyOf(b, n);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        timer.shutdownNow();
    }

    @Benchmark
    public int xfrBlockToDataBlock(Blackhole bh) {
        link.bh = bh;
        byte[] m = flip ? message2 : message;
        flip = !flip;
        session.bulkOut(m, 0, m.length);
        return link.last;
    }
}
