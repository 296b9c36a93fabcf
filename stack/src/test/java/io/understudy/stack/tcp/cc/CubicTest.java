package io.understudy.stack.tcp.cc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.understudy.stack.tcp.Allocations;
import org.junit.jupiter.api.Test;

class CubicTest {
    private static final int MSS = 1000;
    private static final long MS = 1_000_000L;
    private static final double SECONDS = 1e9;

    private final Cubic cc = new Cubic();
    private long now;

    /** Slow start from IW until cwnd is {@code segments} segments. */
    private void growTo(int segments) {
        growTo(cc, segments);
    }

    private void growTo(Cubic cubic, int segments) {
        cubic.init(now, MSS);
        while (cubic.cwnd() < segments * MSS) {
            cubic.onAck(now, MSS, cubic.cwnd(), -1);
        }
        assertThat(cubic.cwnd()).isEqualTo(segments * MSS);
    }

    /** A loss with cwnd in flight, SACK recovery, and its end. */
    private void lossAndRecovery() {
        cc.onEnterRecovery(now, cc.cwnd(), true);
        cc.onExitRecovery(now);
    }

    /** One round trip of a cwnd-limited sender: one ACK per segment, spread evenly over the RTT. */
    private void roundTrip(long rtt) {
        int acks = cc.cwnd() / MSS;
        for (int i = 0; i < acks; i++) {
            cc.onAck(now + i * rtt / acks, MSS, cc.cwnd(), rtt);
        }
        now += rtt;
    }

    @Test
    void lossReducesByBetaAndRemembersWmax() {
        growTo(100);
        cc.onEnterRecovery(now, 100_000, true);
        assertThat(cc.ssthresh()).isEqualTo(70_000);
        assertThat(cc.cwnd()).isEqualTo(70_000);
        assertThat(cc.wMax()).isEqualTo(100_000);
        assertThat(cc.cwndPrior()).isEqualTo(100_000);
        cc.onExitRecovery(now);
        assertThat(cc.cwnd()).isEqualTo(70_000);
    }

    @Test
    void ssthreshUsesFlightSizeWithATwoSegmentFloor() {
        growTo(100);
        cc.onEnterRecovery(now, 50_000, true);
        assertThat(cc.ssthresh()).isEqualTo(35_000);
        cc.init(now, MSS);
        cc.onEnterRecovery(now, 2000, true);
        assertThat(cc.ssthresh()).isEqualTo(2 * MSS);
    }

    @Test
    void windowFollowsTheCubicCurveAndReachesWmaxAtK() {
        growTo(100);
        lossAndRecovery();
        long rtt = 100 * MS;
        long epoch = now;
        roundTrip(rtt); // its first ACK starts the epoch
        // K = cbrt(W_max (1 - beta) / C) = cbrt(100 * 0.3 / 0.4) = cbrt(75) = 4.2172 s.
        assertThat(cc.k()).isCloseTo(4.2172, within(1e-4));
        double growthFirstSecond = 0;
        double growthLastSecondBeforeK = 0;
        int atOneSecond = 0;
        while (now - epoch < 5 * SECONDS) {
            int before = cc.cwnd();
            roundTrip(rtt);
            double t = (now - epoch) / SECONDS;
            double wCubic = 0.4 * Math.pow(t - cc.k(), 3) + 100; // segments
            assertThat(cc.cwnd() / (double) MSS).as("cwnd at t=%.1f s", t).isCloseTo(wCubic, within(0.5));
            if (t <= 1.0) {
                growthFirstSecond += cc.cwnd() - before;
                atOneSecond = cc.cwnd();
            } else if (t > cc.k() - 1 && t <= cc.k()) {
                growthLastSecondBeforeK += cc.cwnd() - before;
            }
            if (Math.abs(t - cc.k()) < 0.05) {
                assertThat(cc.cwnd()).as("W_max reached at t = K").isCloseTo(100_000, within(200));
            }
        }
        assertThat(atOneSecond).isCloseTo(86_680, within(500));
        assertThat(growthLastSecondBeforeK).as("concave: growth slows towards W_max").isLessThan(growthFirstSecond / 10);
        // Convex beyond K: the curve pulls away again.
        assertThat(cc.cwnd()).isGreaterThan(100_000);
    }

    @Test
    void renoFriendlyRegionGovernsShortRoundTrips() {
        growTo(20);
        lossAndRecovery();
        long rtt = 1 * MS;
        long epoch = now;
        // W_est starts at cwnd_epoch = 14 segments and grows alpha_cubic = 0.53 per RTT until it
        // reaches cwnd_prior = 20, then one segment per RTT; the cubic curve needs K = 2.47 s.
        for (int i = 0; i < 100; i++) {
            roundTrip(rtt);
        }
        int after100 = cc.cwnd();
        double t = (now - epoch) / SECONDS;
        assertThat(cc.wCubicAt(t)).isLessThan(16 * MSS);
        assertThat(after100).isGreaterThan(80 * MSS);
        assertThat((double) after100).isCloseTo(cc.wEst(), within((double) MSS));
        for (int i = 0; i < 100; i++) {
            roundTrip(rtt);
        }
        assertThat(cc.cwnd() - after100).as("one segment per RTT, like Reno").isCloseTo(100 * MSS, within(2 * MSS));
    }

