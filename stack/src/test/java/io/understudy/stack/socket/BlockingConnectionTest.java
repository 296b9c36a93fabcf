package io.understudy.stack.socket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.understudy.stack.TwoStacks;
import io.understudy.stack.link.FaultSpec;
import io.understudy.stack.services.ClassicServices;
import io.understudy.stack.tcp.TcpConfig;
import java.io.IOException;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link BlockingConnection} between two real stacks on their own stack threads
 * ({@link TwoStacks}), driven by application threads. Every wait is bounded: the futures'
 * and the API's own timeouts, and the class timeout behind them.
 */
@Timeout(value = 180, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class BlockingConnectionTest {
    private static final int KIB = 1 << 10, MIB = 1 << 20;
    private static final long WAIT_MS = 60_000;
    private static final int PORT = 5001;
    /** BlockingConnection's inbound and outbound rings, 1 MiB each. */
    private static final int RING = MIB;
    /** The most a writer can be ahead of the reader: both rings, the send queue and the receive queue. */
    private static final long IN_FLIGHT_BOUND = 2L * RING + TcpConfig.defaults(1500).sendBuffer()
            + TcpConfig.defaults(1500).receiveBuffer();

    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final BlockingQueue<Future<?>> finished = new LinkedBlockingQueue<>();
    private int running;

    @AfterEach
    void stopThreads() {
        threads.shutdownNow();
    }

    @Test
    void echoOfEightMebibytesComesBackByteExactThenEndsAndCloses() throws Exception {
        try (var net = TwoStacks.start()) {
            net.b().run(s -> ClassicServices.install(s.tcp()));

            echoEightMebibytes(net);
        }
    }

    @Test
    void echoOverALossyReorderingLinkStillComesBackByteExact() throws Exception {
        try (var net = TwoStacks.start(FaultSpec.parse("drop=1%,reorder=2%,dup=1%,seed=3"))) {
            net.b().run(s -> ClassicServices.install(s.tcp()));

            echoEightMebibytes(net);

            var faults = net.faults();
            assertThat(net.a().<Long>call(s -> faults.dropped())).isPositive();
            assertThat(net.a().<Long>call(s -> faults.reordered())).isPositive();
            assertThat(net.a().<Long>call(s -> faults.duplicated())).isPositive();
        }
    }

    /** One thread writes 8 MiB to echo and shuts down output while another reads the echo to its end. */
    private void echoEightMebibytes(TwoStacks net) throws Exception {
        long total = 8L * MIB;
        var data = new SeededBytes(1);
        var c = BlockingConnection.connect(net.a().executor(), TwoStacks.B_IP, ClassicServices.ECHO_PORT, WAIT_MS);

        submit(() -> {
            data.writeTo(c.outputStream(), total, 64 * KIB, done -> { });
            c.shutdownOutput();
            return null;
        });
        Future<Long> reader = submit(() -> data.readFrom(c.inputStream(), total, () -> 64 * KIB, done -> { }));

        awaitAll();
        assertThat(reader.get()).as("bytes echoed before the end of the stream").isEqualTo(total);
        assertThat(c.inputStream().read()).as("read after the end").isEqualTo(-1);
        assertThat(c.awaitClosed(WAIT_MS)).as("closed").isTrue();
        assertThat(net.b().<Long>call(s -> s.tcp().listener(ClassicServices.ECHO_PORT).accepted())).isEqualTo(1L);
    }

    @Test
    void bothWaysAtOnceWithASlowReaderNeitherDeadlocksNorBuffersWithoutBound() throws Exception {
        long total = 32L * MIB;
        var clientData = new SeededBytes(11);
        var serverData = new SeededBytes(22);
        try (var net = TwoStacks.start()) {
            var pair = connectedPair(net);
            var client = pair.client;
            var server = pair.server;
            AtomicLong clientWritten = new AtomicLong();
            CountDownLatch clientWroteThreeMib = new CountDownLatch(1);
            SplittableRandom chunks = new SplittableRandom(5);
            long slowUntil = 4L * MIB;

            submit(() -> {
                clientData.writeTo(client.outputStream(), total, 64 * KIB, done -> {
                    clientWritten.set(done);
                    if (done >= 3L * MIB) {
                        clientWroteThreeMib.countDown();
                    }
                });
                client.shutdownOutput();
                return null;
            });
            submit(() -> {
                serverData.writeTo(server.outputStream(), total, 64 * KIB, done -> { });
                server.shutdownOutput();
                return null;
            });
            Future<Long> clientReader = submit(() -> serverData.readFrom(client.inputStream(), total, () -> 64 * KIB,
                    done -> { }));
            // The server reads nothing until the client is 3 MiB ahead, then a few hundred bytes at a time.
            AtomicLong serverRead = new AtomicLong();
            AtomicLong largestGap = new AtomicLong();
            Future<Long> serverReader = submit(() -> {
                assertThat(clientWroteThreeMib.await(WAIT_MS, TimeUnit.MILLISECONDS))
                        .as("the client wrote 3 MiB that nobody read yet").isTrue();
                return clientData.readFrom(server.inputStream(), total,
                        () -> serverRead.get() < slowUntil ? 1 + chunks.nextInt(512) : 64 * KIB,
                        done -> {
                            serverRead.set(done);
                            long gap = clientWritten.get() - done;
                            largestGap.accumulateAndGet(gap, Math::max);
                            assertThat(gap).as("bytes written but not yet read").isLessThanOrEqualTo(IN_FLIGHT_BOUND);
                        });
            });

            awaitAll();
            assertThat(serverReader.get()).as("client to server").isEqualTo(total);
            assertThat(clientReader.get()).as("server to client").isEqualTo(total);
            assertThat(largestGap.get()).isGreaterThanOrEqualTo(3L * MIB);
            assertThat(client.awaitClosed(WAIT_MS)).as("client closed").isTrue();
            assertThat(server.awaitClosed(WAIT_MS)).as("server closed").isTrue();
        }
    }

    @Test
    void aNormalCloseWhileTheInboundRingIsFullLosesNoBytes() throws Exception {
        long total = RING + RING / 2;
        var data = new SeededBytes(33);
        try (var net = TwoStacks.start()) {
            var pair = connectedPair(net);
            var client = pair.client;
            var server = pair.server;
            client.shutdownOutput();
            assertThat(server.inputStream().read()).as("the client's FIN").isEqualTo(-1);

            // Nobody reads at the client: a ring's worth waits there, the rest in TCP, when the FIN comes.
            data.writeTo(server.outputStream(), total, 64 * KIB, done -> { });
            server.shutdownOutput();
            assertThat(client.awaitClosed(WAIT_MS)).as("client closed (TIME-WAIT)").isTrue();

            assertThat(data.readFrom(client.inputStream(), total, () -> 64 * KIB, done -> { })).isEqualTo(total);
            assertThat(server.awaitClosed(WAIT_MS)).as("server closed").isTrue();
        }
    }

    @Test
    void connectToAPortWithoutListenerIsRefused() throws Exception {
        try (var net = TwoStacks.start()) {
            assertThatThrownBy(() -> BlockingConnection.connect(net.a().executor(), TwoStacks.B_IP, PORT, WAIT_MS))
                    .isInstanceOf(ConnectException.class)
                    .hasMessageContaining("refused");
            assertThat(net.a().<Integer>call(s -> s.tcp().connectionCount())).isZero();
        }
    }

    @Test
    void connectToAnAddressThatNeverAnswersTimesOut() throws Exception {
        long timeoutMs = 300;
        try (var net = TwoStacks.start()) {
            long start = System.nanoTime();
            assertThatThrownBy(() -> BlockingConnection.connect(net.a().executor(), TwoStacks.NOBODY_IP, PORT, timeoutMs))
                    .isInstanceOf(ConnectException.class)
                    .hasMessageContaining("timed out");
            long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

            assertThat(tookMs).isBetween(timeoutMs, timeoutMs + 5_000);
            assertThat(net.a().<Integer>call(s -> s.tcp().connectionCount())).as("the half-open connection is gone").isZero();
        }
    }

    @Test
    void abortResetsTheConnectionAndThePeersReadThrows() throws Exception {
        try (var net = TwoStacks.start()) {
            var pair = connectedPair(net);
            var client = pair.client;
            var server = pair.server;
            client.outputStream().write("hello".getBytes(StandardCharsets.US_ASCII));
            byte[] hello = server.inputStream().readNBytes(5);
            assertThat(new String(hello, StandardCharsets.US_ASCII)).isEqualTo("hello");
            Future<Integer> blockedRead = submit(() -> server.inputStream().read());

            client.abort();

            assertThatThrownBy(() -> await(blockedRead))
                    .isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(IOException.class).hasMessageContaining("RESET_BY_PEER");
            assertThat(server.awaitClosed(WAIT_MS)).isTrue();
            assertThatThrownBy(() -> server.outputStream().write(1)).isInstanceOf(IOException.class);
            assertThat(client.awaitClosed(WAIT_MS)).isTrue();
            assertThatThrownBy(() -> client.inputStream().read())
                    .isInstanceOf(IOException.class).hasMessageContaining("ABORTED");
            assertThatThrownBy(() -> client.outputStream().write(1)).isInstanceOf(IOException.class);
            assertThat(net.b().<Integer>call(s -> s.tcp().connectionCount())).isZero();
        }
    }

    private record Pair(BlockingConnection client, BlockingConnection server) {}

    /** A client on A connected to a BlockingConnection accepted on B. */
    private static Pair connectedPair(TwoStacks net) throws Exception {
        BlockingQueue<BlockingConnection> accepted = new LinkedBlockingQueue<>();
        var executor = net.b().executor();
        net.b().run(s -> s.tcp().listen(PORT, 16, c -> {
            var bc = BlockingConnection.accepted(executor, c);
            accepted.add(bc);
            return bc;
        }));
        var client = BlockingConnection.connect(net.a().executor(), TwoStacks.B_IP, PORT, WAIT_MS);
        var server = accepted.poll(WAIT_MS, TimeUnit.MILLISECONDS);
        assertThat(server).as("accepted on B").isNotNull();
        return new Pair(client, server);
    }

    /** Runs {@code task} on an application thread of its own. */
    private <T> Future<T> submit(Callable<T> task) {
        FutureTask<T> f = new FutureTask<>(task) {
            @Override
            protected void done() {
                finished.add(this);
            }
        };
        running++;
        threads.execute(f);
        return f;
    }

    /**
     * Waits for every submitted task, in the order they finish, and fails with the first
     * failure at once: when one side fails, the other usually blocks on it.
     */
    private void awaitAll() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MS);
        for (; running > 0; running--) {
            Future<?> f = finished.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            if (f == null) {
                throw new AssertionError(running + " application threads still blocked after " + WAIT_MS + " ms");
            }
            try {
                f.get();
            } catch (ExecutionException e) {
                throw e.getCause() instanceof AssertionError a ? a : new AssertionError("application thread failed", e.getCause());
            }
        }
    }

    private static <T> T await(Future<T> f) throws InterruptedException, ExecutionException {
        try {
            return f.get(WAIT_MS, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            throw new AssertionError("no result within " + WAIT_MS + " ms", e);
        }
    }
}
