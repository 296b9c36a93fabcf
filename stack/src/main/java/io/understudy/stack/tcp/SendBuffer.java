package io.understudy.stack.tcp;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.Objects;

/**
 * The send queue of a TCB: what the application appended, addressed by sequence number from
 * {@link #startSeq()} (SND.UNA for data) to {@link #endSeq()}. Bytes in
 * {@code [startSeq, SND.NXT)} are in flight and kept for retransmission; bytes in
 * {@code [SND.NXT, endSeq)} are not sent yet. Which is which is the TCB's knowledge, not the
 * buffer's.
 *
 * <p><b>Descriptors.</b> The queue is a sequence of <em>descriptors</em> in append order, each
 * covering a run of sequence space: <em>literal bytes</em> ({@link #appendBytes}) or a
 * <em>file region</em> ({@link #appendFile}), read on demand from the file. Replication ships
 * descriptors, not bytes ({@link #forEachDescriptor}): a 100 MB file response is a few dozen
 * bytes of path and identity, and the standby reads the same file. Literal bytes appended
 * right after literal bytes extend the same descriptor, so a queue of literal data only is
 * one descriptor at most.
 *
 * <p><b>Literal bytes</b> live in one ring, in append order, the byte at ring address
 * {@code a} at {@code a & (length - 1)}, the ring's length being a power of two of at most
 * {@link #capacity()} (itself a power of two). Ring addresses follow sequence numbers while
 * the queue holds literal bytes only (so a queue that never saw a file region is laid out as
 * a plain sequence-addressed ring); a file region takes sequence space but no ring space. The
 * ring is allocated lazily and only grows: a queue that has never held a byte has none, so an
 * idle connection costs nothing here, and when appended bytes do not fit, the ring is
 * replaced by one of the least power of two that holds all the literal bytes queued — at least
 * double, never more than the capacity — the bytes copied over in order. It never shrinks (not
 * even on {@link #reset}), so a connection keeps the largest queue it has held, rounded up to
 * a power of two, and the steady state of a transfer allocates nothing.
 *
 * <p><b>Capacity.</b> {@link #capacity()} and {@link #free()} are about literal bytes only: a
 * file region does not use ring space. Instead the queue holds at most
 * {@link #MAX_DESCRIPTORS} descriptors and at most {@link #MAX_FILE_BYTES} bytes of file
 * regions; {@link #appendFile} refuses a region (returns false) that would exceed either, and
 * {@link #free()} is 0 while the descriptors are all taken and the last is a file region (a
 * literal byte would need a new one). The whole queue stays below 2^31 sequence numbers, so
 * sequence arithmetic holds and a FIN still fits.
 *
 * <p><b>Files.</b> The bytes of a region are read in {@link #copy}, straight into the
 * destination with a positional {@link FileChannel#read(ByteBuffer, long)}. Its channel is
 * taken from the queue's {@link FileOpener} on the first copy from the region (which checks
 * that the file is the one the region identifies: {@link FileRegion#openVerified}, or the
 * stack's {@link FileChannelCache}, which shares one channel per file between regions and
 * connections), kept for later copies and retransmissions, and released back to the opener
 * when the region is fully acknowledged, on {@link #reset} or on {@link #releaseFiles}. Reads
 * go through one duplicate of the destination buffer, made again only when the destination
 * buffer changes, so a copy from a file allocates nothing in the steady state either. When the
 * file is gone, is not the file queued, ends early or cannot be read, {@link #copy} throws
 * {@link FileRegionChangedException} and sends nothing wrong; the TCB aborts the connection.
 * Opening and reading a file is blocking I/O on the caller's thread.
 *
 * <p>Callers must honour the return values: {@code appendBytes} may accept fewer bytes than
 * offered, {@code appendFile} may refuse a region, and {@link #copy} may copy fewer than asked
 * — send what it returns and ask again. (It fills across descriptor boundaries today.)
 *
 * <p>SYN and FIN occupy sequence space but not the buffer: {@link #reset} with ISS + 1, and
 * pass {@link #acknowledge} the data part of an ACK (at most {@link #endSeq()}; an ACK of our
 * FIN acknowledges {@code endSeq() + 1}). Owned by the stack thread, not thread-safe.
 * Allocates only when the ring or the descriptor table grows and when a file is opened (or its
 * channel revalidated: see {@link FileChannelCache}).
 */
