package io.understudy.stack.tcp;

/**
 * What an application hears about its connection. Every callback runs on the stack thread, so
 * it may read, write and close right there; none may block.
 */
public interface TcpHandler {
    /** The handshake completed: an active open connected, or a passive open was accepted. */
    default void onConnected(TcpConnection c) {}

    /** New bytes are readable ({@link TcpConnection#readable()} > 0). */
    default void onReadable(TcpConnection c) {}

    /**
     * Space opened in the send queue after a write accepted less than offered, or after
     * {@link TcpConnection#writable()} returned 0.
     */
    default void onWritable(TcpConnection c) {}

    /** The peer closed its side (FIN): after the readable bytes there is nothing more to read. */
    default void onPeerClosed(TcpConnection c) {}

    /**
     * The deadline set with {@link TcpConnection#appDeadline(long)} passed; {@code now} is the
     * time of the timer event (also {@link TcpConnection#now()}). The deadline is disarmed first,
     * so the handler may set a new one.
     */
    default void onAppTimer(TcpConnection c, long now) {}

    /**
     * This connection was adopted from a failed primary at takeover (a standby's listener
     * accepted it without a handshake): its receive and send queues are as the primary left
     * them, and {@code resume} carries what the application needs to go on (see {@link Resume}).
     * Comes instead of {@link #onConnected}; the other callbacks follow as usual.
     */
    default void onAdopted(TcpConnection c, Resume resume) {}

    /** The connection is gone; the handle must not be used after this. */
    default void onClosed(TcpConnection c, CloseReason reason) {}
}
