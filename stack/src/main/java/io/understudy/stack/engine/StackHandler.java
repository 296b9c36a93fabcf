package io.understudy.stack.engine;

import java.nio.ByteBuffer;

/**
 * Everything the stack thread owns, as the engine sees it. All calls come from the one
 * stack thread, in ring order; {@code now} is the engine clock in nanoseconds.
 */
public interface StackHandler {
    /** A frame arrived from the link: the bytes between {@code position} and {@code limit}. */
    void onFrame(long now, ByteBuffer frame);

    /**
     * The end of a ring batch, or a wait timeout with nothing to read: fire the timers that
     * are due and flush the batch's output.
     */
    void onBatchEnd(long now);

    /**
     * The stack thread is stopping ({@link Engine#close}): nothing follows. Release what the
     * stack holds outside the heap, such as open files. Does nothing by default.
     */
    default void onShutdown() {
    }
}
