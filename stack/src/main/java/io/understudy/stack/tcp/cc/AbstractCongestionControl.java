package io.understudy.stack.tcp.cc;

/**
 * What NewReno and CUBIC share: the initial and restart windows, slow start with byte
 * counting, the cwnd-limited test, fast-recovery inflation and deflation, and the timeout
 * response. Subclasses supply the multiplicative decrease and congestion-avoidance growth.
 * See {@link CongestionControl} for the contract and the RFCs.
 */
abstract class AbstractCongestionControl implements CongestionControl {
    /** A ceiling that keeps every sum below {@link Integer#MAX_VALUE} (1 GiB, the largest scaled window). */
    static final int MAX_CWND = 1 << 30;
    /** The duplicate ACKs that triggered RFC 5681 recovery; cwnd is inflated by that many segments. */
    private static final int DUP_THRESH = 3;

    /** SMSS, bytes. */
    int smss;
    /** cwnd, bytes. */
    int cwnd;
    /** ssthresh, bytes. */
    int ssthresh = INFINITE_SSTHRESH;
    private boolean inRecovery;
    /** In recovery, using RFC 5681/6582 window inflation (no SACK). */
    private boolean inflating;
    /** In the slow start that follows a timeout: byte counting uses L = 1 SMSS. */
    private boolean slowStartAfterTimeout;
    /** The last event was a timeout and no new data has been acknowledged since. */
    private boolean timeoutUnacknowledged;

    /** The algorithm's new ssthresh after a congestion event with {@code flightSize} outstanding; at least 2·SMSS. */
    abstract int reducedSsthresh(long now, int flightSize);

    /** Congestion-avoidance growth for {@code bytesAcked} newly acknowledged bytes while cwnd-limited. */
    abstract void congestionAvoidance(long now, int bytesAcked);

    /** The window was set afresh (start, reduction or restart): forget growth state. */
    abstract void newEpoch(long now);

    /** An RTT sample arrived with an ACK (-1: none). */
    void onRttSample(long rttNanos) {
        // Only CUBIC needs RTTs.
    }

    /** An ACK arrived while the sender was not cwnd-limited; no growth happens. */
    void onApplicationLimited(long now) {
        // Only CUBIC keeps a clock that application-limited time must not advance.
    }

    /** A retransmission timeout happened (after ssthresh and cwnd were set). */
    void onTimeout(long now) {
        // Only CUBIC treats the first epoch after a timeout specially.
    }

    @Override
    public final void init(long now, int mss) {
        start(now, mss, CongestionControl.initialWindow(checkMss(mss)));
    }

    @Override
    public final void initAfterSynLoss(long now, int mss) {
        start(now, mss, checkMss(mss));
    }

    private void start(long now, int mss, int window) {
        smss = mss;
        cwnd = window;
        ssthresh = INFINITE_SSTHRESH;
        inRecovery = false;
        inflating = false;
        slowStartAfterTimeout = false;
        timeoutUnacknowledged = false;
        newEpoch(now);
    }

    @Override
    public final int cwnd() {
        return cwnd;
    }

    @Override
    public final int ssthresh() {
        return ssthresh;
    }

    @Override
    public final int mss() {
        return smss;
    }

    @Override
    public final boolean inRecovery() {
        return inRecovery;
    }

    @Override
    public final boolean inSlowStart() {
        return cwnd < ssthresh;
    }

    @Override
    public final void onAck(long now, int bytesAcked, int flightSizeBeforeAck, long rttNanos) {
        if (bytesAcked <= 0 || inRecovery) {
            return;
        }
        timeoutUnacknowledged = false;
        onRttSample(rttNanos);
        if (!cwndLimited(flightSizeBeforeAck)) {
            onApplicationLimited(now);
            return;
        }
        int remaining = bytesAcked;
        if (cwnd < ssthresh) {
            // RFC 5681 §3.1 slow start with RFC 3465 byte counting: at most L per ACK, L = 2 SMSS
            // (§2.2), or 1 SMSS right after a timeout (§2.3). As Linux does, stop at ssthresh and
            // let the rest of the ACK count towards congestion avoidance.
            int limit = slowStartAfterTimeout ? smss : 2 * smss;
            int grow = Math.min(Math.min(bytesAcked, limit), ssthresh - cwnd);
            cwnd = saturate((long) cwnd + grow);
            if (cwnd < ssthresh) {
                return;
            }
            remaining = bytesAcked - grow;
        }
        slowStartAfterTimeout = false;
        if (remaining > 0) {
            congestionAvoidance(now, remaining);
        }
    }

