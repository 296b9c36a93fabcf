package io.understudy.stack.link;

import java.nio.ByteBuffer;

/**
 * Where the stack sends Ethernet frames. The stack never imports the TAP module: the
 * launcher adapts a TAP device to this interface, and unit tests use an in-memory link.
 * Called only from the stack thread.
 */
public interface Link {
    /**
     * Transmits one Ethernet frame: the bytes between {@code frame.position()} and
     * {@code frame.limit()}. The link is done with the buffer when this returns (it copies
     * or writes it out); it must not change the buffer's position or limit.
     */
    void transmit(ByteBuffer frame);

    /** End of a ring batch: push out anything the link buffered. */
    default void flush() {}
}
