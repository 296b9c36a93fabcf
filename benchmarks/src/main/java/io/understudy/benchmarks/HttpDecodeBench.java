package io.understudy.benchmarks;

import io.understudy.httpd.Request;
import io.understudy.httpd.RequestDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * {@link RequestDecoder} on a typical ~200-byte GET (curl/browser-like headers), alone and as a
 * keep-alive pipeline of 10 in one buffer (score per request). The input is a heap buffer, as
 * the HTTP server's read buffer is; one decoder is reused across requests, as on a connection.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class HttpDecodeBench {
    static final String GET = "GET /static/css/site.css?v=20240611 HTTP/1.1\r\n"
            + "Host: 10.77.0.2:8080\r\n"
            + "User-Agent: curl/8.5.0\r\n"
            + "Accept: text/css,*/*;q=0.1\r\n"
            + "Accept-Encoding: gzip, deflate\r\n"
            + "Accept-Language: en-US,en;q=0.9\r\n"
            + "Connection: keep-alive\r\n"
            + "\r\n";
    static final int PIPELINE = 10;

    private final RequestDecoder decoder = new RequestDecoder();
    private ByteBuffer one;
    private ByteBuffer pipeline;

    @Setup
    public void setUp() {
        byte[] get = GET.getBytes(StandardCharsets.US_ASCII);
        one = ByteBuffer.wrap(get);
        pipeline = ByteBuffer.allocate(get.length * PIPELINE);
        for (int i = 0; i < PIPELINE; i++) {
            pipeline.put(get);
        }
        pipeline.flip();
        Request r = single();
        if (!r.method().equals("GET") || !r.keepAlive() || r.headers() == null) {
            throw new IllegalStateException("bad decode: " + r);
        }
    }

    @Benchmark
    public Request single() {
        one.clear();
        if (decoder.decode(one) != RequestDecoder.Status.REQUEST_READY) {
            throw new IllegalStateException("decode: " + decoder.status() + " " + decoder.error());
        }
        Request r = decoder.request();
        decoder.next();
        return r;
    }

    @Benchmark
    @OperationsPerInvocation(PIPELINE)
    public int pipelineOf10(Blackhole bh) {
        pipeline.clear();
        int n = 0;
        while (pipeline.hasRemaining()) {
            if (decoder.decode(pipeline) != RequestDecoder.Status.REQUEST_READY) {
                throw new IllegalStateException("decode: " + decoder.status() + " " + decoder.error());
            }
            bh.consume(decoder.request());
            decoder.next();
            n++;
        }
        return n;
    }
}
