package io.understudy.replication.link;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import jnr.unixsocket.UnixSocketAddress;
import jnr.unixsocket.UnixSocketChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class LinkTransportTest {

    enum Kind { UNIX, TCP }

    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final int BULK_BYTES = 16 * 1024 * 1024;

    @TempDir
    Path dir;

    private LinkServer server;

    @AfterEach
    void closeServer() throws IOException {
        if (server != null) {
            server.close();
        }
    }

    private LinkAddress listenAddress(Kind kind) {
        return kind == Kind.UNIX ? LinkAddress.parse("unix:" + dir.resolve("link.sock"))
                : LinkAddress.parse("tcp:127.0.0.1:0");
    }

    /** Returns {accepted, connected}. */
    private ReplicationLink[] pair(Kind kind) throws Exception {
        server = LinkServer.listen(listenAddress(kind));
        CompletableFuture<ReplicationLink> accepted = CompletableFuture.supplyAsync(() -> {
            try {
                return server.accept(TIMEOUT);
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        ReplicationLink client = LinkClient.connect(server.address(), TIMEOUT);
        return new ReplicationLink[] {accepted.get(10, TimeUnit.SECONDS), client};
    }

    /** Raw (non-link) peer channel, so the test can close it the way a dying process would. */
    private ByteChannel rawPeer(Kind kind) throws IOException {
        if (kind == Kind.UNIX) {
            Path p = ((LinkAddress.Unix) server.address()).path();
            return UnixSocketChannel.open(new UnixSocketAddress(p.toFile()));
        }
        LinkAddress.Tcp t = (LinkAddress.Tcp) server.address();
        return SocketChannel.open(new InetSocketAddress(t.host(), t.port()));
    }

    /** Listener that digests everything and records onClosed calls. */
    static final class Recorder implements ReplicationLink.Listener {
        final MessageDigest digest;
        final int expected;
        long received;
        final CompletableFuture<String> allReceived = new CompletableFuture<>();
        final CompletableFuture<Throwable> closed = new CompletableFuture<>();
        final AtomicInteger closedCalls = new AtomicInteger();

        Recorder(int expected) throws Exception {
            this.digest = MessageDigest.getInstance("SHA-256");
            this.expected = expected;
        }

        @Override
        public void onBytes(ByteBuffer chunk) {
            received += chunk.remaining();
            digest.update(chunk);
            if (received == expected) {
                allReceived.complete(HexFormat.of().formatHex(digest.digest()));
            } else if (received > expected) {
                allReceived.completeExceptionally(new AssertionError("too many bytes: " + received));
            }
        }

        @Override
        public void onClosed(Throwable cause) {
            closedCalls.incrementAndGet();
            closed.complete(cause);
        }
    }

    /** Sends BULK_BYTES of seeded random data in random-sized chunks; returns the sha256 of what was sent. */
    private static String sendBulk(ReplicationLink link, long seed) throws Exception {
        Random rnd = new Random(seed);
        MessageDigest sent = MessageDigest.getInstance("SHA-256");
        int left = BULK_BYTES;
        while (left > 0) {
            int n = Math.min(left, 1 + rnd.nextInt(100_000));
            byte[] b = new byte[n];
            rnd.nextBytes(b);
            sent.update(b);
            ByteBuffer buf = rnd.nextBoolean() ? ByteBuffer.wrap(b) : ByteBuffer.allocateDirect(n).put(b).flip();
            link.send(buf);
            assertThat(buf.hasRemaining()).isFalse();
            left -= n;
        }
        return HexFormat.of().formatHex(sent.digest());
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void bulkBytesArriveInOrderAndIntactInBothDirectionsAtOnce(Kind kind) throws Exception {
        ReplicationLink[] p = pair(kind);
        Recorder atServer = new Recorder(BULK_BYTES);
        Recorder atClient = new Recorder(BULK_BYTES);
        p[0].start(atServer);
        p[1].start(atClient);

        CompletableFuture<String> fromServer = CompletableFuture.supplyAsync(() -> unchecked(() -> sendBulk(p[0], 1)));
        CompletableFuture<String> fromClient = CompletableFuture.supplyAsync(() -> unchecked(() -> sendBulk(p[1], 2)));

        assertThat(atClient.allReceived.get(30, TimeUnit.SECONDS)).isEqualTo(fromServer.get(30, TimeUnit.SECONDS));
        assertThat(atServer.allReceived.get(30, TimeUnit.SECONDS)).isEqualTo(fromClient.get(30, TimeUnit.SECONDS));
        assertThat(p[0].isOpen()).isTrue();
        assertThat(p[1].isOpen()).isTrue();
        p[0].close();
        p[1].close();
        assertThat(atServer.closedCalls.get()).isEqualTo(1);
        assertThat(atClient.closedCalls.get()).isEqualTo(1);
    }

    /**
     * A unix link's non-blocking send takes what fits and no more: with nobody reading, the
     * socket's buffer fills and trySend says 0 instead of blocking; the bytes it did take (from
     * each buffer's position, heap or direct) arrive intact, followed by a blocking send's.
     */
    @org.junit.jupiter.api.Test
    void unixTrySendTakesWhatFitsWithoutBlocking() throws Exception {
        ReplicationLink[] p = pair(Kind.UNIX);
        Random rnd = new Random(7);
        MessageDigest sent = MessageDigest.getInstance("SHA-256");
        long taken = 0;
        int zeroes = 0;
        for (int i = 0; i < 10_000 && zeroes == 0; i++) {
            byte[] b = new byte[5 + rnd.nextInt(60_000)];
            rnd.nextBytes(b);
            ByteBuffer buf = i % 2 == 0 ? ByteBuffer.wrap(b) : ByteBuffer.allocateDirect(b.length).put(b).flip();
            buf.position(5); // from the position, not from 0
            int n = p[0].trySend(buf);
            assertThat(n).isBetween(0, b.length - 5);
            assertThat(buf.position()).isEqualTo(5 + n);
            sent.update(b, 5, n);
            taken += n;
            if (n == 0) zeroes++;
        }
        assertThat(zeroes).as("the buffer filled and trySend returned 0").isEqualTo(1);
        assertThat(taken).isPositive();
        byte[] last = new byte[100_000];
        rnd.nextBytes(last);
        sent.update(last);
        Recorder atClient = new Recorder((int) taken + last.length);
        p[1].start(atClient);
        p[0].send(ByteBuffer.wrap(last));
        assertThat(atClient.allReceived.get(30, TimeUnit.SECONDS)).isEqualTo(HexFormat.of().formatHex(sent.digest()));
        p[0].close();
        p[1].close();
    }

    @org.junit.jupiter.api.Test
    void tcpLinkCannotSendWithoutBlocking() throws Exception {
        ReplicationLink[] p = pair(Kind.TCP);
        ByteBuffer b = ByteBuffer.allocate(10);
        assertThat(p[0].trySend(b)).isEqualTo(-1);
        assertThat(b.position()).isZero();
        p[0].close();
        p[1].close();
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void onClosedOnceWhenPeerClosesGracefully(Kind kind) throws Exception {
        ReplicationLink[] p = pair(kind);
        Recorder atServer = new Recorder(0);
        Recorder atClient = new Recorder(0);
        p[0].start(atServer);
        p[1].start(atClient);

        p[1].close();
        assertThat(atServer.closed.get(5, TimeUnit.SECONDS)).isNull();
        assertThat(p[0].isOpen()).isFalse();
        assertThatThrownBy(() -> p[0].send(ByteBuffer.wrap(new byte[] {1}))).isInstanceOf(ClosedChannelException.class);
        p[0].close();
        p[0].close();
        assertThat(atServer.closedCalls.get()).isEqualTo(1);
        assertThat(atClient.closedCalls.get()).isEqualTo(1);
        assertThat(atClient.closed.getNow(new AssertionError())).isNull();
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void onClosedOnceWhenWeClose(Kind kind) throws Exception {
        ReplicationLink[] p = pair(kind);
        Recorder atServer = new Recorder(0);
        Recorder atClient = new Recorder(0);
        p[0].start(atServer);
        p[1].start(atClient);

        p[0].close(); // returns after onClosed ran
        assertThat(atServer.closed.getNow(new AssertionError("onClosed not yet called"))).isNull();
        assertThat(atServer.closedCalls.get()).isEqualTo(1);
        assertThat(p[0].isOpen()).isFalse();
        assertThat(atClient.closed.get(5, TimeUnit.SECONDS)).isNull();
        p[0].close();
        p[1].close();
        assertThat(atServer.closedCalls.get()).isEqualTo(1);
        assertThat(atClient.closedCalls.get()).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void onClosedOncePromptlyWhenPeerDiesAbruptly(Kind kind) throws Exception {
        server = LinkServer.listen(listenAddress(kind));
        ByteChannel raw = rawPeer(kind);
        ReplicationLink link = server.accept(TIMEOUT);
        Recorder rec = new Recorder(0);
        link.start(rec);
        // Leave unread bytes in the dying peer's receive queue, as a crashed process would.
        link.send(ByteBuffer.wrap(new byte[4096]));
        if (kind == Kind.TCP) { // (jnr's UnixSocketChannel is a SocketChannel too, without SO_LINGER)
            ((SocketChannel) raw).setOption(StandardSocketOptions.SO_LINGER, 0); // close sends RST
        }
        raw.close();

        Throwable cause = rec.closed.get(5, TimeUnit.SECONDS);
        if (kind == Kind.TCP) {
            assertThat(cause).isInstanceOf(IOException.class);
        }
        assertThat(link.isOpen()).isFalse();
        link.close();
        assertThat(rec.closedCalls.get()).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void acceptTimesOutWithoutPeer(Kind kind) throws Exception {
        server = LinkServer.listen(listenAddress(kind));
        assertThatThrownBy(() -> server.accept(Duration.ofMillis(100)))
                .isInstanceOf(SocketTimeoutException.class)
                .hasMessageContaining(server.address().toString());
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void connectToNobodyFailsClearly(Kind kind) throws Exception {
        LinkAddress target;
        if (kind == Kind.UNIX) {
            target = LinkAddress.parse("unix:" + dir.resolve("missing.sock"));
        } else {
            int port;
            try (ServerSocketChannel s = ServerSocketChannel.open()) {
                s.bind(new InetSocketAddress("127.0.0.1", 0));
                port = ((InetSocketAddress) s.getLocalAddress()).getPort();
            }
            target = LinkAddress.parse("tcp:127.0.0.1:" + port);
        }
        assertThatThrownBy(() -> LinkClient.connect(target, TIMEOUT))
                .isInstanceOf(ConnectException.class)
                .hasMessageContaining("cannot connect to " + target);
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void startTwiceIsRefused(Kind kind) throws Exception {
        ReplicationLink[] p = pair(kind);
        Recorder rec = new Recorder(0);
        p[0].start(rec);
        assertThatThrownBy(() -> p[0].start(rec)).isInstanceOf(IllegalStateException.class);
        p[0].close();
        p[1].close();
        assertThat(rec.closedCalls.get()).isEqualTo(1);
    }

    interface Call<T> {
        T call() throws Exception;
    }

    static <T> T unchecked(Call<T> c) {
        try {
            return c.call();
        } catch (Exception e) {
            throw new RuntimeException(e);
        }
    }
}
