package io.understudy.replication;

import io.understudy.replication.PeerLink.End;
import io.understudy.replication.PeerLink.EndKind;
import io.understudy.replication.PeerLink.PeerException;
import io.understudy.replication.ServiceIdentity.Mismatch;
import io.understudy.replication.codec.Frame;
import io.understudy.replication.codec.FrameCodec;
import io.understudy.replication.codec.Heartbeat;
import io.understudy.replication.codec.Hello;
import io.understudy.replication.codec.HelloReject;
import io.understudy.replication.codec.Role;
import io.understudy.replication.codec.Welcome;
import io.understudy.replication.link.LinkAddress;
import io.understudy.replication.link.LinkClient;
import io.understudy.replication.link.ReplicationLink;
import io.understudy.stack.replication.Adoption;
import io.understudy.stack.tcp.TcpSecret;
import io.understudy.stack.wire.Ipv4Address;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The standby's side: connects to the primary (retrying with a bounded backoff), handshakes, takes
 * the primary's TCP secret, applies its records to shadow TCBs and acknowledges each, and when the
 * primary is lost takes its connections over and becomes a primary itself.
 *
 * <p>When the link closes, the standby tries a fresh handshake with the primary's address: a
 * primary that is alive and only dropped us (say we fell behind) completes it, and we go on from its
 * new snapshot instead of taking over, which would leave two instances owning the service; a
 * primary that died cannot complete one — a connection may still be accepted by a process being
 * torn down, so only a finished handshake counts — and then we take over with what we held. Over
 * TCP (two hosts), silence for the heartbeat timeout also means the primary is lost. Over a Unix
 * socket (one host) it does not: a dead process's socket closes at once, so silence only means the
 * primary is slow, and we wait for it (taking over from a live primary would split the service).
 * A standby that never completed a handshake has nothing to take over and keeps trying.
 */
