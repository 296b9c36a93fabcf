package io.understudy.stack.tcp;

import io.understudy.stack.wire.Seq;

/**
 * The sender's record of what the receiver has selectively acknowledged (RFC 2018), with the
 * loss-recovery queries of RFC 6675 §4: {@link #isLost IsLost}, {@link #pipe SetPipe} and
 * {@link #nextSeg NextSeg}.
 *
 * <p>The scoreboard holds SACKed sequence ranges, half-open {@code [left, right)} like the
 * blocks on the wire, sorted, disjoint and never adjacent (touching blocks are merged), all
 * within {@code [sndUna, sndNxt)}. Storage is two preallocated {@code int} arrays; nothing here
 * allocates after construction. Every comparison is {@link Seq} arithmetic, so the ranges may
 * straddle the 2^32 wrap.
 *
 * <p><b>Bounded.</b> At most {@code capacity} ranges are kept (32 by default; a SACK option
 * carries at most 4 blocks, so a real receiver rarely reports more than a handful of holes).
 * When a block would need a range beyond that, the <em>lowest</em> range is forgotten and
 * {@link #evictions()} counts it. Forgetting is the safe direction: those bytes merely look
 * un-SACKed again (at worst they are retransmitted needlessly), while the highest ranges,
 * which drive {@link #isLost} for everything below them, survive. Merging two ranges instead
 * would mark unreceived bytes as SACKed, and they would never be retransmitted.
 *
 * <p><b>Ownership of the RFC 6675 variables.</b> The TCB owns them all; this class only holds
 * SACKed ranges and answers questions. HighACK is {@code sndUna}. HighData, RecoveryPoint,
 * HighRxt and RescueRxt are passed as <em>exclusive</em> ends, like {@code sndNxt}: where
 * RFC 6675 says "HighData" this class takes {@code sndNxt} (= HighData + 1), and
 * {@code highRxt} here is one past the highest retransmitted octet (= RFC HighRxt + 1).
 * On entering recovery (RFC 6675 §5 step 4.3) the TCB retransmits {@code [sndUna, sndUna + len)}
 * and sets both {@code highRxt} and {@code rescueRxt} to {@code sndUna + len}.
 *
 * <p><b>After a retransmission timeout</b> the TCB calls {@link #clear()}: RFC 2018 §8 says the
 * sender SHOULD turn off all SACKed bits because the receiver may have reneged, and RFC 6675
 * §5.1 repeats it. (Linux keeps the marks and detects reneging instead; we take the simpler,
 * RFC-recommended course.)
 */
public final class SackScoreboard {
    /** DupThresh of RFC 6675 §2 (and RFC 5681 §3.2): the number of duplicate ACKs that signals loss. */
    public static final int DUP_THRESH = 3;
    /** The default bound on stored ranges. */
    public static final int DEFAULT_CAPACITY = 32;

    /** What {@link #nextSeg} chose; the segment itself is {@link #nextSeq()} / {@link #nextLength()}. */
    public enum NextSeg {
        /** Rule 1: retransmit a lost hole; afterwards set {@code highRxt = seq + length}. */
        LOST,
        /** Rule 2: send new data from {@code sndNxt} (only when the caller said it can); the caller sizes it. */
        NEW_DATA,
        /** Rule 3: retransmit an un-SACKed, not yet lost hole; afterwards set {@code highRxt = seq + length}. */
        UNSACKED,
        /** Rule 4: the one rescue retransmission; afterwards set {@code rescueRxt = recoveryPoint}, leave {@code highRxt}. */
        RESCUE,
        /** Nothing to send. */
        NONE
    }

    private final int[] left;
    private final int[] right;
    private int count;
    /** The cumulative ACK point the ranges are pruned to. */
    private int sndUna;
    private boolean anchored;
    private int sackedBytes;
    private boolean lastUpdateHadDsack;
    private long dsacks;
    private long evictions;
    private int nextSeq;
    private int nextLength;

    /** A scoreboard of {@link #DEFAULT_CAPACITY} ranges. */
    public SackScoreboard() {
        this(DEFAULT_CAPACITY);
    }

