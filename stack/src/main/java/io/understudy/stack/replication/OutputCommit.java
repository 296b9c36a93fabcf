package io.understudy.stack.replication;

import java.nio.ByteBuffer;

/**
 * Output commit (DESIGN.md, replication): the queue where an outgoing frame waits until the
 * standby has acknowledged the newest replication record whose state the frame reveals.
 *
 * <p>The TCP layer {@linkplain #tag tags} each frame it writes with that record's number (0: the
 * frame reveals nothing unreplicated); the network interface asks {@link #holds} before
 * transmitting, and {@linkplain #hold copies} the frames it must hold into a FIFO ring of bytes.
 * When the standby's ack for record N arrives (a ring event), {@link #release} hands every
 * frame tagged up to N, in order, back for transmission. In solo mode ({@link #solo()}) nothing
 * is held. After {@link #halt()} nothing ever leaves: held frames and new ones are dropped.
 *
 * <p>Stack thread only. Allocates only when the ring grows (doubling, up to its bound); a frame
 * that does not fit under the bound is dropped and counted — TCP retransmits it later.
 */
public final class OutputCommit {
    /** Receives released frames, position to limit, with the offload details they were held with. */
    public interface Transmitter {
        void transmit(ByteBuffer frame, int csumStart, int csumOffset, int gsoSize, int headerLength);
    }

    /** A record: {@code length u32 | tag u64 | csumStart u16 | csumOffset u16 | gsoSize u16 | headerLength u16 | frame}. */
    private static final int RECORD_HEADER = 4 + 8 + 8;
    private static final int INITIAL_CAPACITY = 1 << 20;

    private final int maxBytes;
    private ByteBuffer ring = ByteBuffer.allocateDirect(0);
    private ByteBuffer view = ring.duplicate();
    private ByteBuffer spare;
    /** Records {@code len u32 | tag u64 | frame} held in FIFO order in {@code [head, tail)}; {@code used = tail - head}. */
    private int head, tail, used;
    private int frames;
    /** The newest record the standby acknowledged; {@link Long#MAX_VALUE} in solo mode. */
    private long acked = Long.MAX_VALUE;
    private boolean halted;
    private long tag;
    private long held, released, dropped;

    /** A commit queue holding at most {@code maxBytes} bytes of frames. */
    public OutputCommit(int maxBytes) {
        if (maxBytes < 4096) {
            throw new IllegalArgumentException("commit queue bound must be at least 4096 bytes, got " + maxBytes);
        }
        this.maxBytes = maxBytes;
    }

    /** Tags the next frame written: it reveals the state of record {@code record} (0: nothing unreplicated). */
    public void tag(long record) {
        this.tag = record;
    }

    /** The current tag, which the next {@link #holds} and {@link #hold} use; reset to 0 by either. */
    public long currentTag() {
        return tag;
    }

    /** True when the next frame must not be transmitted now (held, or dropped if halted). Clears the tag when false. */
    public boolean holds() {
        if (halted || tag > acked) {
            return true;
        }
        tag = 0;
        return false;
    }

    /** Copies {@code frame} (position to limit) into the queue with the current tag, or drops it (halted, full); clears the tag. */
    public void hold(ByteBuffer frame) {
        hold(frame, 0, 0, 0, 0);
    }

    /** {@link #hold(ByteBuffer)} for a frame with offload details, given back on release. */
    public void hold(ByteBuffer frame, int csumStart, int csumOffset, int gsoSize, int headerLength) {
        long t = tag;
        tag = 0;
        if (halted) {
            dropped++;
            return;
        }
        int length = frame.remaining();
        if (!reserve(RECORD_HEADER + length)) {
            dropped++;
            return;
        }
        ring.putInt(tail, length);
        ring.putLong(tail + 4, t);
        ring.putShort(tail + 12, (short) csumStart);
        ring.putShort(tail + 14, (short) csumOffset);
        ring.putShort(tail + 16, (short) gsoSize);
        ring.putShort(tail + 18, (short) headerLength);
        ring.put(tail + RECORD_HEADER, frame, frame.position(), length);
        tail += RECORD_HEADER + length;
        used += RECORD_HEADER + length;
        frames++;
        held++;
    }

