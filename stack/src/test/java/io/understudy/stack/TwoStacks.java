package io.understudy.stack;

import io.understudy.stack.engine.Engine;
import io.understudy.stack.engine.StackHandler;
import io.understudy.stack.link.FaultInjector;
import io.understudy.stack.link.FaultSpec;
import io.understudy.stack.link.Link;
import io.understudy.stack.socket.BlockingConnection;
import io.understudy.stack.tcp.TcpConfig;
import io.understudy.stack.tcp.TcpLayer;
import io.understudy.stack.tcp.TcpSecret;
import io.understudy.stack.wire.Ipv4Address;
import io.understudy.stack.wire.MacAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Two real stacks back to back in one JVM, each on its own {@link Engine} and stack thread:
 * A is 192.0.2.1/24, B is 192.0.2.2/24, and what one transmits is published, copied, into the
 * other's ring. Optionally A sits behind a {@link FaultInjector}, so frames between A and B are
 * dropped, duplicated and reordered in both directions.
 *
 * <pre>{@code
 * try (var net = TwoStacks.start()) {
 *     net.b().run(s -> ClassicServices.install(s.tcp()));
 *     var c = BlockingConnection.connect(net.a().executor(), TwoStacks.B_IP, 7, 5_000);
 * }
 * }</pre>
 *
 * <p>A stack thread publishing into the other's ring waits while that ring is full; if both
 * were full at once, both threads would wait for ever. The rings here have {@value #RING_SLOTS}
 * slots, more than one stack can have outstanding towards the other (its windows of 1 MiB
 * in MSS segments, their ACKs and the applications' commands), so that cannot happen.
 */
public final class TwoStacks implements AutoCloseable {
    public static final int A_IP = Ipv4Address.parse("192.0.2.1");
    public static final int B_IP = Ipv4Address.parse("192.0.2.2");
    /** On the subnet, but no stack answers for it: ARP never resolves. */
    public static final int NOBODY_IP = Ipv4Address.parse("192.0.2.3");
    static final long A_MAC = MacAddress.parse("02:00:00:00:0a:01");
    static final long B_MAC = MacAddress.parse("02:00:00:00:0b:02");
    static final int RING_SLOTS = 8192;
    /** An Ethernet frame of MTU 1500 fits with room to spare. */
    static final int FRAME_CAPACITY = 2048;
    private static final long CALL_TIMEOUT_SECONDS = 10;

    private final Side a;
    private final Side b;
    private final FaultInjector faults;

    /** One stack, its engine, and the link into the other's ring. */
    public static final class Side {
        private final NetStack stack;
        private final Engine<StackHandler> engine;
        private final WireLink link;

        private Side(NetStack stack, Engine<StackHandler> engine, WireLink link) {
            this.stack = stack;
            this.engine = engine;
            this.link = link;
        }

        /** This stack's address. */
        public int ip() {
            return stack.config().ip();
        }

        /** Runs commands on this stack's thread, for {@link BlockingConnection}. */
        public BlockingConnection.StackExecutor executor() {
            return command -> engine.execute((handler, now) -> command.run(stack, now));
        }

        /** Runs {@code action} on the stack thread and waits until it has run. */
        public void run(Consumer<NetStack> action) {
            call(s -> {
                action.accept(s);
                return null;
            });
        }

        /** Runs {@code query} on the stack thread and returns its result. */
        public <T> T call(Function<NetStack, T> query) {
            CompletableFuture<T> result = new CompletableFuture<>();
            engine.execute((handler, now) -> {
                try {
                    result.complete(query.apply(stack));
                } catch (Throwable t) {
                    result.completeExceptionally(t);
                }
            });
            try {
                return result.get(CALL_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for the stack thread", e);
            } catch (ExecutionException e) {
                throw new AssertionError("failed on the stack thread", e.getCause());
            } catch (TimeoutException e) {
                throw new AssertionError("the stack thread did not answer in " + CALL_TIMEOUT_SECONDS + " s", e);
            }
        }

        /** Exceptions this stack thread caught and survived; each one is a bug. */
        public long handlerExceptions() {
            return engine.handlerExceptions();
        }
    }

    /** Publishes a copy of each frame into the other engine's ring; drops everything once cut. */
    private static final class WireLink implements Link {
        private Engine<StackHandler> peer;
        private volatile boolean cut;

        @Override
        public void transmit(ByteBuffer frame) {
            if (cut) {
                return;
            }
            int at = frame.position();
            int length = frame.remaining();
            try {
                peer.publishFrame(dst -> {
                    dst.put(0, frame, at, length);
                    return length;
                });
            } catch (java.io.IOException e) {
                throw new IllegalStateException("an in-memory frame reader cannot fail", e);
            }
        }
    }

    private TwoStacks(FaultSpec faultsOnA) {
        long now = System.nanoTime();
        WireLink aToB = new WireLink();
        WireLink bToA = new WireLink();
        this.faults = faultsOnA.isNone() ? null : new FaultInjector(faultsOnA);
        NetStack stackA = newStack(A_MAC, A_IP, faults == null ? aToB : faults.wrapOutbound(aToB), now);
        NetStack stackB = newStack(B_MAC, B_IP, bToA, now);
        this.a = new Side(stackA, newEngine(faults == null ? stackA : faults.wrapInbound(stackA)), aToB);
        this.b = new Side(stackB, newEngine(stackB), bToA);
        aToB.peer = b.engine;
        bToA.peer = a.engine;
        a.engine.start();
        b.engine.start();
    }

    /** Two stacks on a perfect link. */
    public static TwoStacks start() {
        return new TwoStacks(FaultSpec.NONE);
    }

    /** Two stacks on a link with {@code faults}, applied by A to what it sends and what it receives. */
    public static TwoStacks start(FaultSpec faults) {
        return new TwoStacks(faults);
    }

    private static NetStack newStack(long mac, int ip, Link link, long now) {
        StackConfig config = new StackConfig(mac, ip, 24, 0, StackConfig.DEFAULT_MTU);
        return new NetStack(config, TcpConfig.defaults(config.mtu()), new TcpSecret(mac, ip),
                TcpLayer.DEFAULT_MAX_CONNECTIONS, link, now);
    }

    private static Engine<StackHandler> newEngine(StackHandler handler) {
        return new Engine<>(handler, System::nanoTime,
                new Engine.Config(RING_SLOTS, FRAME_CAPACITY, Engine.Config.defaults().idleTickNanos()));
    }

    /** 192.0.2.1. */
    public Side a() {
        return a;
    }

    /** 192.0.2.2. */
    public Side b() {
        return b;
    }

    /** The injector in front of A; its counters are A's stack thread's: read them with {@code a().call}. */
    public FaultInjector faults() {
        if (faults == null) {
            throw new IllegalStateException("these stacks run on a perfect link");
        }
        return faults;
    }

    /**
     * Cuts the wire, so neither stack thread can wait on the other's ring, and stops both
     * engines; then fails if either stack thread caught an exception, which is a bug.
     */
    @Override
    public void close() {
        a.link.cut = true;
        b.link.cut = true;
        a.engine.close();
        b.engine.close();
        if (a.handlerExceptions() + b.handlerExceptions() != 0) {
            throw new AssertionError("stack threads caught exceptions (see the log): A " + a.handlerExceptions()
                    + ", B " + b.handlerExceptions());
        }
    }
}