public final class SendBuffer {
    /** Largest capacity: 2^30, the most a window-scaled TCP window can be (RFC 7323 §2.3). */
    public static final int MAX_CAPACITY = 1 << 30;
    /** Most descriptors queued (literal runs and file regions, an HTTP response being about two). */
    public static final int MAX_DESCRIPTORS = 1024;
    /** Most bytes of file regions queued: 1 GiB. Send larger files as several regions. */
    public static final int MAX_FILE_BYTES = 1 << 30;
    /** Most sequence space queued: below 2^31 for sequence comparisons, and one left for the FIN. */
    static final int MAX_LENGTH = Integer.MAX_VALUE - 1;
    private static final int INITIAL_DESCRIPTORS = 4;
    private static final int[] NO_INTS = new int[0];
    private static final long[] NO_LONGS = new long[0];
    private static final FileRegion[] NO_REGIONS = new FileRegion[0];
    private static final FileChannel[] NO_CHANNELS = new FileChannel[0];

    /**
     * Where a queue gets the channels of its regions' files: the stack's {@link FileChannelCache},
     * or {@link FileRegion#openVerified} (a channel per region, closed on release). Package-private
     * hook for tests.
     */
    interface FileOpener {
        /**
         * A channel on {@code region}'s file, or throws if it cannot be opened or it is not the file
         * the region names. Each channel returned is {@linkplain #release released} once.
         */
        FileChannel open(FileRegion region) throws IOException;