    /** A scoreboard that keeps at most {@code capacity} ranges. */
    public SackScoreboard(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive, got " + capacity);
        }
        left = new int[capacity];
        right = new int[capacity];
    }

    /**
     * Records the SACK blocks of one ACK (RFC 2018 §4) and prunes everything below
     * {@code sndUna}, as {@link #onCumulativeAck} does.
     *
     * <p>A block is ignored when it is empty or reversed, lies wholly at or below
     * {@code sndUna} (a D-SACK, RFC 2883, or a stale report), or ends beyond {@code sndNxt}
     * (it claims data never sent). A block straddling {@code sndUna} (a reordered ACK) keeps
     * its part above. A D-SACK in the first block is noted in {@link #lastUpdateHadDsack()}.
     *
     * @param sndUna the cumulative ACK point after this ACK (HighACK + 1)
     * @param sndNxt the next sequence number to send (HighData + 1)
     * @param blockLeft left edges of the blocks, in the order they appeared in the option
     * @param blockRight right edges (exclusive) of the blocks
     * @param blockCount how many entries of the arrays are blocks
     * @return bytes SACKed by this ACK that were not SACKed before (RFC 6675 §2 uses "SACKs new
     *     data" to classify duplicate ACKs)
     */
    public int update(int sndUna, int sndNxt, int[] blockLeft, int[] blockRight, int blockCount) {
        onCumulativeAck(sndUna);
        int una = this.sndUna;
        lastUpdateHadDsack = blockCount > 0 && isDsack(una, blockLeft, blockRight, blockCount);
        if (lastUpdateHadDsack) {
            dsacks++;
        }
        int newlySacked = 0;
        for (int i = 0; i < blockCount; i++) {
            int l = blockLeft[i];
            int r = blockRight[i];
            if (!Seq.lt(l, r) || Seq.leq(r, una) || Seq.gt(r, sndNxt)) {
                continue;
            }
            newlySacked += insert(Seq.max(l, una), r);
        }
        return newlySacked;
    }

    /** The cumulative ACK point advanced: forgets ranges below it. Older ACK points are ignored. */
    public void onCumulativeAck(int newSndUna) {
        if (anchored && !Seq.gt(newSndUna, sndUna)) {
            return;
        }
        sndUna = newSndUna;
        anchored = true;
        int dropped = 0;
        while (dropped < count && Seq.leq(right[dropped], newSndUna)) {
            sackedBytes -= right[dropped] - left[dropped];
            dropped++;
        }
        removeRanges(0, dropped);
        if (count > 0 && Seq.lt(left[0], newSndUna)) {
            // The receiver acknowledged part of a SACKed range cumulatively.
            sackedBytes -= newSndUna - left[0];
            left[0] = newSndUna;
        }
    }

    /** Forgets every SACKed range; call on a retransmission timeout (RFC 2018 §8, RFC 6675 §5.1). */
    public void clear() {
        count = 0;
        sackedBytes = 0;
    }

    /** True when {@code seq} lies in a SACKed range. */
    public boolean isSacked(int seq) {
        for (int k = 0; k < count; k++) {
            if (Seq.geq(seq, left[k]) && Seq.lt(seq, right[k])) {
                return true;
            }
        }
        return false;
    }

    /**
     * RFC 6675 §4 IsLost(SeqNum): true when at least {@link #DUP_THRESH} discontiguous SACKed
     * ranges lie above {@code seq}, or more than {@code (DUP_THRESH - 1) * mss} SACKed bytes do.
     * The scoreboard keeps bytes, not segment boundaries, so "discontiguous SACKed sequences" is
     * read literally as separate SACKed ranges; full-sized segments are caught by the byte rule.
     * A SACKed {@code seq} is never lost.
     */
    public boolean isLost(int seq, int mss) {
        if (isSacked(seq)) {
            return false;
        }
        int k = count;
        while (k > 0 && Seq.gt(left[k - 1], seq)) {
            k--;
        }
        return holeBelowIsLost(k, mss);
    }

    /**
     * RFC 6675 §4 SetPipe(): the sender's estimate of bytes in the network. Each un-SACKed octet
     * in {@code [sndUna, sndNxt)} counts once if it is not lost, and once more if it lies below
     * {@code highRxt} (it was retransmitted).
     *
     * @param sndUna HighACK + 1; the scoreboard is pruned to it first
     * @param sndNxt HighData + 1
     * @param highRxt one past the highest retransmitted octet (RFC HighRxt + 1), {@code sndUna} if none
     * @param mss SMSS, for {@link #isLost}
     */
    public int pipe(int sndUna, int sndNxt, int highRxt, int mss) {
        onCumulativeAck(sndUna);
        if (!Seq.lt(sndUna, sndNxt)) {
            return 0;
        }
        // Un-SACKed octets in one hole share one IsLost answer, and lower holes are lost first,
        // so everything un-SACKed below lostEnd is lost and everything above it is not.
        int lostEnd = sndUna;
        for (int k = count - 1; k >= 0; k--) {
            if (holeBelowIsLost(k, mss)) {
                lostEnd = left[k];
                break;
            }
        }
        int retransmittedEnd = Seq.min(Seq.max(highRxt, sndUna), sndNxt);
        long pipe = unsackedBytes(lostEnd, sndNxt) + unsackedBytes(sndUna, retransmittedEnd);
        return (int) Math.min(pipe, Integer.MAX_VALUE);
    }

    /**
     * RFC 6675 §4 NextSeg(): what to send next during SACK loss recovery. Rule 1 (a lost hole
     * at or above {@code highRxt}) wins; rule 2 (new data) applies only when
     * {@code canSendNewData}, which the caller decides from its unsent data and the peer's
     * window; then rule 3 (an un-SACKed hole above {@code highRxt} below the highest SACK);
     * then rule 4, the single rescue retransmission per recovery, which covers the highest
     * un-SACKed octet and is allowed once {@code sndUna} has passed {@code rescueRxt}.
     * Retransmissions stop at the next SACKed range, so they never resend SACKed bytes.
     *
     * @param sndUna HighACK + 1; the scoreboard is pruned to it first
     * @param sndNxt HighData + 1
     * @param highRxt one past the highest retransmitted octet (RFC HighRxt + 1)
     * @param rescueRxt RFC RescueRxt + 1: the value the TCB last set (step 4.3, or after a rescue)
     * @param mss SMSS: the largest segment returned
     * @param canSendNewData whether unsent data exists and the receive window admits it
     * @return the rule that applied; for LOST, UNSACKED and RESCUE the range is in
     *     {@link #nextSeq()} and {@link #nextLength()}; for NEW_DATA {@link #nextSeq()} is
     *     {@code sndNxt} and {@link #nextLength()} is {@code mss}
     */
    public NextSeg nextSeg(int sndUna, int sndNxt, int highRxt, int rescueRxt, int mss, boolean canSendNewData) {
        onCumulativeAck(sndUna);
        nextSeq = 0;
        nextLength = 0;
        int from = Seq.max(highRxt, sndUna);
        // Rules 1 and 3 look at the smallest un-SACKed octet S with S >= highRxt (1.a) below the
        // highest SACKed octet (1.b). Lower holes are lost first, so if S is not lost (1.c) no
        // octet above it is.
        for (int k = 0; k < count; k++) {
            int holeStart = k == 0 ? sndUna : right[k - 1];
            int s = Seq.max(holeStart, from);
            if (Seq.lt(s, left[k])) {
                if (holeBelowIsLost(k, mss)) {
                    return choose(NextSeg.LOST, s, Math.min(mss, left[k] - s));
                }
                if (canSendNewData) {
                    break;
                }
                return choose(NextSeg.UNSACKED, s, Math.min(mss, left[k] - s));
            }
        }
        if (canSendNewData) {
            return choose(NextSeg.NEW_DATA, sndNxt, mss);
        }
        // Rule 4: HighACK > RescueRxt, i.e. sndUna > rescueRxt with both exclusive.
        if (Seq.gt(sndUna, rescueRxt)) {
            int top = count == 0 ? sndUna : right[count - 1];
            if (Seq.lt(top, sndNxt)) {
                int start = Seq.max(top, sndNxt - mss);
                return choose(NextSeg.RESCUE, start, sndNxt - start);
            }
            for (int k = count - 1; k >= 0; k--) {
                int holeStart = k == 0 ? sndUna : right[k - 1];
                if (Seq.lt(holeStart, left[k])) {
                    int start = Seq.max(holeStart, left[k] - mss);
                    return choose(NextSeg.RESCUE, start, left[k] - start);
                }
            }
        }
        return NextSeg.NONE;
    }

    /** First sequence number of the segment the last {@link #nextSeg} chose. */
    public int nextSeq() {
        return nextSeq;
    }

    /** Length of the segment the last {@link #nextSeg} chose (0 for NONE). */
    public int nextLength() {
        return nextLength;
    }

    /** One past the highest SACKed octet, or the cumulative ACK point when nothing is SACKed. */
    public int highestSacked() {
        return count == 0 ? sndUna : right[count - 1];
    }

    /** Bytes currently marked SACKed. */
    public int sackedBytes() {
        return sackedBytes;
    }

    /** Un-SACKed gaps between the cumulative ACK point and the highest SACKed octet. */
    public int holes() {
        return count == 0 || left[0] != sndUna ? count : count - 1;
    }

    /** True when nothing is SACKed. */
    public boolean isEmpty() {
        return count == 0;
    }

    /** Number of SACKed ranges held. */
    public int rangeCount() {
        return count;
    }

    /** Left edge of range {@code i} (0 is the lowest), {@code 0 <= i < rangeCount()}. */
    public int rangeLeft(int i) {
        checkIndex(i);
        return left[i];
    }

    /** Right edge (exclusive) of range {@code i}, {@code 0 <= i < rangeCount()}. */
    public int rangeRight(int i) {
        checkIndex(i);
        return right[i];
    }

    /** Whether the first block of the last {@link #update} was a D-SACK (RFC 2883 §4). */
    public boolean lastUpdateHadDsack() {
        return lastUpdateHadDsack;
    }

    /** D-SACK blocks seen since construction. */
    public long dsacks() {
        return dsacks;
    }

    /** Ranges forgotten because the scoreboard was full. */
    public long evictions() {
        return evictions;
    }

    /** The most ranges this scoreboard holds. */
    public int capacity() {
        return left.length;
    }

    /**
     * RFC 2883 §4: the first block reports a duplicate when it lies at or below the cumulative
     * ACK, or inside the second block.
     */
    private static boolean isDsack(int una, int[] blockLeft, int[] blockRight, int blockCount) {
        int l0 = blockLeft[0];
        int r0 = blockRight[0];
        if (!Seq.lt(l0, r0)) {
            return false;
        }
        if (Seq.leq(r0, una)) {
            return true;
        }
        return blockCount > 1 && Seq.lt(blockLeft[1], blockRight[1])
                && Seq.geq(l0, blockLeft[1]) && Seq.leq(r0, blockRight[1]);
    }

    /** Merges {@code [l, r)} into the ranges; returns how many of its bytes were new. */
    private int insert(int l, int r) {
        int i = 0;
        while (i < count && Seq.lt(right[i], l)) {
            i++;
        }
        int j = i;
        while (j < count && Seq.leq(left[j], r)) {
            j++;
        }
        if (i == j) {
            // Touches nothing: needs a range of its own.
            if (count == left.length) {
                evictions++;
                if (i == 0) {
                    return 0; // It would be the lowest range: the one we forget.
                }
                sackedBytes -= right[0] - left[0];
                removeRanges(0, 1);
                i--;
            }
            System.arraycopy(left, i, left, i + 1, count - i);
            System.arraycopy(right, i, right, i + 1, count - i);
            left[i] = l;
            right[i] = r;
            count++;
            sackedBytes += r - l;
            return r - l;
        }
        // Overlaps or touches ranges i .. j-1: they become one range.
        int before = 0;
        for (int k = i; k < j; k++) {
            before += right[k] - left[k];
        }
        int newLeft = Seq.min(l, left[i]);
        int newRight = Seq.max(r, right[j - 1]);
        left[i] = newLeft;
        right[i] = newRight;
        removeRanges(i + 1, j - i - 1);
        int added = (newRight - newLeft) - before;
        sackedBytes += added;
        return added;
    }

    private void removeRanges(int from, int n) {
        if (n == 0) {
            return;
        }
        System.arraycopy(left, from + n, left, from, count - from - n);
        System.arraycopy(right, from + n, right, from, count - from - n);
        count -= n;
    }

    /** IsLost for the un-SACKed octets just below range {@code k}: ranges k.. lie above them. */
    private boolean holeBelowIsLost(int k, int mss) {
        int ranges = count - k;
        if (ranges >= DUP_THRESH) {
            return true;
        }
        long bytes = 0;
        for (int m = k; m < count; m++) {
            bytes += right[m] - left[m];
        }
        return bytes > (long) (DUP_THRESH - 1) * mss;
    }

    /** Un-SACKed bytes in {@code [from, to)}. */
    private long unsackedBytes(int from, int to) {
        if (!Seq.lt(from, to)) {
            return 0;
        }
        long bytes = to - from;
        for (int k = 0; k < count; k++) {
            int lo = Seq.max(left[k], from);
            int hi = Seq.min(right[k], to);
            if (Seq.lt(lo, hi)) {
                bytes -= hi - lo;
            }
        }
        return bytes;
    }

    private NextSeg choose(NextSeg rule, int seq, int length) {
        nextSeq = seq;
        nextLength = length;
        return rule;
    }

    private void checkIndex(int i) {
        if (i < 0 || i >= count) {
            throw new IndexOutOfBoundsException("range " + i + " of " + count);
        }
    }
}
