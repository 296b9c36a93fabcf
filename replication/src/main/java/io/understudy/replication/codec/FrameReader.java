package io.understudy.replication.codec;

import java.nio.ByteBuffer;

/**
 * Reassembles frames from bytes that arrive split anywhere. Feed with {@link #append}, then
 * {@link #poll} until it stops returning {@link Status#FRAME}. Never throws on bad input: a
 * malformed stream moves the reader to {@link Status#REJECTED} for good, with a
 * {@link #reject() reason}, and the link should be dropped (framing can no longer be trusted).
 * Allocation-free after construction.
 */
public final class FrameReader {
    public enum Status { FRAME, NEED_MORE, REJECTED }

    private final int maxLengthField;
    private final ByteBuffer buf;
    private final Crc crc = new Crc();
    private final Frame frame = new Frame();
    private int readAt;
    private int writeAt;
    private int pendingSkip;
    private FrameReject reject;

    /** @param maxLengthField the largest acceptable value of a frame's length field */
    public FrameReader(int maxLengthField) {
        if (maxLengthField < FrameCodec.MIN_LENGTH_FIELD || maxLengthField > Integer.MAX_VALUE - 4) {
            throw new IllegalArgumentException("maxLengthField " + maxLengthField);
        }
        this.maxLengthField = maxLengthField;
        this.buf = ByteBuffer.allocate(4 + maxLengthField);
    }

    /**
     * Copies as many bytes from {@code src} (position to limit) as fit, advancing its position.
     * Returns the number of bytes taken; less than {@code src.remaining()} only while a whole
     * maximum-size frame is buffered and not yet polled.
     */
    public int append(ByteBuffer src) {
        consumePending();
        if (readAt > 0 && buf.capacity() - writeAt < src.remaining()) {
            int held = writeAt - readAt;
            System.arraycopy(buf.array(), readAt, buf.array(), 0, held);
            readAt = 0;
            writeAt = held;
        }
        int n = Math.min(src.remaining(), buf.capacity() - writeAt);
        buf.put(writeAt, src, src.position(), n);
        src.position(src.position() + n);
        writeAt += n;
        return n;
    }

    /** The next frame, {@link Status#NEED_MORE} bytes, or {@link Status#REJECTED}. After FRAME, see {@link #frame()}. */
    public Status poll() {
        if (reject != null) return Status.REJECTED;
        consumePending();
        int available = writeAt - readAt;
        if (available < 4) return Status.NEED_MORE;
        long lengthField = buf.getInt(readAt) & 0xFFFFFFFFL;
        if (lengthField > maxLengthField) return reject(FrameReject.TOO_LONG);
        if (lengthField < FrameCodec.MIN_LENGTH_FIELD) return reject(FrameReject.TOO_SHORT);
        int frameLength = 4 + (int) lengthField;
        if (available < frameLength) return Status.NEED_MORE;
        int crcAt = readAt + frameLength - FrameCodec.TRAILER_LENGTH;
        int from = readAt + FrameCodec.TYPE;
        if (crc.of(buf, from, crcAt - from) != buf.getInt(crcAt)) return reject(FrameReject.BAD_CRC);
        MessageType type = MessageType.of(buf.get(readAt + FrameCodec.TYPE) & 0xFF);
        if (type == null) return reject(FrameReject.UNKNOWN_TYPE);
        if ((buf.get(readAt + FrameCodec.FRAME_VERSION) & 0xFF) != FrameCodec.VERSION) {
            return reject(FrameReject.UNSUPPORTED_VERSION);
        }
        int bodyAt = readAt + FrameCodec.BODY;
        int bodyLength = crcAt - bodyAt;
        if (!bodyLengthValid(type, bodyAt, bodyLength)) return reject(FrameReject.BAD_BODY_LENGTH);
        frame.wrap(buf, readAt, bodyLength, type);
        pendingSkip = frameLength;
        return Status.FRAME;
    }

    /** The frame the last {@link #poll} returned FRAME for; valid until the next poll or append. */
    public Frame frame() { return frame; }

    /** Why the stream was rejected, or {@code null} if it was not. */
    public FrameReject reject() { return reject; }

    /** Bytes buffered and not yet returned as a frame. */
    public int buffered() { return writeAt - readAt - pendingSkip; }

    private boolean bodyLengthValid(MessageType type, int at, int length) {
        switch (type) {
            case HELLO: return Hello.validLength(buf, at, length);
            case HELLO_REJECT: return HelloReject.validLength(buf, at, length);
            case ACK: return Ack.validLength(length);
            case HEARTBEAT: return Heartbeat.validLength(length);
            case RECORD: return length >= RecordReader.COUNT_LENGTH;
            case WELCOME: return Welcome.validLength(length);
            default: return false;
        }
    }

    private void consumePending() {
        readAt += pendingSkip;
        pendingSkip = 0;
        if (readAt == writeAt) readAt = writeAt = 0;
    }

    private Status reject(FrameReject why) {
        reject = why;
        return Status.REJECTED;
    }
}
