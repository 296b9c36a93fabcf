package io.understudy.stack.tcp;

/**
 * The retransmission timeout of one connection, computed as RFC 6298 specifies: a smoothed
 * round-trip time (SRTT), its mean deviation (RTTVAR), and RTO = SRTT + max(G, 4·RTTVAR),
 * clamped to [min RTO, max RTO] and doubled on every expiry of the timer.
 *
 * <p>All times are nanoseconds. The estimator reads no clock: the caller measures each
 * round-trip sample and hands it to {@link #sample}. <b>Karn's rule is the caller's job</b>
 * (RFC 6298 §3): sample only segments that were never retransmitted, or use timestamp echoes
 * (RFC 7323 §4), which are unambiguous. Take at most one sample per ACK that advances
 * {@code sndUna}; RFC 7323 Appendix G notes that per-ACK timestamp samples make the
 * estimator react faster than per-RTT sampling would, and, as Linux does, we accept that.
 *
 * <p>Arithmetic is integer, scaled as in Linux ({@code tcp_rtt_estimator}): the estimator
 * keeps {@code 8·SRTT} and {@code 4·RTTVAR}, so α = 1/8 and β = 1/4 become shifts and the
 * first-sample rule is exact. The only rounding is a truncation below one nanosecond when
 * SRTT is read out of its scaled form.
 *
 * <p>Divergences from the RFC, each deliberate: the default minimum RTO is 200 ms as in Linux,
 * not the 1 s of RFC 6298 §2.4 (a SHOULD); the default maximum is 120 s as in Linux (§2.5
 * allows any maximum of at least 60 s). SRTT and RTTVAR are kept across backoffs (§5 allows
 * clearing them; Linux keeps them too).
 */
public final class RtoEstimator {

    /**
     * Parameters, in nanoseconds.
     *
     * @param granularityNanos G, the clock granularity of the caller's RTT measurements
     * @param minRtoNanos the lower clamp of the RTO
     * @param maxRtoNanos the upper clamp of the RTO, backoff included
     * @param initialRtoNanos the RTO before the first sample (RFC 6298 §2.1)
     */
    public record Config(long granularityNanos, long minRtoNanos, long maxRtoNanos, long initialRtoNanos) {
        /** G = 1 ms, min 200 ms and max 120 s as Linux, initial 1 s per RFC 6298 §2.1. */
        public static final Config DEFAULT = new Config(MILLIS, 200 * MILLIS, 120_000 * MILLIS, 1_000 * MILLIS);

        /** Rejects a negative G and any ordering other than 0 &lt; min ≤ initial ≤ max. */
        public Config {
            if (granularityNanos < 0 || minRtoNanos <= 0 || minRtoNanos > initialRtoNanos
                    || initialRtoNanos > maxRtoNanos) {
                throw new IllegalArgumentException("need G >= 0 and 0 < minRto <= initialRto <= maxRto: " + this);
            }
        }
    }

    private static final long MILLIS = 1_000_000L;
    /** RFC 6298 §5.7: the RTO after a handshake whose SYN timed out. */
    private static final long SYN_TIMEOUT_FALLBACK_NANOS = 3_000 * MILLIS;
    /** Samples are clamped here (about 18 minutes) so that the scaled sums cannot overflow. */
    private static final long MAX_SAMPLE_NANOS = 1L << 40;

    private final Config config;
    /** 8·SRTT; meaningful once {@link #hasSample}. */
    private long srtt8;
    /** 4·RTTVAR; meaningful once {@link #hasSample}. */
    private long rttvar4;
    private boolean hasSample;
    private long minRtt = Long.MAX_VALUE;
    private long latestRtt = -1;
    /** The RTO computed from SRTT and RTTVAR, clamped, before backoff. */
    private long baseRto;
    /** The RTO in force: baseRto doubled backoffCount times, capped at the maximum. */
    private long rto;
    private int backoffCount;

    /** An estimator with {@link Config#DEFAULT}. */
    public RtoEstimator() {
        this(Config.DEFAULT);
    }

    /** An estimator with the given parameters, starting at the initial RTO. */
    public RtoEstimator(Config config) {
        this.config = config;
        this.baseRto = config.initialRtoNanos();
        this.rto = baseRto;
    }

