package io.understudy.replication;

import io.understudy.replication.PeerLink.End;
import io.understudy.replication.PeerLink.EndKind;
import io.understudy.replication.PeerLink.PeerException;
import io.understudy.replication.ServiceIdentity.Mismatch;
import io.understudy.replication.codec.Ack;
import io.understudy.replication.codec.Frame;
import io.understudy.replication.codec.FrameCodec;
import io.understudy.replication.codec.Hello;
import io.understudy.replication.codec.HelloReject;
import io.understudy.replication.codec.Role;
import io.understudy.replication.link.LinkServer;
import io.understudy.replication.link.ReplicationLink;
import io.understudy.stack.tcp.TcpSecret;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The primary's side: listens for a standby, handshakes, attaches it to the stack (which ships a
 * snapshot, then every record), forwards its acknowledgements, and on its loss applies the
 * policy: CONTINUE detaches and waits for the next standby, HALT stops the stack's output and
 * stops listening. One standby at a time; others are refused as busy.
 */
final class Primary implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger("io.understudy.replication");
    private static final Duration ACCEPT_POLL = Duration.ofMillis(100);
    private static final long STACK_CALL_SECONDS = 5;

    private final ReplicationConfig config;
    private final StackDriver driver;
    private final LongSupplier clock;
    private final ReplicationStatus status;
    private final ScheduledExecutorService timers;
    private final ServiceIdentity identity;
    private final Shipper shipper;
    private final LinkServer server;
    private final Thread acceptor;
    private final Duration handshakeTimeout;
    private volatile boolean closed;
    private boolean halted;
    private Session current;

    /** Listens at once (so a bad address fails here) and starts accepting on a thread of its own. */
    Primary(ReplicationConfig config, StackDriver driver, LongSupplier clock, ReplicationStatus status,
            ScheduledExecutorService timers, long firstRecord) throws IOException {
        this.config = config;
        this.driver = driver;
        this.clock = clock;
        this.status = status;
        this.timers = timers;
        this.identity = ServiceIdentity.of(config);
        this.shipper = new Shipper(firstRecord, status);
        this.handshakeTimeout = Duration.ofMillis(Math.max(1000, config.heartbeatTimeout().toMillis()));
        this.server = LinkServer.listen(config.listen());
        status.role(ReplicationStatus.Role.SOLO);
        status.state(ReplicationStatus.LinkState.WAITING);
        this.acceptor = new Thread(this::acceptLoop, "understudy-repl-accept " + server.address());
        acceptor.setDaemon(true);
        acceptor.start();
        log.info("replication: primary for {} waiting for a standby on {}", identity, server.address());
    }

    /** The bound listen address (with the real port for tcp:…:0). */
    io.understudy.replication.link.LinkAddress address() {
        return server.address();
    }

    private void acceptLoop() {
        while (!closed) {
            ReplicationLink link;
            try {
                link = server.accept(ACCEPT_POLL);
            } catch (SocketTimeoutException e) {
                continue;
            } catch (IOException | RuntimeException e) {
                if (closed) break;
                log.warn("replication: accepting a standby on {} failed: {}", server.address(), e.getMessage());
                sleep(ACCEPT_POLL.toMillis());
                continue;
            }
            try {
                handshake(link);
            } catch (RuntimeException e) {
                log.error("replication: handshake with {} failed", link.describe(), e);
                link.close();
            }
        }
    }

    private void handshake(ReplicationLink link) {
        Session s = new Session();
        PeerLink peer = new PeerLink(link, s, timers, clock, config.heartbeatInterval(), config.heartbeatTimeout(),
                config.queueFrames());
        s.peer = peer;
        peer.start();
        Mismatch verdict;
        try {
            verdict = s.hello.get(handshakeTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            peer.end(EndKind.LOCAL, "no HELLO within " + handshakeTimeout.toMillis() + " ms");
            return;
        } catch (InterruptedException | ExecutionException e) {
            return; // the link ended during the handshake: onEnded logs why
        }
        if (verdict == null && isBusy()) {
            verdict = new Mismatch(HelloReject.BUSY, "a standby is already attached");
        }
        if (verdict != null) {
            peer.sendReject(verdict.code(), verdict.text());
            peer.end(EndKind.PROTOCOL, verdict.text());
            return;
        }
        TcpSecret secret = stackSecret();
        if (secret == null) {
            peer.end(EndKind.LOCAL, "the stack thread did not answer within " + STACK_CALL_SECONDS + " s");
            return;
        }
        ByteBuffer b = ByteBuffer.allocate(256);
        FrameCodec codec = new FrameCodec();
        int n = identity.writeHello(codec, b, Role.PRIMARY);
        n += codec.welcome(b, n, 0, clock.getAsLong(), shipper.lastCommitted() + 1, secret.toBytes());
        try {
            peer.sendDirect(b.limit(n));
        } catch (IOException e) {
            peer.end(EndKind.CLOSED, "sending WELCOME failed: " + e.getMessage());
            return;
        }
        synchronized (this) {
            if (peer.isEnded() || closed || halted) {
                if (!peer.isEnded()) peer.end(EndKind.LOCAL, "primary is shutting down");
                return;
            }
            current = s;
            s.attached = true;
            status.peer(peer.describe());
            status.snapshotShipping(Long.MAX_VALUE);
            status.sessionStarted();
            status.state(ReplicationStatus.LinkState.CONNECTED);
            status.role(ReplicationStatus.Role.PRIMARY);
            peer.startStreaming(shipper::lastCommitted, () -> 0);
            driver.execute((stack, now) -> {
                if (peer.isEnded()) return;
                shipper.attach(s);
                stack.attachReplication(now, shipper);
            });
        }
        log.info("replication: standby {} joined; shipping a snapshot, then every change", peer.describe());
    }

    private synchronized boolean isBusy() {
        return current != null;
    }

    private TcpSecret stackSecret() {
        CompletableFuture<TcpSecret> f = new CompletableFuture<>();
        driver.execute((stack, now) -> f.complete(stack.secret()));
        try {
            return f.get(STACK_CALL_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (ExecutionException | TimeoutException e) {
            return null;
        }
    }

    private void lost(Session s, End end) {
        synchronized (this) {
            if (current != s) return;
            current = null;
            status.state(ReplicationStatus.LinkState.LOST);
            if (config.policy() == ReplicationConfig.Policy.HALT && !closed) {
                halted = true;
                status.role(ReplicationStatus.Role.HALTED);
                log.error("replication: standby {} lost ({}); policy halt: the stack sends nothing any more",
                        s.peer.describe(), end.reason());
                driver.execute((stack, now) -> {
                    shipper.detach();
                    stack.haltOutput();
                });
                closeServer();
                return;
            }
            status.role(ReplicationStatus.Role.SOLO);
            if (!closed) {
                log.warn("replication: standby {} lost ({}); continuing alone, connections unprotected; waiting "
                        + "for a new standby on {}", s.peer.describe(), end.reason(), server.address());
            }
            driver.execute((stack, now) -> {
                if (shipper.sink() != s) return;
                shipper.detach();
                stack.detachReplication();
            });
        }
    }

    /** Gives the current standby up (as the primary does itself when it cannot keep up); policy applies. */
    void dropStandby(String reason) {
        Session s;
        synchronized (this) {
            s = current;
        }
        if (s != null) s.peer.end(EndKind.LOCAL, reason);
    }

    @Override
    public void close() {
        Session s;
        synchronized (this) {
            closed = true;
            s = current;
        }
        closeServer();
        try {
            acceptor.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (s != null) s.peer.end(EndKind.LOCAL, "replication closed");
    }

    private void closeServer() {
        try {
            server.close();
        } catch (IOException e) {
            log.debug("closing {}: {}", server.address(), e.toString());
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One standby's link, from handshake to loss. */
    private final class Session implements PeerLink.Handler, Shipper.Sink {
        final CompletableFuture<Mismatch> hello = new CompletableFuture<>();
        final Hello helloView = new Hello();
        final Ack ackView = new Ack();
        volatile PeerLink peer;
        volatile boolean attached;
        long lastAck;

        @Override
        public void onFrame(PeerLink link, Frame f) throws PeerException {
            switch (f.type()) {
                case HELLO -> {
                    if (hello.isDone()) throw new PeerException(HelloReject.PROTOCOL_ERROR, "second HELLO");
                    hello.complete(identity.check(helloView.wrap(f), Role.STANDBY));
                }
                case HEARTBEAT -> { }
                case ACK -> {
                    if (!attached) throw new PeerException(HelloReject.PROTOCOL_ERROR, "ACK before the handshake ended");
                    acked(ackView.wrap(f).acknowledged());
                }
                case HELLO_REJECT -> link.end(EndKind.REFUSED_BY_PEER, "standby refused us: "
                        + new HelloReject().wrap(f).text());
                default -> throw new PeerException(HelloReject.PROTOCOL_ERROR, "unexpected " + f.type()
                        + " from a standby" + (hello.isDone() ? "" : " (expected HELLO)"));
            }
        }

        private void acked(long record) throws PeerException {
            long shipped = shipper.lastCommitted();
            if (record > shipped || record < lastAck) {
                throw new PeerException(HelloReject.PROTOCOL_ERROR, "ACK of record " + record + " outside "
                        + lastAck + ".." + shipped);
            }
            if (record == lastAck) return;
            lastAck = record;
            long at = shipper.commitNanos(record);
            long bytes = shipper.commitBytes(record);
            status.acked(record, bytes < 0 ? status.bytesShipped() : bytes, at < 0 ? -1 : System.nanoTime() - at);
            driver.execute((stack, now) -> {
                if (shipper.sink() == this) stack.replicationAcked(record);
            });
        }

        @Override
        public void onEnded(PeerLink link, End end) {
            if (!hello.isDone()) hello.completeExceptionally(new IOException(end.reason()));
            if (attached) {
                lost(this, end);
            } else if (end.kind() != EndKind.REFUSED_BY_PEER && !closed) {
                log.warn("replication: refused standby {}: {}", link.describe(), end.reason());
            } else if (!closed) {
                log.warn("replication: {} ({})", end.reason(), link.describe());
            }
        }

        @Override
        public ByteBuffer acquire() {
            return peer.acquire();
        }

        @Override
        public boolean submit(ByteBuffer frame) {
            return peer.submit(frame);
        }

        @Override
        public void overflow(String reason) {
            peer.end(EndKind.LOCAL, reason);
        }

        @Override
        public boolean congested() {
            return peer.congested();
        }
    }
}
