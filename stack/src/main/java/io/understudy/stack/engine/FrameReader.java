package io.understudy.stack.engine;

import java.io.IOException;
import java.nio.ByteBuffer;

/** Fills a ring slot with one received frame; implemented by the launcher over the TAP device. */
@FunctionalInterface
public interface FrameReader {
    /**
     * Reads one whole frame into {@code dst} starting at index 0 without blocking.
     *
     * @return the frame's length, or 0 when no frame is waiting
     */
    int read(ByteBuffer dst) throws IOException;
}
