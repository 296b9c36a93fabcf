package io.understudy.stack.tcp.cc;

import static org.assertj.core.api.Assertions.assertThat;

import io.understudy.stack.tcp.Allocations;
import org.junit.jupiter.api.Test;

class NewRenoTest {
    private static final int MSS = 1000;
    private static final long MS = 1_000_000L;
    private static final long RTO = 1_000 * MS;

    private final NewReno cc = new NewReno();

    /** A fresh connection with cwnd grown to {@code ssthresh} bytes and in congestion avoidance. */
    private NewReno inCongestionAvoidanceAt(int ssthresh) {
        cc.init(0, MSS);
        cc.onEnterRecovery(0, 2 * ssthresh, true);
        cc.onExitRecovery(0);
        assertThat(cc.cwnd()).isEqualTo(ssthresh);
        assertThat(cc.inSlowStart()).isFalse();
        return cc;
    }

    @Test
    void initialWindowIsIw10() {
        assertThat(CongestionControl.initialWindow(1460)).isEqualTo(14_600);
        assertThat(CongestionControl.initialWindow(536)).isEqualTo(5_360);
        assertThat(CongestionControl.initialWindow(9000)).isEqualTo(18_000);
        cc.init(0, 1460);
        assertThat(cc.cwnd()).isEqualTo(14_600);
        assertThat(cc.ssthresh()).isEqualTo(CongestionControl.INFINITE_SSTHRESH);
        assertThat(cc.inSlowStart()).isTrue();
        cc.init(0, 536);
        assertThat(cc.cwnd()).isEqualTo(5_360);
    }

    @Test
    void initialWindowIsOneSegmentAfterSynLoss() {
        cc.initAfterSynLoss(0, 1460);
        assertThat(cc.cwnd()).isEqualTo(1460);
    }

    @Test
    void slowStartGrowsByTheBytesAckedUpToTwoSegmentsPerAck() {
        cc.init(0, MSS);
        assertThat(cc.cwnd()).isEqualTo(10_000);
        cc.onAck(1, 1000, cc.cwnd(), -1);
        assertThat(cc.cwnd()).isEqualTo(11_000);
        cc.onAck(2, 500, cc.cwnd(), -1);
        assertThat(cc.cwnd()).isEqualTo(11_500);
        cc.onAck(3, 3000, cc.cwnd(), -1);
        assertThat(cc.cwnd()).as("RFC 3465 L = 2 SMSS").isEqualTo(13_500);
    }

    @Test
    void slowStartDoublesPerRoundTrip() {
        cc.init(0, MSS);
        for (int rtt = 0; rtt < 3; rtt++) {
            int acks = cc.cwnd() / MSS;
            for (int i = 0; i < acks; i++) {
                cc.onAck(rtt, MSS, cc.cwnd(), -1);
            }
        }
        assertThat(cc.cwnd()).isEqualTo(80_000);
    }

    @Test
    void slowStartStopsAtSsthreshAndTheRestCountsAsAvoidance() {
        inCongestionAvoidanceAt(30_000);
        cc.onIdleRestart(0, 2 * RTO, RTO);
        assertThat(cc.cwnd()).isEqualTo(10_000);
        for (int i = 0; i < 9; i++) {
            cc.onAck(i, 2000, cc.cwnd(), -1);
        }
        cc.onAck(9, 1500, cc.cwnd(), -1);
        assertThat(cc.cwnd()).isEqualTo(29_500);
        cc.onAck(10, 2000, cc.cwnd(), -1);
        assertThat(cc.cwnd()).as("capped at ssthresh").isEqualTo(30_000);
        assertThat(cc.inSlowStart()).isFalse();
        // The 1500 bytes left over started bytes_acked: 28 more segments leave it at 29500 < cwnd.
        for (int i = 0; i < 28; i++) {
            cc.onAck(11 + i, MSS, cc.cwnd(), -1);
        }
        assertThat(cc.cwnd()).isEqualTo(30_000);
        cc.onAck(40, MSS, cc.cwnd(), -1);
        assertThat(cc.cwnd()).isEqualTo(31_000);
    }

