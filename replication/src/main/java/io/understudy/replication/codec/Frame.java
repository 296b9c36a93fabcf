package io.understudy.replication.codec;

import java.nio.ByteBuffer;

/** View of one validated frame held by a {@link FrameReader}; valid until the reader's next poll or append. */
public final class Frame {
    private ByteBuffer buf;
    private int at;
    private int bodyLength;
    private MessageType type;

    Frame wrap(ByteBuffer buf, int at, int bodyLength, MessageType type) {
        this.buf = buf; this.at = at; this.bodyLength = bodyLength; this.type = type;
        return this;
    }

    public MessageType type() { return type; }
    public int version() { return buf.get(at + FrameCodec.FRAME_VERSION) & 0xFF; }
    public int flags() { return buf.getShort(at + FrameCodec.FLAGS) & 0xFFFF; }
    public long sequence() { return buf.getLong(at + FrameCodec.SEQUENCE); }
    public ByteBuffer buffer() { return buf; }
    public int bodyOffset() { return at + FrameCodec.BODY; }
    public int bodyLength() { return bodyLength; }
    /** Offset of the frame's first byte (its length field) in {@link #buffer()}. */
    public int frameOffset() { return at; }
    public int frameLength() { return FrameCodec.HEADER_LENGTH + bodyLength + FrameCodec.TRAILER_LENGTH; }
}
