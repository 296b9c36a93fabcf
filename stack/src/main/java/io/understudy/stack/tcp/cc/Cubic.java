package io.understudy.stack.tcp.cc;

/**
 * CUBIC, RFC 9438. After a congestion event the window follows
 * W_cubic(t) = C·(t − K)³ + W_max (§4.2): concave up to the window at which the loss happened,
 * W_max, reached after K seconds, then convex beyond it; never slower than the Reno-friendly
 * estimate W_est (§4.3).
 *
 * <p>Units: windows are kept in bytes and converted to segments (÷ SMSS) where the RFC's
 * formulas need them, so C = 0.4 keeps its unit of segments per second cubed; t is
 * {@code now − t_epoch} in seconds (double). The RTT in W_cubic(t + RTT) is a smoothed RTT
 * (§4.2) kept here from the samples given to {@link #onAck}, with the gain 1/8 of RFC 6298;
 * before the first sample it is taken as zero.
 *
 * <p>Per ACK in congestion avoidance (§4.2–§4.5): W_est grows by α_cubic·segments_acked/cwnd,
 * with α_cubic = 3(1 − β)/(1 + β) until W_est reaches cwnd_prior and 1 afterwards; if
 * W_cubic(t) &lt; W_est the window is raised to W_est (Reno-friendly region); otherwise it moves
 * towards target = W_cubic(t + RTT), clamped to [cwnd, 1.5·cwnd], by (target − cwnd)/cwnd per
 * acknowledged segment (concave and convex regions alike).
 *
 * <p>On a congestion event (§4.6, §4.7): W_max = cwnd, or cwnd·(1 + β)/2 with fast convergence
 * if cwnd is below the previous W_max; cwnd_prior = cwnd; ssthresh = max(FlightSize·β, 2·SMSS)
 * with β = 0.7; cwnd follows as described on {@link CongestionControl}. The epoch starts at the
 * first congestion-avoidance ACK afterwards, with cwnd_epoch = cwnd and
 * K = ∛((W_max − cwnd_epoch)/C), or K = 0 when cwnd_epoch ≥ W_max. After a timeout (§4.8) the
 * first epoch uses K = 0 and W_max = cwnd_epoch. ACKs that arrive while the sender is
 * application-limited grow nothing and do not advance t (§5.8); an idle restart starts a new
 * epoch. Slow start is the standard one (§4.10; HyStart++ is not implemented), and spurious
 * congestion events are not undone (§4.9 is optional).
 */
public final class Cubic extends AbstractCongestionControl {
    /** C, segments per second cubed (RFC 9438 §4.1.1). */
    public static final double C = 0.4;
    /** β_cubic, the multiplicative decrease factor (RFC 9438 §4.1.1). */
    public static final double BETA_CUBIC = 0.7;
    /** α_cubic = 3(1 − β_cubic)/(1 + β_cubic), the Reno-friendly additive increase (RFC 9438 §4.3). */
    public static final double ALPHA_CUBIC = 3 * (1 - BETA_CUBIC) / (1 + BETA_CUBIC);
    private static final double NANOS_PER_SECOND = 1e9;

    private final boolean fastConvergence;
    /** W_max, bytes; 0 before the first congestion event. */
    private double wMax;
    /** cwnd_prior: cwnd just before the last reduction, bytes. */
    private double cwndPrior;
    /** K, seconds. */
    private double k;
    private boolean epochStarted;
    /** t_epoch: when the current congestion-avoidance stage began. */
    private long tEpoch;
    /** cwnd_epoch, bytes. */
    private double cwndEpoch;
    /** W_est, bytes. */
    private double wEst;
    /** The α of W_est's growth: α_cubic, then 1 once W_est ≥ cwnd_prior. */
    private double alpha = ALPHA_CUBIC;
    /** Growth owed but smaller than a byte. */
    private double increaseCredit;
    /** The next epoch is the first after a timeout (RFC 9438 §4.8). */
    private boolean firstEpochAfterTimeout;
    /** When the last ACK was seen in congestion avoidance, to keep application-limited time out of t. */
    private long lastAckTime;
    /** Smoothed RTT, nanoseconds; -1 before the first sample. */
    private long srttNanos = -1;

    /** CUBIC with fast convergence (RFC 9438 §4.7); call {@link #init} before use. */
    public Cubic() {
        this(true);
    }

