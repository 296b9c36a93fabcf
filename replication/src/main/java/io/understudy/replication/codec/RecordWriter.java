package io.understudy.replication.codec;

import static io.understudy.replication.codec.Entries.*;

import io.understudy.stack.replication.TcbImage;
import java.nio.ByteBuffer;

/**
 * Appends entries to one RECORD frame in a buffer, then {@link #finish() finishes} it (patches
 * the entry count, the length field and the CRC). RECORD body: {@code count u32 | entries}.
 * An append that would not fit before the limit given to {@link #begin} writes nothing and
 * returns {@code false}: finish this frame and start another. One replication record may take
 * several RECORD frames (fragments) with the same sequence (the record number); the last one has
 * {@link FrameCodec#FLAG_LAST_FRAGMENT}, and the standby acknowledges a record only after it.
 * Allocation-free; reusable.
 */
public final class RecordWriter {
    private final FrameCodec codec;
    private ByteBuffer buf;
    private int frameAt;
    private int limit;
    private int writeAt;
    private int count;
    private boolean open;

    public RecordWriter(FrameCodec codec) { this.codec = codec; }

    /** Starts a RECORD at {@code at}; no byte at or after {@code limit} will be written. */
    public RecordWriter begin(ByteBuffer buf, int at, int limit, long sequence, int flags) {
        if (limit > buf.capacity() || limit - at < FrameCodec.HEADER_LENGTH + RecordReader.COUNT_LENGTH + FrameCodec.TRAILER_LENGTH) {
            throw new IllegalArgumentException("no room for an empty RECORD in [" + at + ", " + limit + ")");
        }
        this.buf = buf; this.frameAt = at; this.limit = limit;
        this.writeAt = codec.begin(buf, at, MessageType.RECORD, flags, sequence) + RecordReader.COUNT_LENGTH;
        this.count = 0;
        this.open = true;
        return this;
    }

    public int count() { return count; }

    /** Bytes the finished frame would take now. */
    public int frameLength() { return writeAt - frameAt + FrameCodec.TRAILER_LENGTH; }

    /** Every field of {@code image}; the entry's tuple is the image's. */
    public boolean tcbImage(TcbImage image) {
        int at = entry(EntryType.TCB_IMAGE, TcbImageEntry.LENGTH, image.localIp, image.localPort, image.remoteIp,
                image.remotePort);
        if (at < 0) return false;
        TcbImageEntry.write(buf, at, image);
        return true;
    }

    /**
     * The most data bytes one RCV_DATA or SND_BYTES entry could carry if appended now (0 if not
     * even an empty one fits): split longer runs across entries and records.
     */
    public int bytesRoom() {
        if (!open) throw new IllegalStateException("append without begin");
        return Math.max(0, limit - writeAt - HEADER_LENGTH - BytesEntry.DATA - FrameCodec.TRAILER_LENGTH);
    }

    /**
     * Appends the header of a RCV_DATA or SND_BYTES entry of {@code length} data bytes and returns
     * the absolute offset where the caller must write them (straight from its queue, no copy in
     * between), or -1 if the entry does not fit.
     */
    public int bytesSlot(EntryType type, int localAddr, int localPort, int remoteAddr, int remotePort, int seq,
                         int length) {
        if (type != EntryType.RCV_DATA && type != EntryType.SND_BYTES) {
            throw new IllegalArgumentException("not a bytes entry: " + type);
        }
        if (length < 0) throw new IllegalArgumentException("length " + length);
        int at = entry(type, (long) BytesEntry.DATA + length, localAddr, localPort, remoteAddr, remotePort);
        if (at < 0) return -1;
        buf.putInt(at + BytesEntry.SEQ, seq);
        buf.putInt(at + BytesEntry.DATA_LENGTH, length);
        return at + BytesEntry.DATA;
    }

    /** The buffer being written (for {@link #bytesSlot} callers). */
    public ByteBuffer buffer() { return buf; }

    /** True between {@link #begin} and {@link #finish}. */
    public boolean isOpen() { return open; }

    /** Bytes appended to the receive queue, copied from {@code src[srcAt, srcAt+length)} (absolute). */
    public boolean rcvData(int localAddr, int localPort, int remoteAddr, int remotePort, int seq,
                           ByteBuffer src, int srcAt, int length) {
        return bytes(EntryType.RCV_DATA, localAddr, localPort, remoteAddr, remotePort, seq, src, srcAt, length);
    }

