package io.understudy.benchmarks;

import java.lang.management.ManagementFactory;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Bytes allocated per op by the benchmark thread alone, without JMH: each benchmark method is
 * run in batches after a warm-up, and the least over the measured batches is reported (a real
 * per-op allocation shows in every batch, a one-off JIT or class-loading allocation does not),
 * as the stack's own {@code Allocations.steadyState} does. {@code -prof gc} counts every thread
 * of the JVM, JMH's own included, so it shows a fraction of a byte per op where this shows 0.
 *
 * <p>{@code java -cp benchmarks/target/benchmarks.jar io.understudy.benchmarks.AllocationCheck}
 */
public final class AllocationCheck {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private static long sink;

    private AllocationCheck() {}

    public static void main(String[] args) {
        Map<String, Runnable> ops = new LinkedHashMap<>();
        FrameParseBench parse = new FrameParseBench();
        parse.setUp();
        ops.put("FrameParseBench.headers", ints(parse::headers));
        ops.put("FrameParseBench.headersAndChecksum", ints(parse::headersAndChecksum));
        ops.put("FrameParseBench.toSegment", objects(parse::toSegment));
        for (String kind : new String[] {"heap", "direct"}) {
            ChecksumBench c = new ChecksumBench();
            c.size = 1500;
            c.buffer = kind;
            c.setUp();
            ops.put("ChecksumBench.sum 1500 " + kind, ints(c::sum));
        }
        for (String rx : new String[] {"software", "verified"}) {
            TcpInputBench in = new TcpInputBench();
            in.rxChecksum = rx;
            in.setUp();
            ops.put("TcpInputBench.segmentPerBatch " + rx, longs(in::segmentPerBatch));
            ops.put("TcpInputBench.segmentsBatched " + rx + " (per 16)", longs(in::segmentsBatched));
        }
        for (String link : new String[] {"plain", "tso"}) {
            TcpOutputBench out = new TcpOutputBench();
            out.link = link;
            out.setUp();
            ops.put("TcpOutputBench.burst " + link, ints(out::burst));
        }
        HttpDecodeBench http = new HttpDecodeBench();
        http.setUp();
        Blackhole bh = new Blackhole("Today's password is swordfish. I understand instantiating Blackholes directly is dangerous.");
        ops.put("HttpDecodeBench.single", objects(http::single));
        ops.put("HttpDecodeBench.pipelineOf10 (per 10)", () -> sink += http.pipelineOf10(bh));
        for (String request : new String[] {"file", "bytes"}) {
            HttpServerBench server = new HttpServerBench();
            server.request = request;
            try {
                server.setUp();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            ops.put("HttpServerBench.exchange " + request, ints(server::exchange));
        }
        ReplicationCodecBench codec = new ReplicationCodecBench();
        codec.setUp();
        ops.put("ReplicationCodecBench.encode", ints(codec::encode));
        ops.put("ReplicationCodecBench.decode", ints(codec::decode));

        int batch = args.length > 0 ? Integer.parseInt(args[0]) : 50_000;
        System.out.printf("%-48s %12s%n", "benchmark (thread-local, " + batch + " ops a batch)", "B/op");
        for (Map.Entry<String, Runnable> e : ops.entrySet()) {
            System.out.printf("%-48s %12.3f%n", e.getKey(), perOp(e.getValue(), batch));
        }
        if (sink == 42) {
            System.out.println();
        }
    }

    private static double perOp(Runnable op, int batch) {
        long tid = Thread.currentThread().getId();
        long least = Long.MAX_VALUE;
        for (int run = 0; run < 7; run++) {
            long before = THREADS.getThreadAllocatedBytes(tid);
            for (int i = 0; i < batch; i++) {
                op.run();
            }
            long allocated = THREADS.getThreadAllocatedBytes(tid) - before;
            if (run >= 2) {
                least = Math.min(least, allocated);
            }
        }
        return least / (double) batch;
    }

    private static Runnable ints(IntSupplier s) {
        return () -> sink += s.getAsInt();
    }

    private static Runnable longs(LongSupplier s) {
        return () -> sink += s.getAsLong();
    }

    private static Runnable objects(Supplier<?> s) {
        return () -> sink += System.identityHashCode(s.get()) & 1;
    }
}
