package io.understudy.replication;

import static org.assertj.core.api.Assertions.assertThat;

import io.understudy.replication.codec.FrameCodec;
import io.understudy.replication.codec.Role;
import io.understudy.replication.link.LinkAddress;
import io.understudy.replication.link.LinkClient;
import io.understudy.replication.link.LinkServer;
import io.understudy.replication.link.ReplicationLink;
import io.understudy.stack.replication.TcbImage;
import io.understudy.stack.tcp.TcpSecret;
import io.understudy.stack.tcp.TcpState;
import io.understudy.stack.wire.Ipv4Address;
import io.understudy.stack.wire.MacAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The shipper, the applier, the handshake and failure detection over real Unix sockets, with fake
 * stacks: what each side asks of its stack, what it logs, and how it treats bad peers.
 */
@Timeout(60)
class ReplicationTest {
    static final int IP = Ipv4Address.parse("10.201.0.2");
    static final long MAC = MacAddress.parse("02:00:00:c9:00:02");
    static final List<Integer> PORTS = List.of(80, 443);
    static final long FINGERPRINT = 0x1234_5678_9ABC_DEF0L;
    static final TcpSecret PRIMARY_SECRET = new TcpSecret(0x1111, 0x2222);

    @TempDir
    Path dir;
    LinkAddress sock;
    LogCapture logs;
    FakeStack primaryStack;
    FakeStack standbyStack;
    final java.util.List<AutoCloseable> closing = new java.util.ArrayList<>();

    @BeforeEach
    void setUp() {
        sock = LinkAddress.parse("unix:" + dir.resolve("r.sock"));
        logs = new LogCapture();
        primaryStack = new FakeStack(PRIMARY_SECRET);
        standbyStack = new FakeStack(new TcpSecret(0x3333, 0x4444));
    }

    @AfterEach
    void tearDown() throws Exception {
        for (int i = closing.size() - 1; i >= 0; i--) closing.get(i).close();
        primaryStack.close();
        standbyStack.close();
        logs.close();
    }

    /** Generous heartbeat timeouts, so a loaded machine does not fail tests that are not about them. */
    ReplicationConfig primaryConfig() {
        return ReplicationConfig.primary(sock, IP, MAC, PORTS, FINGERPRINT)
                .withHeartbeat(Duration.ofMillis(5), Duration.ofSeconds(2));
    }

    ReplicationConfig standbyConfig() {
        return ReplicationConfig.standby(sock, null, IP, MAC, PORTS, FINGERPRINT)
                .withHeartbeat(Duration.ofMillis(5), Duration.ofSeconds(2));
    }

    static ReplicationConfig shortTimeout(ReplicationConfig c) {
        return c.withHeartbeat(Duration.ofMillis(5), Duration.ofMillis(60));
    }

    Replication start(ReplicationConfig c, FakeStack stack) throws Exception {
        Replication r = Replication.start(c, stack, System::nanoTime);
        closing.add(r);
        return r;
    }

