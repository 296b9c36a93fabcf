package io.understudy.stack.tcp;

import io.understudy.stack.wire.Seq;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * The receive queue of a TCB (RFC 9293 §3.10.7.4, "segment text"): in-order bytes waiting for
 * the application, followed by out-of-order data held for SACK (RFC 2018) and for filling
 * holes later.
 *
 * <p>Storage is one ring addressed by sequence number: byte {@code s} lives at
 * {@code s & (length - 1)}, the ring's length being a power of two of at most
 * {@link #capacity()} (itself a power of two). The application's unread bytes are
 * {@code [readSeq, rcvNxt)}; out-of-order bytes lie in {@code [rcvNxt, readSeq + capacity)}
 * and are tracked as at most {@code maxRanges} disjoint, non-adjacent ranges. So everything
 * buffered always fits in the capacity, and data is copied exactly once on the way in (and
 * once more each time the ring grows).
 *
 * <p>Memory: the ring is allocated lazily and only grows. A buffer that has never stored a
 * byte has no ring, so an idle connection costs only the range bookkeeping. When bytes must be
 * stored beyond the ring, it is replaced by one of the least power of two that holds
 * everything from {@code readSeq} to their end — at least double, never more than the
 * capacity — and the bytes held are copied over in sequence order; duplicate, trimmed-away
 * and refused bytes never grow it, but one segment at the right edge of the window makes it
 * the whole capacity. It never shrinks (not even on {@link #reset}), so a connection keeps the
 * largest span it has buffered, rounded up to a power of two, and the steady state of a
 * transfer allocates nothing. The capacity alone governs the window: growth is invisible to
 * the peer.
 *
 * <p>The receive window is {@link #window()} {@code = capacity - readable()}: the space from
 * {@link #rcvNxt()} to the right edge {@code readSeq + capacity}. Out-of-order data sits inside
 * that window, in its final place, so it costs no extra space. The right edge never moves
 * left (only {@link #consume} moves {@code readSeq}), so a TCB that never advertises more than
 * {@link #window()} never has to shrink its window (RFC 9293 §3.8.6) on the buffer's
 * account; the TCB may advertise less (window scaling rounds down; receiver SWS avoidance,
 * RFC 9293 §3.8.6.2.2) and must then trim segments to its own window before {@link #offer},
 * which itself trims only to the buffer's right edge.
 *
 * <p>Policies:
 * <ul>
 * <li>Overlaps: RFC 9293 §3.10.7.4 lets a receiver keep either copy of overlapping data; we keep
 *     the first received. New bytes are written only into holes, so a retransmission whose
 *     bytes differ from what is stored (a broken or malicious peer) never changes bytes already
 *     held — including bytes already reported in SACK blocks.
 * <li>Range bound: a segment that would start a new out-of-order range when {@code maxRanges}
 *     exist is dropped whole (the newest range is the one refused; the peer retransmits it).
 *     Data at {@code rcvNxt} is never refused for this reason, so the connection always makes
 *     progress.
 * <li>SYN and FIN are the TCB's business: they occupy sequence space but not the buffer. Call
 *     {@link #reset} with IRS + 1; after a FIN at {@link #rcvNxt()} the TCB's RCV.NXT is
 *     {@code rcvNxt() + 1} and it must stop offering data.
 * <li>No D-SACK (RFC 2883): a duplicate below {@code rcvNxt} changes nothing.
 * </ul>
 *
 * <p>For replication: when {@link #offer} returns {@code n > 0}, the newly in-order bytes are
 * the last {@code n} of the readable ones, at {@link #peek} offset {@code readable() - n}.
 * Out-of-order data need not be replicated: a standby that lacks it reneges on those SACK
 * blocks, which RFC 2018 §8 permits (the peer retransmits after its RTO).
 *
 * <p>Owned by the stack thread, not thread-safe. Allocates only in its constructor and when
 * the ring grows.
 */
public final class ReceiveBuffer {
    /** Largest capacity: 2^30, the most a window-scaled TCP window can be (RFC 7323 §2.3). */
    public static final int MAX_CAPACITY = 1 << 30;
    /** Default bound on out-of-order ranges. */
    public static final int DEFAULT_MAX_RANGES = 64;

    private final int capacity;
    /** The ring, of a power-of-two length up to {@link #capacity}; {@link Rings#NONE} until the first byte. */
    private byte[] ring = Rings.NONE;
    /** {@code ring.length - 1}, or 0 while the ring is empty so that zero-length copies stay in bounds. */
    private int mask;
    /** Consumed bytes just before {@code readSeq} not lost to a ring growth (see {@link #consumedIntact()}). */
    private int consumedIntact;
    private final int maxRanges;
    /** Out-of-order ranges [left, right) as sequence numbers, ascending, disjoint and non-adjacent. */
    private final int[] left, right;
    /** When each range last received a segment, from {@link #clock}; larger is more recent. */
    private final long[] stamp;
    private int ranges;
    private long clock;

    /** Sequence number of the next byte the application reads. */
    private int readSeq;
    /** RCV.NXT for data: the sequence number after the last in-order byte. */
    private int rcvNxt;

    /** A buffer of {@code capacity} bytes (a power of two, at most {@link #MAX_CAPACITY}) and {@link #DEFAULT_MAX_RANGES}. */
    public ReceiveBuffer(int capacity) {
        this(capacity, DEFAULT_MAX_RANGES);
    }

    /** A buffer of {@code capacity} bytes (a power of two) keeping at most {@code maxRanges} out-of-order ranges. */
    public ReceiveBuffer(int capacity, int maxRanges) {
        if (capacity <= 0 || capacity > MAX_CAPACITY || Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException("capacity must be a power of two up to 2^30, got " + capacity);
        }
        if (maxRanges < 1) {
            throw new IllegalArgumentException("maxRanges must be positive, got " + maxRanges);
        }
        this.capacity = capacity;
        this.maxRanges = maxRanges;
        this.left = new int[maxRanges];
        this.right = new int[maxRanges];
        this.stamp = new long[maxRanges];
    }

    /** Empties the buffer and expects the next byte at {@code rcvNxt} (IRS + 1 for a new connection). */
    public void reset(int rcvNxt) {
        this.readSeq = rcvNxt;
        this.rcvNxt = rcvNxt;
        this.ranges = 0;
        this.consumedIntact = 0;
    }

    /**
     * Stores the segment text {@code src[at, at + len)} that starts at sequence number
     * {@code seq}: trims what precedes {@link #rcvNxt()} (duplicates) and what lies beyond the
     * right edge, writes the remaining bytes into holes only, and returns how many bytes became
     * in-order (0 for out-of-order, duplicate or refused data). Uses absolute indexes of
     * {@code src}, which must lie below its limit; its position and limit do not move.
     */
    public int offer(int seq, ByteBuffer src, int at, int len) {
        Objects.checkFromIndexSize(at, len, src.limit());
        // Offsets relative to rcvNxt; long so a segment far outside the window cannot wrap.
        long first = seq - rcvNxt;
        long lo = Math.max(first, 0);
        long hi = Math.min(first + len, window());
        if (hi <= lo) {
            return 0;
        }
        int from = (int) lo;
        int to = (int) hi;
        int srcDelta = at - (int) first;
        if (from == 0) {
            writeHoles(src, srcDelta, from, to);
            return advance(to);
        }
        int firstTouching = firstRangeEndingAtOrAfter(from);
        boolean touches = firstTouching < ranges && offsetOf(left[firstTouching]) <= to;
        if (!touches && ranges == maxRanges) {
            return 0; // would be a new range beyond the bound: refuse the newest (see class comment)
        }
        writeHoles(src, srcDelta, from, to);
        merge(firstTouching, from, to);
        return 0;
    }

    /** Bytes the application can read. */
    public int readable() {
        return rcvNxt - readSeq;
    }

    /** Reads up to {@code dst.remaining()} bytes into {@code dst} (advancing its position) and consumes them. */
    public int read(ByteBuffer dst) {
        int n = peek(0, dst);
        consume(n);
        return n;
    }

    /** Reads up to {@code len} bytes into {@code dst[at, at + len)} and consumes them. */
    public int read(byte[] dst, int at, int len) {
        int n = peek(0, dst, at, len);
        consume(n);
        return n;
    }

    /** Copies up to {@code dst.remaining()} readable bytes starting {@code offset} bytes past the next unread one, without consuming. */
    public int peek(int offset, ByteBuffer dst) {
        int n = Math.min(available(offset), dst.remaining());
        int pos = (readSeq + offset) & mask;
        int firstPart = Math.min(n, ring.length - pos);
        dst.put(ring, pos, firstPart);
        dst.put(ring, 0, n - firstPart);
        return n;
    }

    /**
     * Copies exactly {@code len} readable bytes starting {@code offset} bytes past the next unread
     * one into {@code dst} at absolute index {@code at}; {@code dst}'s position and limit do not move.
     *
     * @throws IllegalArgumentException if fewer than {@code len} bytes are readable there
     */
    public void copy(int offset, ByteBuffer dst, int at, int len) {
        if (len < 0 || available(offset) < len) {
            throw new IllegalArgumentException("only " + available(offset) + " bytes readable at offset " + offset
                    + ", asked " + len);
        }
        Objects.checkFromIndexSize(at, len, dst.limit());
        int pos = (readSeq + offset) & mask;
        int firstPart = Math.min(len, ring.length - pos);
        dst.put(at, ring, pos, firstPart);
        dst.put(at + firstPart, ring, 0, len - firstPart);
    }

    /** Copies up to {@code len} readable bytes starting {@code offset} bytes past the next unread one into {@code dst[at..]}, without consuming. */
    public int peek(int offset, byte[] dst, int at, int len) {
        Objects.checkFromIndexSize(at, len, dst.length);
        int n = Math.min(available(offset), len);
        int pos = (readSeq + offset) & mask;
        int firstPart = Math.min(n, ring.length - pos);
        System.arraycopy(ring, pos, dst, at, firstPart);
        System.arraycopy(ring, 0, dst, at + firstPart, n - firstPart);
        return n;
    }

    /** Discards the next {@code n} readable bytes (the application consumed them), opening the window by {@code n}. */
    public void consume(int n) {
        if (n < 0 || n > readable()) {
            throw new IllegalArgumentException("cannot consume " + n + " of " + readable() + " readable bytes");
        }
        readSeq += n;
        consumedIntact = (int) Math.min((long) consumedIntact + n, ring.length);
    }

    /**
     * How many bytes just before the next unread one (consumed already) are still in the ring:
     * neither overwritten by later data nor lost when the ring grew.
     */
    public int consumedIntact() {
        int highest = ranges > 0 && Seq.gt(right[ranges - 1], rcvNxt) ? right[ranges - 1] : rcvNxt;
        return Math.max(0, Math.min(consumedIntact, ring.length - (highest - readSeq)));
    }

    /**
     * Copies the {@code back} consumed bytes just before the next unread one into
     * {@code dst[at..]}; false (nothing copied) if they are no longer all in the ring
     * ({@link #consumedIntact()}).
     */
    public boolean copyConsumed(int back, byte[] dst, int at) {
        if (back < 0 || back > consumedIntact()) {
            return false;
        }
        Objects.checkFromIndexSize(at, back, dst.length);
        int pos = (readSeq - back) & mask;
        int firstPart = Math.min(back, ring.length - pos);
        System.arraycopy(ring, pos, dst, at, firstPart);
        System.arraycopy(ring, 0, dst, at + firstPart, back - firstPart);
        return true;
    }

    /** The receive window from {@link #rcvNxt()}: {@code capacity() - readable()}, out-of-order data included. */
    public int window() {
        return capacity - readable();
    }

    /** The sequence number after the last in-order byte (RCV.NXT, not counting a FIN). */
    public int rcvNxt() {
        return rcvNxt;
    }

    /** The sequence number of the next byte the application reads; the right edge is this plus the capacity. */
    public int readSeq() {
        return readSeq;
    }

    /** Buffer size in bytes. */
    public int capacity() {
        return capacity;
    }

    /** Bytes of ring allocated: 0 until the first byte arrives, then a power of two up to {@link #capacity()}. */
    int allocatedBytes() {
        return ring.length;
    }

    /** True when out-of-order data is held beyond {@link #rcvNxt()}. */
    public boolean hasOutOfOrder() {
        return ranges > 0;
    }

    /** Number of out-of-order ranges held, at most the bound given at construction. */
    public int outOfOrderRanges() {
        return ranges;
    }

    /** Out-of-order bytes held. */
    public int outOfOrderBytes() {
        int sum = 0;
        for (int i = 0; i < ranges; i++) {
            sum += right[i] - left[i];
        }
        return sum;
    }

    /**
     * Fills {@code lefts}/{@code rights} with up to {@code max} SACK blocks and returns how many.
     * RFC 2018 §4: the first block is the range that most recently received a segment, the
     * others follow from most to least recently received. As long as every out-of-order
     * segment is acknowledged at once (RFC 5681 §4.2), "most recently received" is the same
     * order as RFC 2018's "most recently reported".
     */
    public int sackBlocks(int[] lefts, int[] rights, int max) {
        int n = Math.max(0, Math.min(Math.min(max, ranges), Math.min(lefts.length, rights.length)));
        long below = Long.MAX_VALUE;
        for (int k = 0; k < n; k++) {
            int best = -1;
            for (int i = 0; i < ranges; i++) {
                if (stamp[i] < below && (best < 0 || stamp[i] > stamp[best])) {
                    best = i;
                }
            }
            lefts[k] = left[best];
            rights[k] = right[best];
            below = stamp[best];
        }
        return n;
    }

    private int available(int offset) {
        if (offset < 0 || offset > readable()) {
            throw new IllegalArgumentException("offset " + offset + " outside the " + readable() + " readable bytes");
        }
        return readable() - offset;
    }

    private int offsetOf(int seq) {
        return seq - rcvNxt;
    }

    /** Index of the first range whose right edge is at or after offset {@code from}, or {@code ranges}. */
    private int firstRangeEndingAtOrAfter(int from) {
        int i = 0;
        while (i < ranges && offsetOf(right[i]) < from) {
            i++;
        }
        return i;
    }

    /** Copies the bytes of offsets [from, to) that no range holds yet; {@code srcDelta} maps an offset to its src index. */
    private void writeHoles(ByteBuffer src, int srcDelta, int from, int to) {
        reserve(to);
        int cursor = from;
        for (int i = firstRangeEndingAtOrAfter(from); i < ranges && cursor < to; i++) {
            int l = offsetOf(left[i]);
            if (l >= to) {
                break;
            }
            if (l > cursor) {
                write(src, srcDelta, cursor, l);
            }
            cursor = Math.max(cursor, offsetOf(right[i]));
        }
        if (cursor < to) {
            write(src, srcDelta, cursor, to);
        }
    }

    /** Grows the ring, if need be, to hold offsets up to {@code to}; keeps what it holds, out-of-order ranges included. */
    private void reserve(int to) {
        int needed = readable() + to;
        if (needed > ring.length) {
            int held = ranges > 0 ? right[ranges - 1] - readSeq : readable();
            ring = Rings.grow(ring, readSeq, held, needed);
            mask = ring.length - 1;
            consumedIntact = 0; // only the live bytes moved

        }
    }

    private void write(ByteBuffer src, int srcDelta, int from, int to) {
        int n = to - from;
        int pos = (rcvNxt + from) & mask;
        int firstPart = Math.min(n, ring.length - pos);
        src.get(from + srcDelta, ring, pos, firstPart);
        src.get(from + srcDelta + firstPart, ring, 0, n - firstPart);
    }

    /** In-order data now reaches offset {@code to}: absorbs the ranges it reaches and moves rcvNxt. */
    private int advance(int to) {
        int end = to;
        int absorbed = 0;
        while (absorbed < ranges && offsetOf(left[absorbed]) <= end) {
            end = Math.max(end, offsetOf(right[absorbed]));
            absorbed++;
        }
        removeRanges(0, absorbed);
        rcvNxt += end;
        return end;
    }

    /** Unites [from, to) with the ranges from index {@code first} that overlap or touch it, stamping the result. */
    private void merge(int first, int from, int to) {
        int last = first;
        while (last < ranges && offsetOf(left[last]) <= to) {
            last++;
        }
        // ranges [first, last) overlap or touch [from, to); there may be none.
        if (first == last) {
            System.arraycopy(left, first, left, first + 1, ranges - first);
            System.arraycopy(right, first, right, first + 1, ranges - first);
            System.arraycopy(stamp, first, stamp, first + 1, ranges - first);
            ranges++;
            left[first] = rcvNxt + from;
            right[first] = rcvNxt + to;
        } else {
            left[first] = Seq.min(left[first], rcvNxt + from);
            right[first] = Seq.max(right[last - 1], rcvNxt + to);
            removeRanges(first + 1, last);
        }
        stamp[first] = ++clock;
    }

    /** Removes ranges [from, to). */
    private void removeRanges(int from, int to) {
        int gone = to - from;
        if (gone == 0) {
            return;
        }
        System.arraycopy(left, to, left, from, ranges - to);
        System.arraycopy(right, to, right, from, ranges - to);
        System.arraycopy(stamp, to, stamp, from, ranges - to);
        ranges -= gone;
    }
}
