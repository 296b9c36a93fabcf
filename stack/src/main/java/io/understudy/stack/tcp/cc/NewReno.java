package io.understudy.stack.tcp.cc;

/**
 * NewReno: the window rules of RFC 5681 with the fast-recovery refinements of RFC 6582.
 *
 * <p>Congestion avoidance counts bytes as RFC 3465 §2.1 (and RFC 5681 §3.1, which recommends
 * it) describes: acknowledged bytes accumulate in {@code bytes_acked}; each time they reach
 * cwnd, cwnd grows by one SMSS and {@code bytes_acked} drops by cwnd, so a cwnd-limited sender
 * gains one SMSS per round trip. The multiplicative decrease is RFC 5681 equation (4):
 * ssthresh = max(FlightSize / 2, 2·SMSS). Everything else is common to all algorithms and
 * described on {@link CongestionControl}. The {@code recover} variable and the choice between
 * partial and full ACKs belong to the TCB.
 */
public final class NewReno extends AbstractCongestionControl {
    /** RFC 3465 §2.1 {@code bytes_acked}: bytes acknowledged in congestion avoidance not yet turned into window. */
    private int bytesAcked;

    /** A NewReno instance; call {@link #init} before use. */
    public NewReno() {
        // State is set by init.
    }

    @Override
    int reducedSsthresh(long now, int flightSize) {
        // RFC 5681 §3.1, equation (4).
        return Math.max(flightSize / 2, 2 * smss);
    }

    @Override
    void congestionAvoidance(long now, int acked) {
        bytesAcked = (int) Math.min((long) bytesAcked + acked, MAX_CWND);
        if (bytesAcked >= cwnd) {
            bytesAcked -= cwnd;
            cwnd = saturate((long) cwnd + smss);
        }
    }

    @Override
    void newEpoch(long now) {
        bytesAcked = 0;
    }

    @Override
    public String name() {
        return "newreno";
    }
}