    /**
     * Linux's {@code tcp_is_cwnd_limited}: in slow start, cwnd may grow to twice what was in
     * flight; in congestion avoidance, only if the sender had less than one SMSS of cwnd unused.
     */
    private boolean cwndLimited(int flightSize) {
        if (cwnd < ssthresh) {
            return 2L * flightSize >= cwnd;
        }
        return (long) flightSize + smss > cwnd;
    }

    @Override
    public final void onEnterRecovery(long now, int flightSize, boolean sackRecovery) {
        if (inRecovery) {
            return;
        }
        ssthresh = reducedSsthresh(now, flightSize);
        // RFC 6675 §5 step 4.2: cwnd = ssthresh, pipe does the accounting. Without SACK,
        // RFC 5681 §3.2 step 3: cwnd = ssthresh + 3 SMSS for the segments that left the network.
        cwnd = sackRecovery ? ssthresh : saturate((long) ssthresh + (long) DUP_THRESH * smss);
        inRecovery = true;
        inflating = !sackRecovery;
        slowStartAfterTimeout = false;
        newEpoch(now);
    }

    @Override
    public final void onDupAckInRecovery(long now) {
        if (inRecovery && inflating) {
            // RFC 5681 §3.2 step 4.
            cwnd = saturate((long) cwnd + smss);
        }
    }

    @Override
    public final void onPartialAck(long now, int bytesAcked) {
        if (!inRecovery || !inflating || bytesAcked <= 0) {
            return;
        }
        // RFC 6582 §3.2 step 3, partial acknowledgments: deflate by the newly acknowledged
        // bytes, add back one SMSS if at least one SMSS was acknowledged. Never below one SMSS.
        long deflated = (long) cwnd - bytesAcked + (bytesAcked >= smss ? smss : 0);
        cwnd = saturate(Math.max(deflated, smss));
    }

    @Override
    public final void onExitRecovery(long now) {
        if (!inRecovery) {
            return;
        }
        // RFC 6582 §3.2 step 3, full acknowledgments, option (2).
        cwnd = ssthresh;
        inRecovery = false;
        inflating = false;
    }

    @Override
    public final void onRetransmitTimeout(long now, int flightSize) {
        if (inRecovery) {
            cwnd = Math.min(cwnd, ssthresh); // the inflation was never window
        }
        // RFC 5681 §3.1: lower ssthresh only when the timed-out segment had not already been
        // resent by the timer; a repeated timeout keeps it.
        if (!timeoutUnacknowledged) {
            ssthresh = reducedSsthresh(now, flightSize);
        }
        cwnd = smss; // RFC 5681 §3.1: the loss window LW = 1 SMSS.
        inRecovery = false;
        inflating = false;
        slowStartAfterTimeout = true;
        timeoutUnacknowledged = true;
        newEpoch(now);
        onTimeout(now);
    }

    @Override
    public final void onIdleRestart(long now, long idleNanos, long rtoNanos) {
        if (idleNanos <= rtoNanos || inRecovery) {
            return;
        }
        // RFC 5681 §4.1: cwnd = min(RW, cwnd) with RW = min(IW, cwnd); ssthresh is kept.
        int restartWindow = Math.min(CongestionControl.initialWindow(smss), cwnd);
        if (restartWindow < cwnd) {
            cwnd = restartWindow;
        }
        newEpoch(now);
    }

    @Override
    public final void onMssChange(int mss) {
        smss = checkMss(mss);
        cwnd = Math.max(cwnd, smss);
        if (ssthresh != INFINITE_SSTHRESH) {
            ssthresh = Math.max(ssthresh, 2 * smss);
        }
    }

    @Override
    public String toString() {
        return name() + "[cwnd=" + cwnd + " ssthresh=" + ssthresh + " mss=" + smss
                + (inRecovery ? (inflating ? " recovery" : " sack-recovery") : "") + "]";
    }

    /** Clamps a window computed in long arithmetic to [0, {@link #MAX_CWND}]. */
    static int saturate(long window) {
        return (int) Math.max(0, Math.min(window, MAX_CWND));
    }

    private static int checkMss(int mss) {
        if (mss <= 0 || mss > 65_535) {
            throw new IllegalArgumentException("MSS must be 1-65535, got " + mss);
        }
        return mss;
    }
}
