package io.understudy.stack.tcp.cc;

import java.util.List;
import java.util.Locale;

/**
 * A sender's congestion-control algorithm for one connection: it owns {@code cwnd} and
 * {@code ssthresh} (in bytes) and decides how they change. It decides nothing else.
 *
 * <p>Like the TCB, an implementation is a pure machine: time is the {@code now} argument
 * (nanoseconds, arbitrary origin, compared by difference), it performs no I/O, and its
 * per-ACK methods allocate nothing. Create one with {@link #create}, then {@link #init}.
 *
 * <h2>Who does what</h2>
 *
 * The TCB owns every sequence variable and every decision about <em>when</em> something
 * happened: the duplicate-ACK counter, {@code recover} (RFC 6582 §3.1, which is RFC 6675's
 * RecoveryPoint), HighRxt and RescueRxt, FlightSize ({@code sndNxt - sndUna}), pipe (from the
 * {@link io.understudy.stack.tcp.SackScoreboard}), the retransmission timer and its
 * {@link io.understudy.stack.tcp.RtoEstimator}, and all retransmissions. It tells the
 * congestion control what happened, and reads {@link #cwnd()} back before sending:
 *
 * <ol>
 *   <li><b>Connection established:</b> {@link #init} (IW10, RFC 6928), or
 *       {@link #initAfterSynLoss} if the SYN or SYN-ACK had to be retransmitted (RFC 5681 §3.1).
 *       The TCB starts {@code recover} at the ISS (RFC 6582 §3.2 step 1).
 *   <li><b>ACK that advances {@code sndUna}, outside recovery:</b>
 *       {@link #onAck}{@code (now, newlyAcked, flightSizeBeforeAck, rttSampleOrMinus1)}. The RTT
 *       sample follows Karn's rule (RFC 6298 §3) or comes from a timestamp echo (RFC 7323 §4).
 *   <li><b>Entering fast recovery</b> (the TCB's call: DupThresh duplicate ACKs, RFC 5681 §3.2;
 *       or, with SACK, {@code scoreboard.isLost(sndUna, mss)}, RFC 6675 §5 steps 1–2; and only if
 *       {@code Seq.geq(sndUna, recover)}, RFC 6582 §3.2 step 2 / RFC 6675 §5.1): set
 *       {@code recover = sndNxt} (exclusive, like {@code sndNxt}), call
 *       {@link #onEnterRecovery}{@code (now, flightSize, sackRecovery)}, retransmit the segment
 *       at {@code sndUna}.
 *   <li><b>In recovery, a further duplicate ACK:</b> {@link #onDupAckInRecovery}.
 *   <li><b>In recovery, a partial ACK</b> ({@code sndUna} advanced but is still before
 *       {@code recover}): {@link #onPartialAck}{@code (now, newlyAcked)}, then (without SACK)
 *       retransmit the segment at {@code sndUna} as RFC 6582 §3.2 step 3 says (and, for the
 *       first partial ACK, restart the retransmission timer).
 *   <li><b>In recovery, a full ACK</b> ({@code Seq.geq(sndUna, recover)}): {@link #onExitRecovery}.
 *       That ACK is not also passed to {@link #onAck}.
 *   <li><b>Retransmission timer expired:</b> {@link #onRetransmitTimeout}{@code (now, flightSize)}
 *       with FlightSize before the timeout; the TCB also ends any recovery, sets
 *       {@code recover = sndNxt} (RFC 6582 §3.2 step 4, RFC 6675 §5.1) and clears the scoreboard.
 *   <li><b>About to send with nothing in flight:</b>
 *       {@link #onIdleRestart}{@code (now, now - lastSendTime, rto)}.
 *   <li><b>Path MTU changed the MSS:</b> {@link #onMssChange}.
 * </ol>
 *
 * <h2>The send rule</h2>
 *
 * Outside recovery, and in recovery without SACK (RFC 6582), the TCB may send while
 * {@code FlightSize < cwnd()}; during that recovery {@code cwnd()} is the artificially inflated
 * window of RFC 5681 §3.2 (ssthresh + 3·SMSS, plus one SMSS per further duplicate ACK, deflated
 * by partial ACKs). In SACK recovery (RFC 6675 §5 step C) {@code cwnd()} stays at ssthresh and
 * the TCB sends while {@code cwnd() - pipe >= SMSS}, choosing segments with
 * {@code SackScoreboard.nextSeg}; there {@link #onDupAckInRecovery} and {@link #onPartialAck}
 * change nothing, so the TCB may call them regardless of the recovery kind.
 *
 * <h2>Common behaviour</h2>
 *
 * Slow start (RFC 5681 §3.1) counts bytes with the limit L = 2·SMSS per ACK (RFC 3465 §2.2),
 * L = 1·SMSS in the slow start that follows a timeout (RFC 3465 §2.3). The window grows only
 * while the connection is cwnd-limited, judged from {@code flightSizeBeforeAck} as Linux's
 * {@code tcp_is_cwnd_limited} does (RFC 7661's aim; RFC 9438 §5.8 for CUBIC): in slow start
 * while FlightSize was at least half of cwnd, in congestion avoidance while less than one
 * SMSS of cwnd was unused. On a retransmission timeout cwnd becomes the loss window of one
 * SMSS (RFC 5681 §3.1); ssthresh is lowered by the algorithm's rule unless the previous event
 * was also a timeout with no new data acknowledged since (a retransmission timing out again,
 * for which RFC 5681 §3.1 holds ssthresh). After an idle period longer than the RTO, cwnd is
 * cut to the restart window min(IW, cwnd) of RFC 5681 §4.1 (not Linux's gradual decay).
 * Fast recovery exits with cwnd = ssthresh, option (2) of RFC 6582 §3.2 step 3, as Linux
 * does; the TCB should avoid sending the resulting burst back-to-back. Undo of spurious
 * reductions and PRR (RFC 6937) are not provided.
 */
