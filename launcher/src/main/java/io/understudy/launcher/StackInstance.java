package io.understudy.launcher;

import io.understudy.httpd.HttpServer;
import io.understudy.httpd.ServerConfig;
import io.understudy.httpd.StatusSource;
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
    private volatile boolean failed;

    private StackInstance(StackSettings settings, TapDevice tap, PcapWriter pcap, boolean classicServices,
            HttpSetup httpSetup, Path docroot, SampleSite site, Runnable onStopped) throws IOException {
        this.settings = settings;
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
                        StatusSource.of(stack));
        if (pcap != null) {
            stack.observer(pcap);
        }
        StackHandler handler = faults == null ? stack : faults.wrapInbound(stack);
        this.engine = new Engine<>(handler, System::nanoTime, Engine.Config.defaults());
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
        TapDevice tap = Netns.call(settings.netns(), () -> TapDevice.open(TapOptions.of(settings.tap())));
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
                    onStopped);
            instance.engine.start();
            instance.reader.start();
            instance.engine.execute((StackHandler h, long now) -> instance.stack.announce(now));
            if (instance.faults != null) {
                log.info("injecting faults: {}", settings.faults());
            }
            if (http != null) {
                log.info("http: port {}, docroot {}{}", http.port(), docroot, site != null ? " (bundled sample site)" : "");
            }
            log.info("ready: serving {}{}{}", settings.describe(), classicServices ? ", echo/discard/chargen on 7/9/19" : "",
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
        try {
            while (running.get()) {
                if (!tap.awaitReadable(POLL_MILLIS)) {
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
