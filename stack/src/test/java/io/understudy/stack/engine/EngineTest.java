package io.understudy.stack.engine;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The engine on a real stack thread. Tests wait for the stack thread with latches and with
 * {@link #drain()}, a command that runs after everything published before it; nothing sleeps.
 * A stalled ring would hang {@code publishFrame}, so each test runs under a timeout.
 */
@Timeout(value = 20, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class EngineTest {
    private static final long NOW = 42;
    /** The frame that makes {@link Recorder#onFrame} throw; no other test frame is 4 bytes long. */
    private static final byte[] POISON = {0x66, 0x66, 0x66, 0x66};
    private static final long NEVER_IDLE = TimeUnit.HOURS.toNanos(1);

    /** Logs what the stack thread sees: "frame HEX @now", "command", "batchEnd @now", "shutdown". */
    static class Recorder implements StackHandler {
        final BlockingQueue<String> log = new LinkedBlockingQueue<>();

        @Override public void onFrame(long now, ByteBuffer frame) {
            byte[] bytes = new byte[frame.remaining()];
            frame.get(frame.position(), bytes);
            if (Arrays.equals(bytes, POISON)) {
                throw new IllegalStateException("poisoned frame (expected by the test)");
            }
            log.add("frame " + HexFormat.of().formatHex(bytes) + " @" + now);
        }

        @Override public void onBatchEnd(long now) {
            log.add("batchEnd @" + now);
        }

        @Override public void onShutdown() {
            log.add("shutdown");
        }

        List<String> frames() {
            return log.stream().filter(s -> s.startsWith("frame")).toList();
        }
    }

    private final Recorder recorder = new Recorder();
    private Engine<Recorder> engine;

    private Engine<Recorder> start(Recorder handler, int ringSize, long idleTickNanos) {
        engine = new Engine<>(handler, () -> NOW, new Engine.Config(ringSize, 128, idleTickNanos));
        engine.start();
        return engine;
    }

    private Engine<Recorder> start() {
        return start(recorder, 64, NEVER_IDLE);
    }

    @AfterEach void stop() {
        if (engine != null) {
            engine.close();
        }
    }

    /** A reader that writes {@code bytes} as one frame. */
    private static FrameReader frame(int... bytes) {
        return dst -> {
            for (int b : bytes) {
                dst.put((byte) b);
            }
            return bytes.length;
        };
    }

    /** Waits until the stack thread has handled everything published so far. */
    private void drain() throws InterruptedException {
        var done = new CountDownLatch(1);
        engine.execute(r -> done.countDown());
        assertThat(done.await(10, SECONDS)).as("the stack thread reached the end of the ring").isTrue();
    }

    /** The next {@code n} entries of the log, waiting for each. */
    private List<String> next(int n) throws InterruptedException {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String entry = recorder.log.poll(10, SECONDS);
            assertThat(entry).as("log entry %d of %d (have %s)", i, n, out).isNotNull();
            out.add(entry);
        }
        return out;
    }

    @Test void publishedFramesReachTheHandlerInOrderWithTheirBytes() throws Exception {
        start();
        List<String> expected = new ArrayList<>();
        for (int i = 1; i <= 200; i++) {
            int[] bytes = {i & 0xFF, 0xAB, (i * 7) & 0xFF};
            assertThat(engine.publishFrame(frame(bytes))).isEqualTo(3);
            expected.add("frame " + HexFormat.of().formatHex(new byte[] {(byte) bytes[0], (byte) 0xAB, (byte) bytes[2]})
                    + " @" + NOW);
        }
        drain();
        assertThat(recorder.frames()).containsExactlyElementsOf(expected);
    }

    @Test void commandsRunOnTheStackThreadWithTheHandler() throws Exception {
        start();
        var ran = new CompletableFuture<String>();
        engine.execute(r -> ran.complete(engine.onStackThread() + " " + (r == recorder)));
        assertThat(ran.get(10, SECONDS)).isEqualTo("true true");
        assertThat(engine.onStackThread()).isFalse();
    }

    @Test void batchEndFollowsTheLastEventOfEachBatch() throws Exception {
        start();
        var entered = new CountDownLatch(1);
        var release = new CountDownLatch(1);
        engine.execute(r -> {
            r.log.add("command");
            entered.countDown();
            await(release);
        });
        assertThat(entered.await(10, SECONDS)).isTrue();
        // The stack thread is busy, so these three form the next batch.
        engine.publishFrame(frame(1));
        engine.publishFrame(frame(2));
        engine.publishFrame(frame(3));
        release.countDown();
        assertThat(next(6)).containsExactly(
                "command", "batchEnd @42", "frame 01 @42", "frame 02 @42", "frame 03 @42", "batchEnd @42");
    }

    @Test void closeRunsTheHandlersShutdownLastOnTheStackThread() throws Exception {
        var onStackThread = new CompletableFuture<Boolean>();
        Recorder r = new Recorder() {
            @Override public void onShutdown() {
                super.onShutdown();
                onStackThread.complete(engine.onStackThread());
            }
        };
        start(r, 64, NEVER_IDLE);
        engine.publishFrame(frame(9));
        engine.close();
        assertThat(onStackThread.get(10, SECONDS)).isTrue();
        List<String> log = new ArrayList<>(r.log);
        assertThat(log).contains("frame 09 @42").endsWith("batchEnd @42", "shutdown");
    }

    @Test void batchEndRunsOnIdleTimeouts() throws Exception {
        start(recorder, 64, TimeUnit.MILLISECONDS.toNanos(1));
        assertThat(next(3)).containsOnly("batchEnd @42");
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(Engine.Wait.class)
    void everyWaitStrategyDeliversFramesAndRunsIdleTicks(Engine.Wait wait) throws Exception {
        engine = new Engine<>(recorder, () -> NOW, new Engine.Config(64, 128, TimeUnit.MILLISECONDS.toNanos(1)).withWait(wait));
        engine.start();
        assertThat(next(2)).containsOnly("batchEnd @42"); // idle ticks
        engine.publishFrame(frame(0x7F));
        drain();
        assertThat(recorder.frames()).contains("frame 7f @42");
    }

    @Test void handlerExceptionIsCountedAndLaterEventsAreHandled() throws Exception {
        start();
        engine.publishFrame(frame(1));
        engine.publishFrame(dst -> dst.put(POISON).position());
        engine.publishFrame(frame(3));
        drain();
        assertThat(recorder.frames()).containsExactly("frame 01 @42", "frame 03 @42");
        assertThat(engine.handlerExceptions()).isEqualTo(1);
    }

    @Test void exceptionFromAnIdleTickIsCountedAndTheStackThreadGoesOn() throws Exception {
        var thrown = new CountDownLatch(1);
        var once = new AtomicBoolean();
        start(new Recorder() {
            @Override public void onBatchEnd(long now) {
                if (once.compareAndSet(false, true)) {
                    thrown.countDown();
                    throw new IllegalStateException("timer failed (expected by the test)");
                }
            }
        }, 64, TimeUnit.MILLISECONDS.toNanos(1));
        assertThat(thrown.await(10, SECONDS)).isTrue();
        drain();
        assertThat(engine.handlerExceptions()).isEqualTo(1);
    }

    @Test void readerWithNothingToReadPublishesNoFrame() throws Exception {
        start();
        assertThat(engine.publishFrame(dst -> 0)).isZero();
        engine.publishFrame(frame(9));
        drain();
        assertThat(recorder.frames()).containsExactly("frame 09 @42");
        assertThat(engine.handlerExceptions()).isZero();
    }

    @Test void readerThatThrowsStillReleasesItsSlot() throws Exception {
        start(recorder, 8, NEVER_IDLE);
        assertThatThrownBy(() -> engine.publishFrame(dst -> {
            dst.put((byte) 1);
            throw new IOException("read failed (expected by the test)");
        })).isInstanceOf(IOException.class);
        for (int i = 0; i < 3 * 8; i++) { // wraps the ring: a slot left claimed would block here
            engine.publishFrame(frame(i));
        }
        drain();
        assertThat(recorder.frames()).hasSize(3 * 8).first().isEqualTo("frame 00 @42");
        assertThat(engine.handlerExceptions()).isZero();
    }

    @Test void closeHandlesEverythingPublishedThenStopsTheStackThread() throws Exception {
        start(recorder, 1024, NEVER_IDLE);
        var stackThread = new CompletableFuture<Thread>();
        engine.execute(r -> stackThread.complete(Thread.currentThread()));
        for (int i = 0; i < 1000; i++) {
            engine.publishFrame(frame(i & 0xFF, i >> 8));
        }
        engine.close();
        assertThat(recorder.frames()).hasSize(1000).last().isEqualTo("frame e703 @42");
        Thread thread = stackThread.get(10, SECONDS);
        thread.join(SECONDS.toMillis(10));
        assertThat(thread.isAlive()).isFalse();
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