    /** CUBIC with fast convergence on or off; call {@link #init} before use. */
    public Cubic(boolean fastConvergence) {
        this.fastConvergence = fastConvergence;
    }

    @Override
    int reducedSsthresh(long now, int flightSize) {
        // RFC 9438 §4.7, before the reduction: a loss below the previous W_max means another
        // flow is taking bandwidth, so release some by remembering a lower W_max.
        if (fastConvergence && cwnd < wMax) {
            wMax = cwnd * (1 + BETA_CUBIC) / 2;
        } else {
            wMax = cwnd;
        }
        // RFC 9438 §4.6. A timeout sets firstEpochAfterTimeout again right after this.
        cwndPrior = cwnd;
        firstEpochAfterTimeout = false;
        return (int) Math.max(flightSize * BETA_CUBIC, 2.0 * smss);
    }

    @Override
    void newEpoch(long now) {
        epochStarted = false;
        increaseCredit = 0;
    }

    @Override
    void onTimeout(long now) {
        firstEpochAfterTimeout = true;
    }

    @Override
    void onRttSample(long rttNanos) {
        if (rttNanos < 0) {
            return;
        }
        srttNanos = srttNanos < 0 ? rttNanos : srttNanos + ((rttNanos - srttNanos) >> 3);
    }

    @Override
    void onApplicationLimited(long now) {
        if (epochStarted) {
            // RFC 9438 §5.8: time while application-limited does not count towards t.
            tEpoch += now - lastAckTime;
            lastAckTime = now;
        }
    }

    @Override
    void congestionAvoidance(long now, int bytesAcked) {
        if (!epochStarted) {
            startEpoch(now);
        }
        lastAckTime = now;
        double window = cwnd;
        double t = (now - tEpoch) / NANOS_PER_SECOND;
        // RFC 9438 §4.3: W_est += α_cubic · segments_acked / cwnd, in bytes.
        wEst += alpha * bytesAcked * smss / window;
        if (alpha < 1 && wEst >= cwndPrior) {
            alpha = 1;
        }
        if (wCubic(t) < wEst) {
            // Reno-friendly region (§4.3): cwnd = W_est.
            if (wEst > window) {
                cwnd = saturate((long) wEst);
            }
            increaseCredit = 0;
            return;
        }
        // Concave (§4.4) and convex (§4.5) regions.
        double rtt = srttNanos < 0 ? 0 : srttNanos / NANOS_PER_SECOND;
        double target = Math.max(window, Math.min(wCubic(t + rtt), 1.5 * window));
        increaseCredit += (target - window) * bytesAcked / window;
        if (increaseCredit >= 1) {
            long whole = (long) increaseCredit;
            increaseCredit -= whole;
            cwnd = saturate(cwnd + whole);
        }
    }

    private void startEpoch(long now) {
        epochStarted = true;
        tEpoch = now;
        lastAckTime = now;
        cwndEpoch = cwnd;
        if (firstEpochAfterTimeout || wMax <= cwndEpoch) {
            // §4.8 (first epoch after a timeout) and §4.2 (cwnd_epoch above W_max): K = 0 and the
            // curve starts from the current window.
            wMax = cwndEpoch;
            k = 0;
        } else {
            // §4.2, equation 2, in segments.
            k = Math.cbrt((wMax - cwndEpoch) / smss / C);
        }
        wEst = cwndEpoch; // §4.3; §4.8 after a timeout.
        alpha = wEst >= cwndPrior ? 1 : ALPHA_CUBIC;
        firstEpochAfterTimeout = false;
    }

    /** W_cubic(t) of RFC 9438 §4.2, in bytes. */
    private double wCubic(double tSeconds) {
        double d = tSeconds - k;
        return C * d * d * d * smss + wMax;
    }

    /** W_max in bytes (0 before the first congestion event), for tests and diagnostics. */
    public double wMax() {
        return wMax;
    }

    /** K of the current epoch in seconds, for tests and diagnostics. */
    public double k() {
        return k;
    }

    /** W_est in bytes, for tests and diagnostics. */
    public double wEst() {
        return wEst;
    }

    /** cwnd_prior in bytes, for tests and diagnostics. */
    public double cwndPrior() {
        return cwndPrior;
    }

    /** W_cubic(t) in bytes for {@code t} seconds into the current epoch, for tests and diagnostics. */
    public double wCubicAt(double tSeconds) {
        return wCubic(tSeconds);
    }

    @Override
    public String name() {
        return "cubic";
    }
}