    @Test
    void congestionAvoidanceAddsOneSegmentPerWindowOfAcks() {
        inCongestionAvoidanceAt(20_000);
        for (int i = 0; i < 19; i++) {
            cc.onAck(i, MSS, cc.cwnd(), -1);
        }
        assertThat(cc.cwnd()).isEqualTo(20_000);
        cc.onAck(19, MSS, cc.cwnd(), -1);
        assertThat(cc.cwnd()).isEqualTo(21_000);
        for (int rtt = 0; rtt < 10; rtt++) {
            int acks = cc.cwnd() / MSS;
            for (int i = 0; i < acks; i++) {
                cc.onAck(rtt, MSS, cc.cwnd(), -1);
            }
        }
        assertThat(cc.cwnd()).isEqualTo(31_000);
    }

    @Test
    void doesNotGrowWhileApplicationLimited() {
        cc.init(0, MSS);
        cc.onAck(0, MSS, 3 * MSS, -1);
        assertThat(cc.cwnd()).as("slow start: 3 segments in flight of 10").isEqualTo(10_000);
        cc.onAck(0, MSS, 5 * MSS, -1);
        assertThat(cc.cwnd()).as("half the window in flight").isEqualTo(11_000);

        inCongestionAvoidanceAt(20_000);
        for (int i = 0; i < 100; i++) {
            cc.onAck(i, MSS, 18_000, -1);
        }
        assertThat(cc.cwnd()).as("congestion avoidance with 2 SMSS unused").isEqualTo(20_000);
        for (int i = 0; i < 20; i++) {
            cc.onAck(i, MSS, 19_500, -1);
        }
        assertThat(cc.cwnd()).as("less than one SMSS unused counts as limited").isEqualTo(21_000);
    }

    @Test
    void enteringRecoveryHalvesTheFlightSize() {
        cc.init(0, MSS);
        cc.onEnterRecovery(0, 30_000, true);
        assertThat(cc.inRecovery()).isTrue();
        assertThat(cc.ssthresh()).isEqualTo(15_000);
        assertThat(cc.cwnd()).as("SACK recovery: cwnd = ssthresh").isEqualTo(15_000);

        cc.init(0, MSS);
        cc.onEnterRecovery(0, 30_000, false);
        assertThat(cc.cwnd()).as("without SACK: ssthresh + 3 SMSS").isEqualTo(18_000);

        cc.init(0, MSS);
        cc.onEnterRecovery(0, 3000, true);
        assertThat(cc.ssthresh()).as("at least 2 SMSS").isEqualTo(2000);
    }

    @Test
    void duplicateAcksInflateAndPartialAcksDeflateWithoutSack() {
        cc.init(0, MSS);
        cc.onEnterRecovery(0, 30_000, false);
        cc.onDupAckInRecovery(1);
        cc.onDupAckInRecovery(2);
        assertThat(cc.cwnd()).isEqualTo(20_000);
        cc.onPartialAck(3, 3000);
        assertThat(cc.cwnd()).as("deflate by 3000, add back 1 SMSS").isEqualTo(18_000);
        cc.onPartialAck(4, 500);
        assertThat(cc.cwnd()).as("less than 1 SMSS acked: nothing added back").isEqualTo(17_500);
        cc.onAck(5, 5000, 20_000, -1);
        assertThat(cc.cwnd()).as("onAck is ignored in recovery").isEqualTo(17_500);
        cc.onExitRecovery(6);
        assertThat(cc.inRecovery()).isFalse();
        assertThat(cc.cwnd()).isEqualTo(15_000);
        assertThat(cc.ssthresh()).isEqualTo(15_000);
    }

