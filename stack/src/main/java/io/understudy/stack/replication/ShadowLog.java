package io.understudy.stack.replication;

import io.understudy.stack.tcp.FileRegion;
import io.understudy.stack.tcp.TcpConnection;
import io.understudy.stack.tcp.TcpTuple;
import io.understudy.stack.wire.Seq;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An in-memory standby: a {@link ReplicationLog} that applies every record straight into shadow
 * TCBs (the latest image, the received bytes from the resume mark, the send queue from SND.UNA)
 * and builds the {@link Adoption}s a takeover needs — replication without a link, for tests, for
 * warming up a standby's code paths, and for experimenting with takeover in one process. Records
 * are numbered from the first given; the caller decides when to acknowledge them
 * ({@link io.understudy.stack.NetStack#replicationAcked}). Not thread-safe: use it on the stack thread.
 */
public final class ShadowLog implements ReplicationLog {
    /** One shadow TCB. */
    public static final class Shadow {
        final TcbImage image = new TcbImage();
        boolean hasImage;
        /** Received bytes from {@link #receivedSeq}. */
        final ByteArrayBuilder received = new ByteArrayBuilder();
        int receivedSeq;
        boolean receivedStarted;
        /** Send queue items with their sequence numbers. */
        final List<Item> sendQueue = new ArrayList<>();

        public TcbImage image() {
            return image;
        }
    }

    private record Item(int seq, Adoption.SendItem item) {}

    /** A growable byte array that can drop its head. */
    static final class ByteArrayBuilder {
        byte[] bytes = new byte[256];
        int length;

        void append(ByteBuffer src, int at, int n) {
            ensure(length + n);
            src.get(at, bytes, length, n);
            length += n;
        }

        void dropHead(int n) {
            System.arraycopy(bytes, n, bytes, 0, length - n);
            length -= n;
        }

        private void ensure(int n) {
            if (n > bytes.length) {
                bytes = java.util.Arrays.copyOf(bytes, Math.max(n, bytes.length * 2));
            }
        }
    }

    private final Map<TcpTuple, Shadow> shadows = new LinkedHashMap<>();
    private final ByteBuffer scratch = ByteBuffer.allocate(1 << 20);
    private long current;
    private boolean written;
    private long committed;

    /** A log whose first record is {@code firstRecord}. */
    public ShadowLog(long firstRecord) {
        this.current = firstRecord;
    }

    public ShadowLog() {
        this(1);
    }

    /** The newest committed record (0: none). */
    public long committed() {
        return committed;
    }

    public Map<TcpTuple, Shadow> shadows() {
        return shadows;
    }

    @Override
    public long currentRecord() {
        return current;
    }

    private Shadow shadow(TcpConnection c) {
        return shadow(c.tuple());
    }

    private Shadow shadow(TcpTuple t) {
        written = true;
        return shadows.computeIfAbsent(t, k -> new Shadow());
    }

    @Override
    public void received(TcpConnection c, int seq, int length) {
        Shadow s = shadow(c);
        if (!s.receivedStarted) {
            s.receivedStarted = true;
            s.receivedSeq = seq;
        }
        if (seq != s.receivedSeq + s.received.length) {
            throw new IllegalStateException("received bytes not contiguous: " + Integer.toUnsignedString(seq) + " after "
                    + Integer.toUnsignedString(s.receivedSeq + s.received.length));
        }
        ByteBuffer b = length <= scratch.capacity() ? scratch : ByteBuffer.allocate(length);
        c.copyReceived(seq, b, 0, length);
        s.received.append(b, 0, length);
    }

    @Override
    public void appended(TcpConnection c, int seq, int length) {
        ByteBuffer b = ByteBuffer.allocate(length);
        c.copySendQueue(seq, b, 0, length);
        shadow(c).sendQueue.add(new Item(seq, new Adoption.Bytes(b)));
    }

    @Override
    public void appendedFile(TcpConnection c, int seq, FileRegion region) {
        shadow(c).sendQueue.add(new Item(seq, new Adoption.File(region)));
    }

    @Override
    public void image(TcbImage image) {
        Shadow s = shadow(new TcpTuple(image.localIp, image.localPort, image.remoteIp, image.remotePort));
        s.image.set(image);
        s.hasImage = true;
        // Keep received bytes from the resume mark on.
        int keepFrom = image.readSeq - (int) (image.receiveOffset - image.markReceiveOffset);
        if (!s.receivedStarted) {
            s.receivedStarted = true;
            s.receivedSeq = keepFrom;
        } else if (Seq.gt(keepFrom, s.receivedSeq)) {
            int drop = Math.min(keepFrom - s.receivedSeq, s.received.length);
            s.received.dropHead(drop);
            s.receivedSeq += drop;
        }
    }

    @Override
    public void removed(TcpTuple tuple) {
        written = true;
        shadows.remove(tuple);
    }

    @Override
    public boolean commit(long now) {
        if (!written) {
            return false;
        }
        written = false;
        committed = current++;
        return true;
    }

    /** The adoptions a takeover would get now. */
    public List<Adoption> adoptions() {
        List<Adoption> out = new ArrayList<>();
        for (Shadow s : shadows.values()) {
            if (!s.hasImage) {
                continue;
            }
            TcbImage im = new TcbImage().set(s.image);
            int dataEnd = im.rcvNxt - (im.has(TcbImage.FIN_RECEIVED) ? 1 : 0);
            int from = im.readSeq - (int) (im.receiveOffset - im.markReceiveOffset);
            int skip = from - s.receivedSeq;
            int n = dataEnd - from;
            ByteBuffer received = ByteBuffer.allocate(Math.max(0, n));
            if (n > 0) {
                received.put(0, s.received.bytes, skip, n);
            }
            int start = Seq.gt(im.sndUna, im.iss) ? im.sndUna : im.iss + 1;
            List<Adoption.SendItem> queue = new ArrayList<>();
            for (Item item : s.sendQueue) {
                int itemEnd = item.seq + (int) item.item.length();
                if (Seq.leq(itemEnd, start)) {
                    continue;
                }
                int cut = Seq.gt(start, item.seq) ? start - item.seq : 0;
                if (item.item instanceof Adoption.Bytes b) {
                    ByteBuffer bb = b.bytes().duplicate();
                    bb.position(bb.position() + cut);
                    queue.add(new Adoption.Bytes(bb));
                } else if (item.item instanceof Adoption.File f) {
                    FileRegion r = f.region();
                    queue.add(new Adoption.File(new FileRegion(r.path(), r.size(), r.lastModifiedNanos(), r.inode(),
                            r.offset() + cut, r.length() - cut)));
                }
            }
            out.add(new Adoption(im, received, start, queue));
        }
        return out;
    }
}
