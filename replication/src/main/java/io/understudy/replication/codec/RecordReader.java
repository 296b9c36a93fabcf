package io.understudy.replication.codec;

import static io.understudy.replication.codec.Entries.*;

import java.nio.ByteBuffer;

/**
 * Iterates the entries of a received RECORD body with one reused view per entry type. Every
 * entry's header and lengths are checked against the body before its view is exposed; a
 * malformed body stops iteration with a {@link #reject() reason}. Never throws on bad input;
 * allocation-free.
 *
 * <pre>
 * RecordReader r = reader.wrap(frame);
 * while (r.next()) switch (r.type()) { case TCB_IMAGE: apply(r.tcbImage()); ... }
 * if (r.reject() != null) drop the link
 * </pre>
 */
public final class RecordReader {
    static final int COUNT = 0, COUNT_LENGTH = 4;

    private final TcbImageEntry tcbImage = new TcbImageEntry();
    private final RcvData rcvData = new RcvData();
    private final SndBytes sndBytes = new SndBytes();
    private final SndFile sndFile = new SndFile();
    private final TcbRemove tcbRemove = new TcbRemove();

    private ByteBuffer buf;
    private int readAt;
    private int end;
    private long remaining;
    private long declared;
    private EntryType type;
    private EntryReject reject;

    public RecordReader wrap(Frame frame) { return wrap(frame.buffer(), frame.bodyOffset(), frame.bodyLength()); }

    /** Wraps a RECORD body at {@code [at, at+length)}. */
    public RecordReader wrap(ByteBuffer buf, int at, int length) {
        this.buf = buf;
        this.end = at + length;
        this.type = null;
        this.reject = null;
        if (length < COUNT_LENGTH) {
            reject = EntryReject.BODY_TOO_SHORT;
            remaining = declared = 0;
            readAt = end;
        } else {
            remaining = declared = buf.getInt(at + COUNT) & 0xFFFFFFFFL;
            readAt = at + COUNT_LENGTH;
        }
        return this;
    }

    /** The entry count the record claims (0 if the body was too short). */
    public long count() { return declared; }

    /** Advances to the next entry; {@code false} at the end or on a malformed entry (see {@link #reject()}). */
    public boolean next() {
        type = null;
        if (reject != null) return false;
        int left = end - readAt;
        if (remaining == 0) {
            if (left != 0) reject = EntryReject.TRAILING_BYTES;
            return false;
        }
        if (left < HEADER_LENGTH) return fail(EntryReject.HEADER_TRUNCATED);
        long bodyLength = buf.getInt(readAt + HEADER_LENGTH_FIELD) & 0xFFFFFFFFL;
        if (bodyLength > left - HEADER_LENGTH) return fail(EntryReject.OVERRUNS_BODY);
        EntryType t = EntryType.of(buf.get(readAt + HEADER_TYPE) & 0xFF);
        if (t == null) return fail(EntryReject.UNKNOWN_ENTRY_TYPE);
        int at = readAt + HEADER_LENGTH;
        int length = (int) bodyLength;
        Entry view = viewFor(t);
        if (!validLength(t, at, length)) return fail(EntryReject.BAD_ENTRY_LENGTH);
        view.wrap(buf, at, length);
        readAt = at + length;
        remaining--;
        type = t;
        return true;
    }

    /** Why iteration stopped early, or {@code null} if the record is well-formed so far. */
    public EntryReject reject() { return reject; }

    /** The current entry's type (after {@link #next()} returned {@code true}). */
    public EntryType type() { return type; }

    /** The current entry's view, whatever its type. */
    public Entry entry() { return type == null ? null : viewFor(type); }

    public TcbImageEntry tcbImage() { return tcbImage; }
    public RcvData rcvData() { return rcvData; }
    public SndBytes sndBytes() { return sndBytes; }
    public SndFile sndFile() { return sndFile; }
    public TcbRemove tcbRemove() { return tcbRemove; }

    private Entry viewFor(EntryType t) {
        switch (t) {
            case TCB_IMAGE: return tcbImage;
            case RCV_DATA: return rcvData;
            case SND_BYTES: return sndBytes;
            case SND_FILE: return sndFile;
            default: return tcbRemove;
        }
    }

    private boolean validLength(EntryType t, int at, int length) {
        switch (t) {
            case TCB_IMAGE: return length == TcbImageEntry.LENGTH;
            case RCV_DATA:
            case SND_BYTES: return BytesEntry.validLength(buf, at, length);
            case SND_FILE: return SndFile.validLength(buf, at, length);
            default: return length == TcbRemove.LENGTH;
        }
    }

    private boolean fail(EntryReject why) {
        reject = why;
        return false;
    }
}