final class Standby implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger("io.understudy.replication");
    private static final long MIN_BACKOFF_MILLIS = 10, MAX_BACKOFF_MILLIS = 1000, REFUSED_BACKOFF_MILLIS = 2000;
    private static final long STACK_CALL_SECONDS = 10;
    /** How long, and how often, a new primary tries to listen where its dead predecessor did. */
    private static final long LISTEN_RETRY_SECONDS = 5, LISTEN_RETRY_MILLIS = 10;

    private final ReplicationConfig config;
    private final StackDriver driver;
    private final LongSupplier clock;
    private final ReplicationStatus status;
    private final ScheduledExecutorService timers;
    private final ServiceIdentity identity;
    private final ClockOffset clockOffset = new ClockOffset();
    private final Duration handshakeTimeout;
    private final Thread thread;
    private volatile boolean closed;
    private volatile Session session;
    private volatile Primary successor;

    Standby(ReplicationConfig config, StackDriver driver, LongSupplier clock, ReplicationStatus status,
            ScheduledExecutorService timers) {
        this.config = config;
        this.driver = driver;
        this.clock = clock;
        this.status = status;
        this.timers = timers;
        this.identity = ServiceIdentity.of(config);
        this.handshakeTimeout = Duration.ofMillis(Math.max(1000, config.heartbeatTimeout().toMillis()));
        status.role(ReplicationStatus.Role.STANDBY);
        status.state(ReplicationStatus.LinkState.WAITING);
        this.thread = new Thread(this::run, "understudy-repl-standby");
        thread.setDaemon(true);
        thread.start();
    }

    /** The primary's clock minus ours (System.nanoTime()), as last estimated. */
    long clockOffsetNanos() {
        return clockOffset.estimate();
    }

    /** The primary this instance became after a takeover, or null. */
    Primary successor() {
        return successor;
    }

    private void run() {
        long backoff = MIN_BACKOFF_MILLIS;
        ReplicationLink next = null;
        boolean saidWaiting = false;
        // A session that ended with the link closing, kept until a fresh handshake says whether the
        // primary is alive (then it is dropped) or not (then we take it over).
        Session unconfirmed = null;
        End unconfirmedEnd = null;
        while (!closed) {
            ReplicationLink link = next;
            next = null;
            if (link == null) {
                try {
                    link = LinkClient.connect(config.peer(), handshakeTimeout);
                } catch (IOException | RuntimeException e) {
                    if (!saidWaiting) {
                        log.info("replication: standby waiting for primary at {} ({})", config.peer(), e.getMessage());
                        saidWaiting = true;
                    }
                    sleep(backoff);
                    backoff = Math.min(backoff * 2, MAX_BACKOFF_MILLIS);
                    continue;
                }
            }
            Session s = new Session(link);
            session = s;
            End end = s.run();
            if (closed) break;
            if (unconfirmed != null) {
                if (!s.streaming && end.kind() != EndKind.REFUSED_BY_PEER) {
                    // No primary could finish a handshake there: it died.
                    takeover(unconfirmed, unconfirmedEnd);
                    return;
                }
                unconfirmed = null; // the primary is alive: what we held is stale
            }
            if (!s.streaming) {
                if (end.kind() == EndKind.REFUSED_BY_PEER) {
                    log.error("replication peer refused: {}", end.reason());
                    sleep(REFUSED_BACKOFF_MILLIS);
                } else {
                    log.warn("replication: handshake with primary {} failed: {}", link.describe(), end.reason());
                    sleep(backoff);
                    backoff = Math.min(backoff * 2, MAX_BACKOFF_MILLIS);
                }
                continue;
            }
            backoff = MIN_BACKOFF_MILLIS;
            saidWaiting = false;
            status.state(ReplicationStatus.LinkState.LOST);
            switch (end.kind()) {
                case DIED -> {
                    takeover(s, end);
                    return;
                }
                case TIMEOUT -> {
                    if (!(config.peer() instanceof LinkAddress.Unix)) {
                        takeover(s, end);
                        return;
                    }
                    log.warn("replication: the primary was silent ({}); on one host only its socket closing means it "
                            + "died: reconnecting", end.reason());
                }
                case CLOSED -> {
                    next = probe();
                    if (next == null) {
                        takeover(s, end);
                        return;
                    }
                    unconfirmed = s;
                    unconfirmedEnd = end;
                    log.info("replication: link to primary closed ({}); something still accepts at its address: "
                            + "a handshake decides between rejoining and taking over", end.reason());
                }
                default -> log.warn("replication: link to primary ended ({}); reconnecting", end.reason());
            }
        }
    }

    /** A fresh link to the primary's address if something still accepts there, else null. */
    private ReplicationLink probe() {
        try {
            return LinkClient.connect(config.peer(), config.heartbeatTimeout());
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** A takeover handed to the stack thread: what it adopts, and when the stack is done. */
    private record Takeover(List<Adoption> adoptions, boolean complete, long lastApplied, long readyNanos,
            CompletableFuture<long[]> done) {}

    /**
     * Gathers the shadows of {@code s} and hands them to the stack thread to adopt; returns at
     * once. Any thread: the standby's own, or (for a primary seen dying) the thread that saw it,
     * so that the stack starts adopting without waiting for the standby thread to wake up.
     */
    private Takeover beginTakeover(Session s) {
        List<Adoption> adoptions;
        boolean complete;
        long lastApplied;
        synchronized (s.applier) {
            complete = s.applier.haveSnapshot();
            adoptions = s.applier.adoptions();
            lastApplied = s.applier.lastApplied();
        }
        long ready = System.nanoTime();
        CompletableFuture<long[]> done = new CompletableFuture<>();
        driver.execute((stack, now) -> {
            long start = System.nanoTime();
            try {
                int n = stack.takeover(now, adoptions);
                done.complete(new long[] {start, System.nanoTime(), n});
            } catch (RuntimeException e) {
                done.completeExceptionally(e);
            }
        });
        return new Takeover(adoptions, complete, lastApplied, ready, done);
    }

    /** Takes over (or finishes the takeover begun when the primary was seen dying), then serves as primary. */
    private void takeover(Session s, End end) {
        long t0 = end.atNanos();
        Takeover t = s.takeover != null ? s.takeover : beginTakeover(s);
        if (!t.complete()) {
            log.warn("takeover: the first snapshot never completed: no connection can be adopted");
        }
        long[] r;
        try {
            r = t.done().get(STACK_CALL_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            log.error("takeover: primary lost ({}); the stack failed to adopt {} connections: {}", end.reason(),
                    t.adoptions().size(), cause.toString(), cause);
            status.role(ReplicationStatus.Role.SOLO);
            return;
        }
        int adopted = (int) r[2];
        log.info("takeover: primary lost ({}) at +0.0 ms; {} shadow connections ready at +{} ms; stack adopted {} "
                + "connections and announced {} at +{} ms", end.reason(), t.adoptions().size(),
                millis(t.readyNanos() - t0), adopted, Ipv4Address.toString(config.serviceIp()), millis(r[1] - t0));
        status.role(ReplicationStatus.Role.SOLO);
        status.tookOver(r[1] - t0, adopted);
        becomePrimary(t.lastApplied() + 1);
    }

    private void becomePrimary(long firstRecord) {
        LinkAddress listen = config.listenAfterTakeover();
        if (listen == null || closed) {
            if (!closed) log.info("replication: no listen address configured: no new standby can join");
            return;
        }
        // A primary seen exiting may still hold its listening socket for a few tens of
        // milliseconds (its memory goes first): try again until it lets go.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(LISTEN_RETRY_SECONDS);
        while (!closed) {
            try {
                successor = new Primary(config.asPrimary(), driver, clock, status, timers, Math.max(1, firstRecord));
                if (closed) successor.close();
                return;
            } catch (IOException | RuntimeException e) {
                if (System.nanoTime() - deadline > 0) {
                    log.error("replication: cannot accept a new standby after the takeover: {}", e.getMessage());
                    return;
                }
                sleep(LISTEN_RETRY_MILLIS);
            }
        }
    }

    static String millis(long nanos) {
        return String.format(java.util.Locale.ROOT, "%.1f", nanos / 1e6);
    }

    @Override
    public void close() {
        closed = true;
        Session s = session;
        if (s != null) s.peer.end(EndKind.LOCAL, "replication closed");
        thread.interrupt();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Primary p = successor;
        if (p != null) p.close();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One link to the primary, from HELLO to its end. */
    private final class Session implements PeerLink.Handler {
        final Applier applier = new Applier();
        final PeerLink peer;
        final CompletableFuture<End> ended = new CompletableFuture<>();
        /** A takeover begun as soon as the primary was seen dying (before {@link #ended} completes). */
        volatile Takeover takeover;
        final CompletableFuture<Void> welcomed = new CompletableFuture<>();
        final Hello helloView = new Hello();
        final Heartbeat heartbeatView = new Heartbeat();
        final Welcome welcomeView = new Welcome();
        volatile boolean helloSeen;
        volatile boolean streaming;
        volatile long lastApplied;

        Session(ReplicationLink link) {
            this.peer = new PeerLink(link, this, timers, clock, config.heartbeatInterval(), config.heartbeatTimeout(),
                    16);
        }

        /** Handshakes and streams until the link ends; returns how it ended. */
        End run() {
            peer.start();
            ByteBuffer hello = ByteBuffer.allocate(256);
            int n = identity.writeHello(new FrameCodec(), hello, Role.STANDBY);
            try {
                peer.sendDirect(hello.limit(n));
            } catch (IOException e) {
                peer.end(EndKind.CLOSED, "sending HELLO failed: " + e.getMessage());
            }
            try {
                welcomed.get(handshakeTimeout.toMillis(), TimeUnit.MILLISECONDS);
                peer.startStreaming(() -> 0, () -> lastApplied);
                watchPrimaryProcess();
                status.peer(peer.describe());
                status.state(ReplicationStatus.LinkState.CONNECTED);
                log.info("replication: standby connected to primary {}", peer.describe());
            } catch (TimeoutException e) {
                peer.end(EndKind.LOCAL, "no answer to HELLO within " + handshakeTimeout.toMillis() + " ms");
            } catch (ExecutionException e) {
                // ended during the handshake
            } catch (InterruptedException e) {
                peer.end(EndKind.LOCAL, "interrupted");
            }
            while (true) {
                try {
                    return ended.get();
                } catch (InterruptedException e) {
                    peer.end(EndKind.LOCAL, "replication closed");
                } catch (ExecutionException e) {
                    return new End(EndKind.LOCAL, e.getCause().toString(), System.nanoTime());
                }
            }
        }

        /**
         * On one host: every millisecond, whether the primary's process is dying (its sockets
         * close only after its memory is torn down, tens of milliseconds later). Frames still
         * arriving say nothing: a killed primary's socket still holds records sent before the
         * kill, which take the receive thread milliseconds to read.
         */
        private void watchPrimaryProcess() {
            long pid = peer.peerPid();
            if (pid <= 0) {
                return;
            }
            ProcessWatch watch = ProcessWatch.open(pid);
            if (watch == null) {
                log.warn("replication: cannot watch the primary's process {} in /proc; its death is seen when its "
                        + "socket closes", pid);
                return;
            }
            java.util.concurrent.ScheduledFuture<?>[] task = new java.util.concurrent.ScheduledFuture<?>[1];
            task[0] = timers.scheduleAtFixedRate(() -> {
                if (peer.isEnded()) {
                    task[0].cancel(false);
                    watch.close();
                } else if (watch.dying()) {
                    peer.end(EndKind.DIED, "process " + pid + " is exiting");
                    task[0].cancel(false);
                    watch.close();
                }
            }, 1, 1, TimeUnit.MILLISECONDS);
        }

        @Override
        public void onFrame(PeerLink link, Frame f) throws PeerException {
            switch (f.type()) {
                case RECORD -> {
                    if (!welcomed.isDone()) throw new PeerException(HelloReject.PROTOCOL_ERROR, "RECORD before WELCOME");
                    long done;
                    synchronized (applier) {
                        done = applier.apply(f);
                    }
                    if (done != 0) {
                        status.standbySynced(true);
                        lastApplied = done;
                        status.applied(done);
                        link.ack(done);
                    }
                }
                case HEARTBEAT -> {
                    if (welcomed.isDone()) {
                        status.clockOffset(clockOffset.sample(heartbeatView.wrap(f).monotonicNanos(), System.nanoTime()));
                    }
                }
                case HELLO -> {
                    if (helloSeen) throw new PeerException(HelloReject.PROTOCOL_ERROR, "second HELLO");
                    helloSeen = true;
                    Mismatch m = identity.check(helloView.wrap(f), Role.PRIMARY);
                    if (m != null) throw new PeerException(m.code(), "refused the primary: " + m.text());
                }
                case WELCOME -> {
                    if (!helloSeen || welcomed.isDone()) {
                        throw new PeerException(HelloReject.PROTOCOL_ERROR, "unexpected WELCOME");
                    }
                    Welcome w = welcomeView.wrap(f);
                    status.clockOffset(clockOffset.sample(w.monotonicNanos(), System.nanoTime()));
                    TcpSecret secret = TcpSecret.fromBytes(w.secret());
                    synchronized (applier) {
                        applier.expectFrom(w.nextRecord());
                    }
                    driver.execute((stack, now) -> stack.rekey(secret));
                    streaming = true;
                    welcomed.complete(null);
                }
                case HELLO_REJECT -> link.end(EndKind.REFUSED_BY_PEER, new HelloReject().wrap(f).text());
                default -> throw new PeerException(HelloReject.PROTOCOL_ERROR, "unexpected " + f.type() + " from a primary");
            }
        }

        @Override
        public void onEnded(PeerLink link, End end) {
            if (end.kind() == EndKind.DIED && streaming && !closed) {
                // Death is certain (unlike a closed or silent link): start adopting from this
                // thread now; the standby thread, woken below, finishes the takeover.
                takeover = beginTakeover(this);
            }
            status.standbySynced(false);
            welcomed.completeExceptionally(new IOException(end.reason()));
            ended.complete(end);
        }
    }
}
