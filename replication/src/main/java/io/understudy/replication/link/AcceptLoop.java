package io.understudy.replication.link;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.channels.Selector;
import java.time.Duration;

/** The accept-with-a-deadline loop both link servers share: poll a non-blocking accept, wait on the selector. */
final class AcceptLoop {
    /** One non-blocking accept: a link to the new peer, or null when nobody is waiting. */
    @FunctionalInterface
    interface TryAccept {
        ReplicationLink tryAccept() throws IOException;
    }

    private AcceptLoop() {}

    /** Returns the first peer {@code attempt} accepts, or throws SocketTimeoutException after {@code timeout}. */
    static ReplicationLink await(Selector selector, LinkAddress address, Duration timeout, TryAccept attempt)
            throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            ReplicationLink link = attempt.tryAccept();
            if (link != null) {
                return link;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new SocketTimeoutException("no peer connected to " + address + " within " + timeout);
            }
            selector.select(Math.max(1, left / 1_000_000));
            selector.selectedKeys().clear();
        }
    }
}
