package io.understudy.stack.engine;

import java.nio.ByteBuffer;

/** One preallocated ring slot: a received frame or a command for the stack thread. */
final class StackEvent<H> {
    static final int EMPTY = 0, FRAME = 1, COMMAND = 2;

    /** What the slot carries: {@link #EMPTY}, {@link #FRAME} or {@link #COMMAND}. */
    int type;
    /** The slot's frame storage, allocated once; the frame occupies [0, {@link #length}). */
    final ByteBuffer frame;
    /** Length of the frame in {@link #frame}. */
    int length;
    /** A command to run on the stack thread, cleared after it ran. */
    StackCommand<? super H> command;

    StackEvent(int frameCapacity) {
        this.frame = ByteBuffer.allocateDirect(frameCapacity);
    }

    void clear() {
        type = EMPTY;
        length = 0;
        command = null;
    }
}