    /** Bytes the application appended to the send queue, copied from {@code src[srcAt, srcAt+length)} (absolute). */
    public boolean sndBytes(int localAddr, int localPort, int remoteAddr, int remotePort, int seq,
                            ByteBuffer src, int srcAt, int length) {
        return bytes(EntryType.SND_BYTES, localAddr, localPort, remoteAddr, remotePort, seq, src, srcAt, length);
    }

    /** @param pathUtf8 the file's path, already UTF-8 encoded (cache it per file: encoding allocates) */
    public boolean sndFile(int localAddr, int localPort, int remoteAddr, int remotePort, int seq, long offset,
                           long length, long fileSize, long mtimeNanos, long inode, byte[] pathUtf8) {
        int at = entry(EntryType.SND_FILE, (long) SndFile.PATH + pathUtf8.length, localAddr, localPort, remoteAddr, remotePort);
        if (at < 0) return false;
        buf.putInt(at + SndFile.SEQ, seq);
        buf.putInt(at + SndFile.PATH_LENGTH, pathUtf8.length);
        buf.putLong(at + SndFile.OFFSET, offset);
        buf.putLong(at + SndFile.FILE_LENGTH, length);
        buf.putLong(at + SndFile.FILE_SIZE, fileSize);
        buf.putLong(at + SndFile.MTIME_NANOS, mtimeNanos);
        buf.putLong(at + SndFile.INODE, inode);
        buf.put(at + SndFile.PATH, pathUtf8);
        return true;
    }

    public boolean tcbRemove(int localAddr, int localPort, int remoteAddr, int remotePort) {
        return entry(EntryType.TCB_REMOVE, TcbRemove.LENGTH, localAddr, localPort, remoteAddr, remotePort) >= 0;
    }

    /** Patches count, length and CRC; returns the frame's length. The writer must be begun again before reuse. */
    public int finish() {
        return finish(-1);
    }

    /**
     * Like {@link #finish()}, replacing the flags given to {@link #begin} with {@code flags} (when
     * not negative): a record learns it is the last fragment only when it ends.
     */
    public int finish(int flags) {
        if (!open) throw new IllegalStateException("finish without begin");
        open = false;
        if (flags >= 0) codec.setFlags(buf, frameAt, flags);
        int bodyAt = frameAt + FrameCodec.BODY;
        buf.putInt(bodyAt + RecordReader.COUNT, count);
        return codec.finish(buf, frameAt, writeAt - bodyAt);
    }

    private boolean bytes(EntryType type, int localAddr, int localPort, int remoteAddr, int remotePort, int seq,
                          ByteBuffer src, int srcAt, int length) {
        if (length < 0) throw new IllegalArgumentException("length " + length);
        int at = entry(type, (long) BytesEntry.DATA + length, localAddr, localPort, remoteAddr, remotePort);
        if (at < 0) return false;
        buf.putInt(at + BytesEntry.SEQ, seq);
        buf.putInt(at + BytesEntry.DATA_LENGTH, length);
        buf.put(at + BytesEntry.DATA, src, srcAt, length);
        return true;
    }

    /** Writes the entry header and tuple; returns the body offset, or -1 if the entry does not fit. */
    private int entry(EntryType type, long bodyLength, int localAddr, int localPort, int remoteAddr, int remotePort) {
        if (!open) throw new IllegalStateException("append without begin");
        if (writeAt + HEADER_LENGTH + bodyLength + FrameCodec.TRAILER_LENGTH > limit) return -1;
        int at = writeAt;
        buf.put(at + HEADER_TYPE, (byte) type.code);
        buf.put(at + HEADER_RESERVED, (byte) 0);
        buf.putShort(at + HEADER_RESERVED + 1, (short) 0);
        buf.putInt(at + HEADER_LENGTH_FIELD, (int) bodyLength);
        writeTuple(buf, at + HEADER_LENGTH, localAddr, localPort, remoteAddr, remotePort);
        writeAt = at + HEADER_LENGTH + (int) bodyLength;
        count++;
        return at + HEADER_LENGTH;
    }
}
