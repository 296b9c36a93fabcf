package io.understudy.httpd;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * How an {@link HttpServer} behaves.
 *
 * @param documentRoot   the directory served as static files; null for the built-in endpoints only
 * @param limits         what the {@link RequestDecoder} of each connection enforces
 * @param maxConnections connections served at once; one more is accepted, answered 503 with
 *                       {@code Connection: close}, and closed
 * @param idleTimeout    how long a connection may wait for its (next) request before the server
 *                       half-closes it, and how long a half-closed connection waits for the peer's
 *                       FIN; zero disables both
 * @param headerTimeout  how long a request's head may take from its first byte before the server
 *                       answers 408 and closes; zero disables it
 */
public record ServerConfig(Path documentRoot, Limits limits, int maxConnections, Duration idleTimeout,
                           Duration headerTimeout) {
    /** Checks the values. */
    public ServerConfig {
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        Objects.requireNonNull(headerTimeout, "headerTimeout");
        if (maxConnections < 1) {
            throw new IllegalArgumentException("maxConnections must be positive: " + maxConnections);
        }
        if (idleTimeout.isNegative() || headerTimeout.isNegative()) {
            throw new IllegalArgumentException("negative timeout");
        }
    }

    /** {@link Limits#DEFAULT}, 10 000 connections, 75 s idle, 20 s for a head. */
    public static ServerConfig defaults(Path documentRoot) {
        return new ServerConfig(documentRoot, Limits.DEFAULT, 10_000, Duration.ofSeconds(75), Duration.ofSeconds(20));
    }
}
