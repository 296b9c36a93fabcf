package io.understudy.httpd;

import static org.assertj.core.api.Assertions.assertThat;

import io.understudy.stack.TwoStacks;
import io.understudy.stack.socket.BlockingConnection;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.InstantSource;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link HttpServer} on stack B of {@link TwoStacks}, driven by a {@link BlockingConnection}
 * client on stack A that writes raw requests and parses the responses. Every wait is bounded by
 * the API's timeouts and the class timeout.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class HttpServerTest {
    private static final int PORT = 80;
    private static final long WAIT_MS = 30_000;
    private static final int MIB = 1 << 20;

    @TempDir
    Path docs;
    private TwoStacks net;
    private HttpServer server;
    private byte[] index;

    @BeforeEach
    void start() throws IOException {
        index = "<!DOCTYPE html><title>hi</title>0123456789\n".getBytes(StandardCharsets.UTF_8);
        Files.write(docs.resolve("index.html"), index);
        Files.createDirectories(docs.resolve("sub"));
        Files.writeString(docs.resolve("sub/a.txt"), "sub file\n");
        net = TwoStacks.start();
        server = installServer(ServerConfig.defaults(docs));
    }

    private HttpServer installServer(ServerConfig config) {
        return net.b().call(s -> {
            try {
                return HttpServer.install(s.tcp(), PORT, config);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    @AfterEach
    void stop() {
        net.close();
    }

    // ---------------------------------------------------------------- files

    @Test
    void getOfAFileIsByteExactWithItsHeaders() throws Exception {
        try (HttpTestClient.Client c = connect()) {
            c.send("GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n");
            HttpTestClient.Response r = c.response(false);

            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body()).isEqualTo(index);
            assertThat(r.header("content-length")).isEqualTo(Integer.toString(index.length));
            assertThat(r.header("content-type")).isEqualTo("text/html; charset=utf-8");
            assertThat(r.header("server")).isEqualTo("understudy");
            assertThat(r.header("date")).endsWith("GMT");
            assertThat(r.header("etag")).startsWith("\"").endsWith("\"");
            assertThat(r.header("last-modified")).endsWith("GMT");
            assertThat(r.header("accept-ranges")).isEqualTo("bytes");
            assertThat(r.header("connection")).isNull();
        }
    }

    @Test
    void theRootDirectoryServesItsIndexAndADirectoryWithoutSlashRedirectsKeepingTheQuery() throws Exception {
        try (HttpTestClient.Client c = connect()) {
            c.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(c.response(false).body()).isEqualTo(index);

            c.send("GET /sub?x=1 HTTP/1.1\r\nHost: x\r\n\r\n");
            HttpTestClient.Response r = c.response(false);
            assertThat(r.status()).isEqualTo(301);
            assertThat(r.header("location")).isEqualTo("/sub/?x=1");
        }
    }

    @Test
    void headGetsTheHeadersOfGetAndNoBody() throws Exception {
        try (HttpTestClient.Client c = connect()) {
            c.send("HEAD /index.html HTTP/1.1\r\nHost: x\r\n\r\n");
            HttpTestClient.Response head = c.response(true);
            // The next response starts right after the head: there was no body.
            c.send("GET /sub/a.txt HTTP/1.1\r\nHost: x\r\n\r\n");
            HttpTestClient.Response next = c.response(false);

            assertThat(head.status()).isEqualTo(200);
            assertThat(head.header("content-length")).isEqualTo(Integer.toString(index.length));
            assertThat(head.header("content-type")).isEqualTo("text/html; charset=utf-8");
            assertThat(head.header("etag")).isNotNull();
            assertThat(next.status()).isEqualTo(200);
            assertThat(new String(next.body(), StandardCharsets.UTF_8)).isEqualTo("sub file\n");
        }
    }

    @Test
    void aMissingFileIs404WithAPageAndTheConnectionStays() throws Exception {
        try (HttpTestClient.Client c = connect()) {
            c.send("GET /nope.html HTTP/1.1\r\nHost: x\r\n\r\n");
            HttpTestClient.Response r = c.response(false);
            assertThat(r.status()).isEqualTo(404);
            assertThat(r.header("content-type")).isEqualTo(StatusPages.CONTENT_TYPE);
            assertThat(new String(r.body(), StandardCharsets.UTF_8)).contains("404 Not Found");

            c.send("GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(c.response(false).status()).isEqualTo(200);
        }
    }

    @Test
    void traversalAboveTheRootIsForbidden() throws Exception {
        try (HttpTestClient.Client c = connect()) {
            c.send("GET /../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(c.response(false).status()).isEqualTo(403);
            c.send("GET /sub/%2e%2e/%2E%2E/etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(c.response(false).status()).isEqualTo(403);
        }
    }

    @Test
    void otherMethodsOnFilesAre405WithAllow() throws Exception {
        try (HttpTestClient.Client c = connect()) {
            c.send("DELETE /index.html HTTP/1.1\r\nHost: x\r\n\r\n");
            HttpTestClient.Response r = c.response(false);
            assertThat(r.status()).isEqualTo(405);
            assertThat(r.header("allow")).isEqualTo("GET, HEAD");

            c.send("POST /index.html HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello");
            assertThat(c.response(false).status()).isEqualTo(405);
            c.send("GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(c.response(false).body()).isEqualTo(index);
        }
    }

    @Test
    void ifNoneMatchWithTheCurrentEtagIs304WithoutBody() throws Exception {
        try (HttpTestClient.Client c = connect()) {
            c.send("GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n");
            String etag = c.response(false).header("etag");

            c.send("GET /index.html HTTP/1.1\r\nHost: x\r\nIf-None-Match: " + etag + "\r\n\r\n");
            HttpTestClient.Response r = c.response(true);
            assertThat(r.status()).isEqualTo(304);
            assertThat(r.header("etag")).isEqualTo(etag);
            assertThat(r.header("content-length")).isNull();

            c.send("GET /index.html HTTP/1.1\r\nHost: x\r\nIf-None-Match: \"other\"\r\n\r\n");
            assertThat(c.response(false).status()).isEqualTo(200);
        }
    }

    @Test
    void aRangeIs206AndARangeBeyondTheEndIs416() throws Exception {
        try (HttpTestClient.Client c = connect()) {
            c.send("GET /index.html HTTP/1.1\r\nHost: x\r\nRange: bytes=2-5\r\n\r\n");
            HttpTestClient.Response partial = c.response(false);
            assertThat(partial.status()).isEqualTo(206);
            assertThat(partial.header("content-range")).isEqualTo("bytes 2-5/" + index.length);
            assertThat(partial.body()).isEqualTo(java.util.Arrays.copyOfRange(index, 2, 6));

            c.send("GET /index.html HTTP/1.1\r\nHost: x\r\nRange: bytes=100000-\r\n\r\n");
            HttpTestClient.Response unsatisfiable = c.response(false);
            assertThat(unsatisfiable.status()).isEqualTo(416);
            assertThat(unsatisfiable.header("content-range")).isEqualTo("bytes */" + index.length);
        }
    }

    @Test
    void aLargeFileIsServedByteExactFromFileRegions() throws Exception {
        byte[] big = new byte[32 * MIB];
        new SplittableRandom(7).nextBytes(big);
        Files.write(docs.resolve("big.bin"), big);
        try (HttpTestClient.Client c = connect()) {
            c.send("GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n");
            HttpTestClient.Response r = c.response(false);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("content-type")).isEqualTo("application/octet-stream");
            assertThat(r.body().length).isEqualTo(big.length);
            assertThat(java.util.Arrays.mismatch(r.body(), big)).as("first wrong byte").isEqualTo(-1);

            c.send("GET /big.bin HTTP/1.1\r\nHost: x\r\nRange: bytes=-1000\r\n\r\n");
            HttpTestClient.Response tail = c.response(false);
            assertThat(tail.status()).isEqualTo(206);
            assertThat(tail.body()).isEqualTo(java.util.Arrays.copyOfRange(big, big.length - 1000, big.length));
        }
    }

    @Test
    void aFileReplacedOrDeletedIsSeenByTheNextRequestThoughItsResolutionIsKept() throws Exception {
        // A clock an hour ahead, so that the files just written are old enough to be kept.
        net.b().run(s -> server.fileTimestampClock(InstantSource.offset(InstantSource.system(), Duration.ofHours(1))));
        try (HttpTestClient.Client c = connect()) {
            c.send("GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n");
            HttpTestClient.Response first = c.response(false);
            c.send("GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n");
            HttpTestClient.Response second = c.response(false);
            assertThat(second.body()).isEqualTo(index);
            assertThat(second.header("etag")).isEqualTo(first.header("etag"));
            long hits = net.b().call(s -> server.resolutions().hits());
            assertThat(hits).as("the second request: one stat").isEqualTo(1);

            byte[] next = "<!DOCTYPE html><title>v2</title>".getBytes(StandardCharsets.UTF_8);
            Path tmp = Files.write(docs.resolve("index.html.new"), next);
            Files.move(tmp, docs.resolve("index.html"), StandardCopyOption.REPLACE_EXISTING,
                    StandardCopyOption.ATOMIC_MOVE);
            c.send("GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n");
            HttpTestClient.Response replaced = c.response(false);
            assertThat(replaced.body()).isEqualTo(next);
            assertThat(replaced.header("etag")).isNotEqualTo(first.header("etag"));

            Files.delete(docs.resolve("index.html"));
            c.send("GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(c.response(false).status()).isEqualTo(404);
        }
    }

    // ---------------------------------------------------------------- connection handling

    @Test
    void threeRequestsOnOneKeepAliveConnection() throws Exception {
        try (HttpTestClient.Client c = connect()) {
            for (int i = 0; i < 3; i++) {
                c.send("GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n");
                HttpTestClient.Response r = c.response(false);
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.body()).isEqualTo(index);
            }
            assertThat(net.b().<Long>call(s -> server.acceptedConnections())).isEqualTo(1L);
            assertThat(net.b().<Long>call(s -> server.responses())).isEqualTo(3L);
        }
    }

    @Test
    void pipelinedRequestsInOneWriteAreAnsweredInOrder() throws Exception {
        try (HttpTestClient.Client c = connect()) {
            c.send("GET /sub/a.txt HTTP/1.1\r\nHost: x\r\n\r\n"
                    + "GET /bytes/10?seed=3 HTTP/1.1\r\nHost: x\r\n\r\n"
                    + "GET /index.html HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            HttpTestClient.Response first = c.response(false);
            HttpTestClient.Response second = c.response(false);
            HttpTestClient.Response third = c.response(false);

            assertThat(new String(first.body(), StandardCharsets.UTF_8)).isEqualTo("sub file\n");
            assertThat(second.body()).isEqualTo(expectedBytes(3, 0, 10));
            assertThat(third.body()).isEqualTo(index);
            assertThat(third.header("connection")).isEqualTo("close");
            assertThat(c.in.read()).as("end of stream after Connection: close").isEqualTo(-1);
        }
    }

    @Test
    void aRequestPipelinedBehindAResponseLargerThanTheSendQueueWaitsItsTurn() throws Exception {
        int n = 8 * MIB;
        try (HttpTestClient.Client c = connect()) {
            c.send("GET /bytes/" + n + "?seed=5 HTTP/1.1\r\nHost: x\r\n\r\n"
                    + "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nok"
                    + "GET /sub/a.txt HTTP/1.1\r\nHost: x\r\n\r\n");
            HttpTestClient.Response big = c.response(false);
            HttpTestClient.Response echo = c.response(false);
            HttpTestClient.Response file = c.response(false);

            assertThat(java.util.Arrays.mismatch(big.body(), expectedBytes(5, 0, n))).isEqualTo(-1);
            assertThat(new String(echo.body(), StandardCharsets.US_ASCII)).isEqualTo("ok");
            assertThat(new String(file.body(), StandardCharsets.UTF_8)).isEqualTo("sub file\n");
        }
    }

    @Test
    void http10WithoutKeepAliveIsClosedAfterTheResponse() throws Exception {
        try (HttpTestClient.Client c = connect()) {
            c.send("GET /index.html HTTP/1.0\r\n\r\n");
            HttpTestClient.Response r = c.response(false);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body()).isEqualTo(index);
            assertThat(r.header("connection")).isEqualTo("close");
            assertThat(c.in.read()).isEqualTo(-1);
            c.conn.close();
            assertThat(c.conn.awaitClosed(WAIT_MS)).isTrue();
        }
        assertThat(net.b().<Integer>call(s -> server.activeConnections())).isZero();
    }

    @Test
    void http10WithKeepAliveStaysOpen() throws Exception {
        try (HttpTestClient.Client c = connect()) {
            c.send("GET /index.html HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
            HttpTestClient.Response r = c.response(false);
            assertThat(r.header("connection")).isEqualTo("keep-alive");
            c.send("GET /index.html HTTP/1.0\r\n\r\n");
            assertThat(c.response(false).body()).isEqualTo(index);
            assertThat(c.in.read()).isEqualTo(-1);
        }
    }

    @Test
    void aMalformedRequestIs400ThenClose() throws Exception {
        try (HttpTestClient.Client c = connect()) {
            c.send("GET /index.html HTTP/1.1\r\nHost: x\r\nBad Header: y\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n");
            HttpTestClient.Response r = c.response(false);
            assertThat(r.status()).isEqualTo(400);
            assertThat(r.header("connection")).isEqualTo("close");
            assertThat(new String(r.body(), StandardCharsets.UTF_8)).contains("400 Bad Request");
            assertThat(c.in.read()).as("nothing after the error, not even the pipelined request").isEqualTo(-1);
        }
    }

    @Test
    void beyondMaxConnectionsTheServerAnswers503AndCloses() throws Exception {
        net.b().run(s -> s.tcp().unlisten(PORT));
        server = installServer(new ServerConfig(docs, Limits.DEFAULT, 1, Duration.ofSeconds(5), Duration.ofSeconds(5)));
        try (HttpTestClient.Client first = connect(); HttpTestClient.Client second = connect()) {
            HttpTestClient.Response r = second.response(false);
            assertThat(r.status()).isEqualTo(503);
            assertThat(r.header("connection")).isEqualTo("close");
            assertThat(second.in.read()).isEqualTo(-1);

            first.send("GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(first.response(false).body()).isEqualTo(index);
            assertThat(net.b().<Long>call(s -> server.rejectedConnections())).isEqualTo(1L);
        }
    }

    // ---------------------------------------------------------------- built-in endpoints

    @Test
    void echoOfFourMebibytesComesBackByteExact() throws Exception {
        byte[] data = new byte[4 * MIB];
        new SplittableRandom(9).nextBytes(data);
        try (HttpTestClient.Client c = connect()) {
            c.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: " + data.length + "\r\n\r\n");
            c.out.write(data);
            c.out.flush();
            HttpTestClient.Response r = c.response(false);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("content-type")).isEqualTo("application/octet-stream");
            assertThat(java.util.Arrays.mismatch(r.body(), data)).isEqualTo(-1);

            c.send("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n");
            assertThat(new String(c.response(false).body(), StandardCharsets.US_ASCII)).isEqualTo("abcde");
        }
    }

    @Test
    void echoWithExpectContinueGets100First() throws Exception {
        try (HttpTestClient.Client c = connect()) {
            c.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n");
            HttpTestClient.Response interim = c.response(true);
            assertThat(interim.status()).isEqualTo(100);
            c.send("xyz");
            assertThat(new String(c.response(false).body(), StandardCharsets.US_ASCII)).isEqualTo("xyz");
        }
    }

    @Test
    void bytesWithASeedAreReproducibleFromTheDocumentedFormula() throws Exception {
        int n = 3 * MIB + 5;
        try (HttpTestClient.Client c = connect()) {
            c.send("GET /bytes/" + n + "?seed=12345 HTTP/1.1\r\nHost: x\r\n\r\n");
            HttpTestClient.Response r = c.response(false);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("content-length")).isEqualTo(Integer.toString(n));
            assertThat(java.util.Arrays.mismatch(r.body(), expectedBytes(12345, 0, n))).isEqualTo(-1);

            c.send("GET /bytes/17 HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(c.response(false).body()).as("seed 0 by default").isEqualTo(expectedBytes(0, 0, 17));
            c.send("HEAD /bytes/1000 HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(c.response(true).header("content-length")).isEqualTo("1000");
            c.send("GET /bytes/2000000000 HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(c.response(false).status()).as("over 1 GiB").isEqualTo(400);
            c.send("GET /bytes/12?seed=x HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(c.response(false).status()).isEqualTo(400);
            c.send("POST /bytes/12 HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
            assertThat(c.response(false).status()).isEqualTo(405);
        }
    }

    @Test
    void withoutADocumentRootOnlyTheBuiltInsAnswer() throws Exception {
        net.b().run(s -> s.tcp().unlisten(PORT));
        server = installServer(ServerConfig.defaults(null));
        try (HttpTestClient.Client c = connect()) {
            c.send("GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(c.response(false).status()).isEqualTo(404);
            c.send("GET /bytes/4?seed=1 HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(c.response(false).body()).isEqualTo(expectedBytes(1, 0, 4));
        }
    }

    @Test
    void seededBytesMatchTheFormulaAtAnyAlignment() {
        byte[] whole = expectedBytes(-7, 0, 100);
        for (int from = 0; from < 20; from++) {
            byte[] part = new byte[80];
            SeededBytes.fill(-7, from, part, 0, part.length);
            assertThat(part).isEqualTo(java.util.Arrays.copyOfRange(whole, from, from + 80));
        }
    }

    /** The documented formula, written out independently of {@link SeededBytes}. */
    private static byte[] expectedBytes(long seed, long from, int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            long p = from + i;
            long z = seed + (p >>> 3) * 0x9E3779B97F4A7C15L;
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            z ^= z >>> 31;
            b[i] = (byte) (z >>> ((p & 7) * 8));
        }
        return b;
    }

    // ---------------------------------------------------------------- whole requests in the receive queue, timeouts

    /** Bytes readable on the server's connections (stack B, port {@link #PORT}). */
    private int serverQueued() {
        return net.b().call(s -> {
            int[] sum = new int[1];
            s.tcp().forEachConnection(tc -> {
                if (tc.tuple().localPort() == PORT) {
                    sum[0] += tc.readable();
                }
            });
            return sum[0];
        });
    }

    /**
     * Polls the server's receive queues until they hold {@code n} bytes (bounded). Each poll is a
     * round trip through stack B's ring, so the loop is paced by the stack thread, not a clock.
     */
    private void awaitServerQueued(int n) throws InterruptedException {
        long end = System.nanoTime() + WAIT_MS * 1_000_000L;
        int last;
        while ((last = serverQueued()) != n) {
            assertThat(System.nanoTime() - end).as("server queue holds %d bytes, not %d", last, n).isNegative();
            Thread.onSpinWait();
        }
    }

    @Test
    void aRequestWrittenByteByByteStaysInTheReceiveQueueUntilWholeThenIsAnsweredOnce() throws Exception {
        byte[] request = "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello".getBytes(StandardCharsets.US_ASCII);
        try (HttpTestClient.Client c = connect()) {
            for (int i = 0; i < request.length - 1; i++) {
                c.out.write(request[i]);
                c.out.flush();
                awaitServerQueued(i + 1); // nothing consumed while the request is incomplete
            }
            assertThat((long) net.b().call(s -> server.responses())).isZero();
            c.out.write(request[request.length - 1]);
            c.out.flush();
            HttpTestClient.Response r = c.response(false);
            assertThat(r.status()).isEqualTo(200);
            assertThat(new String(r.body(), StandardCharsets.US_ASCII)).isEqualTo("hello");
            assertThat(serverQueued()).isZero(); // consumed with the response
            assertThat((long) net.b().call(s -> server.responses())).isEqualTo(1);

            // A second request split in small writes, then a complete third one behind it.
            c.send("GET /sub/a.txt HT");
            c.send("TP/1.1\r\nHo");
            awaitServerQueued("GET /sub/a.txt HTTP/1.1\r\nHo".length());
            c.send("st: x\r\n\r\nGET /index.html HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(new String(c.response(false).body(), StandardCharsets.UTF_8)).isEqualTo("sub file\n");
            assertThat(c.response(false).body()).isEqualTo(index);
            assertThat((long) net.b().call(s -> server.responses())).isEqualTo(3);
        }
    }

    @Test
    void anIdleKeepAliveConnectionIsClosedAfterTheIdleTimeout() throws Exception {
        net.b().run(s -> s.tcp().unlisten(PORT));
        server = installServer(new ServerConfig(docs, Limits.DEFAULT, 100, Duration.ofMillis(200), Duration.ofSeconds(20)));
        try (HttpTestClient.Client c = connect()) {
            c.send("GET /sub/a.txt HTTP/1.1\r\nHost: x\r\n\r\n");
            HttpTestClient.Response r = c.response(false);
            long answered = System.nanoTime();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("connection")).isNull();
            assertThat(c.in.read()).isEqualTo(-1); // the server's FIN
            long waited = (System.nanoTime() - answered) / 1_000_000;
            assertThat(waited).isBetween(150L, 10_000L);
        }
    }

    @Test
    void aHeadNotCompleteWithinTheHeaderTimeoutIs408ThenClose() throws Exception {
        net.b().run(s -> s.tcp().unlisten(PORT));
        server = installServer(new ServerConfig(docs, Limits.DEFAULT, 100, Duration.ofSeconds(60), Duration.ofMillis(200)));
        try (HttpTestClient.Client c = connect()) {
            long sent = System.nanoTime();
            c.send("GET /index.html HTTP/1.1\r\nHost: x\r\n");
            HttpTestClient.Response r = c.response(false);
            assertThat(r.status()).isEqualTo(408);
            assertThat(r.header("connection")).isEqualTo("close");
            assertThat(c.in.read()).isEqualTo(-1);
            assertThat((System.nanoTime() - sent) / 1_000_000).isBetween(150L, 10_000L);
        }
    }

    @Test
    void echoOfSixtyFourMebibytesLargerThanTheReceiveQueueIsStreamedByteExact() throws Exception {
        byte[] data = new byte[64 * MIB];
        new SplittableRandom(64).nextBytes(data);
        try (HttpTestClient.Client c = connect()) {
            c.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: " + data.length + "\r\n\r\n");
            c.out.write(data);
            c.out.flush();
            HttpTestClient.Response r = c.response(false);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body().length).isEqualTo(data.length);
            assertThat(java.util.Arrays.mismatch(r.body(), data)).isEqualTo(-1);

            c.send("GET /sub/a.txt HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(new String(c.response(false).body(), StandardCharsets.UTF_8)).isEqualTo("sub file\n");
        }
    }

    // ---------------------------------------------------------------- client

    private HttpTestClient.Client connect() throws Exception {
        return new HttpTestClient.Client(BlockingConnection.connect(net.a().executor(), TwoStacks.B_IP, PORT, WAIT_MS));
    }
}
