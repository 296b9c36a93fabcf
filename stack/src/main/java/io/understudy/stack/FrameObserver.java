package io.understudy.stack;

import java.nio.ByteBuffer;

/** Sees every frame the stack receives and sends (a pcap writer, a test). Stack thread only. */
public interface FrameObserver {
    /** A frame between {@code position} and {@code limit}; must leave both unchanged. */
    void frame(long now, ByteBuffer frame);

    /** End of a batch. */
    default void flush() {}
}