    @Test
    void sackRecoveryKeepsCwndAtSsthresh() {
        cc.init(0, MSS);
        cc.onEnterRecovery(0, 30_000, true);
        cc.onDupAckInRecovery(1);
        cc.onPartialAck(2, 3000);
        assertThat(cc.cwnd()).isEqualTo(15_000);
        cc.onExitRecovery(3);
        assertThat(cc.cwnd()).isEqualTo(15_000);
    }

    @Test
    void partialAckNeverDeflatesBelowOneSegment() {
        cc.init(0, MSS);
        cc.onEnterRecovery(0, 4000, false);
        cc.onPartialAck(1, 100_000);
        assertThat(cc.cwnd()).isEqualTo(MSS);
    }

    @Test
    void retransmitTimeoutSetsTheLossWindowAndHalvesFlight() {
        cc.init(0, MSS);
        cc.onRetransmitTimeout(RTO, 30_000);
        assertThat(cc.cwnd()).isEqualTo(MSS);
        assertThat(cc.ssthresh()).isEqualTo(15_000);
        cc.onRetransmitTimeout(3 * RTO, MSS);
        assertThat(cc.ssthresh()).as("a repeated timeout keeps ssthresh").isEqualTo(15_000);
        cc.onAck(4 * RTO, MSS, MSS, -1);
        cc.onRetransmitTimeout(5 * RTO, 3000);
        assertThat(cc.ssthresh()).as("after new data was acked, a timeout is a new event").isEqualTo(2000);
    }

    @Test
    void timeoutDuringRecoveryEndsItAndDoesNotCountTheInflation() {
        cc.init(0, MSS);
        cc.onEnterRecovery(0, 30_000, false);
        cc.onRetransmitTimeout(RTO, 30_000);
        assertThat(cc.inRecovery()).isFalse();
        assertThat(cc.cwnd()).isEqualTo(MSS);
        assertThat(cc.ssthresh()).isEqualTo(15_000);
    }

    @Test
    void slowStartAfterATimeoutCountsOneSegmentPerAck() {
        cc.init(0, MSS);
        cc.onRetransmitTimeout(RTO, 30_000);
        cc.onAck(RTO + 1, 3000, MSS, -1);
        assertThat(cc.cwnd()).as("RFC 3465 §2.3: L = 1 SMSS").isEqualTo(2000);
    }

    @Test
    void idleLongerThanTheRtoRestartsFromTheInitialWindow() {
        inCongestionAvoidanceAt(30_000);
        cc.onIdleRestart(0, RTO, RTO);
        assertThat(cc.cwnd()).as("idle exactly one RTO").isEqualTo(30_000);
        cc.onIdleRestart(0, RTO + 1, RTO);
        assertThat(cc.cwnd()).isEqualTo(10_000);
        assertThat(cc.ssthresh()).isEqualTo(30_000);
        assertThat(cc.inSlowStart()).isTrue();

        cc.onRetransmitTimeout(0, 10_000);
        cc.onIdleRestart(0, 10 * RTO, RTO);
        assertThat(cc.cwnd()).as("already below the initial window").isEqualTo(MSS);
    }

    @Test
    void mssChangeKeepsBytesAndFloors() {
        cc.init(0, MSS);
        cc.onRetransmitTimeout(0, 1000);
        cc.onMssChange(1400);
        assertThat(cc.mss()).isEqualTo(1400);
        assertThat(cc.cwnd()).isEqualTo(1400);
        assertThat(cc.ssthresh()).isEqualTo(2800);
    }

    @Test
    void ackProcessingAllocatesNothing() {
        cc.init(0, MSS);
        long bytes = Allocations.steadyState(() -> {
            for (int i = 0; i < 100_000; i++) {
                cc.onAck(i, MSS, cc.cwnd(), 10 * MS);
                if (i % 1000 == 999) {
                    cc.onEnterRecovery(i, cc.cwnd(), (i & 1) == 0);
                    cc.onDupAckInRecovery(i);
                    cc.onPartialAck(i, MSS);
                    cc.onExitRecovery(i);
                }
            }
        });
        assertThat(bytes).isLessThan(1024);
    }
}
