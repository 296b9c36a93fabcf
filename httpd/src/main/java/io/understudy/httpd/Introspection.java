package io.understudy.httpd;

import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * {@code GET|HEAD /status} (JSON, {@link StatusJson}) and {@code GET|HEAD /metrics} (Prometheus,
 * {@link PrometheusMetrics}), kept apart from {@link HttpServer}'s request handling: the server
 * asks {@link #serves} for a path and {@link #render} for the page. Stack thread only.
 */
final class Introspection {
    static final String STATUS = "/status";
    static final String METRICS = "/metrics";
    static final String JSON = "application/json";

    /** A rendered page. */
    record Page(String contentType, byte[] body) {}

    private final StatusSource source;
    private final LongSupplier nanoClock;
    private final long startNanos;

    Introspection(StatusSource source, LongSupplier nanoClock) {
        this.source = Objects.requireNonNull(source, "source");
        this.nanoClock = nanoClock;
        this.startNanos = nanoClock.getAsLong();
    }

    Introspection(StatusSource source) {
        this(source, System::nanoTime);
    }

    /** Whether {@code path} is one of the introspection pages. */
    static boolean serves(String path) {
        return path.equals(STATUS) || path.equals(METRICS);
    }

    /** The page for {@code path} (one {@link #serves} accepts), with the server's figures. */
    Page render(String path, HttpFigures http) {
        double uptime = (nanoClock.getAsLong() - startNanos) / 1e9;
        if (path.equals(STATUS)) {
            return new Page(JSON, StatusJson.render(source, uptime, http).getBytes(StandardCharsets.UTF_8));
        }
        if (path.equals(METRICS)) {
            return new Page(PrometheusMetrics.CONTENT_TYPE,
                    PrometheusMetrics.render(source, uptime, http).getBytes(StandardCharsets.UTF_8));
        }
        throw new IllegalArgumentException("not an introspection path: " + path);
    }
}
