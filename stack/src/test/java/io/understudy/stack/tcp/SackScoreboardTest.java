package io.understudy.stack.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.understudy.stack.tcp.SackScoreboard.NextSeg;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SackScoreboardTest {
    private static final int MSS = 1000;

    private final SackScoreboard board = new SackScoreboard();

    /** Feeds one ACK's blocks, given as left, right, left, right, ... */
    private static int sack(SackScoreboard board, int sndUna, int sndNxt, int... edges) {
        int n = edges.length / 2;
        int[] left = new int[n];
        int[] right = new int[n];
        for (int i = 0; i < n; i++) {
            left[i] = edges[2 * i];
            right[i] = edges[2 * i + 1];
        }
        return board.update(sndUna, sndNxt, left, right, n);
    }

    private int sack(int sndUna, int sndNxt, int... edges) {
        return sack(board, sndUna, sndNxt, edges);
    }

    private static List<String> ranges(SackScoreboard board) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < board.rangeCount(); i++) {
            out.add(range(board.rangeLeft(i), board.rangeRight(i)));
        }
        return out;
    }

    private static String range(int left, int right) {
        return "[" + Integer.toUnsignedString(left) + ", " + Integer.toUnsignedString(right) + ")";
    }

    /** Segment i of a flight of MSS-sized segments starting at 0. */
    private static int seg(int i) {
        return i * MSS;
    }

    /** Ten segments sent; segments 2, 3, 5, 7 and 8 SACKed. */
    private void tenSegmentsWithSacksFor23578() {
        sack(0, seg(10), seg(2), seg(4), seg(5), seg(6), seg(7), seg(9));
    }

    @Test
    void mergesOverlappingAndAdjacentBlocks() {
        assertThat(sack(1000, 10_000, 2000, 3000)).isEqualTo(1000);
        assertThat(sack(1000, 10_000, 3000, 4000)).as("adjacent").isEqualTo(1000);
        assertThat(ranges(board)).containsExactly(range(2000, 4000));
        assertThat(sack(1000, 10_000, 5000, 6000)).isEqualTo(1000);
        assertThat(ranges(board)).containsExactly(range(2000, 4000), range(5000, 6000));
        assertThat(sack(1000, 10_000, 3500, 5500)).as("only 4000-5000 is new").isEqualTo(1000);
        assertThat(ranges(board)).containsExactly(range(2000, 6000));
        assertThat(sack(1000, 10_000, 2500, 3500)).as("nothing new").isZero();
        assertThat(board.sackedBytes()).isEqualTo(4000);
        assertThat(board.highestSacked()).isEqualTo(6000);
    }

    @Test
    void blocksArrivingOutOfOrderInOneAckAreSorted() {
        sack(0, 10_000, 7000, 8000, 1000, 2000, 4000, 5000);
        assertThat(ranges(board)).containsExactly(range(1000, 2000), range(4000, 5000), range(7000, 8000));
        assertThat(board.holes()).isEqualTo(3);
    }

    @Test
    void ignoresBlocksOutsideTheSendWindow() {
        assertThat(sack(1000, 10_000, 500, 1000)).as("below sndUna").isZero();
        assertThat(board.lastUpdateHadDsack()).isTrue();
        assertThat(sack(1000, 10_000, 9000, 11_000)).as("beyond sndNxt").isZero();
        assertThat(sack(1000, 10_000, 3000, 2000)).as("reversed").isZero();
        assertThat(sack(1000, 10_000, 3000, 3000)).as("empty").isZero();
        assertThat(board.isEmpty()).isTrue();
        assertThat(board.lastUpdateHadDsack()).isFalse();
        assertThat(sack(1000, 10_000, 800, 1500)).as("straddling sndUna keeps the part above").isEqualTo(500);
        assertThat(ranges(board)).containsExactly(range(1000, 1500));
    }

    @Test
    void reportsADsackInsideTheSecondBlock() {
        sack(0, 10_000, 2000, 3000);
        assertThat(sack(0, 10_000, 2200, 2500, 2000, 3000)).isZero();
        assertThat(board.lastUpdateHadDsack()).isTrue();
        assertThat(board.dsacks()).isEqualTo(1);
        assertThat(ranges(board)).containsExactly(range(2000, 3000));
    }

    @Test
    void prunesAsTheCumulativeAckAdvances() {
        sack(0, 10_000, 2000, 3000, 4000, 5000);
        board.onCumulativeAck(2500);
        assertThat(ranges(board)).containsExactly(range(2500, 3000), range(4000, 5000));
        assertThat(board.sackedBytes()).isEqualTo(1500);
        board.onCumulativeAck(3000);
        assertThat(ranges(board)).containsExactly(range(4000, 5000));
        assertThat(board.holes()).isEqualTo(1);
        board.onCumulativeAck(2000);
        assertThat(ranges(board)).as("an older ACK changes nothing").containsExactly(range(4000, 5000));
        board.onCumulativeAck(6000);
        assertThat(board.isEmpty()).isTrue();
        assertThat(board.sackedBytes()).isZero();
        assertThat(board.highestSacked()).isEqualTo(6000);
    }

    @Test
    void handlesSequenceWrapAround() {
        int una = 0xFFFF_FF00;
        int nxt = una + 1000;
        // 100-byte segments; the block una+200..una+400 spans the wrap at 2^32.
        assertThat(sack(una, nxt, una + 500, una + 600, una + 200, una + 400)).isEqualTo(300);
        assertThat(ranges(board)).containsExactly(range(una + 200, una + 400), range(una + 500, una + 600));
        assertThat(board.rangeRight(0)).isEqualTo(0x90);
        assertThat(board.highestSacked()).isEqualTo(una + 600);
        sack(una, nxt, una + 400, una + 500);
        assertThat(ranges(board)).containsExactly(range(una + 200, una + 600));
        // 400 SACKed bytes > 2 * 100 above una: lost.
        assertThat(board.isLost(una, 100)).isTrue();
        assertThat(board.isLost(una + 600, 100)).isFalse();
        // Un-SACKed and not lost: una+600..una+1000.
        assertThat(board.pipe(una, nxt, una, 100)).isEqualTo(400);
        board.onCumulativeAck(una + 300);
        assertThat(ranges(board)).containsExactly(range(una + 300, una + 600));
        assertThat(board.sackedBytes()).isEqualTo(300);
        assertThat(sack(una + 300, nxt, una + 700, una + 800)).isEqualTo(100);
        assertThat(ranges(board)).containsExactly(range(una + 300, una + 600), range(una + 700, una + 800));
    }

    @Test
    void isLostAfterDupThreshDiscontiguousRanges() {
        // Three 100-byte SACKed ranges above 0: 300 bytes, fewer than 2 SMSS, but three ranges.
        sack(0, 10_000, 1000, 1100, 2000, 2100, 3000, 3100);
        assertThat(board.isLost(0, MSS)).isTrue();
        assertThat(board.isLost(1100, MSS)).as("two ranges above").isFalse();
        assertThat(board.isLost(1050, MSS)).as("a SACKed octet is never lost").isFalse();
    }

    @Test
    void isLostAfterMoreThanDupThreshMinusOneSegmentsOfSackedBytes() {
        sack(0, 10_000, 1000, 3000);
        assertThat(board.isLost(0, MSS)).as("exactly 2 SMSS above").isFalse();
        sack(0, 10_000, 3000, 3001);
        assertThat(board.isLost(0, MSS)).as("2 SMSS + 1 above").isTrue();
    }

    @Test
    void classifiesTheHolesOfTenSegmentsWithFiveSacked() {
        tenSegmentsWithSacksFor23578();
        // IsLost by hand (RFC 6675 §4): segments 0 and 1 have 3 ranges above; segment 4 has 2 ranges
        // but 3 SMSS above; segment 6 has 1 range of 2 SMSS; segment 9 has nothing above.
        assertThat(board.isLost(seg(0), MSS)).isTrue();
        assertThat(board.isLost(seg(1), MSS)).isTrue();
        assertThat(board.isLost(seg(4), MSS)).isTrue();
        assertThat(board.isLost(seg(6), MSS)).isFalse();
        assertThat(board.isLost(seg(9), MSS)).isFalse();
        assertThat(board.holes()).isEqualTo(3);
        assertThat(board.sackedBytes()).isEqualTo(5 * MSS);
        assertThat(board.highestSacked()).isEqualTo(seg(9));
    }

    @Test
    void pipeCountsUnlostAndRetransmittedOctets() {
        tenSegmentsWithSacksFor23578();
        // SetPipe: not lost and un-SACKed: segments 6 and 9.
        assertThat(board.pipe(0, seg(10), 0, MSS)).isEqualTo(2 * MSS);
        // Segment 0 retransmitted (HighRxt inside it): it counts once more.
        assertThat(board.pipe(0, seg(10), seg(1), MSS)).isEqualTo(3 * MSS);
        // Segments 0, 1 and 4 retransmitted.
        assertThat(board.pipe(0, seg(10), seg(5), MSS)).isEqualTo(5 * MSS);
        // Segment 6 retransmitted too: it is both not lost and retransmitted, so it counts twice
        // (0, 1, 4 once; 6 twice; 9 once).
        assertThat(board.pipe(0, seg(10), seg(7), MSS)).isEqualTo(6 * MSS);
    }

    @Test
    void pipeWithoutSacksIsTheFlightSize() {
        assertThat(board.pipe(0, 5000, 0, MSS)).isEqualTo(5000);
        assertThat(board.pipe(0, 0, 0, MSS)).isZero();
    }

    @Test
    void nextSegOffersLostHolesInOrderThenNewDataOrUnsackedThenRescue() {
        tenSegmentsWithSacksFor23578();
        int highRxt = 0;
        int rescueRxt = seg(1); // RFC 6675 §5 step 4.3 after retransmitting segment 0.

        assertThat(board.nextSeg(0, seg(10), highRxt, rescueRxt, MSS, true)).isEqualTo(NextSeg.LOST);
        assertThat(board.nextSeq()).isEqualTo(seg(0));
        assertThat(board.nextLength()).isEqualTo(MSS);
        highRxt = board.nextSeq() + board.nextLength();

        assertThat(board.nextSeg(0, seg(10), highRxt, rescueRxt, MSS, true)).isEqualTo(NextSeg.LOST);
        assertThat(board.nextSeq()).isEqualTo(seg(1));
        highRxt = board.nextSeq() + board.nextLength();

        assertThat(board.nextSeg(0, seg(10), highRxt, rescueRxt, MSS, false)).isEqualTo(NextSeg.LOST);
        assertThat(board.nextSeq()).isEqualTo(seg(4));
        highRxt = board.nextSeq() + board.nextLength();

        // Nothing lost above HighRxt: new data if the caller has some.
        assertThat(board.nextSeg(0, seg(10), highRxt, rescueRxt, MSS, true)).isEqualTo(NextSeg.NEW_DATA);
        assertThat(board.nextSeq()).isEqualTo(seg(10));
        // Otherwise rule 3: segment 6, un-SACKed but not lost.
        assertThat(board.nextSeg(0, seg(10), highRxt, rescueRxt, MSS, false)).isEqualTo(NextSeg.UNSACKED);
        assertThat(board.nextSeq()).isEqualTo(seg(6));
        assertThat(board.nextLength()).isEqualTo(MSS);
        highRxt = board.nextSeq() + board.nextLength();

        // Segment 9 lies above the highest SACK: not rule 3. Rule 4 needs sndUna past RescueRxt.
        assertThat(board.nextSeg(0, seg(10), highRxt, rescueRxt, MSS, false)).isEqualTo(NextSeg.NONE);
        assertThat(board.nextLength()).isZero();

        // A partial ACK up to segment 2: the rescue covers the highest un-SACKed octet.
        assertThat(board.nextSeg(seg(2), seg(10), highRxt, rescueRxt, MSS, false)).isEqualTo(NextSeg.RESCUE);
        assertThat(board.nextSeq()).isEqualTo(seg(9));
        assertThat(board.nextLength()).isEqualTo(MSS);
        rescueRxt = seg(10); // The TCB sets RescueRxt = RecoveryPoint.
        assertThat(board.nextSeg(seg(2), seg(10), highRxt, rescueRxt, MSS, false)).isEqualTo(NextSeg.NONE);
    }

    @Test
    void nextSegNeverReoffersRetransmittedHoles() {
        tenSegmentsWithSacksFor23578();
        // HighRxt in the middle of segment 1: only its rest is offered.
        assertThat(board.nextSeg(0, seg(10), seg(1) + 400, seg(1), MSS, false)).isEqualTo(NextSeg.LOST);
        assertThat(board.nextSeq()).isEqualTo(seg(1) + 400);
        assertThat(board.nextLength()).as("stops at the SACKed segment 2").isEqualTo(600);
    }

    @Test
    void rescueWithNothingAboveTheHighestSackTakesTheTopHole() {
        sack(0, seg(6), seg(2), seg(3), seg(4), seg(6));
        // Holes: 0-1, 3. The highest un-SACKed octet is in segment 3.
        assertThat(board.nextSeg(seg(1), seg(6), seg(6), 0, MSS, false)).isEqualTo(NextSeg.RESCUE);
        assertThat(board.nextSeq()).isEqualTo(seg(3));
        assertThat(board.nextLength()).isEqualTo(MSS);
    }

    @Test
    void keepsTheHighestRangesWhenFull() {
        var small = new SackScoreboard(4);
        for (int i = 1; i <= 5; i++) {
            sack(small, 0, 100_000, i * 2000, i * 2000 + 1000);
        }
        assertThat(small.evictions()).isEqualTo(1);
        assertThat(ranges(small)).containsExactly(
                range(4000, 5000), range(6000, 7000), range(8000, 9000), range(10_000, 11_000));
        assertThat(small.sackedBytes()).isEqualTo(4000);
        assertThat(sack(small, 0, 100_000, 1000, 1500)).as("a new lowest range is the one dropped").isZero();
        assertThat(small.evictions()).isEqualTo(2);
        assertThat(sack(small, 0, 100_000, 5000, 6000)).as("merging needs no new slot").isEqualTo(1000);
        assertThat(small.evictions()).isEqualTo(2);
        assertThat(ranges(small)).containsExactly(range(4000, 7000), range(8000, 9000), range(10_000, 11_000));
        assertThat(small.highestSacked()).isEqualTo(11_000);
    }

    @Test
    void clearForgetsEverySack() {
        tenSegmentsWithSacksFor23578();
        board.clear();
        assertThat(board.isEmpty()).isTrue();
        assertThat(board.sackedBytes()).isZero();
        assertThat(board.holes()).isZero();
        assertThat(board.pipe(0, seg(10), 0, MSS)).isEqualTo(seg(10));
    }

    @Test
    void updatingAllocatesNothing() {
        int[] left = new int[4];
        int[] right = new int[4];
        int[] una = {0xFFFF_0000};
        long bytes = Allocations.steadyState(() -> {
            for (int i = 0; i < 100_000; i++) {
                int base = una[0];
                int nxt = base + 40 * MSS;
                for (int b = 0; b < 4; b++) {
                    int start = base + ((i * 7 + b * 9) % 36 + 1) * MSS;
                    left[b] = start;
                    right[b] = start + (1 + (i + b) % 3) * MSS;
                }
                board.update(base, nxt, left, right, 4);
                board.pipe(base, nxt, base + MSS, MSS);
                board.nextSeg(base, nxt, base + MSS, base, MSS, false);
                if (i % 5 == 0) {
                    una[0] = base + 3 * MSS;
                    board.onCumulativeAck(una[0]);
                }
            }
        });
        assertThat(bytes).isLessThan(1024);
    }
}