    /**
     * Feeds one round-trip measurement and resets the backoff (RFC 6298 §5: a new sample may
     * "collapse" a backed-off RTO). Negative samples (a clock or echo gone wrong) are ignored.
     *
     * @return whether the sample was used
     */
    public boolean sample(long rttNanos) {
        if (rttNanos < 0) {
            return false;
        }
        long r = Math.min(rttNanos, MAX_SAMPLE_NANOS);
        if (!hasSample) {
            // RFC 6298 §2.2: SRTT <- R, RTTVAR <- R/2.
            srtt8 = r << 3;
            rttvar4 = r << 1;
            hasSample = true;
        } else {
            // RFC 6298 §2.3, RTTVAR first (it uses the old SRTT):
            // RTTVAR <- 3/4 RTTVAR + 1/4 |SRTT - R'|, SRTT <- 7/8 SRTT + 1/8 R'.
            long delta = r - (srtt8 >> 3);
            rttvar4 += Math.abs(delta) - (rttvar4 >> 2);
            srtt8 += delta;
        }
        minRtt = Math.min(minRtt, r);
        latestRtt = r;
        // RFC 6298 §2.3/2.4: RTO <- SRTT + max(G, K*RTTVAR) with K = 4, then the clamps (§2.4, §2.5).
        baseRto = clamp((srtt8 >> 3) + Math.max(config.granularityNanos(), rttvar4));
        rto = baseRto;
        backoffCount = 0;
        return true;
    }

    /**
     * Starts from estimates measured elsewhere (a primary's, at takeover): SRTT and RTTVAR as if
     * sampled here, no backoff.
     */
    public void seed(long srttNanos, long rttvarNanos) {
        if (srttNanos <= 0) {
            return;
        }
        srtt8 = Math.min(srttNanos, MAX_SAMPLE_NANOS) << 3;
        rttvar4 = Math.max(0, Math.min(rttvarNanos, MAX_SAMPLE_NANOS)) << 2;
        hasSample = true;
        latestRtt = srttNanos;
        minRtt = Math.min(minRtt, srttNanos);
        baseRto = clamp((srtt8 >> 3) + Math.max(config.granularityNanos(), rttvar4));
        rto = baseRto;
        backoffCount = 0;
    }

    /** The retransmission timer expired: double the RTO, capped at the maximum (RFC 6298 §5.5). */
    public void backoff() {
        backoffCount++;
        long max = config.maxRtoNanos();
        rto = rto > max >> 1 ? max : rto << 1;
    }

    /**
     * RFC 6298 §5.7: call when the handshake completes after the SYN (or SYN-ACK) timer
     * expired. If no round-trip sample exists yet, the RTO becomes 3 s; otherwise the sample
     * already defines it. Either way the handshake's backoff ends.
     */
    public void fallbackAfterSynTimeout() {
        if (!hasSample) {
            baseRto = Math.min(Math.max(SYN_TIMEOUT_FALLBACK_NANOS, config.minRtoNanos()), config.maxRtoNanos());
        }
        rto = baseRto;
        backoffCount = 0;
    }

    /** The RTO to arm the retransmission timer with, backoff included. */
    public long rtoNanos() {
        return rto;
    }

    /** SRTT, or 0 before the first sample. */
    public long srttNanos() {
        return hasSample ? srtt8 >> 3 : 0;
    }

    /** RTTVAR, or 0 before the first sample. */
    public long rttvarNanos() {
        return hasSample ? rttvar4 >> 2 : 0;
    }

    /** The smallest sample seen, or -1 before the first sample. */
    public long minRttNanos() {
        return hasSample ? minRtt : -1;
    }

    /** The most recent sample, or -1 before the first sample. */
    public long latestRttNanos() {
        return latestRtt;
    }

    /** Timer expiries since the last sample (tcp_info's {@code backoff}). */
    public int backoffCount() {
        return backoffCount;
    }

    /** True once a sample has been taken. */
    public boolean hasSample() {
        return hasSample;
    }

    /** The parameters this estimator runs with. */
    public Config config() {
        return config;
    }

    private long clamp(long value) {
        return Math.min(Math.max(value, config.minRtoNanos()), config.maxRtoNanos());
    }
}
