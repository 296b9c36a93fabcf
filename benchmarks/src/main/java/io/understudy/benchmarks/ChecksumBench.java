package io.understudy.benchmarks;

import io.understudy.stack.wire.Checksum;
import java.nio.ByteBuffer;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** {@link Checksum#sum} over a minimum frame, a full MTU and a 64 KiB large segment, heap and direct. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ChecksumBench {
    @Param({"64", "1500", "65536"})
    public int size;

    @Param({"heap", "direct"})
    public String buffer;

    private ByteBuffer buf;

    @Setup
    public void setUp() {
        byte[] bytes = new byte[size];
        new Random(42).nextBytes(bytes);
        buf = buffer.equals("direct") ? ByteBuffer.allocateDirect(size) : ByteBuffer.allocate(size);
        buf.put(0, bytes);
    }

    @Benchmark
    public short sum() {
        return Checksum.finish(Checksum.sum(buf, 0, size, 0));
    }
}
