package io.understudy.httpd;

/**
 * The HTTP server's own figures for the status page and metrics.
 *
 * @param active    connections being served now
 * @param accepted  connections accepted so far
 * @param rejected  connections answered 503 (too many at once)
 * @param responses responses queued so far
 */
record HttpFigures(int active, long accepted, long rejected, long responses) {
    static HttpFigures of(HttpServer server) {
        return new HttpFigures(server.activeConnections(), server.acceptedConnections(), server.rejectedConnections(),
                server.responses());
    }
}
