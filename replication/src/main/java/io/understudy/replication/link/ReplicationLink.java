package io.understudy.replication.link;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A connected, message-agnostic byte pipe between primary and standby.
 *
 * <p>Bytes passed to {@link #send} arrive at the peer in order and intact, cut into chunks of arbitrary
 * sizes. Received bytes are delivered on the link's own daemon receive thread, started by
 * {@link #start(Listener)}.
 */
public interface ReplicationLink extends AutoCloseable {

    /** Callbacks, always invoked on the link's receive thread. */
    interface Listener {
        /**
         * Received bytes, between position and limit. The buffer is reused once this returns: copy what
         * must be kept. An exception thrown here fails the link ({@link #onClosed} gets it as the cause).
         */
        void onBytes(ByteBuffer chunk);

        /**
         * Called exactly once, when the peer closes (cause null), the socket fails (cause is the error)
         * or {@link ReplicationLink#close()} is called (cause null unless an error had happened first).
         * Not called if the link is closed before {@link ReplicationLink#start} was called.
         */
        void onClosed(Throwable cause);
    }

    /** Starts the receive loop; may be called once. Bytes that arrived before are delivered then. */
    void start(Listener listener);

    /**
     * Writes all remaining bytes of {@code bytes}, blocking until the kernel has taken them. Meant for a
     * single sender thread (concurrent calls are serialized). A failure closes the link.
     */
    void send(ByteBuffer bytes) throws IOException;

    /**
     * Writes what the kernel takes of {@code bytes} now, without blocking, and advances its
     * position by that much: all of it, part of it, or nothing (0) when the socket's buffer is
     * full. Returns -1, writing nothing, when this link cannot send without blocking (then use
     * {@link #send}). Serialized with {@link #send}: a frame either call is writing is never
     * interleaved with the other's. A failure closes the link.
     */
    default int trySend(ByteBuffer bytes) throws IOException {
        return -1;
    }

    /** True until the link is closed or has failed. */
    boolean isOpen();

    /**
     * The peer process's PID when the kernel tells it (a Unix socket's {@code SO_PEERCRED}), else
     * -1. A standby on the same host uses it to notice at once that its primary is dying.
     */
    default long peerPid() {
        return -1;
    }

    /** Human-readable description of the endpoints, for logs. */
    String describe();

    /**
     * Closes the link; idempotent. When called from a thread other than the receive thread it waits
     * (bounded) until {@link Listener#onClosed} has returned.
     */
    @Override
    void close();
}
