package io.understudy.stack.tcp;

/** Why a connection ended, as the application's {@code onClosed} callback is told. */
public enum CloseReason {
    /** Both sides closed and every byte was acknowledged. */
    NORMAL,
    /** The peer reset the connection (RST). */
    RESET_BY_PEER,
    /** The peer refused the connection (RST in reply to our SYN). */
    REFUSED,
    /** Retransmissions or the user timeout ran out. */
    TIMED_OUT,
    /** Keepalive probes went unanswered. */
    KEEPALIVE_TIMEOUT,
    /** The application aborted it (we sent a RST). */
    ABORTED,
    /** The stack shut down or evicted it. */
    STACK_CLOSED
}
