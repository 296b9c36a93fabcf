package io.understudy.httpd;

import static org.assertj.core.api.Assertions.assertThat;

import io.understudy.stack.NetStack;
import io.understudy.stack.replication.TcbImage;
import io.understudy.stack.tcp.FileRegion;
import io.understudy.stack.tcp.Resume;
import io.understudy.stack.tcp.TcpConnection;
import io.understudy.stack.tcp.TcpHandler;
import io.understudy.stack.tcp.TcpState;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server's half of takeover: the resume mark it sets, the skip of what the primary had
 * queued, and adoption. The end-to-end cases here adopt a connection <em>in place</em>: at a
 * chosen step of a deterministic {@link Wire} run, the primary's handler is thrown away (its
 * decoder, the parts waiting in it, its timers: everything a SIGKILL loses) and a second server's
 * handler gets {@link TcpHandler#onAdopted} with the {@link Resume} a standby would build from
 * the connection's replicated image (the consumed bytes from the mark are what the client sent).
 * The TCP connection and its queues go on untouched, so these tests need none of the stack's
 * takeover; {@link HttpServerTakeoverTest} does the same through {@code NetStack.takeover}.
 * The client must get byte for byte what a run without adoption gives it, adopted at every step.
 */
@Timeout(value = 300, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class HttpServerResumeTest {
    /** 2026-01-01T00:00:00Z: the primary's clock. */
    static final long T0 = 1_767_225_600L;
    static final InstantSource PRIMARY_CLOCK = InstantSource.fixed(Instant.ofEpochSecond(T0));
    private static final int MIB = 1 << 20;
    /** Sweeps deliver a few frames per batch, so a run passes through many states to adopt in. */
    private static final int FRAMES_PER_BATCH = 4;
    private static final String CLOSE = "GET /sub/a.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";

    @TempDir
    Path docs;
    private byte[] big;

    @BeforeEach
    void files() throws IOException {
        Files.write(docs.resolve("index.html"), "<!DOCTYPE html><title>hi</title>0123456789\n".getBytes(StandardCharsets.UTF_8));
        Files.createDirectories(docs.resolve("sub"));
        Files.writeString(docs.resolve("sub/a.txt"), "sub file\n");
        big = new byte[3 * MIB + 17];
        new SplittableRandom(11).nextBytes(big);
        Files.write(docs.resolve("big.bin"), big);
    }

    // ---------------------------------------------------------------- the skip, part by part

    @Test
    void skippingBytesAdvancesWithinAPartAndStopsAtItsEnd() {
        HttpServer.BytesPart part = new HttpServer.BytesPart(ByteBuffer.wrap("HTTP/1.1 200 OK\r\n".getBytes(StandardCharsets.US_ASCII)));

        assertThat(part.skip(5)).isEqualTo(5);
        assertThat(part.remaining()).isEqualTo(12);
        assertThat(StandardCharsets.US_ASCII.decode(part.bytes().duplicate()).toString()).isEqualTo("1.1 200 OK\r\n");
        assertThat(part.skip(100)).isEqualTo(12);
        assertThat(part.remaining()).isZero();
    }

    @Test
    void skippingAFileRegionMovesItsStartAndKeepsTheFilesIdentity() throws IOException {
        FileRegion whole = FileRegion.of(docs.resolve("big.bin"), 1000, 5000);
        HttpServer.FilePart part = new HttpServer.FilePart(whole);

        assertThat(part.skip(1234)).isEqualTo(1234);

        assertThat(part.region()).isEqualTo(new FileRegion(whole.path(), whole.size(), whole.lastModifiedNanos(),
                whole.inode(), 2234, 3766));
        assertThat(part.skip(10_000)).isEqualTo(3766);
        assertThat(part.remaining()).isZero();
    }

    @Test
    void skippingGeneratedBytesAdvancesTheGenerator() {
        HttpServer.GeneratedPart part = new HttpServer.GeneratedPart(3, 100_000);

        assertThat(part.skip(70_001)).isEqualTo(70_001);
        assertThat(part.position()).isEqualTo(70_001);
        assertThat(part.remaining()).isEqualTo(29_999);
        assertThat(part.skip(40_000)).isEqualTo(29_999);
        assertThat(part.remaining()).isZero();
    }

    @Test
    void aSkipDropsWholePartsAndEndsInsideTheOneItReaches() throws IOException {
        ArrayDeque<HttpServer.Part> parts = new ArrayDeque<>();
        HttpServer.BytesPart head = new HttpServer.BytesPart(ByteBuffer.wrap(new byte[100]));
        HttpServer.FilePart file = new HttpServer.FilePart(FileRegion.of(docs.resolve("big.bin"), 0, 1000));
        HttpServer.GeneratedPart generated = new HttpServer.GeneratedPart(0, 1000);
        parts.add(head);
        parts.add(file);
        parts.add(generated);

        assertThat(HttpServer.skip(parts, 100 + 1000 + 10)).as("left to skip").isZero();

        assertThat(parts).containsExactly(generated);
        assertThat(generated.position()).isEqualTo(10);
        assertThat(HttpServer.skip(parts, 5000)).as("more than there is: the rest is left").isEqualTo(4010);
        assertThat(parts).isEmpty();
    }

    @Test
    void theResumeWordCarriesTheDateSecondAndTheFlags() {
        long word = HttpServer.resumeWord(true, false, T0);

        assertThat(word & HttpServer.WORD_SECONDS).isEqualTo(T0);
        assertThat(word & HttpServer.WORD_DATE).isNotZero();
        assertThat(word & HttpServer.WORD_REJECT).isNotZero();
        assertThat(word & HttpServer.WORD_TIMEOUT).isZero();
        assertThat(HttpServer.resumeWord(false, true, -1)).isEqualTo(HttpServer.WORD_TIMEOUT);
        assertThat(HttpServer.resumeWord(false, false, -1)).isZero();
    }

    // ---------------------------------------------------------------- the mark

    @Test
    void wholeRequestsAnsweredWholeNeverSetAMark() {
        Wire w = new Wire();
        install(w.server(), 80, PRIMARY_CLOCK);
        Wire.Client app = new Wire.Client().send("GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n"
                + "GET /bytes/1000 HTTP/1.1\r\nHost: x\r\n\r\n");
        w.connect(80, app);
        w.runUntil(() -> app.receivedCount() > 1000 && serverImage(w).sendOffset == app.receivedCount());

        TcbImage image = serverImage(w);
        assertThat(image.receiveOffset).isEqualTo(app.sent().length);
        assertThat(image.markReceiveOffset).as("the default: the consumed point").isEqualTo(image.receiveOffset);
        assertThat(image.markSendOffset).isEqualTo(-1);
        assertThat(image.markWord).isZero();
    }

    @Test
    void aResponseWaitingForTheSendQueueMarksWhereItsRequestAndItsOutputBegan() {
        Wire w = new Wire();
        install(w.server(), 80, PRIMARY_CLOCK);
        String first = "GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n";
        Wire.Client app = new Wire.Client().readLimit(0).send(first + "GET /bytes/3000000 HTTP/1.1\r\nHost: x\r\n\r\n");
        w.connect(80, app);
        w.runUntil(() -> app.allSent() && w.serverConnection() != null && w.serverConnection().writable() == 0);

        TcbImage image = serverImage(w);
        assertThat(image.receiveOffset).as("both requests consumed").isEqualTo(app.sent().length);
        assertThat(image.markReceiveOffset).as("where the request being answered began").isEqualTo(first.length());
        assertThat(image.markSendOffset).isPositive().isLessThan(image.sendOffset);
        assertThat(image.has(TcbImage.HAS_SEND_MARK)).isTrue();
        assertThat(image.markWord).isEqualTo(HttpServer.WORD_DATE | T0);

        long markSend = image.markSendOffset;
        app.readLimit(Long.MAX_VALUE);
        w.runUntil(() -> app.receivedCount() > 3_000_000 && serverImage(w).sendOffset == app.receivedCount());
        assertThat(new String(app.received(), (int) markSend, 15, StandardCharsets.ISO_8859_1))
                .as("the marked output is the second response").isEqualTo("HTTP/1.1 200 OK");
        image = serverImage(w);
        assertThat(image.markReceiveOffset).as("all queued: back to the consumed point").isEqualTo(image.receiveOffset);
        assertThat(image.markSendOffset).isEqualTo(-1);
        assertThat(image.markWord).isZero();
    }

    @Test
    void aStreamedUploadMarksWhereItsRequestBeganAndNoOutput() {
        Wire w = new Wire();
        install(w.server(), 80, PRIMARY_CLOCK);
        Wire.Client app = new Wire.Client().send(echoRequest(2 * MIB, false));
        w.connect(80, app);
        w.runUntil(() -> w.serverConnection() != null && serverImage(w).receiveOffset > MIB);

        TcbImage image = serverImage(w);
        assertThat(image.markReceiveOffset).as("the start of the request").isZero();
        assertThat(image.markSendOffset).isEqualTo(-1);
        assertThat(image.markWord).isZero();
    }

    @Test
    void a100ContinueMarksTheOutputBeforeTheResponseExists() {
        Wire w = new Wire();
        install(w.server(), 80, PRIMARY_CLOCK);
        Wire.Client app = new Wire.Client().send(echoRequest(2 * MIB, true));
        w.connect(80, app);
        w.runUntil(() -> w.serverConnection() != null && serverImage(w).receiveOffset > MIB);

        TcbImage image = serverImage(w);
        assertThat(image.markReceiveOffset).isZero();
        assertThat(image.markSendOffset).as("the 100 Continue began the output").isZero();
        assertThat(image.sendOffset).isEqualTo("HTTP/1.1 100 Continue\r\n\r\n".length());
        assertThat(image.markWord).as("no response built yet: no date").isZero();
    }

    @Test
    void theMarkGoesBackToTheConsumedPointOnceTheFinIsQueued() {
        Wire w = new Wire();
        install(w.server(), 80, PRIMARY_CLOCK);
        Wire.Client app = new Wire.Client().readLimit(0)
                .send("GET /bytes/3000000 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        w.connect(80, app);
        w.runUntil(() -> w.serverConnection() != null && w.serverConnection().writable() == 0);
        assertThat(serverImage(w).has(TcbImage.HAS_SEND_MARK)).isTrue();

        app.readLimit(2 * MIB);
        w.runUntil(() -> w.serverConnection().state() == TcpState.FIN_WAIT_1);

        TcbImage image = serverImage(w);
        assertThat(image.markReceiveOffset).isEqualTo(image.receiveOffset);
        assertThat(image.markSendOffset).isEqualTo(-1);
        assertThat(image.markWord).isZero();
    }

    // ---------------------------------------------------------------- adoption in place, at every step

    @Test
    void aBytesDownloadIsByteExactWhereverItIsAdopted() {
        sweep("GET /bytes/3000000?seed=7 HTTP/1.1\r\nHost: x\r\n\r\n" + CLOSE, server -> { }, 2,
                Coverage.SEND_MARK);
    }

    @Test
    void aFileDownloadIsByteExactWhereverItIsAdopted() {
        sweep("GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\nGET /big.bin HTTP/1.1\r\nHost: x\r\nRange: bytes=1000-2000000\r\n\r\n"
                + CLOSE, server -> { }, 2, Coverage.NONE);
    }

    @Test
    void aFileInMoreRegionsThanTheSendQueueTakesIsByteExactWhereverItIsAdopted() {
        // 1 KiB regions: 3 MiB is more descriptors than the send queue holds, so regions wait in the server.
        sweep("GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n" + CLOSE, server -> server.fileRegionChunk(1024), 2,
                Coverage.SEND_MARK);
    }

    @Test
    void aStreamedUploadIsByteExactWhereverItIsAdopted() {
        sweep(new String(echoRequest(2 * MIB, false), StandardCharsets.ISO_8859_1) + CLOSE, server -> { }, 2,
                Coverage.REPLAY);
    }

    @Test
    void aStreamedUploadWith100ContinueIsByteExactWhereverItIsAdopted() {
        sweep(new String(echoRequest(2 * MIB, true), StandardCharsets.ISO_8859_1) + CLOSE, server -> { }, 2,
                Coverage.REPLAY_AND_SEND_MARK);
    }

    @Test
    void pipelinedRequestsAreAnsweredByteExactWhereverTheyAreAdopted() {
        String requests = "GET /bytes/1500000?seed=1 HTTP/1.1\r\nHost: x\r\n\r\n"
                + "GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n"
                + "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"
                + "GET /big.bin HTTP/1.1\r\nHost: x\r\nRange: bytes=-700000\r\n\r\n"
                + "GET /bytes/900000?seed=2 HTTP/1.1\r\nHost: x\r\n\r\n"
                + "GET /nope HTTP/1.1\r\nHost: x\r\n\r\n"
                + CLOSE;
        sweep(requests, server -> server.fileRegionChunk(4096), 1, Coverage.SEND_MARK);
    }

    @Test
    void aConnectionWhoseFinIsQueuedOnlyWaitsForThePeersAfterAdoption() {
        sweep("GET /bytes/2500000 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", server -> { }, 2,
                Coverage.FIN_QUEUED);
    }

    @Test
    void anIdleKeepAliveConnectionIsAdoptedAndAnswersTheNextRequest() {
        Wire w = new Wire();
        install(w.server(), 80, PRIMARY_CLOCK);
        HttpServer standby = install(w.server(), 81, PRIMARY_CLOCK);
        Wire.Client app = new Wire.Client().send("GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n");
        w.connect(80, app);
        w.runUntil(() -> app.receivedCount() > 0 && serverImage(w).sendOffset == app.receivedCount());
        int first = app.receivedCount();

        adoptInPlace(w, standby, app);
        app.send("GET /bytes/5000?seed=9 HTTP/1.1\r\nHost: x\r\n\r\n");
        w.runUntil(() -> app.receivedCount() > first + 5000);
        w.runUntil(() -> serverImage(w).sendOffset == app.receivedCount());

        byte[] all = app.received();
        String second = new String(all, first, all.length - first, StandardCharsets.ISO_8859_1);
        assertThat(second).startsWith("HTTP/1.1 200 OK\r\n").contains("Content-Length: 5000\r\n");
        byte[] body = Arrays.copyOfRange(all, all.length - 5000, all.length);
        byte[] expected = new byte[5000];
        SeededBytes.fill(9, 0, expected, 0, 5000);
        assertThat(body).isEqualTo(expected);
        assertThat(standby.responses()).isEqualTo(1);
        assertThat(standby.activeConnections()).isEqualTo(1);
    }

    @Test
    void theResumedResponseKeepsThePrimarysDateAndTheNextGetsTheStandbys() {
        Wire w = new Wire();
        install(w.server(), 80, PRIMARY_CLOCK);
        long later = T0 + 3600;
        HttpServer standby = install(w.server(), 81, InstantSource.fixed(Instant.ofEpochSecond(later)));
        Wire.Client app = new Wire.Client().readLimit(100).send("GET /bytes/3000000 HTTP/1.1\r\nHost: x\r\n\r\n"
                + CLOSE);
        w.connect(80, app);
        w.runUntil(() -> app.receivedCount() == 100 && w.serverConnection().writable() == 0);

        adoptInPlace(w, standby, app);
        app.readLimit(Long.MAX_VALUE);
        w.runUntil(app::closed);

        String all = new String(app.received(), StandardCharsets.ISO_8859_1);
        String firstDate = "Date: " + HttpDate.format(Instant.ofEpochSecond(T0)) + "\r\n";
        String secondDate = "Date: " + HttpDate.format(Instant.ofEpochSecond(later)) + "\r\n";
        int second = all.indexOf("HTTP/1.1 200 OK", 3_000_000);
        assertThat(all.substring(0, 200)).contains(firstDate);
        assertThat(all.substring(second)).contains(secondDate).endsWith("sub file\n");
        assertThat(all.length() - second).as("second response").isLessThan(400);
    }

    @Test
    void aPartialHeadPipelinedBehindAnAnsweredRequestTimesOutWith408() {
        // Regression: the head timeout of bytes peeked together with the request before them was never armed.
        Wire w = new Wire();
        install(w.server(), 80, PRIMARY_CLOCK);
        Wire.Client app = new Wire.Client().send("GET /index.html HTTP/1.1\r\nHost: x\r\n\r\nGET /slow HTTP/1.1\r\nHo");
        w.connect(80, app);
        w.runUntil(app::closed);

        String all = new String(app.received(), StandardCharsets.ISO_8859_1);
        assertThat(all.substring(all.lastIndexOf("HTTP/1.1 "))).startsWith("HTTP/1.1 408 ").contains("Connection: close");
        assertThat(w.now()).as("closed by the header timeout, not the idle one")
                .isLessThan(1_000 * Wire.SECOND + ServerConfig.defaults(docs).idleTimeout().toNanos());
    }

    @Test
    void anAdoptedHeaderTimeout408IsFinishedFromTheSkipWithThePrimarysDate() {
        // A 408 partly queued needs a send queue full at the header timeout, which no client here
        // can arrange: the resume is made up instead, as if the last 30 bytes the primary queued
        // had been the start of its 408. The standby must produce the rest of exactly that 408.
        String first = "GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n";
        String partial = "GET /slow HTTP/1.1\r\nHo";
        Wire ref = new Wire();
        install(ref.server(), 80, PRIMARY_CLOCK);
        Wire.Client reference = new Wire.Client().send(first + partial);
        ref.connect(80, reference);
        ref.runUntil(reference::closed);
        String referenceText = new String(reference.received(), StandardCharsets.ISO_8859_1);
        int timeoutAt = referenceText.indexOf("HTTP/1.1 408 ");
        assertThat(timeoutAt).isPositive();

        Wire w = new Wire();
        install(w.server(), 80, PRIMARY_CLOCK);
        HttpServer standby = install(w.server(), 81, InstantSource.fixed(Instant.ofEpochSecond(T0 + 3600)));
        Wire.Client app = new Wire.Client().send(first + partial);
        w.connect(80, app);
        w.runUntil(() -> app.receivedCount() == timeoutAt && serverImage(w).readSeq != serverImage(w).rcvNxt);
        TcpConnection c = w.serverConnection();
        TcpHandler handler = standby.accept(c);
        c.handler(handler);
        handler.onAdopted(c, new Resume(ByteBuffer.allocate(0), 30, HttpServer.resumeWord(false, true, T0)));
        w.runUntil(app::closed);

        byte[] expected = new byte[reference.received().length - 30];
        System.arraycopy(reference.received(), 0, expected, 0, timeoutAt);
        System.arraycopy(reference.received(), timeoutAt + 30, expected, timeoutAt, expected.length - timeoutAt);
        assertThat(app.received()).isEqualTo(expected);
        assertThat(standby.responses()).isEqualTo(1);
    }

    @Test
    void adoptedConnectionsAreServedBeyondTheCapAndNewOnesAreNot() {
        Wire w = new Wire();
        install(w.server(), 80, PRIMARY_CLOCK);
        HttpServer standby = install(w.server(), 81, PRIMARY_CLOCK, capped(1));
        Wire.Client occupant = new Wire.Client();
        TcpConnection occupantSide = w.connect(81, occupant);
        Wire.Client app = new Wire.Client().readLimit(0).send("GET /bytes/3000000 HTTP/1.1\r\nHost: x\r\n\r\n" + CLOSE);
        TcpConnection appSide = w.connect(80, app);
        w.runUntil(() -> w.serverConnection(appSide) != null && w.serverConnection(appSide).writable() == 0
                && w.serverConnection(occupantSide) != null && w.serverConnection(occupantSide).handler() != null);
        assertThat(standby.activeConnections()).as("the cap is reached").isEqualTo(1);

        adoptInPlace(w.serverConnection(appSide), standby, app);

        assertThat(standby.activeConnections()).as("adopted beyond the cap").isEqualTo(2);
        assertThat(standby.rejectedConnections()).isZero();
        Wire.Client late = new Wire.Client().send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        w.connect(81, late);
        app.readLimit(Long.MAX_VALUE);
        w.runUntil(() -> app.closed() && late.closed());
        String all = new String(app.received(), StandardCharsets.ISO_8859_1);
        assertThat(all).startsWith("HTTP/1.1 200 OK").endsWith("sub file\n");
        assertThat(new String(late.received(), StandardCharsets.ISO_8859_1)).startsWith("HTTP/1.1 503 ");
        assertThat(standby.rejectedConnections()).isEqualTo(1);
        assertThat(standby.activeConnections()).as("the occupant").isEqualTo(1);
    }

    @Test
    void aRejectedConnectionAdoptedWithItsFinQueuedOnlyWaitsForThePeers() {
        Wire w = new Wire();
        HttpServer primary = install(w.server(), 80, PRIMARY_CLOCK, capped(1));
        HttpServer standby = install(w.server(), 81, PRIMARY_CLOCK);
        Wire.Client occupant = new Wire.Client();
        TcpConnection occupantSide = w.connect(80, occupant);
        w.runUntil(() -> primary.activeConnections() == 1);
        Wire.Client app = new Wire.Client().send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        TcpConnection appSide = w.connect(80, app);
        w.runUntil(() -> w.serverConnection(appSide) != null && w.serverConnection(appSide).handler() != null);
        assertThat(primary.rejectedConnections()).isEqualTo(1);
        TcpConnection c = w.serverConnection(appSide);
        assertThat(c.state()).as("the 503 went out whole with its FIN").isEqualTo(TcpState.FIN_WAIT_1);

        adoptInPlace(c, standby, app);
        w.runUntil(app::closed);

        String all = new String(app.received(), StandardCharsets.ISO_8859_1);
        assertThat(all).startsWith("HTTP/1.1 503 ").contains("Date: " + HttpDate.format(Instant.ofEpochSecond(T0)));
        assertThat(standby.responses()).as("nothing answered again").isZero();
        assertThat(standby.activeConnections()).isZero();
        assertThat(occupantSide.state()).isEqualTo(TcpState.ESTABLISHED);
    }

    // ---------------------------------------------------------------- the sweep

    /** What a sweep must have adopted at least once, so the interesting states were really hit. */
    enum Coverage {
        NONE, SEND_MARK, REPLAY, REPLAY_AND_SEND_MARK, FIN_QUEUED
    }

    /**
     * Runs {@code requests} once without adoption, then once adopted in place after each
     * {@code stride}-th step of that run, and checks that the client got the same bytes and saw
     * the connection closed each time.
     */
    private void sweep(String requests, Consumer<HttpServer> setup, int stride, Coverage coverage) {
        Wire.Client reference = runToClose(new Wire(FRAMES_PER_BATCH), ServerConfig.defaults(docs), setup, requests);
        byte[] expected = reference.received();
        assertThat(expected).isNotEmpty();
        int steps = lastRunSteps;
        int withSendMark = 0;
        int withReplay = 0;
        int withBoth = 0;
        int finQueued = 0;
        int adopted = 0;
        for (int at = 0; at <= steps; at += stride) {
            Adopted a = runAdoptedAt(requests, setup, at);
            assertThat(a.client.received()).as("adopted after step %d of %d (%s)", at, steps, a.image)
                    .isEqualTo(expected);
            if (a.image != null) {
                adopted++;
                boolean sendMark = a.image.has(TcbImage.HAS_SEND_MARK);
                boolean replay = a.image.markReceiveOffset < a.image.receiveOffset;
                withSendMark += sendMark ? 1 : 0;
                withReplay += replay ? 1 : 0;
                withBoth += sendMark && replay ? 1 : 0;
                finQueued += a.image.has(TcbImage.FIN_QUEUED) ? 1 : 0;
            }
        }
        assertThat(adopted).as("steps at which a connection was adopted").isPositive();
        switch (coverage) {
            case NONE -> { }
            case SEND_MARK -> assertThat(withSendMark).as("adoptions mid-output").isPositive();
            case REPLAY -> assertThat(withReplay).as("adoptions mid-upload").isPositive();
            case REPLAY_AND_SEND_MARK -> assertThat(withBoth).as("adoptions mid-upload after 100 Continue").isPositive();
            case FIN_QUEUED -> assertThat(finQueued).as("adoptions with the FIN queued").isPositive();
        }
    }

    private int lastRunSteps;

    /** One run to the end without adoption; records its steps in {@link #lastRunSteps}. */
    private Wire.Client runToClose(Wire w, ServerConfig config, Consumer<HttpServer> setup, String requests) {
        HttpServer server = install(w.server(), 80, PRIMARY_CLOCK, config);
        if (setup != null) {
            setup.accept(server);
        }
        Wire.Client app = new Wire.Client().send(requests);
        w.connect(80, app);
        w.runUntil(app::closed);
        lastRunSteps = w.steps();
        return app;
    }

    private record Adopted(Wire.Client client, TcbImage image) {
    }

    /** One run, adopted in place after step {@code at} if the server then has an accepted connection. */
    private Adopted runAdoptedAt(String requests, Consumer<HttpServer> setup, int at) {
        Wire w = new Wire(FRAMES_PER_BATCH);
        HttpServer primary = install(w.server(), 80, PRIMARY_CLOCK);
        HttpServer standby = install(w.server(), 81, PRIMARY_CLOCK);
        setup.accept(primary);
        setup.accept(standby);
        Wire.Client app = new Wire.Client().send(requests);
        w.connect(80, app);
        w.runUntil(() -> w.steps() >= at || app.closed());
        TcbImage image = null;
        TcpConnection c = w.serverConnection();
        if (c != null && c.handler() != null && !app.closed()) {
            image = adoptInPlace(w, standby, app);
        }
        w.runUntil(app::closed);
        return new Adopted(app, image);
    }

    /**
     * What a standby does with the server's one connection: a handler from the standby server's
     * accept, told {@code onAdopted} with the replay (what the client sent from the mark to the
     * consumed point), the skip and the word of the connection's image. Returns that image.
     */
    static TcbImage adoptInPlace(Wire w, HttpServer standby, Wire.Client app) {
        return adoptInPlace(w.serverConnection(), standby, app);
    }

    /** {@link #adoptInPlace(Wire, HttpServer, Wire.Client)} of the server's connection {@code c}. */
    static TcbImage adoptInPlace(TcpConnection c, HttpServer standby, Wire.Client app) {
        TcbImage image = c.exportImage(new TcbImage());
        byte[] sent = app.sent();
        ByteBuffer replay = ByteBuffer.wrap(sent, (int) image.markReceiveOffset,
                (int) (image.receiveOffset - image.markReceiveOffset)).slice();
        long sendSkip = image.has(TcbImage.HAS_SEND_MARK) ? image.sendOffset - image.markSendOffset : -1;
        TcpHandler handler = standby.accept(c);
        c.handler(handler);
        handler.onAdopted(c, new Resume(replay, sendSkip, image.markWord));
        return image;
    }

    // ---------------------------------------------------------------- helpers

    private HttpServer install(NetStack stack, int port, InstantSource clock) {
        return install(stack, port, clock, ServerConfig.defaults(docs));
    }

    private static HttpServer install(NetStack stack, int port, InstantSource clock, ServerConfig config) {
        try {
            HttpServer server = HttpServer.install(stack.tcp(), port, config);
            server.wallClock(clock);
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private ServerConfig capped(int maxConnections) {
        return new ServerConfig(docs, Limits.DEFAULT, maxConnections, Duration.ofSeconds(75), Duration.ofSeconds(20));
    }

    private static TcbImage serverImage(Wire w) {
        return w.serverConnection().exportImage(new TcbImage());
    }

    /** {@code POST /echo} with {@code n} bytes of seeded content, asking for 100 Continue if {@code expect}. */
    static byte[] echoRequest(int n, boolean expect) {
        byte[] head = ("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: " + n + "\r\n"
                + (expect ? "Expect: 100-continue\r\n" : "") + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
        byte[] request = Arrays.copyOf(head, head.length + n);
        SeededBytes.fill(42, 0, request, head.length, n);
        return request;
    }
}
