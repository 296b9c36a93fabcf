package io.understudy.stack.pcap;

import io.understudy.stack.FrameObserver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Writes Ethernet frames to a classic pcap file (the format tcpdump, tshark and Wireshark
 * read): a 24-byte global header, then a 16-byte record header before each frame, with
 * microsecond timestamps. Buffered; {@link #flush()} at the end of each batch keeps the file
 * current for a reader following it. Used by the stack thread only.
 */
public final class PcapWriter implements FrameObserver, AutoCloseable {
    static final int MAGIC_MICROS = 0xa1b2c3d4;
    static final int LINKTYPE_ETHERNET = 1;
    static final int SNAPLEN = 262_144;
    static final int GLOBAL_HEADER = 24, RECORD_HEADER = 16;

    private final FileChannel channel;
    private final ByteBuffer buffer;
    private final long wallOffsetNanos;
    private long frames;

    /**
     * Creates (or truncates) {@code file}.
     *
     * @param wallOffsetNanos add to the stack clock to get nanoseconds since the Unix epoch
     */
    public PcapWriter(Path file, long wallOffsetNanos) throws IOException {
        this.channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
        this.buffer = ByteBuffer.allocateDirect(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
        this.wallOffsetNanos = wallOffsetNanos;
        buffer.putInt(MAGIC_MICROS).putShort((short) 2).putShort((short) 4)
                .putInt(0).putInt(0).putInt(SNAPLEN).putInt(LINKTYPE_ETHERNET);
        flush();
    }

    /** Appends the frame between {@code position} and {@code limit}, leaving both unchanged. */
    @Override
    public void frame(long now, ByteBuffer frame) {
        int length = frame.remaining();
        int captured = Math.min(length, SNAPLEN);
        if (buffer.remaining() < RECORD_HEADER + captured) {
            flush();
        }
        long wallMicros = Math.floorDiv(now + wallOffsetNanos, 1_000L);
        buffer.putInt((int) Math.floorDiv(wallMicros, 1_000_000L))
                .putInt((int) Math.floorMod(wallMicros, 1_000_000L))
                .putInt(captured)
                .putInt(length);
        buffer.put(buffer.position(), frame, frame.position(), captured);
        buffer.position(buffer.position() + captured);
        frames++;
    }

    /** Frames written so far. */
    public long frames() {
        return frames;
    }

    /** Writes out what is buffered. */
    @Override
    public void flush() {
        buffer.flip();
        try {
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("writing pcap: " + e.getMessage(), e);
        } finally {
            buffer.clear();
        }
    }

    @Override
    public void close() throws IOException {
        try {
            flush();
        } finally {
            channel.close();
        }
    }
}
