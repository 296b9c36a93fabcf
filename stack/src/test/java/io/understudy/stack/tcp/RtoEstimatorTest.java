package io.understudy.stack.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class RtoEstimatorTest {
    private static final long MS = 1_000_000L;
    private static final long S = 1_000 * MS;

    @Test
    void startsAtOneSecondWithNoSample() {
        var rto = new RtoEstimator();
        assertThat(rto.rtoNanos()).isEqualTo(1 * S);
        assertThat(rto.hasSample()).isFalse();
        assertThat(rto.srttNanos()).isZero();
        assertThat(rto.rttvarNanos()).isZero();
        assertThat(rto.minRttNanos()).isEqualTo(-1);
        assertThat(rto.backoffCount()).isZero();
    }

    @Test
    void firstSampleSetsSrttToRAndRttvarToHalfR() {
        var rto = new RtoEstimator();
        assertThat(rto.sample(100 * MS)).isTrue();
        assertThat(rto.srttNanos()).isEqualTo(100 * MS);
        assertThat(rto.rttvarNanos()).isEqualTo(50 * MS);
        // RTO = SRTT + max(G, 4 RTTVAR) = 100 + 200 ms, above the 200 ms floor.
        assertThat(rto.rtoNanos()).isEqualTo(300 * MS);
    }

    @Test
    void laterSamplesFollowTheRfc6298TableComputedByHand() {
        var rto = new RtoEstimator();
        long[] samples = {100 * MS, 120 * MS, 80 * MS, 200 * MS, 100 * MS};
        // RTTVAR <- 3/4 RTTVAR + 1/4 |SRTT - R|; SRTT <- 7/8 SRTT + 1/8 R; RTO = SRTT + 4 RTTVAR. In ms:
        double[][] expected = {
            {100, 50, 300},
            {102.5, 42.5, 272.5},
            {99.6875, 37.5, 249.6875},
            {112.2265625, 53.203125, 325.0390625},
            {110.6982421875, 42.958984375, 282.5341796875},
        };
        for (int i = 0; i < samples.length; i++) {
            rto.sample(samples[i]);
            // The scaled integer arithmetic truncates below one nanosecond.
            assertThat((double) rto.srttNanos()).as("SRTT after sample %d", i + 1).isCloseTo(expected[i][0] * MS, within(1.0));
            assertThat((double) rto.rttvarNanos()).as("RTTVAR after sample %d", i + 1).isCloseTo(expected[i][1] * MS, within(1.0));
            assertThat((double) rto.rtoNanos()).as("RTO after sample %d", i + 1).isCloseTo(expected[i][2] * MS, within(1.0));
        }
        assertThat(rto.minRttNanos()).isEqualTo(80 * MS);
        assertThat(rto.latestRttNanos()).isEqualTo(100 * MS);
    }

    @Test
    void rtoIsClampedToTheMinimum() {
        var rto = new RtoEstimator();
        rto.sample(1 * MS);
        assertThat(rto.rtoNanos()).isEqualTo(200 * MS);
    }

    @Test
    void granularityBoundsTheVarianceTerm() {
        var rto = new RtoEstimator(new RtoEstimator.Config(10 * MS, 1 * MS, 60 * S, 1 * S));
        rto.sample(1 * MS);
        // 4 RTTVAR = 2 ms < G = 10 ms.
        assertThat(rto.rtoNanos()).isEqualTo(11 * MS);
    }

    @Test
    void backoffDoublesUntilTheMaximum() {
        var rto = new RtoEstimator();
        long expected = 1 * S;
        for (int i = 1; i <= 6; i++) {
            rto.backoff();
            expected *= 2;
            assertThat(rto.rtoNanos()).isEqualTo(expected);
            assertThat(rto.backoffCount()).isEqualTo(i);
        }
        assertThat(rto.rtoNanos()).isEqualTo(64 * S);
        rto.backoff();
        assertThat(rto.rtoNanos()).isEqualTo(120 * S);
        rto.backoff();
        assertThat(rto.rtoNanos()).isEqualTo(120 * S);
        assertThat(rto.backoffCount()).isEqualTo(8);
    }

    @Test
    void backoffNeverOverflowsWithAHugeMaximum() {
        var rto = new RtoEstimator(new RtoEstimator.Config(0, 1, Long.MAX_VALUE, 1 * S));
        for (int i = 0; i < 100; i++) {
            rto.backoff();
            assertThat(rto.rtoNanos()).isPositive();
        }
        assertThat(rto.rtoNanos()).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void aNewSampleResetsTheBackoff() {
        var rto = new RtoEstimator();
        rto.sample(100 * MS);
        rto.backoff();
        rto.backoff();
        assertThat(rto.rtoNanos()).isEqualTo(1200 * MS);
        rto.sample(100 * MS);
        assertThat(rto.backoffCount()).isZero();
        // SRTT 100, RTTVAR 3/4 * 50 = 37.5: RTO = 250 ms.
        assertThat(rto.rtoNanos()).isEqualTo(250 * MS);
    }

    @Test
    void negativeSamplesAreIgnored() {
        var rto = new RtoEstimator();
        assertThat(rto.sample(-5)).isFalse();
        assertThat(rto.hasSample()).isFalse();
        assertThat(rto.rtoNanos()).isEqualTo(1 * S);
    }

    @Test
    void synTimeoutFallsBackToThreeSecondsWithoutASample() {
        var rto = new RtoEstimator();
        rto.backoff();
        rto.fallbackAfterSynTimeout();
        assertThat(rto.rtoNanos()).isEqualTo(3 * S);
        assertThat(rto.backoffCount()).isZero();

        var measured = new RtoEstimator();
        measured.sample(100 * MS);
        measured.backoff();
        measured.fallbackAfterSynTimeout();
        assertThat(measured.rtoNanos()).isEqualTo(300 * MS);
    }

    @Test
    void rejectsInconsistentConfig() {
        assertThatThrownBy(() -> new RtoEstimator.Config(MS, 2 * S, 1 * S, 1 * S))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RtoEstimator.Config(-1, MS, S, S))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RtoEstimator.Config(MS, 0, S, S))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void samplingAllocatesNothing() {
        var rto = new RtoEstimator();
        long bytes = Allocations.steadyState(() -> {
            for (int i = 0; i < 100_000; i++) {
                rto.sample((90 + i % 20) * MS);
                if (i % 7 == 0) {
                    rto.backoff();
                }
            }
        });
        assertThat(bytes).isLessThan(1024);
    }
}
