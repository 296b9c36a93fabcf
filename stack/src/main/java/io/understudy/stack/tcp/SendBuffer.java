package io.understudy.stack.tcp;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * The send queue of a TCB: bytes the application appended, addressed by sequence number from
 * {@link #startSeq()} (SND.UNA for data) to {@link #endSeq()}. Bytes in
 * {@code [startSeq, SND.NXT)} are in flight and kept for retransmission; bytes in
 * {@code [SND.NXT, endSeq)} are not sent yet. Which is which is the TCB's knowledge, not the
 * buffer's.
 *
 * <p>Today the queue holds literal bytes in one ring addressed by sequence number, byte
 * {@code s} at {@code s & (length - 1)}, the ring's length being a power of two of at most
 * {@link #capacity()} (itself a power of two). The ring is allocated lazily and only grows: a
 * queue that has never held a byte has none, so an idle connection costs nothing here, and
 * when appended bytes do not fit, the ring is replaced by one of the least power of two that
 * holds the whole queue — at least double, never more than the capacity — the queued bytes
 * copied over in sequence order. It never shrinks (not even on {@link #reset}), so a
 * connection keeps the largest queue it has held, rounded up to a power of two, and the
 * steady state of a transfer allocates nothing; {@link #free()} still counts from the
 * capacity.
 *
 * <p>The API is shaped so that <em>descriptor</em> segments (a region of a file, read on
 * demand, which is what replication ships instead of the bytes) can be added later without
 * changing callers: literal data enters through {@code appendBytes}; a descriptor would enter
 * through another {@code append…} method and count in {@link #length()} and {@link #endSeq()}
 * like bytes do; {@link #copy} and {@link #acknowledge} already speak only of sequence
 * numbers. To stay compatible, callers must honour the return values: {@code appendBytes}
 * may accept fewer bytes than offered, and {@link #copy} may copy fewer than asked even when
 * more are queued (it would stop at a descriptor boundary) — send what it returns and ask
 * again.
 *
 * <p>SYN and FIN occupy sequence space but not the buffer: {@link #reset} with ISS + 1, and
 * pass {@link #acknowledge} the data part of an ACK (at most {@link #endSeq()}; an ACK of our
 * FIN acknowledges {@code endSeq() + 1}). Owned by the stack thread, not thread-safe.
 * Allocates only when the ring grows.
 */
public final class SendBuffer {
    /** Largest capacity: 2^30, the most a window-scaled TCP window can be (RFC 7323 §2.3). */
    public static final int MAX_CAPACITY = 1 << 30;

    private final int capacity;
    /** The ring, of a power-of-two length up to {@link #capacity}; {@link Rings#NONE} until the first byte. */
    private byte[] ring = Rings.NONE;
    /** {@code ring.length - 1}, or 0 while the ring is empty so that zero-length copies stay in bounds. */
    private int mask;
    /** Sequence number of the first byte held: SND.UNA once data is flowing. */
    private int startSeq;
    /** Bytes held, unacknowledged and unsent. */
    private int length;

    /** An empty queue of {@code capacity} bytes (a power of two up to {@link #MAX_CAPACITY}); call {@link #reset} before use. */
    public SendBuffer(int capacity) {
        if (capacity <= 0 || capacity > MAX_CAPACITY || Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException("capacity must be a power of two up to 2^30, got " + capacity);
        }
        this.capacity = capacity;
    }

    /** Empties the queue; the next byte appended gets sequence number {@code startSeq} (ISS + 1 for a new connection). */
    public void reset(int startSeq) {
        this.startSeq = startSeq;
        this.length = 0;
    }

    /** Appends up to {@code src.remaining()} bytes (advancing its position) as space allows; returns how many. */
    public int appendBytes(ByteBuffer src) {
        int n = Math.min(free(), src.remaining());
        reserve(n);
        int pos = endSeq() & mask;
        int firstPart = Math.min(n, ring.length - pos);
        src.get(ring, pos, firstPart);
        src.get(ring, 0, n - firstPart);
        length += n;
        return n;
    }

    /** Appends up to {@code len} bytes of {@code src[at..]} as space allows; returns how many. */
    public int appendBytes(byte[] src, int at, int len) {
        Objects.checkFromIndexSize(at, len, src.length);
        int n = Math.min(free(), len);
        reserve(n);
        int pos = endSeq() & mask;
        int firstPart = Math.min(n, ring.length - pos);
        System.arraycopy(src, at, ring, pos, firstPart);
        System.arraycopy(src, at + firstPart, ring, 0, n - firstPart);
        length += n;
        return n;
    }

    /**
     * Copies up to {@code len} bytes starting at sequence number {@code seq}
     * ({@code startSeq() ≤ seq ≤ endSeq()}) into {@code dst} at absolute index {@code at}, for
     * transmission or retransmission; returns how many (possibly fewer, see the class comment).
     * {@code dst} must have room for {@code len} bytes below its limit; its position and limit
     * do not move.
     */
    public int copy(int seq, ByteBuffer dst, int at, int len) {
        int offset = seq - startSeq;
        if (offset < 0 || offset > length) {
            throw new IllegalArgumentException("sequence " + Integer.toUnsignedString(seq) + " outside the send queue ["
                    + Integer.toUnsignedString(startSeq) + ", " + Integer.toUnsignedString(endSeq()) + "]");
        }
        Objects.checkFromIndexSize(at, len, dst.limit());
        int n = Math.min(len, length - offset);
        int pos = seq & mask;
        int firstPart = Math.min(n, ring.length - pos);
        dst.put(at, ring, pos, firstPart);
        dst.put(at + firstPart, ring, 0, n - firstPart);
        return n;
    }

    /**
     * Drops the bytes before {@code newSndUna} ({@code startSeq() ≤ newSndUna ≤ endSeq()}), as
     * an ACK acknowledged them (RFC 9293 §3.10.7.4); returns how many were dropped, the space
     * freed for the application.
     */
    public int acknowledge(int newSndUna) {
        int n = newSndUna - startSeq;
        if (n < 0 || n > length) {
            throw new IllegalArgumentException("acknowledgment " + Integer.toUnsignedString(newSndUna)
                    + " outside the send queue [" + Integer.toUnsignedString(startSeq) + ", "
                    + Integer.toUnsignedString(endSeq()) + "]");
        }
        startSeq = newSndUna;
        length -= n;
        return n;
    }

    /** Bytes held: unacknowledged plus unsent. */
    public int length() {
        return length;
    }

    /** Room for more bytes. */
    public int free() {
        return capacity - length;
    }

    /** Buffer size in bytes. */
    public int capacity() {
        return capacity;
    }

    /** Bytes of ring allocated: 0 until the first byte is appended, then a power of two up to {@link #capacity()}. */
    int allocatedBytes() {
        return ring.length;
    }

    /** Sequence number of the first byte held (SND.UNA for data). */
    public int startSeq() {
        return startSeq;
    }

    /** Sequence number after the last byte held: where a FIN would go, and the limit for SND.NXT. */
    public int endSeq() {
        return startSeq + length;
    }

    /** Grows the ring, if need be, so that {@code n} more bytes fit after those held. */
    private void reserve(int n) {
        if (length + n > ring.length) {
            ring = Rings.grow(ring, startSeq, length, length + n);
            mask = ring.length - 1;
        }
    }
}
