package io.understudy.stack;

import io.understudy.stack.link.Link;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/** A link that keeps a copy of every frame the stack transmits, for tests to take and inspect. */
public final class MemoryLink implements Link {
    private final List<byte[]> frames = new ArrayList<>();
    private int flushes;

    @Override
    public void transmit(ByteBuffer frame) {
        byte[] copy = new byte[frame.remaining()];
        frame.get(frame.position(), copy);
        frames.add(copy);
    }

    @Override
    public void flush() {
        flushes++;
    }

    /** The frames transmitted since the last call, oldest first. */
    public List<byte[]> take() {
        List<byte[]> out = List.copyOf(frames);
        frames.clear();
        return out;
    }

    /** How many times the stack flushed the link. */
    public int flushes() {
        return flushes;
    }
}