    @Test
    void renoFriendlyIncreaseUsesAlphaCubicBelowCwndPrior() {
        growTo(20);
        lossAndRecovery();
        roundTrip(1 * MS);
        // One RTT acknowledges 14 segments of a 14-segment window: W_est += alpha_cubic.
        assertThat(cc.wEst()).isCloseTo(14 * MSS + Cubic.ALPHA_CUBIC * MSS, within(30.0));
        assertThat(Cubic.ALPHA_CUBIC).isCloseTo(0.5294, within(1e-4));
    }

    @Test
    void fastConvergenceLowersWmaxWhenLossComesEarly() {
        growTo(100);
        lossAndRecovery();
        assertThat(cc.wMax()).isEqualTo(100_000);
        long rtt = 100 * MS;
        while (cc.cwnd() < 80_000) {
            roundTrip(rtt);
        }
        int cwnd = cc.cwnd();
        cc.onEnterRecovery(now, cwnd, true);
        // W_max = cwnd (1 + beta) / 2 = 0.85 cwnd, below the previous W_max of 100 segments.
        assertThat(cc.wMax()).isCloseTo(cwnd * 0.85, within(1e-6));
        assertThat(cc.ssthresh()).isEqualTo((int) (cwnd * 0.7));

        var plain = new Cubic(false);
        growTo(plain, 100);
        plain.onEnterRecovery(now, 100_000, true);
        plain.onExitRecovery(now);
        assertThat(plain.cwnd()).isEqualTo(70_000);
        plain.onEnterRecovery(now, 70_000, true);
        assertThat(plain.wMax()).as("without fast convergence W_max is cwnd").isEqualTo(70_000);
    }

    @Test
    void wmaxIsCwndWhenLossComesAboveThePreviousWmax() {
        growTo(50);
        lossAndRecovery();
        assertThat(cc.wMax()).isEqualTo(50_000);
        while (cc.cwnd() < 60_000) {
            roundTrip(100 * MS);
        }
        int cwnd = cc.cwnd();
        cc.onEnterRecovery(now, cwnd, true);
        assertThat(cc.wMax()).isEqualTo(cwnd);
    }

    @Test
    void timeoutFollowsRenoForCwndAndBetaForSsthresh() {
        growTo(100);
        cc.onRetransmitTimeout(now, 100_000);
        assertThat(cc.cwnd()).isEqualTo(MSS);
        assertThat(cc.ssthresh()).isEqualTo(70_000);
        // Slow start back to ssthresh, then the first epoch after a timeout has K = 0 and
        // W_max = cwnd_epoch (RFC 9438 §4.8).
        long rtt = 100 * MS;
        while (cc.inSlowStart()) {
            roundTrip(rtt);
        }
        roundTrip(rtt);
        assertThat(cc.k()).isZero();
        assertThat(cc.wMax()).isEqualTo(70_000);
        assertThat(cc.wEst()).isGreaterThanOrEqualTo(70_000);
    }

    @Test
    void applicationLimitedTimeDoesNotAdvanceTheCurve() {
        growTo(100);
        lossAndRecovery();
        long rtt = 100 * MS;
        roundTrip(rtt);
        int cwnd = cc.cwnd();
        double wEst = cc.wEst();
        // Ten seconds of ACKs while only half the window is used: no growth.
        for (int i = 0; i < 100; i++) {
            cc.onAck(now, MSS, cc.cwnd() / 2, rtt);
            now += rtt;
        }
        assertThat(cc.cwnd()).isEqualTo(cwnd);
        assertThat(cc.wEst()).isEqualTo(wEst);
        // Back to cwnd-limited: the next round trip grows about as the second RTT of the epoch
        // would (t = 0.2 s; the gaps around the pause are attributed to it only up to one ACK
        // interval), not as t = 10.2 s, where W_cubic is far above W_max.
        roundTrip(rtt);
        assertThat(cc.cwnd() / (double) MSS).isCloseTo(0.4 * Math.pow(0.2 - cc.k(), 3) + 100, within(1.5));
        assertThat(cc.wCubicAt(10.2)).isGreaterThan(180_000);
    }

    @Test
    void idleRestartStartsANewEpoch() {
        growTo(100);
        lossAndRecovery();
        roundTrip(100 * MS);
        cc.onIdleRestart(now, 5 * SECONDS_LONG, 1 * SECONDS_LONG);
        assertThat(cc.cwnd()).isEqualTo(10_000);
        assertThat(cc.ssthresh()).isEqualTo(70_000);
        assertThat(cc.inSlowStart()).isTrue();
    }

    @Test
    void ackProcessingAllocatesNothing() {
        growTo(100);
        lossAndRecovery();
        long bytes = Allocations.steadyState(() -> {
            for (int i = 0; i < 100_000; i++) {
                now += MS / 10;
                cc.onAck(now, MSS, cc.cwnd(), 10 * MS);
                if (i % 1000 == 999) {
                    cc.onEnterRecovery(now, cc.cwnd(), false);
                    cc.onDupAckInRecovery(now);
                    cc.onPartialAck(now, MSS);
                    cc.onExitRecovery(now);
                }
            }
        });
        assertThat(bytes).isLessThan(1024);
    }

    private static final long SECONDS_LONG = 1_000_000_000L;
}
