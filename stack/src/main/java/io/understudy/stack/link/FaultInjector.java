package io.understudy.stack.link;

import io.understudy.stack.engine.StackHandler;
import io.understudy.stack.wire.EthernetFrame;
import java.nio.ByteBuffer;
import java.util.SplittableRandom;

/**
 * Puts the faults of a {@link FaultSpec} into the frames crossing the link, in both directions,
 * for testing TCP where the kernel has no netem: wrap the stack's handler with
 * {@link #wrapInbound} and its link with {@link #wrapOutbound}, once each. Stack thread only;
 * deterministic for a given seed and traffic.
 *
 * <p>Time comes in through the inbound side, as the {@code now} of {@code onFrame} and
 * {@code onBatchEnd}; the outbound side uses the latest of it. A held frame leaves after
 * {@link FaultSpec#reorderDepth()} later frames in its direction, or once its delay has passed:
 * inbound at the next frame or batch end, outbound at the next transmit or flush (the stack
 * flushes its link at the end of every batch).
 *
 * <p>A frame no fault touches passes as the same buffer. Corrupted and held frames are copies, in
 * a bounded pool of direct buffers allocated as needed and then reused; when none is free the
 * frame passes untouched, counted in {@link #poolExhausted()}. A duplicate is the same bytes
 * delivered twice in a row (handlers and links never modify a frame).
 */
public final class FaultInjector {
    /** Copy slots in the pool unless told otherwise. */
    public static final int DEFAULT_POOL_SLOTS = 256;
    /** Bytes per slot: the engine's default frame capacity, a whole GSO frame. */
    private static final int SLOT_BYTES = 65_536 + 64;

    /** Where a direction hands on the frames that survive. */
    @FunctionalInterface
    private interface Sink {
        void deliver(long now, ByteBuffer frame);
    }

    private final FaultSpec spec;
    private final ByteBuffer[] free;
    private int freeCount;
    private int allocated;
    private final Side in;
    private final Side out;
    private long now;
    private long dropped, duplicated, corrupted, reordered, poolExhausted;

    /** An injector for {@code spec} with {@link #DEFAULT_POOL_SLOTS} copy slots. */
    public FaultInjector(FaultSpec spec) {
        this(spec, DEFAULT_POOL_SLOTS);
    }

    /** An injector for {@code spec} with at most {@code poolSlots} frames copied at once. */
    public FaultInjector(FaultSpec spec, int poolSlots) {
        if (poolSlots < 1) {
            throw new IllegalArgumentException("the fault pool needs at least one slot, got " + poolSlots);
        }
        this.spec = spec;
        this.free = new ByteBuffer[poolSlots];
        SplittableRandom seeds = new SplittableRandom(spec.seed());
        this.in = new Side(spec.direction().inbound(), seeds.split(), poolSlots);
        this.out = new Side(spec.direction().outbound(), seeds.split(), poolSlots);
    }

    /** {@code inner} behind the inbound faults; its clock also drives the outbound side. */
    public StackHandler wrapInbound(StackHandler inner) {
        Sink sink = inner::onFrame;
        return new StackHandler() {
            @Override
            public void onFrame(long now, ByteBuffer frame) {
                FaultInjector.this.now = now;
                in.offer(now, frame, sink);
            }

            @Override
            public void onBatchEnd(long now) {
                FaultInjector.this.now = now;
                in.releaseDue(now, sink);
                inner.onBatchEnd(now);
            }

            @Override
            public void onShutdown() {
                inner.onShutdown();
            }
        };
    }

    /** {@code inner} behind the outbound faults. */
    public Link wrapOutbound(Link inner) {
        Sink sink = (t, frame) -> inner.transmit(frame);
        return new Link() {
            @Override
            public void transmit(ByteBuffer frame) {
                out.offer(now, frame, sink);
            }

            @Override
            public void flush() {
                out.releaseDue(now, sink);
                inner.flush();
            }
        };
    }

    /** Frames received from the link. */
    public long framesIn() {
        return in.seen;
    }

    /** Frames the stack sent. */
    public long framesOut() {
        return out.seen;
    }

    /** Frames dropped. */
    public long dropped() {
        return dropped;
    }

    /** Frames delivered twice. */
    public long duplicated() {
        return duplicated;
    }

