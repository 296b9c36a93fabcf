package io.understudy.launcher;

import io.understudy.httpd.HttpServer;
import io.understudy.httpd.ServerConfig;
import io.understudy.httpd.StatusSource;
import io.understudy.replication.Replication;
import io.understudy.replication.ReplicationConfig;
import io.understudy.replication.ReplicationStatus;
import io.understudy.replication.StackDriver;
import io.understudy.replication.codec.Role;
import java.util.LinkedHashMap;
import java.util.Map;
import io.understudy.stack.NetStack;
import io.understudy.stack.services.ClassicServices;
import io.understudy.stack.socket.BlockingConnection;
import io.understudy.stack.tcp.TcpSecret;
import io.understudy.stack.engine.Engine;
import io.understudy.stack.engine.FrameReader;
import io.understudy.stack.engine.StackHandler;
import io.understudy.stack.link.FaultInjector;
import io.understudy.stack.pcap.PcapWriter;
import io.understudy.tap.TapDevice;
import io.understudy.tap.TapException;
import io.understudy.tap.TapOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running stack: a TAP device, the engine and its stack thread, and the reader thread that
 * moves frames from the TAP into the ring; with faults to inject, a {@link FaultInjector} between
 * the stack and both. {@link #close()} stops it cleanly and logs its counters.
 */
final class StackInstance implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(StackInstance.class);
    /** Frames read per wake-up of the reader before it polls again. */
    private static final int READ_BATCH = 64;
    /** How long the reader waits in poll(2) before checking whether it should stop. */
    private static final int POLL_MILLIS = 100;
    /** How long a node of a pair warms up its code paths before it starts ({@link Warmup}). */
    private static final java.time.Duration WARMUP = java.time.Duration.ofMillis(800);

    private final StackSettings settings;
    private final TapDevice tap;
    private final TapLink link;
    private final NetStack stack;
    private final FaultInjector faults;
    private final Engine<StackHandler> engine;
    private final PcapWriter pcap;
    private final Thread reader;
    private final Runnable onStopped;
    /** The HTTP server, or null; and the extracted sample site it serves, or null. */
    private final HttpServer http;
    private final SampleSite site;
    private final AtomicBoolean running = new AtomicBoolean(true);
    /** The replication settings, or null (solo); and replication once started. */
    private final ReplicationConfig replicationConfig;
    private volatile Replication replication;
    /** A standby's stack hears nothing until it takes over: frames read meanwhile are dropped. */
    private volatile boolean deaf;
    /** Added to System.nanoTime() for the engine's clock: a standby follows its primary's clock. */
    private volatile long clockOffset;
    private Thread watcher;
    private volatile boolean failed;

    private StackInstance(StackSettings settings, TapDevice tap, PcapWriter pcap, boolean classicServices,
            HttpSetup httpSetup, Path docroot, SampleSite site, ReplicationConfig replicationConfig, Runnable onStopped)
            throws IOException {
        this.settings = settings;
        this.replicationConfig = replicationConfig;
        this.deaf = replicationConfig != null && replicationConfig.role() == Role.STANDBY;
        this.tap = tap;
        this.pcap = pcap;
        this.onStopped = onStopped;
        this.site = site;
        this.link = new TapLink(tap);
        this.faults = settings.faults().isNone() ? null : new FaultInjector(settings.faults());
        this.stack = new NetStack(settings.stack(), settings.tcp(), TcpSecret.generate(new SecureRandom()),
                settings.maxConnections(), faults == null ? link : faults.wrapOutbound(link), System.nanoTime());
        if (classicServices) {
            // Before the stack thread starts, so no other thread ever touches the listeners.
            ClassicServices.install(stack.tcp());
        }
        // Likewise before the stack thread starts: the server lives on the stack thread from then on.
        this.http = httpSetup == null ? null
                : HttpServer.install(stack.tcp(), httpSetup.port(), ServerConfig.defaults(docroot),
                        StatusSource.of(stack, this::role, this::replicationFigures));
        if (pcap != null) {
            stack.observer(pcap);
        }
        StackHandler handler = faults == null ? stack : faults.wrapInbound(stack);
        this.engine = new Engine<>(handler, this::clock, Engine.Config.defaults().withWait(settings.waitStrategy()));
        this.reader = new Thread(this::readLoop, "understudy-tap-reader");
        this.reader.setDaemon(true);
    }

    /**
     * Opens the TAP (inside the namespace, if one is set), starts the stack and announces its
     * address. {@code onStopped} runs once when the instance has stopped, for whatever reason.
     */
    static StackInstance start(StackSettings settings, boolean classicServices, Runnable onStopped) throws Exception {
        return start(settings, classicServices, null, onStopped);
    }

    /**
     * As {@link #start(StackSettings, boolean, Runnable)}, with an HTTP server if {@code http} is
     * not null; without a docroot it serves the bundled sample site, extracted to a temporary
     * directory that {@link #close()} deletes.
     */
    static StackInstance start(StackSettings settings, boolean classicServices, HttpSetup http, Runnable onStopped)
            throws Exception {
        return start(settings, classicServices, http, null, onStopped);
    }

    /**
     * As {@link #start(StackSettings, boolean, HttpSetup, Runnable)}, as one side of a replicated
     * pair when {@code replication} is not null: a primary announces its address and replicates to
     * the standby that joins; a standby stays deaf and silent, shadowing its primary, until it
     * takes over.
     */
    static StackInstance start(StackSettings settings, boolean classicServices, HttpSetup http,
            ReplicationConfig replication, Runnable onStopped) throws Exception {
        if (replication != null) {
            // A node of a pair: compile the takeover's code paths before they are needed.
            Warmup.run(WARMUP);
        }
        TapDevice tap = Netns.call(settings.netns(), () -> TapDevice.open(settings.tapOptions()));
        PcapWriter pcap = null;
        SampleSite site = null;
        try {
            if (settings.pcap() != null) {
                long wallOffset = TimeUnit.MILLISECONDS.toNanos(System.currentTimeMillis()) - System.nanoTime();
                pcap = new PcapWriter(settings.pcap(), wallOffset);
            }
            Path docroot = null;
            if (http != null) {
                if (http.docroot() == null) {
                    site = SampleSite.extract();
                }
                docroot = site != null ? site.dir() : http.docroot();
            }
            StackInstance instance = new StackInstance(settings, tap, pcap, classicServices, http, docroot, site,
                    replication, onStopped);
            instance.engine.start();
            instance.reader.start();
            if (!instance.deaf) {
                instance.engine.execute((StackHandler h, long now) -> instance.stack.announce(now));
            }
            if (replication != null) {
                instance.startReplication();
            }
            if (instance.faults != null) {
                log.info("injecting faults: {}", settings.faults());
            }
            if (http != null) {
                log.info("http: port {}, docroot {}{}", http.port(), docroot, site != null ? " (bundled sample site)" : "");
            }
            log.info("ready: {} {}{}{}", replication == null ? "serving" : "as " + replication.role().name().toLowerCase(
                    java.util.Locale.ROOT) + (instance.deaf ? " (silent until a takeover)" : "") + ",", settings.describe(),
                    classicServices ? ", echo/discard/chargen on 7/9/19" : "",
                    pcap == null ? "" : ", capturing to " + settings.pcap());
            return instance;
        } catch (Exception | Error e) {
            tap.close();
            if (pcap != null) {
                pcap.close();
            }
            if (site != null) {
                site.close();
            }
            throw e;
        }
    }

    /** The line a standby logs once it holds a complete copy of its primary's connections. */
    static final String IN_SYNC = "replication: standby in sync with the primary";

    private long clock() {
        return System.nanoTime() + clockOffset;
    }

    /** Starts replication, driving the stack through an adapter that ends the standby's deafness at takeover. */
    private void startReplication() throws IOException {
        // Frames read after the takeover come after it in the ring: the standby may hear them.
        StackDriver driver = StackDriver.of(engine, stack, () -> deaf = false);
        replication = Replication.start(replicationConfig, driver, this::clock);
        if (replicationConfig.role() == Role.STANDBY) {
            watcher = new Thread(this::watchStandby, "understudy-standby-watch");
            watcher.setDaemon(true);
            watcher.start();
        }
    }

    /** While a standby: follows the primary's clock, and says once when it is in sync. */
    private void watchStandby() {
        boolean said = false;
        while (running.get() && deaf) {
            Replication r = replication;
            ReplicationStatus status = r.status();
            long offset = r.clockOffsetNanos();
            if (offset > clockOffset) {
                clockOffset = offset; // only forward: the engine's clock never goes back
            }
            if (!said && status.role() == ReplicationStatus.Role.STANDBY && status.inSync()) {
                said = true;
                log.info(IN_SYNC + " ({})", status.peer());
            } else if (said && status.state() != ReplicationStatus.LinkState.CONNECTED) {
                said = false;
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** The node's role for the status page. */
    private String role() {
        Replication r = replication;
        return r == null ? (replicationConfig == null ? "solo" : "starting")
                : r.status().role().name().toLowerCase(java.util.Locale.ROOT);
    }

    /** Replication figures for the status page and metrics (empty when solo). */
    private Map<String, Object> replicationFigures() {
        Replication r = replication;
        if (r == null) {
            return Map.of();
        }
        ReplicationStatus s = r.status();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("state", s.state().name().toLowerCase(java.util.Locale.ROOT));
        m.put("peer", s.peer());
        m.put("records_shipped", s.recordsShipped());
        m.put("records_acked", s.recordsAcked());
        m.put("lag_records", s.lagRecords());
        m.put("lag_bytes", s.lagBytes());
        m.put("bytes_shipped", s.bytesShipped());
        m.put("rtt_last_us", Math.max(-1, s.lastRttNanos() / 1000));
        m.put("rtt_p50_us", s.rttP50Nanos() / 1000);
        m.put("rtt_max_us", s.rttMaxNanos() / 1000);
        m.put("frames_waiting", (long) stack.outputCommit().waitingFrames());
        m.put("takeovers", s.takeovers());
        return m;
    }

    /** Runs commands on the stack thread, for application threads (blocking connections). */
    BlockingConnection.StackExecutor executor() {
        return command -> engine.execute((StackHandler h, long now) -> command.run(stack, now));
    }

    /** True when the instance stopped because of an error rather than a request. */
    boolean failed() {
        return failed;
    }

    private void readLoop() {
        FrameReader read = tap::read;
        java.nio.ByteBuffer drop = java.nio.ByteBuffer.allocateDirect(Engine.Config.defaults().frameCapacity());
        try {
            while (running.get()) {
                if (!tap.awaitReadable(POLL_MILLIS)) {
                    continue;
                }
                if (deaf) {
                    // A standby hears nothing before its takeover (it must not answer ARP for the service).
                    for (int i = 0; i < READ_BATCH && deaf && tap.read(drop.clear()) > 0; i++) {
                        // dropped
                    }
                    continue;
                }
                for (int i = 0; i < READ_BATCH && engine.publishFrame(read) > 0; i++) {
                    // each iteration moved one frame into the ring
                }
            }
        } catch (TapException e) {
            if (running.get()) {
                failed = true;
                log.error("TAP {}: {}; stopping", tap.name(), e.getMessage());
                new Thread(this::close, "understudy-stop").start();
            }
        } catch (IOException e) {
            failed = true;
            log.error("reading frames failed; stopping", e);
            new Thread(this::close, "understudy-stop").start();
        }
    }

    /** Stops the reader and the stack thread, closes the TAP and the capture, logs the counters. Idempotent. */
    @Override
    public void close() {
        if (!running.compareAndSet(true, false)) {
            return;
        }
        Replication r = replication;
        if (r != null) {
            r.close();
        }
        try {
            reader.join(TimeUnit.SECONDS.toMillis(2));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        engine.close();
        tap.close();
        if (pcap != null) {
            try {
                pcap.close();
                log.info("capture: {} frames in {}", pcap.frames(), settings.pcap());
            } catch (IOException e) {
                log.warn("closing capture {}: {}", settings.pcap(), e.getMessage());
            }
        }
        log.info("counters: {} tcp_connections={}{}", stack.counters().summary(), stack.tcp().connectionCount(),
                link.errors() + engine.handlerExceptions() == 0 ? ""
                        : " tx_errors=" + link.errors() + " handler_exceptions=" + engine.handlerExceptions());
        if (faults != null) {
            log.info("faults: {}", faults.summary());
        }
        if (http != null) {
            // The stack thread has stopped (engine.close), so the server's counts can be read here.
            log.info("http: connections={} rejected={} responses={}", http.acceptedConnections(),
                    http.rejectedConnections(), http.responses());
        }
        if (site != null) {
            try {
                site.close();
            } catch (RuntimeException e) {
                log.warn("{}", e.getMessage());
            }
        }
        log.info("stopped");
        onStopped.run();
    }
}
