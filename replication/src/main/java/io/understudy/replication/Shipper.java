package io.understudy.replication;

import io.understudy.replication.codec.EntryType;
import io.understudy.replication.codec.FrameCodec;
import io.understudy.replication.codec.RecordWriter;
import io.understudy.stack.replication.ReplicationLog;
import io.understudy.stack.replication.TcbImage;
import io.understudy.stack.tcp.FileRegion;
import io.understudy.stack.tcp.TcpConnection;
import io.understudy.stack.tcp.TcpTuple;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The primary's {@link ReplicationLog}: writes each batch's changes as RECORD frames straight into
 * buffers of the attached standby's {@link PeerLink} (bytes are copied once, from the TCB's queues
 * into the frame) and queues them for its writer thread; never blocks. A record larger than a frame
 * goes out as several fragments with the record's number, the last one flagged
 * {@link FrameCodec#FLAG_LAST_FRAGMENT}. Record numbers start at the given first number and go on
 * across standbys for the life of this object.
 *
 * <p>Stack thread only, except {@link #lastCommitted()}, {@link #commitNanos} and
 * {@link #commitBytes}, which the link's receive thread reads to time acknowledgements.
 */
final class Shipper implements ReplicationLog {
    /** Smallest piece of a byte run worth starting in a frame that has less room than the whole run. */
    private static final int MIN_CHUNK = 1024;
    private static final int HISTORY = 1 << 14;

    /** What a stream of records goes into. */
    interface Sink {
        /** A frame buffer, or null when the standby's queue is full. */
        ByteBuffer acquire();

        /** Ships a finished frame (0 to limit); false when it could not be queued. */
        boolean submit(ByteBuffer frame);

        /** The standby cannot keep up: give it up. */
        void overflow(String reason);

        /** True while the standby falls behind: the stack holds its output until it catches up. */
        default boolean congested() {
            return false;
        }
    }

    private final RecordWriter writer = new RecordWriter(new FrameCodec());
    private final ByteBuffer discard = ByteBuffer.allocate(PeerLink.MAX_FRAME);
    private final ReplicationStatus status;
    private final long[] commitNanos = new long[HISTORY];
    private final long[] commitBytes = new long[HISTORY];
    private Sink sink;
    private ByteBuffer frame;
    private long current;
    private volatile long lastCommitted;
    private boolean wrote;
    private boolean snapshot;
    private long bytes;
    private Path lastPath;
    private byte[] lastPathUtf8;

    Shipper(long firstRecord, ReplicationStatus status) {
        if (firstRecord < 1) throw new IllegalArgumentException("record numbers start at 1, got " + firstRecord);
        this.current = firstRecord;
        this.lastCommitted = firstRecord - 1;
        this.status = status;
    }

    /**
     * From now on records go to {@code sink}, the first one a snapshot. Whatever this batch wrote so
     * far is abandoned: the snapshot that follows holds it. Stack thread.
     */
    void attach(Sink newSink) {
        abandon();
        sink = newSink;
        snapshot = true;
        status.snapshotShipping(current);
    }

    /** Records go nowhere from now on (they keep their numbers). Stack thread. */
    void detach() {
        abandon();
        sink = null;
    }

    /** The attached sink, or null. Stack thread. */
    Sink sink() {
        return sink;
    }

    /** The newest committed record number (any thread). */
    long lastCommitted() {
        return lastCommitted;
    }

    /** When {@code record} was committed (System.nanoTime()), or -1 if that is forgotten. Any thread. */
    long commitNanos(long record) {
        return remembered(commitNanos, record);
    }

    /** Record bytes shipped up to and including {@code record}, or -1 if forgotten. Any thread. */
    long commitBytes(long record) {
        return remembered(commitBytes, record);
    }

    /** Reads the volatile number first (it publishes the slots), the slot, then checks it was not reused meanwhile. */
    private long remembered(long[] history, long record) {
        if (record > lastCommitted) return -1;
        long v = history[(int) (record & (HISTORY - 1))];
        return lastCommitted - record < HISTORY - 1 ? v : -1;
    }

    @Override
    public long currentRecord() {
        return current;
    }

    /** Asked of the sink once per batch, at commit: emitting a segment only reads the field. */
    private boolean congested;

    @Override
    public boolean congested() {
        return congested;
    }

    @Override
    public void received(TcpConnection c, int seq, int length) {
        bytes(EntryType.RCV_DATA, c, seq, length);
    }

    @Override
    public void appended(TcpConnection c, int seq, int length) {
        bytes(EntryType.SND_BYTES, c, seq, length);
    }

    @Override
    public void appendedFile(TcpConnection c, int seq, FileRegion region) {
        TcpTuple t = c.tuple();
        byte[] path = pathUtf8(region.path());
        while (true) {
            open();
            if (writer.sndFile(t.localIp(), t.localPort(), t.remoteIp(), t.remotePort(), seq, region.offset(),
                    region.length(), region.size(), region.lastModifiedNanos(), region.inode(), path)) {
                return;
            }
            if (writer.count() == 0) {
                throw new IllegalArgumentException("file path too long to replicate: " + region.path());
            }
            ship(false);
        }
    }

    @Override
    public void image(TcbImage image) {
        while (true) {
            open();
            if (writer.tcbImage(image)) return;
            ship(false);
        }
    }

    @Override
    public void removed(TcpTuple t) {
        while (true) {
            open();
            if (writer.tcbRemove(t.localIp(), t.localPort(), t.remoteIp(), t.remotePort())) return;
            ship(false);
        }
    }

    @Override
    public boolean commit(long now) {
        if (!wrote && !snapshot) return false; // a snapshot goes out even empty: the standby then knows it has all
        if (!wrote) open();
        ByteBuffer last = finish(true);
        // Publish the number before the last fragment can reach the standby: its ACK may come at once.
        int slot = (int) (current & (HISTORY - 1));
        commitNanos[slot] = System.nanoTime();
        commitBytes[slot] = bytes;
        lastCommitted = current;
        if (sink != null) status.shipped(current, bytes);
        submit(last);
        current++;
        wrote = false;
        snapshot = false;
        congested = sink != null && sink.congested();
        return true;
    }

    private void bytes(EntryType type, TcpConnection c, int seq, int length) {
        TcpTuple t = c.tuple();
        int done = 0;
        while (done < length) {
            open();
            int room = writer.bytesRoom();
            int left = length - done;
            if (room < left && room < MIN_CHUNK) {
                ship(false);
                continue;
            }
            int n = Math.min(room, left);
            int at = writer.bytesSlot(type, t.localIp(), t.localPort(), t.remoteIp(), t.remotePort(), seq + done, n);
            if (type == EntryType.RCV_DATA) {
                c.copyReceived(seq + done, writer.buffer(), at, n);
            } else {
                c.copySendQueue(seq + done, writer.buffer(), at, n);
            }
            done += n;
        }
        if (length == 0) open();
    }

    /** Makes sure a frame of the current record is open. */
    private void open() {
        wrote = true;
        if (writer.isOpen()) return;
        ByteBuffer b = sink == null ? null : sink.acquire();
        if (b == null) {
            if (sink != null) sink.overflow("replication queue full: the standby does not keep up");
            b = discard;
        }
        frame = b;
        writer.begin(b, 0, b.capacity(), current, snapshot ? FrameCodec.FLAG_SNAPSHOT : 0);
    }

    /** Finishes the open frame (not the record's last) and queues it. */
    private void ship(boolean last) {
        submit(finish(last));
    }

    /** Finishes the open frame; returns it ready to send, or null when it goes nowhere. */
    private ByteBuffer finish(boolean last) {
        int flags = (snapshot ? FrameCodec.FLAG_SNAPSHOT : 0) | (last ? FrameCodec.FLAG_LAST_FRAGMENT : 0);
        int length = writer.finish(flags);
        ByteBuffer b = frame;
        frame = null;
        if (b == discard || sink == null) return null;
        bytes += length;
        return b.limit(length).position(0);
    }

    private void submit(ByteBuffer b) {
        if (b != null && !sink.submit(b)) {
            sink.overflow("replication queue full: the standby does not keep up");
        }
    }

    private void abandon() {
        if (writer.isOpen()) {
            writer.finish();
        }
        frame = null;
        wrote = false;
        snapshot = false;
    }

    private byte[] pathUtf8(Path p) {
        if (!p.equals(lastPath)) {
            lastPath = p;
            lastPathUtf8 = p.toString().getBytes(StandardCharsets.UTF_8);
        }
        return lastPathUtf8;
    }
}
