package io.understudy.replication;

import static org.assertj.core.api.Assertions.assertThat;

import io.understudy.replication.link.LinkAddress;
import io.understudy.stack.Counter;
import io.understudy.stack.services.ClassicServices;
import io.understudy.stack.socket.BlockingConnection;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole thing with real stacks on real engines: a client streams bytes through the echo
 * service of a primary that replicates over a Unix socket to a standby; mid-transfer the primary
 * dies (it vanishes from the segment and its replication link closes); the standby takes over by
 * itself and the client's transfer completes byte-exact, without a reset.
 */
class ReplicationEndToEndTest {
    static final int BYTES = 4_000_000;

    @TempDir
    Path dir;

    static ReplicationConfig config(ReplicationConfig base) {
        return base.withHeartbeat(Duration.ofMillis(10), Duration.ofMillis(200));
    }

    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) throw new AssertionError("timed out waiting for " + what);
            Thread.sleep(2);
        }
    }

    @Test
    @Timeout(120)
    void theStandbyTakesOverMidTransferAndTheClientFinishesByteExact() throws Exception {
        LinkAddress sock = LinkAddress.parse("unix:" + dir.resolve("repl.sock"));
        long fingerprint = ReplicationConfig.fingerprint(ThreeStacks.SERVICE, ThreeStacks.TCP);
        List<Integer> ports = List.of(ClassicServices.ECHO_PORT);
        try (ThreeStacks net = new ThreeStacks(); LogCapture logs = new LogCapture()) {
            net.primary.call(s -> ClassicServices.install(s.tcp()));
            net.standby.call(s -> ClassicServices.install(s.tcp()));
            Replication primary = Replication.start(config(ReplicationConfig.primary(sock, ThreeStacks.SERVICE_IP,
                    ThreeStacks.SERVICE_MAC, ports, fingerprint)), net.primaryDriver(), System::nanoTime);
            Replication standby = Replication.start(config(ReplicationConfig.standby(sock, null, ThreeStacks.SERVICE_IP,
                    ThreeStacks.SERVICE_MAC, ports, fingerprint)), net.standbyDriver(), System::nanoTime);
            try {
                await("the standby's snapshot ack", () -> primary.status().recordsAcked() >= 1);
                io.understudy.stack.tcp.TcpSecret standbyKey = net.standby.call(s -> s.tcp().secret());
                io.understudy.stack.tcp.TcpSecret primaryKey = net.primary.call(s -> s.tcp().secret());
                assertThat(standbyKey).isEqualTo(primaryKey);

                byte[] data = new byte[BYTES];
                new Random(42).nextBytes(data);
                BlockingConnection c = BlockingConnection.connect(net.client.executor(), ThreeStacks.SERVICE_IP,
                        ClassicServices.ECHO_PORT, 10_000);
                AtomicLong received = new AtomicLong();
                CompletableFuture<byte[]> echoed = CompletableFuture.supplyAsync(() -> readAll(c.inputStream(), received));
                CompletableFuture<Void> sent = CompletableFuture.runAsync(() -> writeAll(c, data));

                await("a third of the echo", () -> received.get() >= BYTES / 3);
                assertThat(primary.status().recordsAcked()).isGreaterThan(10);
                net.killPrimary();
                primary.close(); // the replication link and the listener go with the process

                byte[] got;
                try {
                    got = echoed.get(30, TimeUnit.SECONDS);
                } catch (java.util.concurrent.TimeoutException e) {
                    throw new AssertionError("the echo stalled after the takeover at " + received.get() + " of " + BYTES
                            + " bytes; client: " + net.client.call(s -> { StringBuilder b = new StringBuilder(); s.tcp().forEachConnection(x -> b.append(x)); return b + " " + s.counters().summary(); })
                            + "\nstandby: " + net.standby.call(s -> { StringBuilder b = new StringBuilder(); s.tcp().forEachConnection(x -> b.append(x)); return b + " " + s.counters().summary(); })
                            + "\n" + String.join("\n", logs.lines()), e);
                }
                sent.get(10, TimeUnit.SECONDS);
                assertThat(got.length).isEqualTo(BYTES);
                assertThat(Arrays.equals(got, data)).as("echo byte-exact").isTrue();
                assertThat(standby.status().takeovers()).isEqualTo(1);
                assertThat(standby.status().lastTakeoverConnections()).isEqualTo(1);
                long resets = net.client.call(s -> s.counters().get(Counter.TCP_RESETS_RECEIVED));
                assertThat(resets).isZero();
                assertThat(net.handlerExceptions()).isZero();
                assertThat(logs.has("INFO takeover: primary lost (", ") at +0.0 ms", "adopted 1 connections",
                        "announced 10.201.0.2")).as(String.join("\n", logs.lines())).isTrue();
                logs.lines().forEach(System.out::println);
                c.close();
                // the new primary listens on the same socket path for its own standby
                await("the new primary's listener", () -> standby.listenAddress() != null);
                assertThat(standby.listenAddress()).isEqualTo(sock);
            } finally {
                standby.close();
                primary.close();
            }
        }
    }

    private static byte[] readAll(InputStream in, AtomicLong count) {
        try {
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(BYTES);
            byte[] buf = new byte[65536];
            int n;
            while (count.get() < BYTES && (n = in.read(buf)) > 0) {
                out.write(buf, 0, n);
                count.addAndGet(n);
            }
            return out.toByteArray();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void writeAll(BlockingConnection c, byte[] data) {
        try {
            OutputStream out = c.outputStream();
            for (int at = 0; at < data.length; at += 16_384) {
                out.write(data, at, Math.min(16_384, data.length - at));
            }
            out.flush();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
