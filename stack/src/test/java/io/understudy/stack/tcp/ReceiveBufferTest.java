package io.understudy.stack.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.understudy.stack.wire.Seq;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ReceiveBufferTest {
    static final int IRS = 1_000_000;
    static final int JUNK_BEFORE = 5, JUNK_AFTER = 3;

    /** Stream A: the byte at sequence number {@code seq}, so misplaced bytes show. */
    static byte a(int seq) {
        return (byte) ((seq * 0x9E37_79B1) >>> 24 ^ seq);
    }

    /** Stream B: different bytes for the same sequence numbers (a corrupt retransmission). */
    static byte b(int seq) {
        return (byte) ~a(seq);
    }

    /** A segment of stream A or B, [seq, seq + len), inside a buffer with junk around it. */
    static ByteBuffer segment(int seq, int len, boolean streamB) {
        ByteBuffer buf = ByteBuffer.allocate(JUNK_BEFORE + len + JUNK_AFTER);
        for (int i = 0; i < buf.capacity(); i++) {
            buf.put(i, (byte) 0xEE);
        }
        for (int i = 0; i < len; i++) {
            buf.put(JUNK_BEFORE + i, streamB ? b(seq + i) : a(seq + i));
        }
        return buf;
    }

    static int offerA(ReceiveBuffer rb, int seq, int len) {
        return rb.offer(seq, segment(seq, len, false), JUNK_BEFORE, len);
    }

    static int offerB(ReceiveBuffer rb, int seq, int len) {
        return rb.offer(seq, segment(seq, len, true), JUNK_BEFORE, len);
    }

    static byte[] readAll(ReceiveBuffer rb) {
        byte[] out = new byte[rb.readable()];
        assertThat(rb.read(out, 0, out.length)).isEqualTo(out.length);
        return out;
    }

    /** Expected bytes from {@code from}: each piece is {stream (0 = A, 1 = B), length}. */
    static byte[] expected(int from, int[]... pieces) {
        int total = Arrays.stream(pieces).mapToInt(p -> p[1]).sum();
        byte[] out = new byte[total];
        int seq = from;
        int i = 0;
        for (int[] p : pieces) {
            for (int k = 0; k < p[1]; k++, seq++, i++) {
                out[i] = p[0] == 0 ? a(seq) : b(seq);
            }
        }
        return out;
    }

    static int[] A(int len) {
        return new int[] {0, len};
    }

    static int[] B(int len) {
        return new int[] {1, len};
    }

    static ReceiveBuffer buffer(int capacity) {
        var rb = new ReceiveBuffer(capacity);
        rb.reset(IRS);
        return rb;
    }

    static List<String> sacks(ReceiveBuffer rb, int max) {
        int[] l = new int[8], r = new int[8];
        int n = rb.sackBlocks(l, r, max);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add((l[i] - IRS) + "-" + (r[i] - IRS));
        }
        return out;
    }

    @Test void inOrderDataBecomesReadableAndAdvancesRcvNxt() {
        var rb = buffer(1024);
        assertThat(offerA(rb, IRS, 100)).isEqualTo(100);
        assertThat(offerA(rb, IRS + 100, 50)).isEqualTo(50);
        assertThat(rb.rcvNxt()).isEqualTo(IRS + 150);
        assertThat(rb.readable()).isEqualTo(150);
        assertThat(rb.window()).isEqualTo(1024 - 150);
        assertThat(rb.hasOutOfOrder()).isFalse();
        assertThat(readAll(rb)).isEqualTo(expected(IRS, A(150)));
        assertThat(rb.window()).isEqualTo(1024);
        assertThat(rb.readSeq()).isEqualTo(IRS + 150);
    }

    @Test void outOfOrderDataWaitsForTheHoleAndThenBecomesReadable() {
        var rb = buffer(1024);
        assertThat(offerA(rb, IRS + 20, 10)).isZero();
        assertThat(offerA(rb, IRS + 40, 10)).isZero();
        assertThat(rb.readable()).isZero();
        assertThat(rb.hasOutOfOrder()).isTrue();
        assertThat(rb.outOfOrderBytes()).isEqualTo(20);
        assertThat(rb.window()).as("out-of-order data lies inside the window").isEqualTo(1024);
        assertThat(offerA(rb, IRS, 20)).as("fills the first hole and absorbs [20, 30)").isEqualTo(30);
        assertThat(offerA(rb, IRS + 30, 10)).as("fills the second hole").isEqualTo(20);
        assertThat(rb.hasOutOfOrder()).isFalse();
        assertThat(readAll(rb)).isEqualTo(expected(IRS, A(50)));
    }

    @Test void duplicatesChangeNothing() {
        var rb = buffer(1024);
        offerA(rb, IRS, 100);
        assertThat(offerB(rb, IRS, 100)).isZero();
        assertThat(offerB(rb, IRS + 10, 20)).isZero();
        assertThat(rb.read(new byte[60], 0, 60)).isEqualTo(60);
        assertThat(offerB(rb, IRS, 100)).as("already read").isZero();
        assertThat(offerA(rb, IRS + 30, 30)).isZero();
        assertThat(rb.readable()).isEqualTo(40);
        assertThat(readAll(rb)).isEqualTo(expected(IRS + 60, A(40)));
        offerA(rb, IRS + 200, 10);
        assertThat(offerB(rb, IRS + 200, 10)).isZero();
        assertThat(rb.outOfOrderBytes()).isEqualTo(10);
    }

    @Test void anInOrderSegmentOverlappingRcvNxtKeepsOnlyItsNewPart() {
        var rb = buffer(1024);
        offerA(rb, IRS, 10);
        assertThat(offerB(rb, IRS + 5, 10)).isEqualTo(5);
        assertThat(readAll(rb)).isEqualTo(expected(IRS, A(10), B(5)));
    }

    // Overlaps: the first copy received wins. Stream A arrives first at [20, 30); a
    // retransmission with different bytes (stream B) overlaps it; then A fills [0, 20).

    @Test void overlapOnThePrefixKeepsTheStoredBytes() {
        var rb = buffer(1024);
        offerA(rb, IRS + 20, 10);
        offerB(rb, IRS + 15, 10);
        assertThat(sacks(rb, 4)).containsExactly("15-30");
        assertThat(offerA(rb, IRS, 15)).isEqualTo(30);
        assertThat(readAll(rb)).isEqualTo(expected(IRS, A(15), B(5), A(10)));
    }

    @Test void overlapOnTheSuffixKeepsTheStoredBytes() {
        var rb = buffer(1024);
        offerA(rb, IRS + 20, 10);
        offerB(rb, IRS + 25, 10);
        assertThat(sacks(rb, 4)).containsExactly("20-35");
        assertThat(offerA(rb, IRS, 20)).isEqualTo(35);
        assertThat(readAll(rb)).isEqualTo(expected(IRS, A(30), B(5)));
    }

    @Test void aContainingSegmentFillsOnlyAroundTheStoredBytes() {
        var rb = buffer(1024);
        offerA(rb, IRS + 20, 10);
        offerB(rb, IRS + 15, 20);
        assertThat(offerA(rb, IRS, 15)).isEqualTo(35);
        assertThat(readAll(rb)).isEqualTo(expected(IRS, A(15), B(5), A(10), B(5)));
    }

    @Test void aContainedSegmentChangesNothing() {
        var rb = buffer(1024);
        offerA(rb, IRS + 20, 10);
        offerB(rb, IRS + 22, 6);
        assertThat(rb.outOfOrderBytes()).isEqualTo(10);
        assertThat(offerA(rb, IRS, 20)).isEqualTo(30);
        assertThat(readAll(rb)).isEqualTo(expected(IRS, A(30)));
    }

    @Test void aSegmentBridgingSeveralRangesWritesOnlyTheHoles() {
        var rb = buffer(1024);
        offerA(rb, IRS + 10, 5);
        offerA(rb, IRS + 20, 5);
        offerA(rb, IRS + 30, 5);
        assertThat(rb.outOfOrderRanges()).isEqualTo(3);
        assertThat(offerB(rb, IRS, 40)).isEqualTo(40);
        assertThat(rb.hasOutOfOrder()).isFalse();
        assertThat(readAll(rb)).isEqualTo(expected(IRS, B(10), A(5), B(5), A(5), B(5), A(5), B(5)));
    }

    @Test void adjacentOutOfOrderSegmentsMergeIntoOneRange() {
        var rb = buffer(1024);
        offerA(rb, IRS + 10, 5);
        offerA(rb, IRS + 15, 5);
        offerA(rb, IRS + 5, 5);
        assertThat(rb.outOfOrderRanges()).isEqualTo(1);
        assertThat(sacks(rb, 4)).containsExactly("5-20");
    }

    @Test void dataBeyondTheWindowIsTrimmed() {
        var rb = buffer(64);
        assertThat(offerA(rb, IRS, 100)).isEqualTo(64);
        assertThat(rb.window()).isZero();
        assertThat(offerA(rb, IRS + 64, 10)).as("zero window").isZero();
        rb.consume(10);
        assertThat(rb.window()).isEqualTo(10);
        assertThat(offerA(rb, IRS + 64, 30)).isEqualTo(10);
        assertThat(rb.readable()).isEqualTo(64);
        assertThat(readAll(rb)).isEqualTo(expected(IRS + 10, A(64)));
    }

    @Test void outOfOrderDataBeyondTheWindowIsTrimmed() {
        var rb = buffer(64);
        offerA(rb, IRS, 20);
        assertThat(offerA(rb, IRS + 50, 100)).isZero();
        assertThat(sacks(rb, 4)).as("right edge is readSeq + capacity").containsExactly("50-64");
        assertThat(offerA(rb, IRS + 64, 10)).isZero();
        assertThat(offerA(rb, IRS + 1000, 10)).isZero();
        assertThat(offerA(rb, IRS - 1000, 10)).isZero();
        assertThat(rb.outOfOrderBytes()).isEqualTo(14);
        assertThat(offerA(rb, IRS + 20, 30)).isEqualTo(44);
        assertThat(readAll(rb)).isEqualTo(expected(IRS, A(64)));
    }

    @Test void segmentsFarOutsideTheWindowAreIgnoredWhateverTheirLength() {
        var rb = buffer(64);
        var big = ByteBuffer.allocate(70_000);
        assertThat(rb.offer(IRS + (1 << 31), big, 0, 70_000)).isZero();
        assertThat(rb.offer(IRS + 0x7FFF_FFF0, big, 0, 70_000)).isZero();
        assertThat(rb.offer(IRS - 70_001, big, 0, 70_000)).isZero();
        assertThat(rb.hasOutOfOrder()).isFalse();
        assertThat(rb.readable()).isZero();
    }

    @Test void sequenceNumbersWrapAt2To32() {
        int start = 0xFFFF_FF00;
        var rb = new ReceiveBuffer(512);
        rb.reset(start);
        assertThat(offerA(rb, start + 200, 100)).as("crosses 2^32").isZero();
        int[] l = new int[4], r = new int[4];
        assertThat(rb.sackBlocks(l, r, 4)).isEqualTo(1);
        assertThat(l[0]).isEqualTo(0xFFFF_FFC8);
        assertThat(r[0]).isEqualTo(44);
        assertThat(offerA(rb, start, 200)).isEqualTo(300);
        assertThat(rb.rcvNxt()).isEqualTo(44);
        assertThat(readAll(rb)).isEqualTo(expected(start, A(300)));
        // and around again: ring and sequence space both wrap
        for (int i = 0; i < 20; i++) {
            int seq = rb.rcvNxt();
            assertThat(offerA(rb, seq + 100, 100)).isZero();
            assertThat(offerA(rb, seq, 100)).isEqualTo(200);
            assertThat(readAll(rb)).isEqualTo(expected(seq, A(200)));
        }
    }

    @Test void sackBlocksListTheMostRecentlyReceivedRangeFirst() {
        var rb = buffer(1024);
        offerA(rb, IRS + 10, 10);
        offerA(rb, IRS + 30, 10);
        offerA(rb, IRS + 50, 10);
        assertThat(sacks(rb, 4)).containsExactly("50-60", "30-40", "10-20");
        offerA(rb, IRS + 32, 3); // RFC 2018 §4: a duplicate inside a block makes it the first block
        assertThat(sacks(rb, 4)).containsExactly("30-40", "50-60", "10-20");
        offerA(rb, IRS + 20, 5);
        assertThat(sacks(rb, 4)).containsExactly("10-25", "30-40", "50-60");
        assertThat(sacks(rb, 2)).containsExactly("10-25", "30-40");
        assertThat(sacks(rb, 1)).containsExactly("10-25");
        assertThat(sacks(rb, 0)).isEmpty();
        offerA(rb, IRS, 10); // advances the ACK: that block disappears, the others keep their order
        assertThat(rb.rcvNxt()).isEqualTo(IRS + 25);
        assertThat(sacks(rb, 4)).containsExactly("30-40", "50-60");
        offerA(rb, IRS + 45, 5);
        assertThat(sacks(rb, 4)).containsExactly("45-60", "30-40");
    }

    @Test void sackBlocksFitTheCallersArrays() {
        var rb = buffer(1024);
        for (int i = 0; i < 6; i++) {
            offerA(rb, IRS + 10 + 20 * i, 10);
        }
        int[] l = new int[3], r = new int[3];
        assertThat(rb.sackBlocks(l, r, 4)).isEqualTo(3);
        assertThat(l).containsExactly(IRS + 110, IRS + 90, IRS + 70);
        assertThat(r).containsExactly(IRS + 120, IRS + 100, IRS + 80);
    }

    @Test void theNewestRangeBeyondTheBoundIsRefusedButInOrderDataAlwaysProgresses() {
        var rb = new ReceiveBuffer(1024, 2);
        rb.reset(IRS);
        offerA(rb, IRS + 10, 5);
        offerA(rb, IRS + 30, 5);
        assertThat(offerA(rb, IRS + 50, 5)).isZero();
        assertThat(sacks(rb, 4)).as("third range refused").containsExactly("30-35", "10-15");
        offerA(rb, IRS + 35, 5);
        assertThat(sacks(rb, 4)).as("extending a range is fine").containsExactly("30-40", "10-15");
        offerA(rb, IRS + 15, 15);
        assertThat(sacks(rb, 4)).as("bridging is fine").containsExactly("10-40");
        offerA(rb, IRS + 50, 5);
        offerA(rb, IRS + 70, 5);
        assertThat(offerA(rb, IRS, 3)).as("in order despite the bound").isEqualTo(3);
        assertThat(offerA(rb, IRS + 3, 7)).isEqualTo(37);
        assertThat(readAll(rb)).isEqualTo(expected(IRS, A(40)));
    }

    @Test void peekDoesNotConsumeAndReadIntoByteBufferAdvancesItsPosition() {
        var rb = buffer(64);
        offerA(rb, IRS, 40);
        byte[] p = new byte[10];
        assertThat(rb.peek(5, p, 0, 10)).isEqualTo(10);
        assertThat(p).isEqualTo(expected(IRS + 5, A(10)));
        ByteBuffer pb = ByteBuffer.allocate(100);
        assertThat(rb.peek(30, pb)).isEqualTo(10);
        assertThat(pb.position()).isEqualTo(10);
        assertThat(rb.readable()).isEqualTo(40);
        ByteBuffer dst = ByteBuffer.allocate(25);
        dst.position(5);
        assertThat(rb.read(dst)).isEqualTo(20);
        assertThat(dst.position()).isEqualTo(25);
        byte[] got = new byte[20];
        dst.get(5, got);
        assertThat(got).isEqualTo(expected(IRS, A(20)));
        assertThat(rb.readable()).isEqualTo(20);
        assertThatThrownBy(() -> rb.peek(21, p, 0, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> rb.consume(21)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> rb.consume(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test void offerLeavesTheSourcePositionAndLimitAlone() {
        var rb = buffer(64);
        ByteBuffer seg = segment(IRS, 10, false);
        seg.position(2).limit(14);
        rb.offer(IRS, seg, JUNK_BEFORE, 9);
        assertThat(seg.position()).isEqualTo(2);
        assertThat(seg.limit()).isEqualTo(14);
        assertThatThrownBy(() -> rb.offer(IRS, seg, JUNK_BEFORE, 10)).as("past the limit").isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test void resetForgetsEverything() {
        var rb = buffer(64);
        offerA(rb, IRS, 10);
        offerA(rb, IRS + 20, 10);
        rb.reset(7);
        assertThat(rb.readable()).isZero();
        assertThat(rb.hasOutOfOrder()).isFalse();
        assertThat(rb.rcvNxt()).isEqualTo(7);
        assertThat(rb.window()).isEqualTo(64);
    }

    @Test void anIdleBufferHoldsNoRingAndGrowsOnlyForBytesItStores() {
        var rb = buffer(1 << 20);
        assertThat(rb.allocatedBytes()).isZero();
        assertThat(rb.window()).isEqualTo(1 << 20);
        assertThat(rb.read(new byte[10], 0, 10)).isZero();
        assertThat(rb.peek(0, ByteBuffer.allocate(10))).isZero();
        assertThat(offerA(rb, IRS - 100, 100)).as("duplicate").isZero();
        assertThat(offerA(rb, IRS + (1 << 20), 100)).as("beyond the window").isZero();
        assertThat(rb.allocatedBytes()).isZero();
        assertThat(offerA(rb, IRS, 100)).isEqualTo(100);
        assertThat(rb.allocatedBytes()).isEqualTo(128);
        assertThat(offerA(rb, IRS + 1000, 100)).isZero();
        assertThat(rb.allocatedBytes()).as("holds [0, 1100)").isEqualTo(2048);
        assertThat(offerA(rb, IRS + 100, 900)).isEqualTo(1000);
        assertThat(readAll(rb)).isEqualTo(expected(IRS, A(1100)));
        assertThat(rb.allocatedBytes()).as("never shrinks").isEqualTo(2048);
        assertThat(rb.window()).isEqualTo(1 << 20);
    }

    @Test void aRefusedSegmentDoesNotGrowTheRing() {
        var rb = new ReceiveBuffer(1 << 20, 1);
        rb.reset(IRS);
        offerA(rb, IRS + 10, 10);
        assertThat(rb.allocatedBytes()).isEqualTo(32);
        assertThat(offerA(rb, IRS + 5000, 10)).as("a second range").isZero();
        assertThat(rb.allocatedBytes()).isEqualTo(32);
    }

    @Test void growthStopsAtTheCapacity() {
        var rb = buffer(1 << 16);
        for (int seq = IRS; rb.window() > 0; seq += 1460) {
            offerA(rb, seq, 1460);
            assertThat(rb.allocatedBytes()).isEqualTo(ceilPow2(rb.readable()));
        }
        assertThat(rb.allocatedBytes()).isEqualTo(1 << 16);
        assertThat(readAll(rb)).isEqualTo(expected(IRS, A(1 << 16)));
        var edge = buffer(1 << 16);
        assertThat(offerA(edge, IRS + (1 << 16) - 10, 100)).isZero();
        assertThat(edge.allocatedBytes()).as("the right edge needs the whole capacity").isEqualTo(1 << 16);
        var small = buffer(64);
        assertThat(offerA(small, IRS, 1000)).isEqualTo(64);
        assertThat(small.allocatedBytes()).isEqualTo(64);
    }

    @Test void rejectsCapacitiesThatAreNotPowersOfTwo() {
        assertThatThrownBy(() -> new ReceiveBuffer(1000)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ReceiveBuffer(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ReceiveBuffer(1 << 31)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ReceiveBuffer(64, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    /**
     * Floods the buffer with random segments of one stream (random offsets around the window,
     * random lengths, any order, duplicates and overlaps), with a small range bound, reading at
     * random: what comes out must be exactly the stream, and the capacity is never exceeded.
     */
    @Test void randomSegmentsReassembleExactlyTheStream() {
        for (long seed = 1; seed <= 20; seed++) {
            var random = new Random(seed);
            int capacity = 1 << (8 + random.nextInt(6));
            int maxRanges = 1 + random.nextInt(8);
            int base = seed % 2 == 0 ? random.nextInt() : -random.nextInt(100_000); // half of them wrap
            int total = 150_000;
            var rb = new ReceiveBuffer(capacity, maxRanges);
            rb.reset(base);
            int read = 0;
            byte[] chunk = new byte[capacity];
            while (read < total) {
                int inOrder = rb.rcvNxt() - base;
                if (random.nextInt(10) < 7) {
                    int from = inOrder + random.nextInt(rb.window() + 3000) - 1500;
                    if (random.nextInt(8) == 0) {
                        from = inOrder; // the peer retransmitting at the ACK point
                    }
                    int len = 1 + random.nextInt(1460);
                    from = Math.max(0, Math.min(from, total - 1));
                    len = Math.min(len, total - from);
                    int before = rb.rcvNxt();
                    int became = offerA(rb, base + from, len);
                    assertThat(rb.rcvNxt() - before).isEqualTo(became);
                } else {
                    int n = rb.read(chunk, 0, random.nextInt(capacity + 1));
                    for (int i = 0; i < n; i++) {
                        if (chunk[i] != a(base + read + i)) {
                            throw new AssertionError("seed " + seed + ": byte " + (read + i) + " differs");
                        }
                    }
                    read += n;
                }
                if (rb.readable() + rb.outOfOrderBytes() > capacity || rb.window() != capacity - rb.readable()
                        || rb.allocatedBytes() > capacity
                        || rb.outOfOrderRanges() > maxRanges || Seq.gt(rb.readSeq(), rb.rcvNxt())) {
                    throw new AssertionError("seed " + seed + ": invariant broken");
                }
            }
            assertThat(read).isEqualTo(total);
        }
    }

    /**
     * Offers random segments whose bytes are random every time against a byte-level model of
     * "first received wins": every byte, the in-order count, the out-of-order ranges, the SACK
     * order and the ring's size must match the model exactly. Segments land ever further ahead,
     * so the ring wraps many times while small and then grows with wrapped contents.
     */
    @Test void matchesAByteLevelModelOfFirstReceivedWins() {
        int wrappedGrowths = 0;
        for (long seed = 100; seed < 110; seed++) {
            var random = new Random(seed);
            int capacity = 512;
            int total = 40_000;
            int base = 0xFFFF_0000 + random.nextInt(0x10000); // wraps within the run
            var rb = new ReceiveBuffer(capacity, capacity);
            rb.reset(base);
            byte[] model = new byte[total];
            boolean[] have = new boolean[total];
            long[] stamp = new long[total];
            int modelNxt = 0, modelRead = 0;
            int modelEnd = 0, widest = 0; // end of the bytes held; most bytes ever spanned from modelRead
            long clock = 0;
            byte[] out = new byte[capacity];
            while (modelRead < total) {
                int reach = Math.min(capacity, 8 << modelRead / 4000);
                if (random.nextInt(10) < 7) {
                    int from = Math.max(0, modelNxt - reach / 4 + random.nextInt(reach + reach / 4 + 1));
                    if (from >= total) {
                        continue;
                    }
                    int len = Math.min(1 + random.nextInt(Math.min(100, reach)), total - from);
                    byte[] bytes = new byte[len];
                    random.nextBytes(bytes);
                    int ring = rb.allocatedBytes();
                    boolean wrapped = ring > 0 && ((base + modelRead) & (ring - 1)) + (modelEnd - modelRead) > ring;
                    int became = rb.offer(base + from, ByteBuffer.wrap(bytes), 0, len);
                    if (rb.allocatedBytes() > ring && wrapped) {
                        wrappedGrowths++;
                    }
                    int lo = Math.max(from, modelNxt), hi = Math.min(from + len, modelRead + capacity);
                    if (lo < hi) {
                        modelEnd = Math.max(modelEnd, hi);
                        widest = Math.max(widest, modelEnd - modelRead);
                    }
                    boolean outOfOrder = lo > modelNxt;
                    clock++;
                    for (int i = lo; i < hi; i++) {
                        if (!have[i]) {
                            have[i] = true;
                            model[i] = bytes[i - from];
                        }
                        if (outOfOrder) {
                            stamp[i] = clock;
                        }
                    }
                    int before = modelNxt;
                    while (modelNxt < total && modelNxt < modelRead + capacity && have[modelNxt]) {
                        modelNxt++;
                    }
                    assertThat(became).isEqualTo(modelNxt - before);
                } else {
                    int n = rb.read(out, 0, random.nextInt(capacity));
                    assertThat(Arrays.copyOf(out, n)).isEqualTo(Arrays.copyOfRange(model, modelRead, modelRead + n));
                    modelRead += n;
                }
                assertThat(rb.rcvNxt()).isEqualTo(base + modelNxt);
                assertThat(rb.readable()).isEqualTo(modelNxt - modelRead);
                assertThat(rb.allocatedBytes()).isEqualTo(ceilPow2(widest));
                assertThat(sacks(rb, base, 64)).isEqualTo(modelRanges(have, stamp, modelNxt, Math.min(total, modelRead + capacity)));
            }
        }
        assertThat(wrappedGrowths).as("growths with the held bytes wrapping round the ring").isGreaterThan(10);
    }

    /** The least power of two of at least {@code n}, 0 for 0: the ring that holds {@code n} bytes. */
    static int ceilPow2(int n) {
        return n == 0 ? 0 : Integer.highestOneBit(2 * n - 1);
    }

    static List<String> sacks(ReceiveBuffer rb, int base, int max) {
        int[] l = new int[max], r = new int[max];
        int n = rb.sackBlocks(l, r, max);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add((l[i] - base) + "-" + (r[i] - base));
        }
        return out;
    }

    /** Maximal runs of held bytes in [from, to), most recently touched first. */
    static List<String> modelRanges(boolean[] have, long[] stamp, int from, int to) {
        List<long[]> runs = new ArrayList<>();
        for (int i = from; i < to; ) {
            if (!have[i]) {
                i++;
                continue;
            }
            int start = i;
            long newest = 0;
            while (i < to && have[i]) {
                newest = Math.max(newest, stamp[i]);
                i++;
            }
            runs.add(new long[] {start, i, newest});
        }
        runs.sort((x, y) -> Long.compare(y[2], x[2]));
        List<String> out = new ArrayList<>();
        for (int k = 0; k < Math.min(64, runs.size()); k++) {
            out.add(runs.get(k)[0] + "-" + runs.get(k)[1]);
        }
        return out;
    }

    @Test void offerReadAndSackDoNotAllocate() {
        var rb = buffer(1 << 16);
        ByteBuffer src = segment(0, 1460, false);
        byte[] dst = new byte[4096];
        ByteBuffer dstBuffer = ByteBuffer.allocate(4096);
        int[] l = new int[4], r = new int[4];
        long[] sink = new long[1];
        long allocated = Allocations.steadyState(() -> {
            for (int i = 0; i < 100_000; i++) {
                int next = rb.rcvNxt();
                sink[0] += rb.offer(next + 1460, src, JUNK_BEFORE, 1460);
                sink[0] += rb.sackBlocks(l, r, 4);
                sink[0] += rb.offer(next, src, JUNK_BEFORE, 1460);
                if ((i & 1) == 0) {
                    sink[0] += rb.read(dst, 0, dst.length);
                } else {
                    dstBuffer.clear();
                    sink[0] += rb.read(dstBuffer);
                }
            }
        });
        assertThat(allocated).as("bytes allocated by 100k offer/sack/read rounds").isLessThan(1024);
        assertThat(sink[0]).isNotZero();
    }
}
