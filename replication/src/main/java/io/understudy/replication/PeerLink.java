package io.understudy.replication;

import io.understudy.replication.codec.Frame;
import io.understudy.replication.codec.FrameCodec;
import io.understudy.replication.codec.FrameReader;
import io.understudy.replication.codec.FrameReject;
import io.understudy.replication.codec.HelloReject;
import io.understudy.replication.link.ReplicationLink;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One replication link in use, either side: reassembles and checks incoming frames and hands them
 * to a {@link Handler} on the link's receive thread; sends outgoing frames from a writer thread fed
 * by a bounded queue of reusable buffers, so no producer ever blocks on the socket; sends a
 * HEARTBEAT when it has had nothing to send for an interval; and declares the peer lost when no
 * frame came for the heartbeat timeout. Ends exactly once, for one {@link End reason}; the end is
 * handled on the replication timer thread (never on the caller's, which may be the stack thread).
 */
final class PeerLink implements ReplicationLink.Listener {
    private static final Logger log = LoggerFactory.getLogger(PeerLink.class);

    /** Largest frame either side sends, in bytes. */
    static final int MAX_FRAME = 64 * 1024;
    private static final ByteBuffer ACK_SIGNAL = ByteBuffer.allocate(0);

    /** Why a link ended. */
    enum EndKind {
        /** The peer closed the link or the socket failed. */
        CLOSED,
        /** Nothing arrived from the peer within the heartbeat timeout. */
        TIMEOUT,
        /** The peer broke the protocol (malformed frame, wrong message) or we refused its HELLO. */
        PROTOCOL,
        /** The peer refused us (HELLO_REJECT). */
        REFUSED_BY_PEER,
        /** We ended it: shutdown, queue overflow, handshake timeout. */
        LOCAL,
        /** The peer process is exiting (seen in /proc before its sockets close). */
        DIED
    }

    /** How a link ended, and when (System.nanoTime()). */
    record End(EndKind kind, String reason, long atNanos) {}

    /** What the owner of a link hears; both on threads of this link's choosing. */
    interface Handler {
        /** A well-formed frame; valid during the call only. Throw to end the link as a protocol error. */
        void onFrame(PeerLink link, Frame frame) throws PeerException;

        /** The link ended (called once, on the timer thread). */
        void onEnded(PeerLink link, End end);
    }

    /** The peer broke the protocol; the message is a one-line account of how. */
    static final class PeerException extends Exception {
        private static final long serialVersionUID = 1L;
        final int code;

        PeerException(int code, String message) {
            super(message, null, false, false);
            this.code = code;
        }
    }

    private final ReplicationLink link;
    private final Handler handler;
    private final ScheduledExecutorService timers;
    private final LongSupplier clock;
    private final long intervalNanos;
    private final long timeoutNanos;
    private final int queueFrames;
    private final FrameReader reader = new FrameReader(MAX_FRAME - 4);
    private final BlockingQueue<ByteBuffer> out;
    private final BlockingQueue<ByteBuffer> free;
    private final AtomicInteger allocated = new AtomicInteger();
    private final AtomicBoolean ended = new AtomicBoolean();
    private final AtomicBoolean writerStarted = new AtomicBoolean();
    private final FrameCodec directCodec = new FrameCodec();
    private volatile Thread writer;
    private volatile ScheduledFuture<?> watchdog;
    private volatile long lastReceivedNanos = System.nanoTime();
    private volatile boolean receiving;
    private volatile long suspectSinceNanos;
    private volatile long ackRecord;
    private volatile LongSupplier lastSent = () -> 0;
    private volatile LongSupplier lastApplied = () -> 0;
    private volatile boolean streaming;

    PeerLink(ReplicationLink link, Handler handler, ScheduledExecutorService timers, LongSupplier clock,
            Duration interval, Duration timeout, int queueFrames) {
        this.link = link;
        this.handler = handler;
        this.timers = timers;
        this.clock = clock;
        this.intervalNanos = interval.toNanos();
        this.timeoutNanos = timeout.toNanos();
        this.queueFrames = queueFrames;
        this.out = new ArrayBlockingQueue<>(queueFrames + 64);
        this.free = new ArrayBlockingQueue<>(queueFrames);
    }

    /** Starts receiving (the handshake). */
    void start() {
        link.start(this);
    }

    /**
     * Handshake done: starts the writer (queued frames, heartbeats carrying {@code lastSent} and
     * {@code lastApplied}) and the heartbeat-timeout watchdog.
     */
    void startStreaming(LongSupplier lastSent, LongSupplier lastApplied) {
        if (!writerStarted.compareAndSet(false, true)) return;
        this.lastSent = lastSent;
        this.lastApplied = lastApplied;
        this.streaming = true;
        lastReceivedNanos = System.nanoTime();
        Thread t = new Thread(this::writeLoop, "understudy-repl-tx " + link.describe());
        t.setDaemon(true);
        writer = t;
        t.start();
        long period = Math.max(1_000_000L, intervalNanos / 2);
        watchdog = timers.scheduleAtFixedRate(this::checkTimeout, period, period, TimeUnit.NANOSECONDS);
        if (ended.get()) stopThreads();
    }

    String describe() {
        return link.describe();
    }

    /** When the last bytes arrived from the peer (System.nanoTime()). */
    long lastReceivedNanos() {
        return lastReceivedNanos;
    }

    /** The peer process's PID if the link knows it, else -1. */
    long peerPid() {
        return link.peerPid();
    }

    boolean isEnded() {
        return ended.get();
    }

    // ---------------------------------------------------------------- sending

    /** A buffer of {@link #MAX_FRAME} bytes to write a frame into, or null when the queue is full. */
    ByteBuffer acquire() {
        ByteBuffer b = free.poll();
        if (b != null) return b;
        if (allocated.incrementAndGet() <= queueFrames) return ByteBuffer.allocate(MAX_FRAME);
        allocated.decrementAndGet();
        return null;
    }

    /**
     * Queues {@code frame} (bytes 0 to its limit) for the writer; the buffer comes back to the pool
     * once sent. False if the link ended or the queue is full (the buffer is then dropped).
     */
    boolean submit(ByteBuffer frame) {
        if (ended.get()) return false;
        return out.offer(frame);
    }

    /** True when more than half of the frame pool is waiting to be sent (the peer falls behind). */
    boolean congested() {
        return out.size() > queueFrames / 2;
    }

    /** The peer is to be told that every record up to {@code record} is applied; acks coalesce. */
    void ack(long record) {
        ackRecord = record;
        out.offer(ACK_SIGNAL); // a full queue already holds signals that will send the newest ack
    }

    /** Sends a handshake frame at once from the calling thread (before streaming). */
    void sendDirect(ByteBuffer frame) throws IOException {
        link.send(frame);
    }

    /** Best effort: tells the peer why we refuse it (during the handshake only: the socket is idle then). */
    void sendReject(int code, String text) {
        if (streaming) return;
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        if (utf8.length > HelloReject.MAX_TEXT) utf8 = java.util.Arrays.copyOf(utf8, HelloReject.MAX_TEXT);
        ByteBuffer b = ByteBuffer.allocate(64 + utf8.length);
        int n = directCodec.helloReject(b, 0, 0, code, utf8);
        try {
            link.send(b.limit(n));
        } catch (IOException | RuntimeException e) {
            log.debug("could not send HELLO_REJECT to {}: {}", link.describe(), e.toString());
        }
    }

    private void writeLoop() {
        FrameCodec codec = new FrameCodec();
        ByteBuffer control = ByteBuffer.allocate(64);
        long ackSent = 0;
        try {
            while (!ended.get()) {
                ByteBuffer b = out.poll(intervalNanos, TimeUnit.NANOSECONDS);
                if (ended.get()) break;
                if (b == null) {
                    int n = codec.heartbeat(control.clear(), 0, 0, clock.getAsLong(), lastSent.getAsLong(),
                            lastApplied.getAsLong());
                    link.send(control.limit(n));
                } else if (b == ACK_SIGNAL) {
                    long a = ackRecord;
                    if (a > ackSent) {
                        ackSent = a;
                        int n = codec.ack(control.clear(), 0, 0, a);
                        link.send(control.limit(n));
                    }
                } else {
                    link.send(b.position(0));
                    free.offer(b.clear());
                }
            }
        } catch (InterruptedException e) {
            // ended
        } catch (IOException | RuntimeException e) {
            end(EndKind.CLOSED, "sending failed: " + e.getMessage());
        }
    }

    // ---------------------------------------------------------------- receiving

    @Override
    public void onBytes(ByteBuffer chunk) {
        receiving = true;
        lastReceivedNanos = System.nanoTime();
        try {
            while (chunk.hasRemaining() && !ended.get()) {
                reader.append(chunk);
                FrameReader.Status s;
                while ((s = reader.poll()) == FrameReader.Status.FRAME) {
                    if (ended.get()) return;
                    handler.onFrame(this, reader.frame());
                }
                if (s == FrameReader.Status.REJECTED) {
                    String why = "malformed frame from " + link.describe() + ": " + describe(reader.reject());
                    sendReject(HelloReject.PROTOCOL_ERROR, why);
                    end(EndKind.PROTOCOL, why);
                    return;
                }
            }
        } catch (PeerException e) {
            sendReject(e.code, e.getMessage());
            end(EndKind.PROTOCOL, e.getMessage());
        } catch (RuntimeException e) {
            log.error("replication: failed to handle a frame from {}", link.describe(), e);
            end(EndKind.PROTOCOL, "failed to handle a frame: " + e);
        } finally {
            lastReceivedNanos = System.nanoTime();
            suspectSinceNanos = 0;
            receiving = false;
        }
    }

    @Override
    public void onClosed(Throwable cause) {
        end(EndKind.CLOSED, cause == null ? "link closed by peer" : "link failed: " + cause.getMessage());
    }

    static String describe(FrameReject r) {
        return switch (r) {
            case TOO_LONG -> "length field over the maximum (garbage, or another protocol?)";
            case TOO_SHORT -> "length field too small for any frame (garbage?)";
            case BAD_CRC -> "bad CRC";
            case UNKNOWN_TYPE -> "unknown message type";
            case UNSUPPORTED_VERSION -> "unsupported frame version (ours is " + FrameCodec.VERSION + ")";
            case BAD_BODY_LENGTH -> "body length wrong for its message type";
        };
    }

    /**
     * The watchdog: the peer is lost when nothing arrived for the timeout, confirmed one period
     * later (so a pause of our own threads, which held back the receive thread too, is not
     * mistaken for the peer's silence). Never while a chunk is being handled.
     */
    void checkTimeout() {
        if (ended.get() || receiving) return;
        long now = System.nanoTime();
        long silent = now - lastReceivedNanos;
        if (silent < timeoutNanos) {
            suspectSinceNanos = 0;
            return;
        }
        long since = suspectSinceNanos;
        if (since == 0) {
            suspectSinceNanos = now;
        } else if (now - since >= Math.max(1_000_000L, intervalNanos / 2)) {
            end(EndKind.TIMEOUT, "no frame from peer for " + (silent / 1_000_000) + " ms (timeout "
                    + (timeoutNanos / 1_000_000) + " ms)");
        }
    }

    // ---------------------------------------------------------------- ending

    /** Ends the link (once): stops the writer and the watchdog, closes the link, then tells the handler on the timer thread. */
    void end(EndKind kind, String reason) {
        if (!ended.compareAndSet(false, true)) return;
        End end = new End(kind, reason, System.nanoTime());
        stopThreads();
        Runnable close = () -> {
            link.close();
            out.clear();
            handler.onEnded(this, end);
        };
        try {
            timers.execute(close);
        } catch (java.util.concurrent.RejectedExecutionException shutDown) {
            close.run();
        }
    }

    private void stopThreads() {
        ScheduledFuture<?> w = watchdog;
        if (w != null) w.cancel(false);
        Thread t = writer;
        if (t != null) t.interrupt();
    }
}