    /** Frames with a bit flipped. */
    public long corrupted() {
        return corrupted;
    }

    /** Frames held back. */
    public long reordered() {
        return reordered;
    }

    /** Frames that passed untouched because a fault needed a copy and no slot was free. */
    public long poolExhausted() {
        return poolExhausted;
    }

    /** The counters on one line, e.g. for the log at shutdown. */
    public String summary() {
        return "frames_in=" + in.seen + " frames_out=" + out.seen + " dropped=" + dropped + " duplicated=" + duplicated
                + " corrupted=" + corrupted + " reordered=" + reordered + " pool_exhausted=" + poolExhausted;
    }

    /** A copy of {@code frame} in a pool slot, or null when no slot is free. */
    private ByteBuffer copy(ByteBuffer frame) {
        int length = frame.remaining();
        if (length > SLOT_BYTES || (freeCount == 0 && allocated == free.length)) {
            return null;
        }
        if (freeCount == 0) {
            free[freeCount++] = ByteBuffer.allocateDirect(SLOT_BYTES);
            allocated++;
        }
        return free[--freeCount].clear().put(0, frame, frame.position(), length).limit(length);
    }

    private void recycle(ByteBuffer slot) {
        free[freeCount++] = slot;
    }

    /** One direction: its random choices, its held frames (oldest first), its frame count. */
    private final class Side {
        private final boolean faulty;
        private final SplittableRandom random;
        private final ByteBuffer[] held;
        private final long[] heldAt;
        private final long[] releaseAfter;
        private int head;
        private int size;
        private long seen;

        Side(boolean faulty, SplittableRandom random, int capacity) {
            this.faulty = faulty;
            this.random = random;
            this.held = new ByteBuffer[capacity];
            this.heldAt = new long[capacity];
            this.releaseAfter = new long[capacity];
        }

        void offer(long now, ByteBuffer frame, Sink sink) {
            seen++;
            if (faulty) {
                inject(now, frame, sink);
            } else {
                sink.deliver(now, frame);
            }
            releaseDue(now, sink);
        }

        /** Delivers the held frames that enough later frames have overtaken or whose delay has passed. */
        void releaseDue(long now, Sink sink) {
            // Every frame waits for the same depth and delay, so the oldest is always due first.
            while (size > 0 && (seen >= releaseAfter[head] || now - heldAt[head] >= spec.delayNanos())) {
                ByteBuffer frame = held[head];
                held[head] = null;
                head = (head + 1) % held.length;
                size--;
                sink.deliver(now, frame);
                recycle(frame);
            }
        }

        private void inject(long now, ByteBuffer frame, Sink sink) {
            if (roll(spec.drop())) {
                dropped++;
                return;
            }
            boolean corrupt = roll(spec.corrupt()) && frame.remaining() > EthernetFrame.HEADER_LENGTH;
            boolean dup = roll(spec.dup());
            boolean hold = roll(spec.reorder());
            ByteBuffer frameOut = frame;
            if (corrupt || hold) {
                frameOut = copy(frame);
                if (frameOut == null) {
                    poolExhausted++;
                    sink.deliver(now, frame);
                    return;
                }
                if (corrupt) {
                    flipOneBit(frameOut);
                    corrupted++;
                }
            }
            if (dup) {
                duplicated++;
                sink.deliver(now, frameOut);
            }
            if (hold) {
                reordered++;
                int tail = (head + size++) % held.length;
                held[tail] = frameOut;
                heldAt[tail] = now;
                releaseAfter[tail] = seen + spec.reorderDepth();
                return;
            }
            sink.deliver(now, frameOut);
            if (frameOut != frame) {
                recycle(frameOut);
            }
        }

        private boolean roll(int rate) {
            return rate > 0 && random.nextInt(FaultSpec.ALWAYS) < rate;
        }

        /** Flips one bit of one byte past the Ethernet header, so only the stack's checksums can notice. */
        private void flipOneBit(ByteBuffer frame) {
            int at = EthernetFrame.HEADER_LENGTH + random.nextInt(frame.limit() - EthernetFrame.HEADER_LENGTH);
            frame.put(at, (byte) (frame.get(at) ^ (1 << random.nextInt(Byte.SIZE))));
        }
    }
}
