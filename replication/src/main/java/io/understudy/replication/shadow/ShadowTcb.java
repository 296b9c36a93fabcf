package io.understudy.replication.shadow;

import io.understudy.stack.replication.Adoption;
import io.understudy.stack.replication.TcbImage;
import io.understudy.stack.tcp.FileRegion;
import io.understudy.stack.tcp.TcpState;
import io.understudy.stack.tcp.TcpTuple;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * A standby's copy of one connection: its latest {@link TcbImage}, the received bytes from the
 * application's resume mark on, and the send queue from the first unacknowledged byte on. Each
 * new image trims what the connection no longer needs. Becomes an {@link Adoption} at takeover.
 *
 * <p>Sequence numbers are compared in 32-bit sequence arithmetic (RFC 9293 §3.4).
 */
public final class ShadowTcb {
    /** One piece of the send queue: literal bytes (held in order in {@link #sendBytes}) or a file region. */
    private static final class Item {
        int seq;
        long length;
        FileRegion file;

        Item(int seq, long length, FileRegion file) {
            this.seq = seq;
            this.length = length;
            this.file = file;
        }
    }

    private final TcpTuple tuple;
    private TcbImage image;
    private final ByteRun received = new ByteRun();
    private int receivedSeq;
    private boolean receiving;
    private final ByteRun sendBytes = new ByteRun();
    private final ArrayDeque<Item> sendItems = new ArrayDeque<>();
    private int sendEndSeq;
    private boolean sending;
    private String gap;

    ShadowTcb(TcpTuple tuple) {
        this.tuple = tuple;
    }

    public TcpTuple tuple() {
        return tuple;
    }

    /** The latest image, or null before the first. */
    public TcbImage image() {
        return image;
    }

    /** Received bytes held (from the resume mark, or from the first byte replicated). */
    public int receivedBytes() {
        return received.length();
    }

    /** The sequence number of the first received byte held. */
    public int receivedSeq() {
        return receivedSeq;
    }

    /** Send-queue length held, in sequence space. */
    public long sendQueueLength() {
        long n = 0;
        for (Item i : sendItems) n += i.length;
        return n;
    }

    /** The sequence number of the first send-queue byte held (meaningful when the queue is not empty). */
    public int sendQueueSeq() {
        Item first = sendItems.peekFirst();
        return first == null ? sendEndSeq : first.seq;
    }

    /** Why this shadow lost continuity (a gap in a stream), or null. */
    public String gap() {
        return gap;
    }

    /** A new image: keep a copy, trim both queues. */
    public void image(TcbImage newImage) {
        if (image == null) image = new TcbImage();
        image.set(newImage);
        trimReceived();
        trimSend();
    }

    /** Bytes {@code [seq, seq+n)} became in-order in the receive queue; they are at {@code src[at..]}. */
    public void received(int seq, ByteBuffer src, int at, int n) {
        if (!receiving) {
            receiving = true;
            receivedSeq = seq;
        }
        int end = receivedSeq + received.length();
        int d = seq - end;
        if (d > 0) {
            gap = "receive stream jumps from " + Integer.toUnsignedString(end) + " to " + Integer.toUnsignedString(seq);
            received.clear();
            receivedSeq = seq;
        } else if (d < 0) {
            int skip = -d;
            if (skip >= n) return;
            at += skip;
            n -= skip;
        }
        received.append(src, at, n);
        trimReceived();
    }

    /** The application appended literal bytes {@code [seq, seq+n)}, at {@code src[at..]}. */
    public void appended(int seq, ByteBuffer src, int at, int n) {
        int skip = sendContinuity(seq);
        if (skip >= n) return;
        Item last = sendItems.peekLast();
        if (last != null && last.file == null && last.seq + (int) last.length == seq + skip) {
            last.length += n - skip;
        } else {
            sendItems.addLast(new Item(seq + skip, n - skip, null));
        }
        sendBytes.append(src, at + skip, n - skip);
        sendEndSeq = seq + n;
        trimSend();
    }

    /** The application appended a file region at {@code seq}. */
    public void appendedFile(int seq, FileRegion region) {
        int skip = sendContinuity(seq);
        if (skip >= region.length()) return;
        FileRegion r = skip == 0 ? region : trimmed(region, skip);
        sendItems.addLast(new Item(seq + skip, r.length(), r));
        sendEndSeq = seq + (int) region.length();
        trimSend();
    }

    /** How many bytes at {@code seq} the queue holds already (0 normally); resets the queue on a gap. */
    private int sendContinuity(int seq) {
        if (!sending) {
            sending = true;
            sendEndSeq = seq;
        }
        int d = seq - sendEndSeq;
        if (d > 0) {
            gap = "send stream jumps from " + Integer.toUnsignedString(sendEndSeq) + " to " + Integer.toUnsignedString(seq);
            sendItems.clear();
            sendBytes.clear();
            sendEndSeq = seq;
            return 0;
        }
        return -d;
    }

