package io.understudy.replication;

import io.understudy.replication.codec.Role;
import io.understudy.replication.link.LinkAddress;
import io.understudy.stack.NetStack;
import io.understudy.stack.engine.Engine;
import java.io.IOException;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.function.LongSupplier;

/**
 * Replication of one stack instance, as the launcher starts it:
 *
 * <pre>{@code
 * ReplicationConfig cfg = ReplicationConfig.primary(LinkAddress.parse("unix:/run/understudy.sock"),
 *         serviceIp, serviceMac, List.of(80), ReplicationConfig.fingerprint(stackConfig, tcpConfig));
 * try (Replication r = Replication.start(cfg, engine, stack, System::nanoTime)) {
 *     ... r.status() ...
 * }
 * }</pre>
 *
 * <p>A primary starts listening for a standby at once and serves alone until one joins. A standby
 * connects to its primary and shadows it; it must keep its stack deaf (the launcher's part) until
 * the takeover, which this object performs by itself when the primary is lost. Everything runs on
 * threads of its own; the stack is only ever touched on its stack thread, through the engine.
 * {@link #close()} stops replication (it does not stop the stack).
 */
public final class Replication implements AutoCloseable {
    private final ReplicationStatus status;
    private final ScheduledExecutorService timers;
    private final Primary primary;
    private final Standby standby;

    private Replication(ReplicationStatus status, ScheduledExecutorService timers, Primary primary, Standby standby) {
        this.status = status;
        this.timers = timers;
        this.primary = primary;
        this.standby = standby;
    }

    /**
     * Starts the role {@code config} names for {@code stack}, whose stack thread is {@code engine}'s;
     * {@code clock} is the engine's clock (the primary sends it so a standby can follow it).
     *
     * @throws IOException if a primary cannot listen on its address
     */
    public static Replication start(ReplicationConfig config, Engine<?> engine, NetStack stack, LongSupplier clock)
            throws IOException {
        return start(config, StackDriver.of(engine, stack), clock);
    }

    /** A primary (see {@link #start}); {@code config.role()} must be PRIMARY. */
    public static Replication primary(ReplicationConfig config, Engine<?> engine, NetStack stack) throws IOException {
        requireRole(config, Role.PRIMARY);
        return start(config, StackDriver.of(engine, stack), System::nanoTime);
    }

    /** A standby (see {@link #start}); {@code config.role()} must be STANDBY. */
    public static Replication standby(ReplicationConfig config, Engine<?> engine, NetStack stack) {
        requireRole(config, Role.STANDBY);
        try {
            return start(config, StackDriver.of(engine, stack), System::nanoTime);
        } catch (IOException e) {
            throw new IllegalStateException("a standby does not listen before a takeover", e);
        }
    }

    /** Starts the role {@code config} names, driving the stack through {@code driver}. */
    public static Replication start(ReplicationConfig config, StackDriver driver, LongSupplier clock)
            throws IOException {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(driver, "driver");
        Objects.requireNonNull(clock, "clock");
        ScheduledThreadPoolExecutor timers = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "understudy-repl-timer");
            t.setDaemon(true);
            return t;
        });
        timers.setRemoveOnCancelPolicy(true);
        try {
            if (config.role() == Role.PRIMARY) {
                ReplicationStatus status = new ReplicationStatus(ReplicationStatus.Role.SOLO);
                return new Replication(status, timers, new Primary(config, driver, clock, status, timers, 1), null);
            }
            ReplicationStatus status = new ReplicationStatus(ReplicationStatus.Role.STANDBY);
            return new Replication(status, timers, null, new Standby(config, driver, clock, status, timers));
        } catch (IOException | RuntimeException e) {
            timers.shutdownNow();
            throw e;
        }
    }

    private static void requireRole(ReplicationConfig config, Role role) {
        if (config.role() != role) {
            throw new IllegalArgumentException("config is for a " + config.role() + ", not a " + role);
        }
    }

    /** What replication is doing now; live (read it any time, from any thread). */
    public ReplicationStatus status() {
        return status;
    }

    /**
     * A standby's estimate of the primary's clock minus its own {@code System.nanoTime()}: add it to
     * the standby's engine clock so timestamps keep increasing across the takeover (on one host
     * both read the same CLOCK_MONOTONIC and it is about 0). 0 for a primary.
     */
    public long clockOffsetNanos() {
        return standby == null ? 0 : standby.clockOffsetNanos();
    }

    /** Where this instance accepts a standby now (a primary, or a standby after its takeover); null if nowhere. */
    public LinkAddress listenAddress() {
        if (primary != null) return primary.address();
        Primary p = standby.successor();
        return p == null ? null : p.address();
    }

    /** Stops replicating: closes the links and the listener; the stack goes on as it is. */
    @Override
    public void close() {
        try {
            if (primary != null) primary.close();
            if (standby != null) standby.close();
        } finally {
            timers.shutdown();
        }
    }

    @Override
    public String toString() {
        return status.toString();
    }
}
