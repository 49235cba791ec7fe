package org.vccid.bench;

import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.vccid.iso7816.Hex;

import com.licel.jcardsim.base.Simulator;
import com.licel.jcardsim.utils.AIDUtil;

import javacard.framework.AID;

/**
 * jCardSim (com.klinec:jcardsim 3.0.6.0) in the same run as {@link ExchangeBenchmark}: the peer's simulator
 * answering an 8-byte echo and a SELECT by AID, card only (no reader, no CCID), as the reference figures.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
public class PeerBenchmark {

    private Simulator sim;
    private final byte[] echo = Hex.decode("80 EE 00 00 08 01 02 03 04 05 06 07 08 08");
    private final byte[] select = Hex.decode("00 A4 04 00 07 F0 00 00 00 01 00 01");

    @Setup(Level.Trial)
    public void setUp() {
        sim = new Simulator();
        AID aid = AIDUtil.create("F0000000010001");
        sim.installApplet(aid, EchoApplet.class);
        sim.selectApplet(aid);
        byte[] r = sim.transmitCommand(echo);
        if (!Hex.encode(r).equals("01020304050607089000")) {
            throw new IllegalStateException("jCardSim echo answered " + Hex.encode(r));
        }
    }

    @Benchmark
    public byte[] jcardsimEcho8() {
        return sim.transmitCommand(echo);
    }

    @Benchmark
    public byte[] jcardsimSelect() {
        return sim.transmitCommand(select);
    }
}