    void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out waiting for " + what + "; log:\n" + String.join("\n", logs.lines()));
            }
            Thread.sleep(1);
        }
    }

    static TcbImage established(int remotePort) {
        TcbImage i = new TcbImage();
        i.localIp = IP;
        i.localPort = 80;
        i.remoteIp = Ipv4Address.parse("10.201.0.1");
        i.remotePort = remotePort;
        i.state = TcpState.ESTABLISHED.ordinal();
        i.iss = 1000;
        i.irs = 5000;
        i.sndUna = i.sndEnd = 1001;
        i.rcvNxt = i.readSeq = 5001;
        i.markSendOffset = -1;
        return i;
    }

    // ---------------------------------------------------------------- the happy path

    @Test
    void standbyShadowsThePrimaryAndTakesOverWhenItsLinkCloses() throws Exception {
        primaryStack.change(established(40000));
        Replication primary = start(primaryConfig(), primaryStack);
        Replication standby = start(standbyConfig(), standbyStack);
        await("the snapshot ack", () -> primaryStack.acked >= primaryStack.lastSnapshotRecord
                && primaryStack.lastSnapshotRecord > 0);
        // the standby's stack is rekeyed by a task queued when the WELCOME came; the ACK of the
        // snapshot goes out from the receive thread and may overtake it
        await("the standby's stack rekeyed", () -> PRIMARY_SECRET.equals(standbyStack.secret));
        for (int port = 40001; port <= 40010; port++) primaryStack.change(established(port));
        long last = primaryStack.lastSnapshotRecord + 10;
        await("acks of ten more records", () -> primaryStack.acked == last);
        await("the status to follow", () -> primary.status().recordsAcked() == last);

        ReplicationStatus s = primary.status();
        assertThat(s.role()).isEqualTo(ReplicationStatus.Role.PRIMARY);
        assertThat(s.state()).isEqualTo(ReplicationStatus.LinkState.CONNECTED);
        assertThat(s.recordsShipped()).isEqualTo(last);
        assertThat(s.lagRecords()).isZero();
        assertThat(s.inSync()).isTrue();
        await("the standby in sync", () -> standby.status().inSync());
        assertThat(s.bytesShipped()).isPositive();
        assertThat(s.lastRttNanos()).isPositive();
        assertThat(s.rttP50Nanos()).isPositive().isLessThanOrEqualTo(s.rttMaxNanos());
        assertThat(standby.status().role()).isEqualTo(ReplicationStatus.Role.STANDBY);
        assertThat(standby.status().recordsApplied()).isEqualTo(11);
        assertThat(standbyStack.calls).containsExactly("rekey");

        primary.close(); // link and listener go: the primary is gone
        await("the takeover", () -> standby.status().takeovers() == 1);
        assertThat(standby.status().inSync()).isFalse();
        assertThat(standbyStack.adopted).hasSize(11);
        assertThat(standbyStack.adopted).allSatisfy(a -> {
            assertThat(a.image().tcpState()).isEqualTo(TcpState.ESTABLISHED);
            assertThat(a.received().remaining()).isZero();
            assertThat(a.sendStartSeq()).isEqualTo(1001);
            assertThat(a.sendQueue()).isEmpty();
        });
        assertThat(standby.status().lastTakeoverConnections()).isEqualTo(11);
        assertThat(logs.has("INFO takeover: primary lost (", ") at +0.0 ms", "adopted 11 connections",
                "announced 10.201.0.2")).isTrue();
        // and it becomes a primary on the same socket path, taking a new standby with a snapshot
        await("the new primary's listener", () -> standby.listenAddress() != null);
        FakeStack third = new FakeStack(new TcpSecret(5, 6));
        closing.add(third);
        Replication next = start(standbyConfig(), third);
        await("the next standby's snapshot", () -> next.status().recordsApplied() == 1);
        // its stack is rekeyed by a task queued at the WELCOME; the snapshot's ACK may overtake it
        await("the next standby's stack rekeyed", () -> PRIMARY_SECRET.equals(third.secret));
        assertThat(standby.status().role()).isEqualTo(ReplicationStatus.Role.PRIMARY);
    }

    @Test
    void aPrimaryThatDropsALiveStandbyIsNotTakenOver() throws Exception {
        Replication primary = start(primaryConfig(), primaryStack);
        Replication standby = start(standbyConfig(), standbyStack);
        await("the first standby's snapshot ack", () -> primaryStack.lastSnapshotRecord > 0
                && primaryStack.acked >= primaryStack.lastSnapshotRecord);
        long first = primaryStack.lastSnapshotRecord;
        // The primary gives the standby up (as on a queue overflow): its listener stays up.
        closeLinkFromPrimary(primary);
        await("the reconnection", () -> primaryStack.calls.stream().filter("attach"::equals).count() >= 2);
        assertThat(standby.status().takeovers()).isZero();
        assertThat(primaryStack.calls).containsSubsequence("attach", "detach", "attach");
        await("the second snapshot ack", () -> primaryStack.acked >= primaryStack.lastSnapshotRecord);
        assertThat(primaryStack.lastSnapshotRecord).as("record numbers go on across standbys").isGreaterThan(first);
        assertThat(logs.has("WARN replication: standby", "lost", "continuing alone")).isTrue();
        assertThat(logs.has("something still accepts at its address: a handshake decides between rejoining and taking over"))
                .isTrue();
    }

    /** Ends the primary's current link as its own decision would (no HELLO_REJECT can reach a stuck standby). */
    private static void closeLinkFromPrimary(Replication primary) throws Exception {
        java.lang.reflect.Field f = Replication.class.getDeclaredField("primary");
        f.setAccessible(true);
        Primary p = (Primary) f.get(primary);
        p.dropStandby("dropped by the test");
    }

    // ---------------------------------------------------------------- heartbeats

    @Test
    void aSilentStandbyIsLostAfterTheHeartbeatTimeout() throws Exception {
        Replication primary = start(shortTimeout(primaryConfig()), primaryStack);
        try (RawPeer raw = new RawPeer(LinkClient.connect(sock, Duration.ofSeconds(5)))) {
            raw.send(hello(b -> b));
            await("the welcome and the snapshot", () -> raw.frames().contains("RECORD 1 flags 3"));
            // it acknowledges nothing and never sends a heartbeat
            await("the loss", () -> primaryStack.calls.contains("detach"));
            assertThat(logs.has("WARN replication: standby", "lost (no frame from peer for", "continuing alone")).isTrue();
            assertThat(primary.status().role()).isEqualTo(ReplicationStatus.Role.SOLO);
            assertThat(primary.status().state()).isEqualTo(ReplicationStatus.LinkState.LOST);
            raw.awaitClosed();
        }
    }

    @Test
    void policyHaltStopsTheStackWhenTheStandbyIsLost() throws Exception {
        Replication primary = start(shortTimeout(primaryConfig()).withPolicy(ReplicationConfig.Policy.HALT), primaryStack);
        Replication standby = start(standbyConfig(), standbyStack);
        await("the snapshot ack", () -> primaryStack.acked >= 1);
        standby.close();
        await("the halt", () -> primaryStack.calls.contains("halt"));
        assertThat(primary.status().role()).isEqualTo(ReplicationStatus.Role.HALTED);
        assertThat(logs.has("ERROR replication: standby", "policy halt")).isTrue();
        assertThat(primary.listenAddress()).isEqualTo(sock);
        await("the listener to go", () -> !java.nio.file.Files.exists(dir.resolve("r.sock")));
    }

    /** Answers the standby's HELLO as a primary would, ships a snapshot of one connection and waits for its ack. */
    private void actAsAPrimaryWithOneConnection(RawPeer raw) throws Exception {
        await("the standby's HELLO", () -> raw.frames().contains("HELLO"));
        ByteBuffer b = ByteBuffer.allocate(1024);
        FrameCodec codec = new FrameCodec();
        int n = ServiceIdentity.of(primaryConfig()).writeHello(codec, b, Role.PRIMARY);
        n += codec.welcome(b, n, 0, System.nanoTime(), 7, PRIMARY_SECRET.toBytes());
        io.understudy.replication.codec.RecordWriter w = new io.understudy.replication.codec.RecordWriter(codec);
        w.begin(b, n, b.capacity(), 7, FrameCodec.FLAG_SNAPSHOT);
        w.tcbImage(established(40000));
        n += w.finish(FrameCodec.FLAG_SNAPSHOT | FrameCodec.FLAG_LAST_FRAGMENT);
        raw.send(b, n);
        await("the ack of the snapshot", () -> raw.frames().contains("ACK"));
    }

    @Test
    void overTcpASilentPrimaryIsTakenOverAfterTheHeartbeatTimeout() throws Exception {
        try (LinkServer server = LinkServer.listen(LinkAddress.parse("tcp:127.0.0.1:0"))) {
            ReplicationConfig config = ReplicationConfig.standby(server.address(), null, IP, MAC, PORTS, FINGERPRINT);
            Replication standby = start(shortTimeout(config), standbyStack);
            ReplicationLink accepted = server.accept(Duration.ofSeconds(10));
            try (RawPeer raw = new RawPeer(accepted)) {
                actAsAPrimaryWithOneConnection(raw);
                // and now the primary says nothing more, its socket open (a frozen process, a cut cable)
                await("the takeover", () -> standby.status().takeovers() == 1);
            }
            assertThat(standbyStack.adopted).hasSize(1);
            assertThat(logs.has("INFO takeover: primary lost (no frame from peer for", "adopted 1 connections")).isTrue();
            assertThat(standbyStack.calls).containsExactly("rekey", "takeover");
        }
    }

    @Test
    void overAUnixSocketASilentPrimaryIsWaitedForNotTakenOver() throws Exception {
        try (LinkServer server = LinkServer.listen(sock)) {
            Replication standby = start(shortTimeout(standbyConfig()), standbyStack);
            ReplicationLink accepted = server.accept(Duration.ofSeconds(10));
            try (RawPeer raw = new RawPeer(accepted)) {
                actAsAPrimaryWithOneConnection(raw);
                // The primary is silent with its socket open (a stopped process): on one host that is
                // not death, and taking over would leave two owners of the service.
                // This line is the standby's decision on the silence: reconnect, not take over.
                await("the standby noticing the silence", () -> logs.has("WARN replication: the primary was silent"));
                assertThat(standby.status().takeovers()).isZero();
                assertThat(standbyStack.calls).doesNotContain("takeover");
            }
        }
    }

    // ---------------------------------------------------------------- bad peers

    /** Our HELLO as a standby, edited by {@code edit} on a copy of the config. */
    byte[] hello(UnaryOperator<ReplicationConfig> edit) {
        ByteBuffer b = ByteBuffer.allocate(512);
        int n = ServiceIdentity.of(edit.apply(standbyConfig())).writeHello(new FrameCodec(), b, Role.STANDBY);
        byte[] out = new byte[n];
        b.get(0, out);
        return out;
    }

    static byte[] reseal(byte[] frame) {
        CRC32C c = new CRC32C();
        c.update(frame, 4, frame.length - 8);
        ByteBuffer.wrap(frame).putInt(frame.length - 4, (int) c.getValue());
        return frame;
    }

    static ReplicationConfig with(ReplicationConfig c, int ip, long mac, List<Integer> ports, long fingerprint) {
        return new ReplicationConfig(c.role(), c.peer(), c.listen(), c.policy(), c.heartbeatInterval(),
                c.heartbeatTimeout(), ip, mac, ports, fingerprint, c.queueFrames());
    }

    static Stream<Arguments> badPeers() {
        return Stream.of(
                Arguments.of("garbage", (BadHello) t -> "GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(),
                        "length field over the maximum"),
                Arguments.of("bad CRC", (BadHello) t -> {
                    byte[] h = t.hello(c -> c);
                    h[20] ^= 1;
                    return h;
                }, "bad CRC"),
                Arguments.of("wrong frame version", (BadHello) t -> {
                    byte[] h = t.hello(c -> c);
                    h[5] = 9;
                    return reseal(h);
                }, "unsupported frame version"),
                Arguments.of("unknown type", (BadHello) t -> {
                    byte[] h = t.hello(c -> c);
                    h[4] = 77;
                    return reseal(h);
                }, "unknown message type"),
                Arguments.of("wrong protocol version", (BadHello) t -> {
                    byte[] h = t.hello(c -> c);
                    h[17] = 9;
                    return reseal(h);
                }, "protocol version 9 differs from ours 1"),
                Arguments.of("wrong role", (BadHello) t -> {
                    byte[] h = t.hello(c -> c);
                    h[18] = (byte) Role.PRIMARY.code;
                    return reseal(h);
                }, "peer announced role PRIMARY, expected STANDBY"),
                Arguments.of("wrong service IP", (BadHello) t -> t.hello(c -> with(c, Ipv4Address.parse("10.201.0.9"), MAC,
                        PORTS, FINGERPRINT)), "service IP 10.201.0.9 differs from ours 10.201.0.2"),
                Arguments.of("wrong service MAC", (BadHello) t -> t.hello(c -> with(c, IP, MAC + 1, PORTS, FINGERPRINT)),
                        "service MAC 02:00:00:c9:00:03 differs from ours 02:00:00:c9:00:02"),
                Arguments.of("wrong ports", (BadHello) t -> t.hello(c -> with(c, IP, MAC, List.of(80), FINGERPRINT)),
                        "service ports [80] differ from ours [80, 443]"),
                Arguments.of("wrong fingerprint", (BadHello) t -> t.hello(c -> with(c, IP, MAC, PORTS, 42)),
                        "TCP config fingerprint 2a differs from ours 123456789abcdef0"),
                Arguments.of("a RECORD first", (BadHello) t -> {
                    ByteBuffer b = ByteBuffer.allocate(64);
                    int n = new io.understudy.replication.codec.RecordWriter(new FrameCodec()).begin(b, 0, 64, 1, 0).finish();
                    return java.util.Arrays.copyOf(b.array(), n);
                }, "unexpected RECORD from a standby (expected HELLO)"));
    }

    interface BadHello {
        byte[] make(ReplicationTest t);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badPeers")
    void aBadPeerIsRefusedWithAClearReasonAndTheNextGoodStandbyIsAccepted(String name, BadHello bad, String reason)
            throws Exception {
        Replication primary = start(primaryConfig(), primaryStack);
        try (RawPeer raw = new RawPeer(LinkClient.connect(sock, Duration.ofSeconds(5)))) {
            raw.send(bad.make(this));
            raw.awaitClosed();
            assertThat(raw.frames()).as("what the primary answered").anySatisfy(f -> assertThat(f).contains(reason));
        }
        await("the refusal in the log", () -> logs.has("WARN replication: refused standby", reason));
        assertThat(primaryStack.calls).isEmpty();
        Replication standby = start(standbyConfig(), standbyStack);
        await("a good standby's snapshot ack", () -> primaryStack.acked >= 1);
        await("both sides connected", () -> primary.status().state() == ReplicationStatus.LinkState.CONNECTED
                && standby.status().state() == ReplicationStatus.LinkState.CONNECTED);
    }

    @Test
    void aTruncatedFrameThenSilenceIsRefused() throws Exception {
        start(primaryConfig(), primaryStack);
        try (RawPeer raw = new RawPeer(LinkClient.connect(sock, Duration.ofSeconds(5)))) {
            byte[] h = hello(c -> c);
            raw.send(java.util.Arrays.copyOf(h, h.length - 3));
            raw.awaitClosed(); // after the handshake timeout
        }
        await("the refusal", () -> logs.has("WARN replication: refused standby", "no HELLO within 2000 ms"));
        assertThat(primaryStack.calls).isEmpty();
    }

    @Test
    void aStandbyOfAnotherServiceIsRefusedAndSaysWhy() throws Exception {
        start(primaryConfig(), primaryStack);
        Replication standby = start(with(standbyConfig(), Ipv4Address.parse("10.201.0.9"), MAC, PORTS, FINGERPRINT),
                standbyStack);
        await("the standby's log line", () -> logs.has(
                "ERROR replication peer refused: service IP 10.201.0.9 differs from ours 10.201.0.2"));
        assertThat(standby.status().takeovers()).isZero();
        assertThat(standby.status().role()).isEqualTo(ReplicationStatus.Role.STANDBY);
        assertThat(standbyStack.calls).isEmpty();
    }

    @Test
    void aStandbyWaitsForAPrimaryThatIsNotThereYet() throws Exception {
        Replication standby = start(standbyConfig(), standbyStack);
        await("the waiting line", () -> logs.has("INFO replication: standby waiting for primary at " + sock));
        Thread.sleep(50); // a few connection attempts fail
        start(primaryConfig(), primaryStack);
        await("the connection", () -> standby.status().recordsApplied() == 1);
        assertThat(standby.status().takeovers()).isZero();
    }

}
