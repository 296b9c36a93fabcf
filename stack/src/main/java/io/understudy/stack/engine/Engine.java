package io.understudy.stack.engine;

import com.lmax.disruptor.EventHandler;
import com.lmax.disruptor.ExceptionHandler;
import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.LiteTimeoutBlockingWaitStrategy;
import com.lmax.disruptor.PhasedBackoffWaitStrategy;
import com.lmax.disruptor.TimeoutBlockingWaitStrategy;
import com.lmax.disruptor.WaitStrategy;
import com.lmax.disruptor.dsl.Disruptor;
import com.lmax.disruptor.dsl.ProducerType;
import java.io.IOException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single-writer engine: a Disruptor ring carries every event that can change protocol
 * state — frames from the link reader thread and commands from application threads — to one
 * handler thread, the stack thread, which owns all protocol state.
 *
 * <p>Slots are preallocated with their frame buffers; a reader claims a slot and reads the
 * frame straight into it, so the steady state copies and allocates nothing per frame. The
 * end of each batch, and each wait timeout when the ring is idle, is where timers fire and
 * output is flushed.
 *
 * @param <H> the handler type, which commands receive
 */
public final class Engine<H extends StackHandler> implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Engine.class);

    /**
     * How the stack thread waits for events. Each variant still wakes at least every idle tick,
     * so timers fire on an idle ring.
     */
    public enum Wait {
        /**
         * Park on a lock and condition; every publish signals it (Disruptor's
         * TimeoutBlockingWaitStrategy). The default: on a 2-core machine the stack thread must not
         * take a core from the TAP reader and the load generator while idle.
         */
        BLOCKING,
        /** As BLOCKING, but a publish only signals when the stack thread is actually waiting (LiteTimeoutBlockingWaitStrategy). */
        LITE_BLOCKING,
        /**
         * Spin for 20 µs, yield for 100 µs, then park as LITE_BLOCKING (PhasedBackoffWaitStrategy):
         * the lowest latency when a core is free for it, the worst when cores are scarce.
         */
        SPIN_THEN_BLOCK;

        WaitStrategy strategy(long idleTickNanos) {
            return switch (this) {
                case BLOCKING -> new TimeoutBlockingWaitStrategy(idleTickNanos, TimeUnit.NANOSECONDS);
                case LITE_BLOCKING -> new LiteTimeoutBlockingWaitStrategy(idleTickNanos, TimeUnit.NANOSECONDS);
                case SPIN_THEN_BLOCK -> new PhasedBackoffWaitStrategy(20, 120, TimeUnit.MICROSECONDS,
                        new LiteTimeoutBlockingWaitStrategy(idleTickNanos, TimeUnit.NANOSECONDS));
            };
        }
    }

    /** Engine settings. */
    public record Config(int ringSize, int frameCapacity, long idleTickNanos, Wait waitStrategy) {
        /** 1024 slots of 64 KiB + headroom (a whole GSO frame), a 1 ms idle tick, {@link Wait#BLOCKING}. */
        public static Config defaults() {
            return new Config(1024, 65_536 + 64, TimeUnit.MILLISECONDS.toNanos(1), Wait.BLOCKING);
        }

        /** Settings with the old three components and {@link Wait#BLOCKING}. */
        public Config(int ringSize, int frameCapacity, long idleTickNanos) {
            this(ringSize, frameCapacity, idleTickNanos, Wait.BLOCKING);
        }

        /** These settings with another way of waiting. */
        public Config withWait(Wait wait) {
            return new Config(ringSize, frameCapacity, idleTickNanos, wait);
        }

        public Config {
            if (Integer.bitCount(ringSize) != 1) {
                throw new IllegalArgumentException("ring size must be a power of two, got " + ringSize);
            }
            if (frameCapacity < 64) {
                throw new IllegalArgumentException("frame capacity must be at least 64 bytes, got " + frameCapacity);
            }
            java.util.Objects.requireNonNull(waitStrategy, "waitStrategy");
            if (idleTickNanos <= 0) {
                throw new IllegalArgumentException("idle tick must be positive, got " + idleTickNanos);
            }
        }
    }

    private final H handler;
    private final LongSupplier clock;
    private final Disruptor<StackEvent<H>> disruptor;
    private final RingBuffer<StackEvent<H>> ring;
    private final AtomicLong handlerExceptions = new AtomicLong();
    private volatile Thread stackThread;
    private final CountDownLatch started = new CountDownLatch(1);

    public Engine(H handler, LongSupplier clock, Config config) {
        this.handler = handler;
        this.clock = clock;
        this.disruptor = new Disruptor<>(
                () -> new StackEvent<>(config.frameCapacity()),
                config.ringSize(),
                r -> {
                    Thread t = new Thread(r, "understudy-stack");
                    t.setDaemon(true);
                    return t;
                },
                ProducerType.MULTI,
                config.waitStrategy().strategy(config.idleTickNanos()));
        this.disruptor.handleEventsWith(new Handler());
        this.disruptor.setDefaultExceptionHandler(new LogAndContinue());
        this.ring = disruptor.getRingBuffer();
    }

    /**
     * Starts the stack thread and returns once it runs. (The Disruptor's shutdown drains only
     * processors already running: without the wait, a {@link #close} soon after start would
     * drop everything published.)
     */
    public void start() {
        disruptor.start();
        try {
            started.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Claims a slot, lets {@code reader} fill it with one frame, and publishes it. Called by
     * the link reader thread only. The read must not block: a claimed slot holds back every
     * later event until it is published.
     *
     * @return the frame length, 0 if the reader had nothing
     */
    public int publishFrame(FrameReader reader) throws IOException {
        long seq = ring.next();
        StackEvent<H> event = ring.get(seq);
        event.clear();
        try {
            int n = reader.read(event.frame.clear());
            if (n > 0) {
                event.type = StackEvent.FRAME;
                event.length = n;
            }
            return n;
        } finally {
            ring.publish(seq);
        }
    }

    /** Runs {@code command} on the stack thread, after everything already in the ring. */
    public void execute(Consumer<? super H> command) {
        execute((handler, now) -> command.accept(handler));
    }

    /** Runs {@code command} on the stack thread with the engine's time, after everything already in the ring. */
    public void execute(StackCommand<? super H> command) {
        ring.publishEvent((event, seq, cmd) -> {
            event.clear();
            event.type = StackEvent.COMMAND;
            event.command = cmd;
        }, command);
    }

    /** True when the caller is the stack thread. */
    public boolean onStackThread() {
        return Thread.currentThread() == stackThread;
    }

    /** Exceptions the handler threw and the engine logged and survived (each one is a bug). */
    public long handlerExceptions() {
        return handlerExceptions.get();
    }

    /**
     * Stops the stack thread after it has processed everything already published; the last thing
     * it runs is the handler's {@link StackHandler#onShutdown}.
     */
    @Override
    public void close() {
        try {
            disruptor.shutdown(2, TimeUnit.SECONDS);
        } catch (com.lmax.disruptor.TimeoutException e) {
            log.warn("stack thread did not drain the ring in 2 s; halting it");
            disruptor.halt();
        }
    }

    private final class Handler implements EventHandler<StackEvent<H>> {
        @Override
        public void onStart() {
            stackThread = Thread.currentThread();
            started.countDown();
        }

        @Override
        public void onEvent(StackEvent<H> event, long sequence, boolean endOfBatch) {
            try {
                switch (event.type) {
                    case StackEvent.FRAME -> handler.onFrame(clock.getAsLong(), event.frame.limit(event.length).position(0));
                    case StackEvent.COMMAND -> event.command.run(handler, clock.getAsLong());
                    default -> { }
                }
            } finally {
                event.command = null;
                if (endOfBatch) {
                    handler.onBatchEnd(clock.getAsLong());
                }
            }
        }

        @Override
        public void onTimeout(long sequence) {
            handler.onBatchEnd(clock.getAsLong());
        }

        @Override
        public void onShutdown() {
            handler.onShutdown();
        }
    }

    /** One bad event never stops the stack: log it, count it, go on. */
    private final class LogAndContinue implements ExceptionHandler<StackEvent<H>> {
        @Override
        public void handleEventException(Throwable ex, long sequence, StackEvent<H> event) {
            handlerExceptions.incrementAndGet();
            if (event == null) {
                // The Disruptor passes no event when onTimeout threw: an idle tick's onBatchEnd.
                log.error("stack thread: exception in an idle tick after event {}; going on", sequence, ex);
                return;
            }
            log.error("stack thread: exception while handling event {} (type {}); dropped it and going on",
                    sequence, event.type, ex);
        }

        @Override
        public void handleOnStartException(Throwable ex) {
            log.error("stack thread failed to start", ex);
        }

        @Override
        public void handleOnShutdownException(Throwable ex) {
            log.error("stack thread failed while shutting down", ex);
        }
    }
}
