package io.understudy.replication.codec;

import static io.understudy.replication.codec.Entries.*;

import java.nio.ByteBuffer;

/**
 * Appends entries to one RECORD frame in a buffer, then {@link #finish() finishes} it (patches
 * the entry count, the length field and the CRC). RECORD body: {@code count u32 | entries}.
 * An append that would not fit before the limit given to {@link #begin} writes nothing and
 * returns {@code false}: finish this record and start another. Allocation-free; reusable.
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

    public boolean tcbNew(int localAddr, int localPort, int remoteAddr, int remotePort, int iss, int irs, int state,
                          int sendMss, int sndWindowScale, int rcvWindowScale, boolean sackPermitted,
                          boolean timestamps, int tsOffset, int tsRecent) {
        int at = entry(EntryType.TCB_NEW, TcbNew.LENGTH, localAddr, localPort, remoteAddr, remotePort);
        if (at < 0) return false;
        buf.putInt(at + TcbNew.ISS, iss);
        buf.putInt(at + TcbNew.IRS, irs);
        buf.put(at + TcbNew.STATE, (byte) state);
        buf.put(at + TcbNew.OPTIONS, (byte) ((sackPermitted ? TcbNew.SACK_PERMITTED : 0) | (timestamps ? TcbNew.TIMESTAMPS : 0)));
        buf.put(at + TcbNew.SND_WSCALE, (byte) sndWindowScale);
        buf.put(at + TcbNew.RCV_WSCALE, (byte) rcvWindowScale);
        buf.putShort(at + TcbNew.SEND_MSS, (short) sendMss);
        buf.putShort(at + TcbNew.RESERVED, (short) 0);
        buf.putInt(at + TcbNew.TS_OFFSET, tsOffset);
        buf.putInt(at + TcbNew.TS_RECENT, tsRecent);
        return true;
    }

    /** Windows are unscaled byte counts, 0 .. 2^32-1. */
    public boolean tcbUpdate(int localAddr, int localPort, int remoteAddr, int remotePort, int state, int sndUna,
                             int sndNxt, int sndMax, long sndWnd, int rcvNxt, long rcvWnd, int tsRecent) {
        int at = entry(EntryType.TCB_UPDATE, TcbUpdate.LENGTH, localAddr, localPort, remoteAddr, remotePort);
        if (at < 0) return false;
        buf.put(at + TcbUpdate.STATE, (byte) state);
        buf.put(at + TcbUpdate.RESERVED, (byte) 0);
        buf.putShort(at + TcbUpdate.RESERVED + 1, (short) 0);
        buf.putInt(at + TcbUpdate.SND_UNA, sndUna);
        buf.putInt(at + TcbUpdate.SND_NXT, sndNxt);
        buf.putInt(at + TcbUpdate.SND_MAX, sndMax);
        buf.putInt(at + TcbUpdate.SND_WND, (int) sndWnd);
        buf.putInt(at + TcbUpdate.RCV_NXT, rcvNxt);
        buf.putInt(at + TcbUpdate.RCV_WND, (int) rcvWnd);
        buf.putInt(at + TcbUpdate.TS_RECENT, tsRecent);
        return true;
    }

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

    public boolean rcvConsumed(int localAddr, int localPort, int remoteAddr, int remotePort, int readSeq) {
        int at = entry(EntryType.RCV_CONSUMED, RcvConsumed.LENGTH, localAddr, localPort, remoteAddr, remotePort);
        if (at < 0) return false;
        buf.putInt(at + RcvConsumed.READ_SEQ, readSeq);
        return true;
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
        if (!open) throw new IllegalStateException("finish without begin");
        open = false;
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
