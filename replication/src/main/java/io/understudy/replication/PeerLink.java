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
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One replication link in use, either side: reassembles and checks incoming frames and hands them
 * to a {@link Handler} on the link's receive thread; sends outgoing frames without ever blocking the
 * producer; sends a HEARTBEAT when it has had nothing to send for an interval; and declares the
 * peer lost when no frame came for the heartbeat timeout.
 *
 * <p><b>Sending.</b> A frame goes on the wire from the producer's own thread when nothing is queued
 * before it and the link can write without blocking ({@link ReplicationLink#trySend}: a unix link);
 * otherwise, and for whatever part of it the socket did not take, it is queued for the link's
 * writer thread (a bounded queue of reusable buffers). The direct way matters for latency: every
 * replicated request waits for one record to reach the standby and its ACK to come back, and each
 * thread hand-off on that path (producer to writer, on both sides) costs tens of microseconds on a
 * small VM, where a woken thread often waits for its virtual CPU to be scheduled. So the
 * primary's stack thread writes its records, and the standby's receive thread writes its ACKs,
 * itself. A lock ({@code wire}) keeps frames whole on the wire: when a direct send leaves a frame
 * half written, the writer sends its rest before anything else, and no direct send happens meanwhile.
 *
 * <p>The link Ends exactly once, for one {@link End reason}; the end is
 * handled on the replication timer thread (never on the caller's, which may be the stack thread).
 */
final class PeerLink implements ReplicationLink.Listener {
    private static final Logger log = LoggerFactory.getLogger(PeerLink.class);

    /** Largest frame either side sends, in bytes. */
    static final int MAX_FRAME = 64 * 1024;
    private static final ByteBuffer ACK_SIGNAL = ByteBuffer.allocate(0);
    /** Wakes the writer to send {@link #tornRest}. */
    private static final ByteBuffer TORN_SIGNAL = ByteBuffer.allocate(0);

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
    /** The link's receive thread, once it delivered bytes. */
    private volatile Thread receiveThread;
    private volatile long suspectSinceNanos;
    private volatile long ackRecord;
    private volatile LongSupplier lastSent = () -> 0;
    private volatile LongSupplier lastApplied = () -> 0;
    private volatile boolean streaming;
    /** Serializes what goes on the wire between the writer thread and direct sends (see the class comment). */
    private final ReentrantLock wire = new ReentrantLock();
    /** Frames queued (or being written by the writer) and not yet wholly on the wire; ACK signals not counted. */
    private final AtomicInteger unsent = new AtomicInteger();
    /**
     * The rest of a frame a direct send put only part of on the wire, or null. It must be the next
     * bytes on the wire, so it is not queued behind anything: the writer sends it first whenever
     * it holds {@link #wire}, and no direct send happens while it is set. Under {@link #wire}.
     */
    private ByteBuffer tornRest;
    /** The newest record an ACK went out for. Under {@link #wire}. */
    private long ackSent;
    /** Cleared for good when the link cannot send without blocking (a TCP link). */
    private volatile boolean direct = true;
    /** The receive thread has an ACK to send once the chunk at hand is handled (receive thread only). */
    private boolean ackDue;
    private final FrameCodec receiveCodec = new FrameCodec();
    private final ByteBuffer ackFrame = ByteBuffer.allocate(64);
    /** Frames and ACKs that went out directly, and that went through the writer (for tests and /status). */
    private final AtomicLong directFrames = new AtomicLong();
    private final AtomicLong queuedFrames = new AtomicLong();
    /** An ACK signal is in {@link #out}, not yet taken by the writer. */
    private final AtomicBoolean ackSignalled = new AtomicBoolean();

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
     * Sends {@code frame} (position to limit, a buffer from {@link #acquire}): directly when
     * nothing is queued before it and the socket takes it now, else (the rest of it) through the
     * writer's queue. The buffer comes back to the pool once sent. False if the link ended or the
     * queue is full (the buffer is then dropped). One producer thread.
     */
    boolean submit(ByteBuffer frame) {
        if (ended.get()) return false;
        if (direct && streaming && unsent.get() == 0 && wire.tryLock()) {
            try {
                if (tornRest == null && unsent.get() == 0) {
                    int n = link.trySend(frame);
                    if (n < 0) {
                        direct = false;
                    } else if (!frame.hasRemaining()) {
                        directFrames.incrementAndGet();
                        free.offer(frame.clear());
                        return true;
                    } else if (n > 0) {
                        tear(frame);
                        return true;
                    }
                }
            } catch (IOException | RuntimeException e) {
                end(EndKind.CLOSED, "sending failed: " + e.getMessage());
                return false;
            } finally {
                wire.unlock();
            }
        }
        return enqueue(frame);
    }

    private boolean enqueue(ByteBuffer frame) {
        unsent.incrementAndGet();
        if (out.offer(frame)) {
            queuedFrames.incrementAndGet();
            return true;
        }
        unsent.decrementAndGet();
        return false;
    }

    /** Under {@link #wire}: part of {@code rest}'s frame is on the wire; the writer sends the rest before anything else. */
    private void tear(ByteBuffer rest) {
        tornRest = rest;
        unsent.incrementAndGet();
        queuedFrames.incrementAndGet();
        out.offer(TORN_SIGNAL); // a full queue wakes the writer anyway, and it sends tornRest first
    }

    /** Frames (and ACKs) written directly by their producer so far. */
    long directFrames() {
        return directFrames.get();
    }

    /** Frames (and ACKs) handed to the writer thread so far. */
    long queuedFrames() {
        return queuedFrames.get();
    }

    /** True when more than half of the frame pool is waiting to be sent (the peer falls behind). */
    boolean congested() {
        return out.size() > queueFrames / 2;
    }

    /**
     * The peer is to be told that every record up to {@code record} is applied; acks coalesce. On
     * the receive thread (inside {@link Handler#onFrame}) the ACK goes out once the chunk of bytes
     * at hand is handled, from that thread when the socket takes it at once; from any other
     * thread through the writer.
     */
    void ack(long record) {
        ackRecord = record;
        if (Thread.currentThread() == receiveThread) {
            ackDue = true;
        } else {
            signalAck();
        }
    }

    /** Tells the writer to send the newest ACK; one signal at a time is queued (it sends whatever is newest then). */
    private void signalAck() {
        if (ackSignalled.compareAndSet(false, true)) {
            queuedFrames.incrementAndGet();
            if (!out.offer(ACK_SIGNAL)) {
                ackSignalled.set(false); // a full queue: the next ack signals again
            }
        }
    }

    /** Receive thread, after a chunk: sends the due ACK directly if it can, else through the writer. */
    private void flushAck() {
        if (!ackDue) return;
        ackDue = false;
        if (direct && streaming && unsent.get() == 0 && wire.tryLock()) {
            try {
                if (tornRest == null && unsent.get() == 0) {
                    long a = ackRecord;
                    if (a <= ackSent) return;
                    int n = receiveCodec.ack(ackFrame.clear(), 0, 0, a);
                    ackFrame.limit(n);
                    int w = link.trySend(ackFrame);
                    if (w < 0) {
                        direct = false;
                    } else if (w > 0) {
                        ackSent = a;
                        directFrames.incrementAndGet();
                        if (ackFrame.hasRemaining()) { // rare: a copy of the rest goes first through the writer
                            tear(ByteBuffer.allocate(ackFrame.remaining()).put(ackFrame).flip());
                        }
                        return;
                    }
                }
            } catch (IOException | RuntimeException e) {
                end(EndKind.CLOSED, "sending failed: " + e.getMessage());
                return;
            } finally {
                wire.unlock();
            }
        }
        signalAck();
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
        try {
            while (!ended.get()) {
                ByteBuffer b = out.poll(intervalNanos, TimeUnit.NANOSECONDS);
                if (ended.get()) break;
                wire.lock();
                try {
                    ByteBuffer rest = tornRest;
                    if (rest != null) { // the rest of a half-written frame goes before anything else
                        link.send(rest);
                        tornRest = null;
                        unsent.decrementAndGet();
                        recycle(rest);
                    }
                    if (b == null) {
                        int n = codec.heartbeat(control.clear(), 0, 0, clock.getAsLong(), lastSent.getAsLong(),
                                lastApplied.getAsLong());
                        link.send(control.limit(n));
                    } else if (b == ACK_SIGNAL) {
                        ackSignalled.set(false); // before reading ackRecord: a newer ack signals again
                        sendAck(codec, control);
                    } else if (b != TORN_SIGNAL) {
                        link.send(b);
                        unsent.decrementAndGet();
                        recycle(b);
                    }
                } finally {
                    wire.unlock();
                }
            }
        } catch (InterruptedException e) {
            // ended
        } catch (IOException | RuntimeException e) {
            end(EndKind.CLOSED, "sending failed: " + e.getMessage());
        }
    }

    /** Returns a frame buffer to the pool (not a copied ACK rest). */
    private void recycle(ByteBuffer b) {
        if (b.capacity() == MAX_FRAME) free.offer(b.clear());
    }

    /** Sends an ACK for the newest applied record unless one went out already. Under {@link #wire}. */
    private void sendAck(FrameCodec codec, ByteBuffer control) throws IOException {
        long a = ackRecord;
        if (a > ackSent) {
            ackSent = a;
            int n = codec.ack(control.clear(), 0, 0, a);
            link.send(control.limit(n));
        }
    }

    // ---------------------------------------------------------------- receiving

    @Override
    public void onBytes(ByteBuffer chunk) {
        receiveThread = Thread.currentThread();
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
        if (!ended.get()) flushAck();
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
        // A peer seen dying is reported before the link is closed: closing waits for the receive
        // thread to finish (it is still reading what the dying peer had sent), and a standby must
        // not wait for that to take over. (What it reads now changes nothing that was acknowledged.)
        Runnable close = kind == EndKind.DIED ? () -> {
            handler.onEnded(this, end);
            link.close();
            out.clear();
        } : () -> {
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