public interface CongestionControl {
    /** The names {@link #create} accepts, in lower case. */
    List<String> NAMES = List.of("newreno", "cubic");

    /** ssthresh before the first congestion event: "arbitrarily high" (RFC 5681 §3.1). */
    int INFINITE_SSTHRESH = Integer.MAX_VALUE;

    /** A fresh, uninitialised instance of the named algorithm ("newreno" or "cubic", any case). */
    static CongestionControl create(String name) {
        String key = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        switch (key) {
            case "newreno":
                return new NewReno();
            case "cubic":
                return new Cubic();
            default:
                throw new IllegalArgumentException(
                        "unknown congestion control \"" + name + "\"; valid names: " + String.join(", ", NAMES));
        }
    }

    /** IW = min(10·MSS, max(2·MSS, 14600)) bytes (RFC 6928 §2). */
    static int initialWindow(int mss) {
        return Math.min(10 * mss, Math.max(2 * mss, 14_600));
    }

    /** Starts the connection's window at {@link #initialWindow} with an infinite ssthresh. */
    void init(long now, int mss);

    /** Starts with a one-segment window because the SYN or SYN-ACK was lost (RFC 5681 §3.1). */
    void initAfterSynLoss(long now, int mss);

    /** The congestion window in bytes (inflated during RFC 6582 recovery, see the class comment). */
    int cwnd();

    /** The slow-start threshold in bytes; {@link #INFINITE_SSTHRESH} until the first congestion event. */
    int ssthresh();

    /** SMSS in bytes, as given to {@link #init} or {@link #onMssChange}. */
    int mss();

    /** True between {@link #onEnterRecovery} and {@link #onExitRecovery} or a timeout. */
    boolean inRecovery();

    /** True while cwnd &lt; ssthresh. */
    boolean inSlowStart();

    /**
     * An ACK advanced {@code sndUna} outside fast recovery: grow the window (slow start or
     * congestion avoidance). Ignored during recovery and for {@code bytesAcked <= 0}.
     *
     * @param bytesAcked bytes newly acknowledged by this ACK
     * @param flightSizeBeforeAck {@code sndNxt - sndUna} just before this ACK was processed
     * @param rttNanos an RTT sample taken from this ACK, or -1 if it gave none
     */
    void onAck(long now, int bytesAcked, int flightSizeBeforeAck, long rttNanos);

    /**
     * Fast retransmit fired: set ssthresh by the algorithm's decrease and cwnd = ssthresh,
     * plus 3·SMSS of inflation when {@code sackRecovery} is false (RFC 5681 §3.2 step 3,
     * RFC 6582 §3.2; RFC 6675 §5 step 4.2 for SACK). Ignored if already in recovery.
     *
     * @param flightSize FlightSize when the loss was detected
     * @param sackRecovery true when the TCB will run RFC 6675 (pipe-based) recovery
     */
    void onEnterRecovery(long now, int flightSize, boolean sackRecovery);

    /** A further duplicate ACK in recovery: inflate cwnd by SMSS (RFC 5681 §3.2 step 4); no-op for SACK recovery. */
    void onDupAckInRecovery(long now);

    /**
     * A partial ACK in recovery: deflate cwnd by {@code bytesAcked} and add back SMSS if at
     * least SMSS was acknowledged (RFC 6582 §3.2 step 3); no-op for SACK recovery.
     */
    void onPartialAck(long now, int bytesAcked);

    /** A full ACK ended recovery: cwnd = ssthresh (RFC 6582 §3.2 step 3, option 2). */
    void onExitRecovery(long now);

    /** The retransmission timer expired: ssthresh reduced (see class comment), cwnd = 1 SMSS (RFC 5681 §3.1). */
    void onRetransmitTimeout(long now, int flightSize);

    /** Before sending after {@code idleNanos} without sending: if longer than {@code rtoNanos}, cwnd = min(IW, cwnd) (RFC 5681 §4.1). */
    void onIdleRestart(long now, long idleNanos, long rtoNanos);

    /** SMSS changed; windows stay in bytes, with cwnd at least one new SMSS and ssthresh at least two. */
    void onMssChange(int mss);

    /** The algorithm's name, as {@link #create} accepts it. */
    String name();
}
