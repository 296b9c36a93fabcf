package io.understudy.stack.ip;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * IPv4 fragment reassembly (RFC 791 §3.2), bounded in datagrams, bytes and time.
 *
 * <p>Datagrams are keyed by (source, destination, protocol, identification). Each one in
 * progress owns a slot with a 64 KiB slab for its payload and a bitmap of received 8-byte
 * blocks, which detects duplicates, overlaps and completion without a hole list (RFC 815).
 * Slabs are allocated lazily, one per slot, and reused, so once the peak number of concurrent
 * datagrams has been seen the steady state allocates nothing ({@link #slabsAllocated()}).
 *
 * <p>Policy, following Linux: a fragment that partly overlaps received data drops the whole
 * datagram (RFC 5722 spirit); one wholly inside received data is a harmless duplicate. Fragments
 * inconsistent with the datagram's end or size drop the whole datagram too. When a new fragment
 * would exceed {@code maxDatagrams} or {@code maxBytes}, the oldest other datagrams are evicted.
 * A datagram times out {@code timeout} after its first fragment arrived.
 *
 * <p>Owned by the stack thread; never reads the clock. {@code now} is a
 * {@link System#nanoTime()}-style value that never decreases from call to call.
 */
public final class Ipv4Reassembler {

    /** Largest IPv4 datagram: the 16-bit total length. */
    public static final int MAX_DATAGRAM = 65535;
    /** Smallest IPv4 header. */
    public static final int MIN_HEADER = 20;
    /** Largest IPv4 header. */
    public static final int MAX_HEADER = 60;

    private static final int BLOCK = 8;
    /** Largest offset the 13-bit fragment offset field holds, in bytes. */
    private static final int MAX_OFFSET = 0x1FFF * BLOCK;
    private static final int SLAB = 65536;
    private static final int WORDS = SLAB / BLOCK / Long.SIZE;
    private static final int NONE = -1;

    /** Limits; the timeout is in nanoseconds. */
    public record Config(int maxDatagrams, long maxBytes, long timeoutNanos) {
        /** 64 datagrams, 4 MiB (Linux ipfrag_high_thresh), 30 s (Linux ipfrag_time). */
        public static final Config DEFAULT = new Config(64, 4L << 20, 30_000_000_000L);

        /** Rejects non-positive limits. */
        public Config {
            if (maxDatagrams <= 0 || maxBytes <= 0 || timeoutNanos <= 0) {
                throw new IllegalArgumentException("Ipv4Reassembler limits must be positive: " + this);
            }
        }
    }

    /** The outcome of {@link #offer}. */
    public enum Result {
        /** Stored; the datagram still has holes. */
        INCOMPLETE,
        /** Stored and the datagram is whole: read {@link #completed()} before the next call. */
        COMPLETE,
        /** Dropped: every byte was already received; the datagram is kept. */
        DUPLICATE,
        /** Dropped with its whole datagram: partly overlaps received data. */
        OVERLAP,
        /** Dropped (with its datagram, if any): would end beyond 65535 - header length. */
        TOO_BIG,
        /** Dropped: empty, or not last and not a multiple of 8 bytes; the datagram is kept. */
        BAD_LENGTH,
        /** Dropped with its whole datagram: a last fragment with another end, or data past the end. */
        CONFLICTING_LAST,
        /** Dropped: the datagram alone would exceed maxBytes; the datagram is kept. */
        NO_MEMORY
    }

    private final Config config;

    // Slot fields, indexed by slot number.
    private final int[] src, dst, protocol, id;
    private final long[] deadline;
    /** Payload bytes received so far (no overlaps are ever stored, so this is exact). */
    private final int[] received;
    /** Highest end of any fragment received. */
    private final int[] highestEnd;
    /** Payload length once the last fragment arrived, else NONE. */
    private final int[] knownEnd;
    /** Payload limit: 65535 minus the first fragment's header length, or minus 20 until it arrives. */
    private final int[] limit;
    /** Received 8-byte blocks, WORDS longs per slot. */
    private final long[] bitmap;
    private final byte[][] slab;
    private final ByteBuffer[] view;
    /** In-progress slots, oldest first: creation order is deadline order. */
    private final int[] prev, next;
    private int oldest = NONE, newest = NONE;
    /** Free slots, LIFO so the same few slabs are reused. */
    private final int[] freeStack;
    private int freeCount;

    private int inProgress;
    private long bufferedBytes;
    private int slabsAllocated;
    private long evictions, timeouts;

    private int completedSlot = NONE;
    private int completedLength;

    /** A reassembler with {@link Config#DEFAULT}. */
    public Ipv4Reassembler() {
        this(Config.DEFAULT);
    }

    /** A reassembler with the given limits. */
    public Ipv4Reassembler(Config config) {
        this.config = config;
        int n = config.maxDatagrams();
        src = new int[n];
        dst = new int[n];
        protocol = new int[n];
        id = new int[n];
        deadline = new long[n];
        received = new int[n];
        highestEnd = new int[n];
        knownEnd = new int[n];
        limit = new int[n];
        bitmap = new long[n * WORDS];
        slab = new byte[n][];
        view = new ByteBuffer[n];
        prev = new int[n];
        next = new int[n];
        freeStack = new int[n];
        for (int i = 0; i < n; i++) {
            freeStack[i] = n - 1 - i;
        }
        freeCount = n;
    }

    /**
     * Adds one fragment: its IP payload is {@code buf} [payloadAt, payloadAt + payloadLength),
     * at byte {@code fragmentOffsetBytes} of the datagram. {@code headerLength} is this
     * fragment's IP header length (it bounds the payload when the offset is 0). Pass only real
     * fragments: offset 0 with MF clear is not one and throws {@link IllegalArgumentException}.
     */
    public Result offer(long now, int src, int dst, int protocol, int id, int headerLength,
                        int fragmentOffsetBytes, boolean moreFragments,
                        ByteBuffer buf, int payloadAt, int payloadLength) {
        completedSlot = NONE;
        checkArguments(headerLength, fragmentOffsetBytes, moreFragments, buf, payloadAt, payloadLength);
        if (payloadLength == 0 || (moreFragments && payloadLength % BLOCK != 0)) {
            return Result.BAD_LENGTH;
        }
        int offset = fragmentOffsetBytes;
        int end = offset + payloadLength;
        int s = find(src, dst, protocol, id);
        if (s != NONE && deadline[s] - now <= 0) {
            discard(s); // timed out, but expire() has not run yet
            timeouts++;
            s = NONE;
        }
        int max = offset == 0 ? MAX_DATAGRAM - headerLength : s != NONE ? limit[s] : MAX_DATAGRAM - MIN_HEADER;
        if (end > max || (s != NONE && highestEnd[s] > max)) {
            discardIfAny(s);
            return Result.TOO_BIG;
        }
        if (s != NONE) {
            Result rejected = checkConsistency(s, offset, end, moreFragments);
            if (rejected != null) {
                return rejected;
            }
        }
        int already = s == NONE ? 0 : received[s];
        if (already + (long) payloadLength > config.maxBytes()) {
            return Result.NO_MEMORY;
        }
        makeRoom(s, payloadLength);
        if (s == NONE) {
            s = create(now, src, dst, protocol, id);
        }
        store(s, buf, payloadAt, offset, end, moreFragments);
        if (offset == 0) {
            limit[s] = max;
        }
        if (knownEnd[s] != NONE && received[s] == knownEnd[s]) {
            complete(s);
            return Result.COMPLETE;
        }
        return Result.INCOMPLETE;
    }

    /** The reassembled payload [0, length) after {@link Result#COMPLETE}; valid until the next call. */
    public ByteBuffer completed() {
        checkCompleted();
        ByteBuffer v = view[completedSlot];
        v.clear().limit(completedLength);
        return v;
    }

    /** Source address of the completed datagram. */
    public int completedSrc() {
        checkCompleted();
        return src[completedSlot];
    }

    /** Destination address of the completed datagram. */
    public int completedDst() {
        checkCompleted();
        return dst[completedSlot];
    }

    /** IP protocol of the completed datagram. */
    public int completedProtocol() {
        checkCompleted();
        return protocol[completedSlot];
    }

    /** Identification of the completed datagram. */
    public int completedId() {
        checkCompleted();
        return id[completedSlot];
    }

    /** Drops datagrams whose timeout passed; returns how many (also added to {@link #timeouts()}). */
    public int expire(long now) {
        completedSlot = NONE;
        int dropped = 0;
        while (oldest != NONE && deadline[oldest] - now <= 0) {
            discard(oldest);
            dropped++;
        }
        timeouts += dropped;
        return dropped;
    }

    /** Whether any datagram is in progress, i.e. {@link #nextDeadline()} is meaningful. */
    public boolean hasDeadline() {
        return oldest != NONE;
    }

    /** When the oldest datagram times out; throws {@link IllegalStateException} unless {@link #hasDeadline()}. */
    public long nextDeadline() {
        if (oldest == NONE) {
            throw new IllegalStateException("no datagram in progress");
        }
        return deadline[oldest];
    }

    /** Datagrams in progress. */
    public int inProgress() {
        return inProgress;
    }

    /** Payload bytes held for datagrams in progress. */
    public long bufferedBytes() {
        return bufferedBytes;
    }

    /** 64 KiB slabs allocated so far; never exceeds maxDatagrams. */
    public int slabsAllocated() {
        return slabsAllocated;
    }

    /** Datagrams evicted (oldest first) to make room for newer fragments, since creation. */
    public long evictions() {
        return evictions;
    }

    /** Datagrams dropped because their timeout passed (by {@link #expire} or lazily by {@link #offer}). */
    public long timeouts() {
        return timeouts;
    }

    // ---- checks

    private static void checkArguments(int headerLength, int offset, boolean moreFragments,
                                       ByteBuffer buf, int payloadAt, int payloadLength) {
        if (offset == 0 && !moreFragments) {
            throw new IllegalArgumentException("not a fragment: offset 0 and MF clear");
        }
        // Offsets past 65535 - header length fit the field; such fragments are TOO_BIG, not caller bugs.
        if (offset < 0 || offset % BLOCK != 0 || offset > MAX_OFFSET) {
            throw new IllegalArgumentException("fragment offset out of range: " + offset);
        }
        if (headerLength < MIN_HEADER || headerLength > MAX_HEADER) {
            throw new IllegalArgumentException("header length out of range: " + headerLength);
        }
        if (payloadLength < 0 || payloadAt < 0 || payloadAt > buf.limit() - payloadLength) {
            throw new IllegalArgumentException("payload outside buffer: " + payloadAt + "+" + payloadLength);
        }
    }

    /** RFC 791 end rules and RFC 5722-style overlap rules; null when the fragment may be stored. */
    private Result checkConsistency(int s, int offset, int end, boolean moreFragments) {
        boolean conflicting = moreFragments
                ? knownEnd[s] != NONE && end > knownEnd[s]
                : (knownEnd[s] != NONE && end != knownEnd[s]) || end < highestEnd[s];
        if (conflicting) {
            discard(s);
            return Result.CONFLICTING_LAST;
        }
        int first = offset / BLOCK, blocks = (end - offset + BLOCK - 1) / BLOCK;
        int have = countBlocks(s, first, first + blocks);
        if (have == blocks) {
            return Result.DUPLICATE;
        }
        if (have != 0) {
            discard(s);
            return Result.OVERLAP;
        }
        return null;
    }

    private void checkCompleted() {
        if (completedSlot == NONE) {
            throw new IllegalStateException("last call did not complete a datagram");
        }
    }

    // ---- slots

    private int find(int src, int dst, int protocol, int id) {
        for (int s = oldest; s != NONE; s = next[s]) {
            if (this.id[s] == id && this.src[s] == src && this.dst[s] == dst && this.protocol[s] == protocol) {
                return s;
            }
        }
        return NONE;
    }

    /** Evicts the oldest datagrams other than {@code keep} until a slot (if needed) and the bytes fit. */
    private void makeRoom(int keep, int bytes) {
        while ((keep == NONE && freeCount == 0) || bufferedBytes + bytes > config.maxBytes()) {
            int victim = oldest == keep ? next[oldest] : oldest;
            discard(victim);
            evictions++;
        }
    }

    private int create(long now, int src, int dst, int protocol, int id) {
        int s = freeStack[--freeCount];
        if (slab[s] == null) {
            slab[s] = new byte[SLAB];
            view[s] = ByteBuffer.wrap(slab[s]);
            slabsAllocated++;
        }
        this.src[s] = src;
        this.dst[s] = dst;
        this.protocol[s] = protocol;
        this.id[s] = id;
        deadline[s] = now + config.timeoutNanos();
        received[s] = 0;
        highestEnd[s] = 0;
        knownEnd[s] = NONE;
        limit[s] = MAX_DATAGRAM - MIN_HEADER;
        Arrays.fill(bitmap, s * WORDS, (s + 1) * WORDS, 0L);
        prev[s] = newest;
        next[s] = NONE;
        if (newest != NONE) next[newest] = s; else oldest = s;
        newest = s;
        inProgress++;
        return s;
    }

    private void store(int s, ByteBuffer buf, int payloadAt, int offset, int end, boolean moreFragments) {
        int length = end - offset;
        buf.get(payloadAt, slab[s], offset, length);
        int first = offset / BLOCK;
        setBlocks(s, first, first + (length + BLOCK - 1) / BLOCK);
        received[s] += length;
        bufferedBytes += length;
        highestEnd[s] = Math.max(highestEnd[s], end);
        if (!moreFragments) {
            knownEnd[s] = end;
        }
    }

    /** Frees the slot but keeps its slab readable until the next call. */
    private void complete(int s) {
        completedLength = received[s];
        discard(s);
        completedSlot = s;
    }

    private void discardIfAny(int s) {
        if (s != NONE) {
            discard(s);
        }
    }

    private void discard(int s) {
        int p = prev[s], n = next[s];
        if (p != NONE) next[p] = n; else oldest = n;
        if (n != NONE) prev[n] = p; else newest = p;
        bufferedBytes -= received[s];
        received[s] = 0;
        freeStack[freeCount++] = s;
        inProgress--;
    }

    // ---- block bitmap

    private int countBlocks(int s, int from, int to) {
        int base = s * WORDS, count = 0;
        for (int b = from; b < to; ) {
            int word = b >>> 6, bit = b & 63, n = Math.min(64 - bit, to - b);
            long mask = (n == 64 ? -1L : (1L << n) - 1) << bit;
            count += Long.bitCount(bitmap[base + word] & mask);
            b += n;
        }
        return count;
    }

    private void setBlocks(int s, int from, int to) {
        int base = s * WORDS;
        for (int b = from; b < to; ) {
            int word = b >>> 6, bit = b & 63, n = Math.min(64 - bit, to - b);
            bitmap[base + word] |= (n == 64 ? -1L : (1L << n) - 1) << bit;
            b += n;
        }
    }
}
