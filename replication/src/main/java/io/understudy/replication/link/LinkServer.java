package io.understudy.replication.link;

import java.io.IOException;
import java.time.Duration;

/** A listening endpoint of the replication link; accepts peers one at a time. */
public interface LinkServer extends AutoCloseable {

    /**
     * Binds and listens. For {@code unix:} a stale socket file (one nobody listens on) is removed first;
     * a path that exists and is not a socket, or a socket with a live listener, is refused.
     * For {@code tcp:} port 0 picks an ephemeral port, see {@link #address()}.
     */
    static LinkServer listen(LinkAddress address) throws IOException {
        if (address instanceof LinkAddress.Unix u) {
            return UnixLinkServer.bind(u);
        }
        return TcpLinkServer.bind((LinkAddress.Tcp) address);
    }

    /** The bound address (for TCP with the actual port). */
    LinkAddress address();

    /**
     * Waits up to {@code timeout} for one peer and returns its link (not yet started).
     *
     * @throws java.net.SocketTimeoutException if no peer connected in time
     */
    ReplicationLink accept(Duration timeout) throws IOException;

    /** Stops listening; for {@code unix:} also removes the socket file. Accepted links stay open. */
    @Override
    void close() throws IOException;
}