    /** The sequence number of the resume mark: the first received byte to keep. */
    static int markSeq(TcbImage i) {
        return i.readSeq - (int) (i.receiveOffset - i.markReceiveOffset);
    }

    /** The first send-queue byte to keep: SND.UNA, or ISS+1 while our SYN is unacknowledged. */
    public static int sendStartSeq(TcbImage i) {
        int afterSyn = i.iss + 1;
        return afterSyn - i.sndUna > 0 ? afterSyn : i.sndUna;
    }

    private void trimReceived() {
        if (image == null || !receiving) return;
        int drop = markSeq(image) - receivedSeq;
        if (drop <= 0) return;
        if (drop >= received.length()) {
            received.clear();
            receivedSeq = markSeq(image);
        } else {
            received.dropFront(drop);
            receivedSeq += drop;
        }
    }

    private void trimSend() {
        if (image == null) return;
        int start = sendStartSeq(image);
        Item first;
        while ((first = sendItems.peekFirst()) != null) {
            int end = first.seq + (int) first.length;
            if (end - start <= 0) {
                sendItems.removeFirst();
                if (first.file == null) sendBytes.dropFront((int) first.length);
            } else if (first.seq - start < 0) {
                int k = start - first.seq;
                if (first.file == null) {
                    sendBytes.dropFront(k);
                } else {
                    first.file = trimmed(first.file, k);
                }
                first.seq = start;
                first.length -= k;
                break;
            } else {
                break;
            }
        }
    }

    private static FileRegion trimmed(FileRegion r, long k) {
        return new FileRegion(r.path(), r.size(), r.lastModifiedNanos(), r.inode(), r.offset() + k, r.length() - k);
    }

    /**
     * This connection as the stack adopts it, or null with {@link #whyNot} set when the shadow
     * cannot stand for it (no image yet, or bytes missing).
     */
    public Adoption adoption() {
        whyNot = null;
        if (image == null) return refuse("no image replicated yet");
        TcpState state = image.tcpState();
        if (state == TcpState.CLOSED || state == TcpState.LISTEN) return refuse("state " + state);
        TcbImage img = new TcbImage().set(image);
        ByteBuffer rcv = receivedForAdoption(img);
        if (rcv == null) return null;
        int start = sendStartSeq(img);
        List<Adoption.SendItem> queue = sendForAdoption(start, img.sndEnd - start);
        if (queue == null) return null;
        return new Adoption(img, rcv, start, queue);
    }

    private String whyNot;

    /** Why the last {@link #adoption()} returned null. */
    public String whyNot() {
        return whyNot;
    }

    private ByteBuffer receivedForAdoption(TcbImage img) {
        boolean synOnly = img.tcpState() == TcpState.SYN_SENT;
        int dataEnd = img.rcvNxt - (img.has(TcbImage.FIN_RECEIVED) ? 1 : 0);
        int mark = markSeq(img);
        int need = synOnly ? 0 : dataEnd - mark;
        if (need < 0) return refuse("resume mark beyond RCV.NXT");
        if (need == 0) return ByteBuffer.allocate(0);
        int from;
        if (!receiving) {
            from = 0;
        } else {
            from = mark - receivedSeq;
        }
        if (from < 0 || !receiving) {
            // We lack bytes before our first one (a standby that joined after they were consumed):
            // replay less, if at least every unread byte is here.
            int first = receiving ? receivedSeq : dataEnd;
            if (img.readSeq - first < 0) return refuse("unread received bytes missing");
            img.markReceiveOffset += first - mark;
            mark = first;
            from = 0;
            need = dataEnd - mark;
            if (need == 0) return ByteBuffer.allocate(0);
        }
        if (received.length() - from < need) {
            return refuse("received bytes missing: hold " + (received.length() - from) + " of " + need);
        }
        return received.copy(from, need);
    }

    private List<Adoption.SendItem> sendForAdoption(int start, int need) {
        List<Adoption.SendItem> out = new ArrayList<>();
        if (need <= 0) return out;
        long left = need;
        int bytesAt = 0;
        int expect = start;
        for (Item i : sendItems) {
            if (left == 0) break;
            if (i.seq != expect) return refuse("send queue has a hole at " + Integer.toUnsignedString(expect));
            long take = Math.min(left, i.length);
            if (i.file == null) {
                out.add(new Adoption.Bytes(sendBytes.copy(bytesAt, (int) take)));
                bytesAt += (int) i.length;
            } else {
                FileRegion r = i.file;
                out.add(new Adoption.File(take == r.length() ? r
                        : new FileRegion(r.path(), r.size(), r.lastModifiedNanos(), r.inode(), r.offset(), take)));
            }
            left -= take;
            expect += (int) take;
        }
        if (left > 0) return refuse("send queue bytes missing: " + left + " of " + need);
        return out;
    }

    private <T> T refuse(String why) {
        whyNot = why;
        return null;
    }

    @Override
    public String toString() {
        return "shadow " + tuple + (image == null ? " (no image)" : " " + image.tcpState()) + " rcv=" + received.length()
                + " snd=" + sendQueueLength();
    }
}
