package io.understudy.replication;

import io.understudy.stack.NetStack;
import io.understudy.stack.StackConfig;
import io.understudy.stack.engine.Engine;
import io.understudy.stack.engine.StackHandler;
import io.understudy.stack.link.Link;
import io.understudy.stack.replication.Adoption;
import io.understudy.stack.replication.ReplicationLog;
import io.understudy.stack.socket.BlockingConnection;
import io.understudy.stack.tcp.TcpConfig;
import io.understudy.stack.tcp.TcpLayer;
import io.understudy.stack.tcp.TcpSecret;
import io.understudy.stack.wire.Ipv4Address;
import io.understudy.stack.wire.MacAddress;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A client stack and two service stacks (primary and standby: same MAC, IP and TCP settings,
 * different secrets until the standby takes the primary's) on one in-memory Ethernet segment,
 * each on its own engine. The segment delivers the client's frames to both service stacks, as a
 * switch floods a MAC it sees in two places; the standby is deaf (drops what it hears) until its
 * driver's takeover, as the launcher keeps it. {@link #killPrimary} makes the primary vanish from
 * the segment.
 */
final class ThreeStacks implements AutoCloseable {
    static final int CLIENT_IP = Ipv4Address.parse("10.201.0.1");
    static final int SERVICE_IP = Ipv4Address.parse("10.201.0.2");
    static final long CLIENT_MAC = MacAddress.parse("02:00:00:c9:00:01");
    static final long SERVICE_MAC = MacAddress.parse("02:00:00:c9:00:02");
    static final StackConfig CLIENT = new StackConfig(CLIENT_MAC, CLIENT_IP, 24, 0, 1500);
    static final StackConfig SERVICE = new StackConfig(SERVICE_MAC, SERVICE_IP, 24, 0, 1500);
    static final TcpConfig TCP = TcpConfig.defaults(1500);

    /** One stack on its engine. */
    static final class Node {
        final NetStack stack;
        final Engine<StackHandler> engine;
        volatile boolean deaf;
        volatile boolean dead;

        Node(StackConfig config, Link link, long now) {
            this.stack = new NetStack(config, TCP, TcpSecret.generate(new SecureRandom()), TcpLayer.DEFAULT_MAX_CONNECTIONS,
                    link, now);
            StackHandler h = new StackHandler() {
                @Override
                public void onFrame(long now, ByteBuffer frame) {
                    if (!deaf && !dead) stack.onFrame(now, frame);
                }

                @Override
                public void onBatchEnd(long now) {
                    stack.onBatchEnd(now);
                }

                @Override
                public void onShutdown() {
                    stack.onShutdown();
                }
            };
            this.engine = new Engine<>(h, System::nanoTime, new Engine.Config(8192, 2048, Engine.Config.defaults().idleTickNanos()));
        }

        void publish(ByteBuffer frame) {
            int at = frame.position(), length = frame.remaining();
            try {
                engine.publishFrame(dst -> {
                    dst.put(0, frame, at, length);
                    return length;
                });
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
        }

        BlockingConnection.StackExecutor executor() {
            return command -> engine.execute((h, now) -> command.run(stack, now));
        }

        <T> T call(Function<NetStack, T> query) throws Exception {
            CompletableFuture<T> f = new CompletableFuture<>();
            engine.execute((h, now) -> {
                try {
                    f.complete(query.apply(stack));
                } catch (Throwable t) {
                    f.completeExceptionally(t);
                }
            });
            return f.get(10, TimeUnit.SECONDS);
        }
    }

    final Node client, primary, standby;
    private volatile boolean closed;

    ThreeStacks() {
        long now = System.nanoTime();
        Node[] nodes = new Node[3];
        client = nodes[0] = new Node(CLIENT, frame -> {
            if (closed) return;
            nodes[1].publish(frame);
            nodes[2].publish(frame);
        }, now);
        primary = nodes[1] = new Node(SERVICE, frame -> {
            if (!closed && !nodes[1].dead) nodes[0].publish(frame);
        }, now);
        standby = nodes[2] = new Node(SERVICE, frame -> {
            if (!closed && !nodes[2].deaf) nodes[0].publish(frame);
        }, now);
        standby.deaf = true;
        for (Node n : nodes) n.engine.start();
    }

    /** The primary vanishes from the segment: hears nothing, says nothing. */
    void killPrimary() {
        primary.dead = true;
    }

    /** The primary's driver. */
    StackDriver primaryDriver() {
        return StackDriver.of(primary.engine, primary.stack);
    }

    /** The standby's driver: the standby starts hearing the segment just before it takes over, on its stack thread. */
    StackDriver standbyDriver() {
        StackDriver real = StackDriver.of(standby.engine, standby.stack);
        return task -> real.execute((ops, now) -> task.run(new StackDriver.StackOps() {
            @Override public void attachReplication(long n, ReplicationLog log) { ops.attachReplication(n, log); }
            @Override public void replicationAcked(long record) { ops.replicationAcked(record); }
            @Override public void detachReplication() { ops.detachReplication(); }
            @Override public void haltOutput() { ops.haltOutput(); }
            @Override public void rekey(TcpSecret secret) { ops.rekey(secret); }
            @Override public TcpSecret secret() { return ops.secret(); }

            @Override
            public int takeover(long n, List<Adoption> adoptions) {
                standby.deaf = false;
                return ops.takeover(n, adoptions);
            }
        }, now));
    }

    long handlerExceptions() {
        return client.engine.handlerExceptions() + primary.engine.handlerExceptions() + standby.engine.handlerExceptions();
    }

    @Override
    public void close() {
        closed = true;
        client.engine.close();
        primary.engine.close();
        standby.engine.close();
    }
}