    /** The standby acknowledged every record up to {@code record}: transmits, in order, the frames tagged up to it. */
    public void release(long record, Transmitter out) {
        if (halted) {
            return;
        }
        if (record > acked || acked == Long.MAX_VALUE) {
            acked = record;
        }
        drain(out, acked);
    }

    /**
     * Output commit on: frames tagged after {@code ackedRecord} are held from now on. Frames
     * already held stay held until a release covers them.
     */
    public void enable(long ackedRecord) {
        if (!halted) {
            acked = ackedRecord;
        }
    }

    /** Solo mode: nothing is held; everything held so far is transmitted now, in order. */
    public void solo(Transmitter out) {
        if (halted) {
            return;
        }
        acked = Long.MAX_VALUE;
        drain(out, Long.MAX_VALUE);
    }

    /** Nothing leaves any more, held frames included (they are dropped). Irreversible. */
    public void halt() {
        halted = true;
        dropped += frames;
        head = tail = used = frames = 0;
    }

    public boolean halted() {
        return halted;
    }

    /** True when no standby acknowledgment is awaited. */
    public boolean isSolo() {
        return acked == Long.MAX_VALUE && !halted;
    }

    /** The newest acknowledged record ({@link Long#MAX_VALUE} in solo mode). */
    public long acked() {
        return acked;
    }

    /** Frames waiting now. */
    public int waitingFrames() {
        return frames;
    }

    /** Bytes waiting now (with a small header each). */
    public int waitingBytes() {
        return used;
    }

    /** Frames ever held, released, and dropped (full queue or halted). */
    public long heldFrames() {
        return held;
    }

    public long releasedFrames() {
        return released;
    }

    public long droppedFrames() {
        return dropped;
    }

    private void drain(Transmitter out, long upTo) {
        while (frames > 0) {
            int length = ring.getInt(head);
            if (ring.getLong(head + 4) > upTo) {
                return;
            }
            view.limit(head + RECORD_HEADER + length).position(head + RECORD_HEADER);
            out.transmit(view, ring.getShort(head + 12) & 0xFFFF, ring.getShort(head + 14) & 0xFFFF,
                    ring.getShort(head + 16) & 0xFFFF, ring.getShort(head + 18) & 0xFFFF);
            head += RECORD_HEADER + length;
            used -= RECORD_HEADER + length;
            frames--;
            released++;
        }
        head = tail = used = 0;
    }

    /**
     * Makes room for {@code n} bytes at {@link #tail}: records are kept contiguous in
     * {@code [head, tail)}; when the end is reached they move to the start (or the ring doubles,
     * up to its bound). False if the bound forbids it.
     */
    private boolean reserve(int n) {
        if (tail + n <= ring.capacity()) {
            return true;
        }
        if (used + n > maxBytes) {
            return false;
        }
        ByteBuffer target;
        if (used + n > ring.capacity() || used > ring.capacity() / 2) {
            long want = Math.max(INITIAL_CAPACITY, ring.capacity());
            while (want < (long) used + n) {
                want <<= 1;
            }
            target = ByteBuffer.allocateDirect((int) Math.min(want, maxBytes));
            spare = null;
        } else {
            // Move the records to the start through a same-sized spare (no overlapping copy).
            if (spare == null || spare.capacity() != ring.capacity()) {
                spare = ByteBuffer.allocateDirect(ring.capacity());
            }
            target = spare;
            spare = ring;
        }
        target.put(0, ring, head, used);
        ring = target;
        view = ring.duplicate();
        head = 0;
        tail = used;
        return true;
    }
}