        /**
         * The queue is done with {@code channel} (its region acknowledged or dropped, or its files
         * released); {@code failed}: because a read from it failed. This default closes it.
         */
        default void release(FileChannel channel, boolean failed) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // a read-only channel: nothing was buffered, nothing is lost
            }
        }
    }

    /** Visits the descriptors of the queue, from {@link #startSeq()}, in order. */
    public interface DescriptorVisitor {
        /** Literal bytes at {@code [seq, seq + length)}; read them with {@link SendBuffer#copy} if needed. */
        void bytes(int seq, int length);

        /**
         * File bytes at {@code [seq, seq + length)}: {@code length} bytes of {@code region}'s
         * file from byte {@code filePosition} ({@code region.offset()} plus what was
         * acknowledged of it).
         */
        void file(int seq, int length, FileRegion region, long filePosition);
    }

    private final int capacity;
    private final FileOpener opener;
    /** The ring of literal bytes, of a power-of-two length up to {@link #capacity}; {@link Rings#NONE} until the first byte. */
    private byte[] ring = Rings.NONE;
    /** {@code ring.length - 1}, or 0 while the ring is empty so that zero-length copies stay in bounds. */
    private int mask;
    /** Ring address of the first literal byte held. */
    private int ringStart;
    /** Literal bytes held. */
    private int literalLength;
    /** Sequence number of the first byte held: SND.UNA once data is flowing. */
    private int startSeq;
    /** Sequence space held (literal and file bytes), unacknowledged and unsent. */
    private int length;
    /** File bytes held. */
    private int fileBytes;
    /** File regions held. */
    private int fileCount;

    // The descriptors: a circular queue of parallel arrays, of a power-of-two length, allocated on the first append.
    /** Sequence number of the first byte held of each descriptor. */
    private int[] descSeq = NO_INTS;
    /** Bytes held of each descriptor (never 0). */
    private int[] descLength = NO_INTS;
    /** Literal: ring address of its first byte held; file: file position of its first byte held. */
    private long[] descPosition = NO_LONGS;
    /** The region of a file descriptor, null for literal bytes. */
    private FileRegion[] descRegion = NO_REGIONS;
    /** The channel of a file descriptor (from {@link #opener}), null until its first copy and after its release. */
    private FileChannel[] descChannel = NO_CHANNELS;
    private int descHead;
    private int descCount;

    /** The destination buffer {@link #view} duplicates. */
    private ByteBuffer viewTarget;
    /** A duplicate of the last destination a file was read into: positional reads need a position and limit. */
    private ByteBuffer view;
    /** Channels taken from the opener so far (test hook). */
    private int channelsOpened;

    /**
     * An empty queue of {@code capacity} bytes (a power of two up to {@link #MAX_CAPACITY}) whose
     * regions each open their file ({@link FileRegion#openVerified}); call {@link #reset} before
     * use. A connection's queue shares its stack's {@link FileChannelCache} instead.
     */
    public SendBuffer(int capacity) {
        this(capacity, FileRegion::openVerified);
    }

    /** As {@link #SendBuffer(int)}, channels taken from {@code opener} (the stack's cache, or a test's). */
    SendBuffer(int capacity, FileOpener opener) {
        if (capacity <= 0 || capacity > MAX_CAPACITY || Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException("capacity must be a power of two up to 2^30, got " + capacity);
        }
        this.capacity = capacity;
        this.opener = Objects.requireNonNull(opener, "opener");
    }

    /**
     * Empties the queue, releasing the files of its regions; the next byte appended gets sequence
     * number {@code startSeq} (ISS + 1 for a new connection).
     */
    public void reset(int startSeq) {
        for (int k = 0; k < descCount; k++) {
            int i = index(k);
            releaseChannel(i, false);
            descRegion[i] = null;
        }
        descHead = 0;
        descCount = 0;
        view = null;
        viewTarget = null;
        this.startSeq = startSeq;
        this.ringStart = startSeq;
        this.length = 0;
        this.literalLength = 0;
        this.fileBytes = 0;
        this.fileCount = 0;
    }

    /** Appends up to {@code src.remaining()} bytes (advancing its position) as space allows; returns how many. */
    public int appendBytes(ByteBuffer src) {
        int n = Math.min(free(), src.remaining());
        if (n <= 0) {
            return 0;
        }
        reserve(n);
        int pos = (ringStart + literalLength) & mask;
        int firstPart = Math.min(n, ring.length - pos);
        src.get(ring, pos, firstPart);
        src.get(ring, 0, n - firstPart);
        appended(n);
        return n;
    }

    /** Appends up to {@code len} bytes of {@code src[at..]} as space allows; returns how many. */
    public int appendBytes(byte[] src, int at, int len) {
        Objects.checkFromIndexSize(at, len, src.length);
        int n = Math.min(free(), len);
        if (n <= 0) {
            return 0;
        }
        reserve(n);
        int pos = (ringStart + literalLength) & mask;
        int firstPart = Math.min(n, ring.length - pos);
        System.arraycopy(src, at, ring, pos, firstPart);
        System.arraycopy(src, at + firstPart, ring, 0, n - firstPart);
        appended(n);
        return n;
    }

    /** {@code n} literal bytes were put in the ring after those held: extend the last descriptor or add one. */
    private void appended(int n) {
        if (descCount > 0 && descRegion[index(descCount - 1)] == null) {
            descLength[index(descCount - 1)] += n;
        } else {
            push(endSeq(), n, ringStart + literalLength, null);
        }
        literalLength += n;
        length += n;
    }

    /**
     * Appends the whole of {@code region} as one descriptor, after what is queued; returns false
     * (and queues nothing) when that would exceed {@link #MAX_DESCRIPTORS} or
     * {@link #MAX_FILE_BYTES} — retry once acknowledgments have drained the queue. An empty
     * region is accepted and queues nothing. The file is not touched until its bytes are copied.
     *
     * @throws IllegalArgumentException if the region is longer than {@link #MAX_FILE_BYTES}
     *         (it could never be accepted: split it)
     */
    public boolean appendFile(FileRegion region) {
        Objects.requireNonNull(region, "region");
        long len = region.length();
        if (len > MAX_FILE_BYTES) {
            throw new IllegalArgumentException("a file region holds at most " + MAX_FILE_BYTES + " bytes, got " + len);
        }
        if (len == 0) {
            return true;
        }
        if (descCount >= MAX_DESCRIPTORS || fileBytes + len > MAX_FILE_BYTES || length + len > MAX_LENGTH) {
            return false;
        }
        push(endSeq(), (int) len, region.offset(), region);
        fileBytes += (int) len;
        fileCount++;
        length += (int) len;
        return true;
    }

    /**
     * Copies up to {@code len} bytes starting at sequence number {@code seq}
     * ({@code startSeq() ≤ seq ≤ endSeq()}) into {@code dst} at absolute index {@code at}, for
     * transmission or retransmission; returns how many (possibly fewer, see the class comment).
     * {@code dst} must have room for {@code len} bytes below its limit; its position and limit
     * do not move. File bytes are read from their file (see the class comment).
     *
     * @throws FileRegionChangedException if file bytes in the range cannot be read from the file
     *         the region identifies; what was copied into {@code dst} must not be sent
     */
    public int copy(int seq, ByteBuffer dst, int at, int len) {
        int offset = seq - startSeq;
        if (offset < 0 || offset > length) {
            throw new IllegalArgumentException("sequence " + Integer.toUnsignedString(seq) + " outside the send queue ["
                    + Integer.toUnsignedString(startSeq) + ", " + Integer.toUnsignedString(endSeq()) + "]");
        }
        Objects.checkFromIndexSize(at, len, dst.limit());
        int n = Math.min(len, length - offset);
        if (fileCount == 0) {
            // Literal bytes only: one contiguous run of the ring.
            copyRing(ringStart + offset, dst, at, n);
            return n;
        }
        int k = find(offset);
        int within = offset - (descSeq[index(k)] - startSeq);
        for (int done = 0; done < n; k++, within = 0) {
            int i = index(k);
            int m = Math.min(n - done, descLength[i] - within);
            if (descRegion[i] == null) {
                copyRing((int) descPosition[i] + within, dst, at + done, m);
            } else {
                readFile(i, descPosition[i] + within, dst, at + done, m);
            }
            done += m;
        }
        return n;
    }

    private void copyRing(int address, ByteBuffer dst, int at, int n) {
        int pos = address & mask;
        int firstPart = Math.min(n, ring.length - pos);
        dst.put(at, ring, pos, firstPart);
        dst.put(at + firstPart, ring, 0, n - firstPart);
    }

    /** Reads {@code n} bytes of descriptor {@code i}'s file from {@code position} into {@code dst[at..]}. */
    private void readFile(int i, long position, ByteBuffer dst, int at, int n) {
        FileRegion region = descRegion[i];
        try {
            FileChannel channel = descChannel[i];
            if (channel == null) {
                channel = opener.open(region);
                channelsOpened++;
                descChannel[i] = channel;
            }
            if (dst != viewTarget) {
                view = dst.duplicate();
                viewTarget = dst;
            }
            ByteBuffer v = view;
            v.limit(at + n).position(at);
            long p = position;
            while (v.hasRemaining()) {
                int r = channel.read(v, p);
                if (r <= 0) {
                    releaseChannel(i, true);
                    throw new FileRegionChangedException(region, "file " + region.path() + " ended at byte " + p
                            + ", inside the region [" + region.offset() + ", +" + region.length() + ") of a file of "
                            + region.size() + " bytes", null);
                }
                p += r;
            }
        } catch (IOException e) {
            releaseChannel(i, true);
            throw new FileRegionChangedException(region, "cannot read " + region.path() + ": " + e, e);
        }
    }

    /**
     * Drops what lies before {@code newSndUna} ({@code startSeq() ≤ newSndUna ≤ endSeq()}), as an
     * ACK acknowledged it (RFC 9293 §3.10.7.4): whole descriptors are dropped (a region's file
     * released), a partly acknowledged one advances. Returns the sequence space dropped, literal
     * and file bytes.
     */
    public int acknowledge(int newSndUna) {
        int n = newSndUna - startSeq;
        if (n < 0 || n > length) {
            throw new IllegalArgumentException("acknowledgment " + Integer.toUnsignedString(newSndUna)
                    + " outside the send queue [" + Integer.toUnsignedString(startSeq) + ", "
                    + Integer.toUnsignedString(endSeq()) + "]");
        }
        for (int left = n; left > 0; ) {
            int i = descHead;
            int m = Math.min(left, descLength[i]);
            boolean file = descRegion[i] != null;
            if (file) {
                fileBytes -= m;
            } else {
                ringStart += m;
                literalLength -= m;
            }
            if (m == descLength[i]) {
                if (file) {
                    releaseChannel(i, false);
                    descRegion[i] = null;
                    fileCount--;
                }
                descHead = index(1);
                descCount--;
            } else {
                descSeq[i] += m;
                descLength[i] -= m;
                descPosition[i] += m;
            }
            left -= m;
        }
        startSeq = newSndUna;
        length -= n;
        return n;
    }

    /**
     * Visits every descriptor held, from {@link #startSeq()} (the head trimmed to what is not
     * acknowledged) to {@link #endSeq()}, in order, for replication. Allocates nothing.
     */
    public void forEachDescriptor(DescriptorVisitor visitor) {
        for (int k = 0; k < descCount; k++) {
            int i = index(k);
            if (descRegion[i] == null) {
                visitor.bytes(descSeq[i], descLength[i]);
            } else {
                visitor.file(descSeq[i], descLength[i], descRegion[i], descPosition[i]);
            }
        }
    }

    /**
     * Releases the files of the regions held, keeping the queue (a copy would open them again):
     * for a connection that ends with data unacknowledged, and for a stack that stops.
     */
    void releaseFiles() {
        for (int k = 0; k < descCount; k++) {
            releaseChannel(index(k), false);
        }
        view = null;
        viewTarget = null;
    }

    /** Sequence space held: literal and file bytes, unacknowledged plus unsent. */
    public int length() {
        return length;
    }

    /**
     * Room for more literal bytes: the capacity less the literal bytes held (file regions take
     * none), or 0 while {@link #MAX_DESCRIPTORS} are held and the last is a file region.
     */
    public int free() {
        if (descCount >= MAX_DESCRIPTORS && descRegion[index(descCount - 1)] != null) {
            return 0;
        }
        return Math.min(capacity - literalLength, MAX_LENGTH - length);
    }

    /** Buffer size in bytes: the most literal bytes held. */
    public int capacity() {
        return capacity;
    }

    /** Descriptors held: literal runs and file regions. */
    public int descriptorCount() {
        return descCount;
    }

    /** File bytes held, of at most {@link #MAX_FILE_BYTES}. */
    public int fileBytes() {
        return fileBytes;
    }

    /** Bytes of ring allocated: 0 until the first byte is appended, then a power of two up to {@link #capacity()}. */
    int allocatedBytes() {
        return ring.length;
    }

    /** Channels taken from the opener so far, over the buffer's life (test hook; with a cache, not all are new opens). */
    int channelsOpened() {
        return channelsOpened;
    }

    /** Channels held now (test hook). */
    int channelsOpen() {
        int open = 0;
        for (int k = 0; k < descCount; k++) {
            if (descChannel[index(k)] != null) {
                open++;
            }
        }
        return open;
    }

    /** Sequence number of the first byte held (SND.UNA for data). */
    public int startSeq() {
        return startSeq;
    }

    /** Sequence number after the last byte held: where a FIN would go, and the limit for SND.NXT. */
    public int endSeq() {
        return startSeq + length;
    }

    /** Grows the ring, if need be, so that {@code n} more literal bytes fit after those held. */
    private void reserve(int n) {
        if (literalLength + n > ring.length) {
            ring = Rings.grow(ring, ringStart, literalLength, literalLength + n);
            mask = ring.length - 1;
        }
    }

    /** The array index of the {@code k}-th descriptor from the head. */
    private int index(int k) {
        return (descHead + k) & (descSeq.length - 1);
    }

    /** The descriptor (counted from the head) holding the byte at {@code offset} from startSeq, {@code offset < length}. */
    private int find(int offset) {
        int lo = 0;
        int hi = descCount - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (descSeq[index(mid)] - startSeq <= offset) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }

    /** Adds a descriptor after those held (the caller checked {@link #MAX_DESCRIPTORS}). */
    private void push(int seq, int len, long position, FileRegion region) {
        if (descCount == descSeq.length) {
            growDescriptors();
        }
        int i = index(descCount);
        descSeq[i] = seq;
        descLength[i] = len;
        descPosition[i] = position;
        descRegion[i] = region;
        descChannel[i] = null;
        descCount++;
    }

    private void growDescriptors() {
        int size = Math.max(INITIAL_DESCRIPTORS, descSeq.length * 2);
        int[] seq = new int[size];
        int[] len = new int[size];
        long[] position = new long[size];
        FileRegion[] region = new FileRegion[size];
        FileChannel[] channel = new FileChannel[size];
        for (int k = 0; k < descCount; k++) {
            int i = index(k);
            seq[k] = descSeq[i];
            len[k] = descLength[i];
            position[k] = descPosition[i];
            region[k] = descRegion[i];
            channel[k] = descChannel[i];
        }
        descSeq = seq;
        descLength = len;
        descPosition = position;
        descRegion = region;
        descChannel = channel;
        descHead = 0;
    }

    /** Gives descriptor {@code i}'s channel back to the opener, if it holds one; {@code failed}: a read from it failed. */
    private void releaseChannel(int i, boolean failed) {
        FileChannel channel = descChannel[i];
        if (channel != null) {
            descChannel[i] = null;
            opener.release(channel, failed);
        }
    }
}
