package io.understudy.httpd;

import static org.assertj.core.api.Assertions.assertThat;

import io.understudy.stack.NetStack;
import io.understudy.stack.replication.Adoption;
import io.understudy.stack.replication.ShadowLog;
import io.understudy.stack.replication.TcbImage;
import io.understudy.stack.tcp.TcpConnection;
import io.understudy.stack.tcp.TcpState;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Takeover end to end, in one JVM: a client stack talks to a primary stack running the server
 * that replicates into a {@link ShadowLog} (the stack tests' in-memory standby, every record
 * acknowledged at once). At a chosen step of a deterministic {@link Wire} run the primary dies
 * (what it had sent but the wire had not delivered is lost), and a fresh stack with the same
 * configuration and secret, with the server installed on the same port and document root, takes
 * over with the shadow's adoptions. The client must get byte for byte what a run without
 * takeover gives it, and see the connection close normally.
 */
@Timeout(value = 300, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class HttpServerTakeoverTest {
    private static final int MIB = 1 << 20;
    private static final InstantSource CLOCK = HttpServerResumeTest.PRIMARY_CLOCK;
    private static final String CLOSE = "GET /sub/a.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    /** A few frames per batch, so a run passes through many states to die in. */
    private static final int FRAMES_PER_BATCH = 4;
    /** Takeover after every this many steps. */
    private static final int STRIDE = 3;

    @TempDir
    Path docs;

    @BeforeEach
    void files() throws IOException {
        Files.write(docs.resolve("index.html"), "<!DOCTYPE html><title>hi</title>0123456789\n".getBytes(StandardCharsets.UTF_8));
        Files.createDirectories(docs.resolve("sub"));
        Files.writeString(docs.resolve("sub/a.txt"), "sub file\n");
        byte[] big = new byte[3 * MIB + 17];
        new SplittableRandom(11).nextBytes(big);
        Files.write(docs.resolve("big.bin"), big);
    }

    @Test
    void aBytesDownloadIsByteExactWhereverThePrimaryDies() {
        sweep("GET /bytes/3000000?seed=7 HTTP/1.1\r\nHost: x\r\n\r\n" + CLOSE, server -> { }, What.SEND_MARK);
    }

    @Test
    void aFileDownloadIsByteExactWhereverThePrimaryDies() {
        sweep("GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n" + CLOSE, server -> { }, What.ANY);
    }

    @Test
    void aFileInMoreRegionsThanTheSendQueueTakesIsByteExactWhereverThePrimaryDies() {
        sweep("GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n" + CLOSE, server -> server.fileRegionChunk(1024),
                What.SEND_MARK);
    }

    @Test
    void aStreamedUploadIsByteExactWhereverThePrimaryDies() {
        sweep(new String(HttpServerResumeTest.echoRequest(2 * MIB, false), StandardCharsets.ISO_8859_1) + CLOSE,
                server -> { }, What.REPLAY);
    }

    @Test
    void aStreamedUploadWith100ContinueIsByteExactWhereverThePrimaryDies() {
        sweep(new String(HttpServerResumeTest.echoRequest(2 * MIB, true), StandardCharsets.ISO_8859_1) + CLOSE,
                server -> { }, What.REPLAY);
    }

    @Test
    void pipelinedRequestsInFlightAreAnsweredByteExactWhereverThePrimaryDies() {
        String requests = "GET /bytes/1500000?seed=1 HTTP/1.1\r\nHost: x\r\n\r\n"
                + "GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n"
                + "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"
                + "GET /big.bin HTTP/1.1\r\nHost: x\r\nRange: bytes=-700000\r\n\r\n"
                + "GET /bytes/900000?seed=2 HTTP/1.1\r\nHost: x\r\n\r\n"
                + CLOSE;
        sweep(requests, server -> server.fileRegionChunk(4096), What.SEND_MARK);
    }

    @Test
    void aConnectionWhoseFinWasQueuedEndsNormallyWhereverThePrimaryDies() {
        sweep("GET /bytes/2500000 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", server -> { }, What.FIN_QUEUED);
    }

    @Test
    void anIdleKeepAliveConnectionIsTakenOverAndAnswersTheNextRequest() {
        Wire w = new Wire();
        Primary primary = primary(w, server -> { });
        Wire.Client app = new Wire.Client().send("GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n");
        w.connect(80, app);
        w.runUntil(() -> app.receivedCount() > 0 && w.serverConnection().exportImage(new TcbImage()).sndUna
                == w.serverConnection().exportImage(new TcbImage()).sndEnd);
        int first = app.receivedCount();

        List<Adoption> adoptions = primary.log.adoptions();
        HttpServer standby = takeOver(w, adoptions, CLOCK, server -> { });
        app.send("GET /bytes/5000?seed=9 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        w.runUntil(app::closed);

        assertThat(adoptions).hasSize(1);
        assertThat(adoptions.get(0).image().tcpState()).isEqualTo(TcpState.ESTABLISHED);
        byte[] all = app.received();
        String second = new String(all, first, all.length - first, StandardCharsets.ISO_8859_1);
        assertThat(second).startsWith("HTTP/1.1 200 OK\r\n").contains("Content-Length: 5000\r\n");
        byte[] expected = new byte[5000];
        SeededBytes.fill(9, 0, expected, 0, 5000);
        assertThat(Arrays.copyOfRange(all, all.length - 5000, all.length)).isEqualTo(expected);
        assertThat(standby.responses()).isEqualTo(1);
        assertThat(standby.activeConnections()).isZero();
    }

    @Test
    void theResponseInProgressKeepsThePrimarysDateOnAStandbyInAnotherSecond() {
        String requests = "GET /bytes/3000000 HTTP/1.1\r\nHost: x\r\n\r\n" + CLOSE;
        byte[] expected = run(requests, server -> { }, -1, CLOCK).client.received();
        long later = HttpServerResumeTest.T0 + 3600;
        InstantSource standbyClock = InstantSource.fixed(Instant.ofEpochSecond(later));
        // Die in the middle of the body: the head went out from the primary.
        Wire probe = new Wire(FRAMES_PER_BATCH);
        primary(probe, server -> { });
        Wire.Client probing = new Wire.Client().send(requests);
        probe.connect(80, probing);
        probe.runUntil(() -> probing.receivedCount() > MIB);
        int at = probe.steps();

        Run r = run(requests, server -> { }, at, standbyClock);

        assertThat(r.adopted).isNotNull();
        assertThat(r.adopted.has(TcbImage.HAS_SEND_MARK)).isTrue();
        String all = new String(r.client.received(), StandardCharsets.ISO_8859_1);
        int second = all.indexOf("HTTP/1.1 200 OK", 3_000_000);
        assertThat(r.client.received()).as("the first response, head included")
                .startsWith(Arrays.copyOf(expected, second));
        assertThat(all.substring(second)).contains("Date: " + HttpDate.format(Instant.ofEpochSecond(later)) + "\r\n")
                .endsWith("sub file\n");
    }

    // ---------------------------------------------------------------- the sweep

    /** What a sweep must have taken over at least once. */
    @Test
    void aBytesDownloadSurvivesTwoTakeoversWithANewStandbyJoiningInBetween() {
        sweepTwice("GET /bytes/3000000?seed=7 HTTP/1.1\r\nHost: x\r\n\r\n" + CLOSE, server -> { });
    }

    @Test
    void aStreamedUploadSurvivesTwoTakeoversWithANewStandbyJoiningInBetween() {
        sweepTwice(new String(HttpServerResumeTest.echoRequest(2 * MIB, false), StandardCharsets.ISO_8859_1) + CLOSE,
                server -> { });
    }

    /**
     * The primary dies; its standby takes over and runs alone for a while; a new standby joins it
     * (a snapshot taken mid-response or mid-upload, so the resume mark's request bytes, consumed
     * long ago, must come from what the stack kept); then that primary dies too, and the client's
     * bytes must still be exactly a run's without failures.
     */
    private void sweepTwice(String requests, Consumer<HttpServer> setup) {
        Run reference = run(requests, setup, -1, CLOCK);
        byte[] expected = reference.client.received();
        int twice = 0;
        for (int at = 1; at + 2 * STRIDE * 3 <= reference.steps; at += STRIDE * 7) {
            Wire w = new Wire(FRAMES_PER_BATCH);
            Primary primary = primary(w, setup);
            Wire.Client app = new Wire.Client().send(requests);
            w.connect(80, app);
            int firstDeath = at;
            w.runUntil(() -> w.steps() >= firstDeath || app.closed());
            if (!app.closed()) {
                takeOver(w, primary.log.adoptions(), CLOCK, setup);
                NetStack second = w.server();
                int join = w.steps() + STRIDE * 2;
                w.runUntil(() -> w.steps() >= join || app.closed());
                ShadowLog log = new ShadowLog(primary.log.committed() + 1_000);
                second.attachReplication(w.now(), log);
                w.afterServerBatch(() -> second.replicationAcked(log.committed()));
                int secondDeath = w.steps() + STRIDE * 3;
                w.runUntil(() -> w.steps() >= secondDeath || app.closed());
                if (!app.closed()) {
                    List<Adoption> adoptions = log.adoptions();
                    twice += adoptions.isEmpty() ? 0 : 1;
                    takeOver(w, adoptions, CLOCK, setup);
                }
            }
            w.runUntil(app::closed);
            byte[] got = app.received();
            assertThat(Arrays.mismatch(got, expected))
                    .as("first wrong byte of %d (%d expected); first death at step %d of %d; standby: %s", got.length,
                            expected.length, at, reference.steps, w.server().counters().summary())
                    .isEqualTo(-1);
            assertThat(w.server().counters().get(io.understudy.stack.Counter.TCP_ADOPTION_ABORTED)).isZero();
        }
        assertThat(twice).as("runs with two takeovers").isPositive();
    }

    enum What {
        ANY, SEND_MARK, REPLAY, FIN_QUEUED
    }

    private void sweep(String requests, Consumer<HttpServer> setup, What what) {
        Run reference = run(requests, setup, -1, CLOCK);
        byte[] expected = reference.client.received();
        int tookOver = 0;
        int interesting = 0;
        for (int at = 0; at <= reference.steps; at += STRIDE) {
            Run r = run(requests, setup, at, CLOCK);
            byte[] got = r.client.received();
            assertThat(Arrays.mismatch(got, expected))
                    .as("first wrong byte of %d (%d expected) after the primary died at step %d of %d (%s); standby: %s",
                            got.length, expected.length, at, reference.steps, r.adopted,
                            r.standby == null ? "-" : r.standby.counters().summary())
                    .isEqualTo(-1);
            if (r.adopted != null) {
                tookOver++;
                TcbImage im = r.adopted;
                boolean hit = switch (what) {
                    case ANY -> true;
                    case SEND_MARK -> im.has(TcbImage.HAS_SEND_MARK);
                    case REPLAY -> im.markReceiveOffset < im.receiveOffset;
                    case FIN_QUEUED -> im.has(TcbImage.FIN_QUEUED);
                };
                interesting += hit ? 1 : 0;
            }
        }
        assertThat(tookOver).as("runs in which a connection was taken over").isPositive();
        assertThat(interesting).as("takeovers in the state " + what).isPositive();
    }

    private record Primary(NetStack stack, HttpServer server, ShadowLog log) {
    }

    private record Run(Wire.Client client, int steps, TcbImage adopted, NetStack standby) {
    }

    /** A primary on the wire's server stack, replicating into a shadow that acknowledges every record at once. */
    private Primary primary(Wire w, Consumer<HttpServer> setup) {
        NetStack stack = w.server();
        HttpServer server = install(stack, CLOCK);
        setup.accept(server);
        ShadowLog log = new ShadowLog();
        stack.attachReplication(w.now(), log);
        w.afterServerBatch(() -> stack.replicationAcked(log.committed()));
        return new Primary(stack, server, log);
    }

    /** The primary dies now; a standby with the server installed takes over {@code adoptions}. */
    private HttpServer takeOver(Wire w, List<Adoption> adoptions, InstantSource clock, Consumer<HttpServer> setup) {
        // A killed process's files close with it: abort the dead primary's connections so their file
        // regions' channels are released (nothing it would send reaches the wire any more).
        List<TcpConnection> dead = new ArrayList<>();
        w.server().tcp().forEachConnection(dead::add);
        dead.forEach(TcpConnection::abort);
        NetStack standby = w.replaceServer();
        HttpServer server = install(standby, clock);
        setup.accept(server);
        assertThat(standby.takeover(w.now(), adoptions)).isEqualTo(adoptions.size());
        return server;
    }

    /** One run to the client's close; the primary dies after step {@code dieAt} (never if negative). */
    private Run run(String requests, Consumer<HttpServer> setup, int dieAt, InstantSource standbyClock) {
        Wire w = new Wire(FRAMES_PER_BATCH);
        Primary primary = primary(w, setup);
        Wire.Client app = new Wire.Client().send(requests);
        w.connect(80, app);
        TcbImage adopted = null;
        if (dieAt >= 0) {
            w.runUntil(() -> w.steps() >= dieAt || app.closed());
            if (!app.closed()) {
                List<Adoption> adoptions = primary.log.adoptions();
                if (!adoptions.isEmpty()) {
                    adopted = new TcbImage().set(adoptions.get(0).image());
                }
                takeOver(w, adoptions, standbyClock, setup);
            }
        }
        w.runUntil(app::closed);
        return new Run(app, w.steps(), adopted, dieAt >= 0 ? w.server() : null);
    }

    private HttpServer install(NetStack stack, InstantSource clock) {
        try {
            HttpServer server = HttpServer.install(stack.tcp(), 80, ServerConfig.defaults(docs));
            server.wallClock(clock);
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
