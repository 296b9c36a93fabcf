package io.understudy.stack.tcp;

import static io.understudy.stack.tcp.TcpConnection.NO_DEADLINE;

import io.understudy.stack.Counter;
import io.understudy.stack.Counters;
import io.understudy.stack.tcp.SackScoreboard.NextSeg;
import io.understudy.stack.tcp.cc.CongestionControl;
import io.understudy.stack.wire.Seq;
import io.understudy.stack.wire.TcpHeader;
import io.understudy.stack.wire.TcpOptions;

/**
 * The send half of a TCB: the send sequence variables of RFC 9293 §3.3.1, the send queue, ACK
 * processing (RFC 9293 §3.10.7.4 fifth step, RFC 5961 §5), the retransmission timer (RFC 6298,
 * Karn's rule), loss recovery (RFC 5681 + RFC 6582 NewReno without SACK, RFC 6675 with SACK),
 * congestion control (through {@link CongestionControl}), Nagle (RFC 896, Minshall's variant
 * as Linux) and sender SWS avoidance (RFC 9293 §3.8.6.2.1), and the persist timer
 * (§3.8.6.1).
 *
 * <p>Sequence variables: {@link #sndNxt} is RFC 9293's SND.NXT, the next sequence number to
 * send; after a retransmission timeout it goes back to SND.UNA (go-back-N), while
 * {@link #sndMax} keeps the highest sequence number ever sent (RFC 6675's HighData + 1,
 * Linux's {@code snd_nxt}). ACKs are judged against {@link #sndMax}, and pure ACKs carry it.
 *
 * <p>Package-private; owned by {@link TcpConnection}, which writes the segments
 * ({@link TcpConnection#emit}). Allocates nothing per segment.
 */
final class TcpSender {
    /** RFC 9293 §3.7.1: the send MSS when the peer's SYN carried no MSS option. */
    static final int DEFAULT_MSS = 536;
    /** Smallest send MSS we accept from a peer (Linux tcp_min_snd_mss, against CVE-2019-11479). */
    static final int MIN_SND_MSS = 48;
    /** Bytes of the timestamps option as we write it (NOP NOP TS). */
    static final int TS_OPTION_BYTES = 12;
    /** No loss recovery in progress. */
    static final int RECOVERY_NONE = 0;
    /** RFC 5681 fast recovery with RFC 6582 (NewReno) partial-ACK handling. */
    static final int RECOVERY_NEWRENO = 1;
    /** RFC 6675 SACK-based loss recovery. */
    static final int RECOVERY_SACK = 2;

    private static final long MILLIS = 1_000_000L;
    private static final int MAX_SHIFT = 30;

    private final TcpConnection c;
    private final TcpConfig config;
    private final Counters counters;
    /** The send queue, from SND.UNA (data) to what the application appended last. */
    final SendBuffer buffer;
    /** RTO computation (RFC 6298). */
    final RtoEstimator rto;
    /** The congestion control algorithm (cwnd, ssthresh). */
    final CongestionControl cc;
    /** What the peer SACKed (RFC 2018, RFC 6675). */
    final SackScoreboard board = new SackScoreboard();

    /** ISS: our initial sequence number. */
    int iss;
    /** SND.UNA: the oldest unacknowledged sequence number. */
    int sndUna;
    /** SND.NXT: the next sequence number to send (rewound to SND.UNA by a retransmission timeout). */
    int sndNxt;
    /** One past the highest sequence number ever sent (RFC 6675 HighData + 1). */
    int sndMax;
    /** SND.WND: the peer's window, scaled, in bytes from SND.UNA. */
    int sndWnd;
    /** SND.WL1: the segment sequence number of the last window update. */
    int sndWl1;
    /** SND.WL2: the segment acknowledgment number of the last window update. */
    int sndWl2;
    /** MAX.SND.WND (RFC 5961 §5.2): the largest window the peer has offered. */
    int maxSndWnd;
    /** Snd.Wind.Shift (RFC 7323 §2.2): the peer's window scale, 0 without window scaling. */
    int sndWscale;
    /** The MSS the peer announced, {@link #DEFAULT_MSS} if it did not. */
    int peerMss = DEFAULT_MSS;
    /** min(peer MSS, our MSS): payload plus options of one segment (RFC 9293 §3.7.1, RFC 6691). */
    int mssBase = DEFAULT_MSS;
    /** Eff.snd.MSS: the payload of a full-sized segment, the timestamp option deducted. */
    int sndMss = DEFAULT_MSS;
    /** True when RFC 7323 timestamps are in use. */
    boolean timestamps;
    /** True when SACK is in use. */
    boolean sack;
    /** The application closed its sending side: a FIN follows the queued data, at {@code buffer.endSeq()}. */
    boolean finQueued;
    /** Nagle's algorithm off (TCP_NODELAY). */
    boolean noDelay;
    /** Our SYN (or SYN-ACK) is to be sent by the next output. */
    boolean synPending;
    /** Why the pending SYN is a retransmission, or null for the first one. */
    String synRetransmitReason;

    /** When the retransmission timer expires, or {@link TcpConnection#NO_DEADLINE}. */
    long rtxDeadline = NO_DEADLINE;
    /** Retransmission timeouts since SND.UNA last advanced (Linux icsk_retransmits). */
    int rtoExpiries;
    /** SYN or SYN-ACK retransmissions so far. */
    int synRetransmits;
    /** When the oldest unacknowledged data was sent or last saw progress (RFC 5482 user timeout). */
    long unackedSince;
    /** When the persist timer expires (RFC 9293 §3.8.6.1), or {@link TcpConnection#NO_DEADLINE}. */
    long persistDeadline = NO_DEADLINE;
    /** Doublings of the persist interval. */
    int persistBackoff;
    /** Zero-window probes the peer has not answered. */
    int persistProbesOut;
    /** The persist timer fired on a small window: send what it takes (the SWS "override"). */
    boolean persistOverride;
    /** A zero-window probe is to be sent. */
    boolean zeroWindowProbe;
    /** A keepalive probe is to be sent. */
    boolean keepaliveProbe;

    /**
     * After a takeover: the end of what the dead primary may have sent (its queue's end, and its
     * FIN), which the peer may acknowledge although we have not sent it (see {@link #onAck});
     * meaningful while {@link #adopting}.
     */
    int adoptedCeiling;
    /** An adopted connection whose SND.MAX has not yet reached {@link #adoptedCeiling}. */
    boolean adopting;
    /**
     * An adopted connection that has heard nothing from its peer yet: its first retransmission
     * timer is {@link #ADOPTED_PROBE_NANOS}, not an RTO (see {@link #armRto}).
     */
    boolean adoptedUnheard;
    /**
     * The first retransmission timeout of an adopted connection that hears nothing back: 10 ms,
     * the floor of Linux's tail-loss probe. Right after a takeover the first window, or its ACK,
     * can be lost in ways no RTO estimate foresees (the network may still deliver to where the
     * dead primary was for a moment), and an RTO of 200 ms or more would be the whole pause the
     * client sees.
     */
    static final long ADOPTED_PROBE_NANOS = 10_000_000L;

    /** Which loss recovery is running ({@link #RECOVERY_NONE}, …). */
    int recovery;
    /** RFC 6582 "recover" / RFC 6675 RecoveryPoint, exclusive like SND.NXT. */
    int recover;
    /** Duplicate ACKs counted towards DupThresh. */
    int dupAcks;
    /** RFC 6675 HighRxt + 1: one past the highest retransmitted octet. */
    int highRxt;
    /** RFC 6675 RescueRxt + 1. */
    int rescueRxt;
    /** The segment at SND.UNA is to be retransmitted by the next output (fast retransmit, partial ACK). */
    boolean rtxHead;
    /** Why {@link #rtxHead} was set, for the trace. */
    String rtxHeadReason;
    /** A partial ACK was seen in this NewReno recovery (RFC 6582 §3.2 step 3 timer rule). */
    boolean partialAckSeen;

    /** An RTT measurement is running (Karn's rule, without timestamps). */
    boolean rttTiming;
    /** The measurement ends when this sequence number is acknowledged. */
    int rttSeq;
    /** When the timed segment was sent. */
    long rttStart;
    /** Retransmitted data is unacknowledged: {@link #rtxTsVal} and {@link #rtxEnd} are meaningful. */
    boolean rtxOutstanding;
    /** Our TSval when we last retransmitted. */
    int rtxTsVal;
    /** One past the highest sequence number retransmitted and not yet acknowledged. */
    int rtxEnd;
    /** When data was last sent, for the restart after idle (RFC 5681 §4.1). */
    long lastSendTime;
    /** End of the last sub-MSS segment sent (Linux snd_sml, Minshall's Nagle). */
    int sndSml;
    /** Segments retransmitted over the connection's life. */
    long totalRetransmits;
    /** Payload bytes sent at least once. */
    long bytesSent;
    /** A write accepted less than offered: tell the application when space opens. */
    boolean writeBlocked;

    /** @param files where the send queue gets the channels of its file regions (the stack's {@link FileChannelCache}) */
    TcpSender(TcpConnection c, TcpConfig config, Counters counters, SendBuffer.FileOpener files) {
        this.c = c;
        this.config = config;
        this.counters = counters;
        this.buffer = new SendBuffer(config.sendBuffer(), files);
        this.rto = new RtoEstimator(new RtoEstimator.Config(MILLIS, config.minRto(), config.maxRto(),
                config.initialRto()));
        this.cc = CongestionControl.create(config.congestionControl());
    }

    /** Starts the send sequence space at {@code iss}: our SYN occupies ISS, data starts at ISS + 1. */
    void start(int iss) {
        this.iss = iss;
        this.sndUna = iss;
        this.sndNxt = iss;
        this.sndMax = iss;
        this.recover = iss;
        this.sndSml = iss;
        this.buffer.reset(iss + 1);
        this.synPending = true;
    }

    /** Sets the send MSS from the peer's MSS option ({@code 0} or less: none) and the timestamp choice. */
    void setMss(int peerMssOption) {
        peerMss = peerMssOption > 0 ? peerMssOption : DEFAULT_MSS;
        mssBase = Math.max(MIN_SND_MSS, Math.min(peerMss, config.mss()));
        sndMss = mssBase - (timestamps ? TS_OPTION_BYTES : 0);
    }

    /** The window of a segment the peer sent, in bytes: never scaled on a SYN (RFC 7323 §2.2). */
    int windowOf(TcpSegment seg) {
        return seg.has(TcpHeader.SYN) ? seg.window : seg.window << sndWscale;
    }

    /** Takes the window of {@code seg} as SND.WND with SND.WL1 and SND.WL2 (SYN-SENT, SYN-RECEIVED). */
    void setWindow(TcpSegment seg) {
        sndWnd = windowOf(seg);
        sndWl1 = seg.seq;
        sndWl2 = seg.ack;
        maxSndWnd = Math.max(maxSndWnd, sndWnd);
    }

    /** The handshake completed: start congestion control (RFC 6928, RFC 5681 §3.1) and the RTO (RFC 6298 §5.7). */
    void onEstablished(long now) {
        synPending = false; // a SYN-ACK retransmission may have been pending when the ACK came
        synRetransmitReason = null;
        if (synRetransmits > 0) {
            cc.initAfterSynLoss(now, sndMss);
            rto.fallbackAfterSynTimeout();
        } else {
            cc.init(now, sndMss);
        }
        lastSendTime = now;
        unackedSince = now;
    }

    // ---------------------------------------------------------------- ACK processing

    /**
     * RFC 9293 §3.10.7.4, fifth step, for the synchronized states: returns false when the
     * segment must be dropped because its ACK lies outside [SND.UNA − MAX.SND.WND, SND.NXT]
     * (RFC 5961 §5.2; the caller sends a challenge ACK). An older but acceptable ACK is
     * ignored and the segment's text still processed.
     */
    boolean onAck(long now, TcpSegment seg) {
        int ack = seg.ack;
        if (Seq.lt(ack, sndUna - maxSndWnd)) {
            return false;
        }
        adoptedUnheard = false;
        if (Seq.gt(ack, sndMax)) {
            if (!adopting || Seq.gt(ack, adoptedCeiling)) {
                return false;
            }
            // After a takeover: the peer acknowledges what the dead primary had sent; it was
            // sent, as far as this connection is concerned, and sending goes on from there.
            sndMax = ack;
            if (Seq.lt(sndNxt, ack)) {
                sndNxt = ack;
            }
        }
        if (adopting && Seq.geq(sndMax, adoptedCeiling)) {
            adopting = false;
        }
        if (Seq.lt(ack, sndUna)) {
            return true;
        }
        persistProbesOut = 0; // the peer answers (Linux clears icsk_probes_out on every ACK)
        int prevWnd = sndWnd;
        updateWindow(seg);
        int newlySacked = updateScoreboard(seg, ack);
        if (Seq.gt(ack, sndUna)) {
            onNewAck(now, seg, ack);
        } else {
            onDuplicateAckCandidate(now, seg, prevWnd, newlySacked);
        }
        skipSacked();
        return true;
    }

    /** RFC 9293 §3.10.7.4: update SND.WND if SND.WL1 < SEG.SEQ or (SND.WL1 = SEG.SEQ and SND.WL2 ≤ SEG.ACK). */
    private void updateWindow(TcpSegment seg) {
        if (Seq.lt(sndWl1, seg.seq) || (sndWl1 == seg.seq && Seq.leq(sndWl2, seg.ack))) {
            sndWnd = windowOf(seg);
            sndWl1 = seg.seq;
            sndWl2 = seg.ack;
            maxSndWnd = Math.max(maxSndWnd, sndWnd);
        }
    }

    /**
     * Linux's {@code tcp_may_update_window}: would this segment change the send window? (SEG.ACK
     * advances, SEG.SEQ is newer than SND.WL1, or same SND.WL1 with a larger or zero window.)
     */
    boolean mayUpdateWindow(TcpSegment seg) {
        int wnd = windowOf(seg);
        return Seq.gt(seg.ack, sndUna) || Seq.gt(seg.seq, sndWl1) || (seg.seq == sndWl1 && (wnd > sndWnd || wnd == 0));
    }

    /** Records the SACK blocks of an ACK (RFC 2018 §4); returns the bytes newly SACKed. */
    private int updateScoreboard(TcpSegment seg, int ack) {
        if (!sack) {
            return 0;
        }
        TcpOptions o = seg.options;
        int n = o.sackBlockCount();
        if (n == 0) {
            board.onCumulativeAck(ack);
            return 0;
        }
        int[] left = c.ctx.sackLeft;
        int[] right = c.ctx.sackRight;
        for (int i = 0; i < n; i++) {
            left[i] = o.sackLeft(i);
            right[i] = o.sackRight(i);
        }
        return board.update(ack, sndMax, left, right, n);
    }

    /** An ACK that advances SND.UNA (RFC 9293 §3.10.7.4; RFC 6298 §5.2–5.3; RFC 6582; RFC 6675). */
    private void onNewAck(long now, TcpSegment seg, int ack) {
        int flightBefore = sndMax - sndUna;
        int acked = ack - sndUna;
        int dataEnd = buffer.endSeq();
        int dataAck = Seq.min(ack, dataEnd);
        int dataAcked = 0;
        if (Seq.gt(dataAck, buffer.startSeq())) {
            dataAcked = buffer.acknowledge(dataAck);
        }
        long rtt = rttSample(now, ack, seg);
        if (rtt >= 0) {
            rto.sample(rtt);
        }
        sndUna = ack;
        if (Seq.lt(sndNxt, sndUna)) {
            sndNxt = sndUna;
        }
        rtoExpiries = 0;
        unackedSince = now;
        dupAcks = 0;
        boolean restartTimer = true;
        if (recovery == RECOVERY_NONE) {
            cc.onAck(now, dataAcked, flightBefore, rtt);
        } else if (Seq.geq(ack, recover)) {
            // RFC 6582 §3.2 step 3 / RFC 6675 §5: a full acknowledgment ends recovery.
            cc.onExitRecovery(now);
            recovery = RECOVERY_NONE;
            rtxHead = false;
        } else {
            cc.onPartialAck(now, acked);
            if (recovery == RECOVERY_NEWRENO) {
                // RFC 6582 §3.2 step 3: retransmit the first unacknowledged segment; reset the
                // timer only for the first partial ACK (the "Impatient" variant).
                rtxHead = true;
                rtxHeadReason = "NewReno partial ACK";
                restartTimer = !partialAckSeen;
                partialAckSeen = true;
            }
        }
        if (sndMax == sndUna) {
            rtxDeadline = NO_DEADLINE; // RFC 6298 §5.2
        } else if (restartTimer || rtxDeadline == NO_DEADLINE) {
            armRto(now); // RFC 6298 §5.3
        }
        if (writeBlocked && buffer.free() >= buffer.capacity() / 3) {
            writeBlocked = false;
            c.notifyWritable();
        }
    }

    /**
     * An ACK that does not advance SND.UNA: is it a duplicate ACK, and does it start or feed
     * loss recovery? Without SACK a duplicate ACK is RFC 5681 §2's (no data, no SYN/FIN, same
     * window, data outstanding); with SACK it is one that SACKs new data (RFC 6675 §2), or, if
     * it has no SACK blocks at all, RFC 5681's.
     */
    private void onDuplicateAckCandidate(long now, TcpSegment seg, int prevWnd, int newlySacked) {
        if (sndMax == sndUna) {
            return;
        }
        boolean classic = seg.payloadLength == 0 && !seg.has(TcpHeader.SYN) && !seg.has(TcpHeader.FIN)
                && windowOf(seg) == prevWnd;
        boolean duplicate = sack ? newlySacked > 0 || (seg.options.sackBlockCount() == 0 && classic) : classic;
        if (!duplicate) {
            return;
        }
        if (recovery == RECOVERY_NEWRENO) {
            cc.onDupAckInRecovery(now); // RFC 5681 §3.2 step 4
            return;
        }
        if (recovery == RECOVERY_SACK) {
            return; // RFC 6675 §5 step C: output sends by pipe
        }
        dupAcks++;
        boolean lost = dupAcks >= SackScoreboard.DUP_THRESH || (sack && board.isLost(sndUna, sndMss));
        // RFC 6582 §3.2 step 2 / RFC 6675 §5.1: only if the ACK covers more than "recover".
        if (lost && Seq.geq(sndUna, recover)) {
            enterRecovery(now);
        }
    }

    /** RFC 5681 §3.2 steps 2–3 (RFC 6582 §3.2) or RFC 6675 §5 step 4. */
    private void enterRecovery(long now) {
        recover = sndMax;
        int flight = sndMax - sndUna;
        cc.onEnterRecovery(now, flight, sack);
        recovery = sack ? RECOVERY_SACK : RECOVERY_NEWRENO;
        counters.increment(sack ? Counter.TCP_SACK_RECOVERIES : Counter.TCP_NEWRENO_RECOVERIES);
        counters.increment(Counter.TCP_FAST_RETRANSMITS);
        highRxt = sndUna;
        rescueRxt = sndUna;
        partialAckSeen = false;
        rtxHead = true;
        if (dupAcks < SackScoreboard.DUP_THRESH) {
            rtxHeadReason = "fast retransmit, SACK loss";
        } else {
            rtxHeadReason = c.ctx.tracing() ? "fast retransmit, " + dupAcks + " dupacks" : "fast retransmit";
        }
    }

    /**
     * An RTT sample from this ACK: the timestamp echo (RFC 7323 §4) or the timed segment (Karn),
     * else -1. An echo older than our latest retransmission, on an ACK covering retransmitted
     * data, is not used: it can only be the TSval of an earlier transmission (the receiver's ACK
     * of it was lost and the retransmission was a duplicate), and would measure our backoff as
     * round-trip time. (Linux takes such samples.)
     */
    private long rttSample(long now, int ack, TcpSegment seg) {
        if (timestamps && seg.options.hasTimestamps() && seg.options.tsEcr() != 0) {
            rttTiming = false;
            int tsEcr = seg.options.tsEcr();
            boolean ambiguous = rtxOutstanding && Seq.lt(tsEcr, rtxTsVal);
            if (rtxOutstanding && Seq.geq(ack, rtxEnd)) {
                rtxOutstanding = false;
            }
            int ms = c.tsClock(now) - tsEcr;
            return ms >= 0 && !ambiguous ? ms * MILLIS : -1;
        }
        if (rttTiming && Seq.geq(ack, rttSeq)) {
            rttTiming = false;
            return now - rttStart;
        }
        return -1;
    }

    /** Our SYN was acknowledged by a SYN-ACK (SYN-SENT) or an ACK (SYN-RECEIVED): RTT sample from the handshake. */
    void onSynAcked(long now, TcpSegment seg) {
        long rtt = rttSample(now, seg.ack, seg); // Karn: a retransmitted SYN stopped the timing
        if (rtt >= 0) {
            rto.sample(rtt);
        }
        sndUna = seg.ack;
        if (Seq.lt(sndNxt, sndUna)) {
            sndNxt = sndUna;
        }
        rtxDeadline = sndMax == sndUna ? NO_DEADLINE : rtxDeadline;
        synPending = false;
    }

    /** True when our FIN has been sent and acknowledged. */
    boolean finAcked() {
        return finQueued && Seq.gt(sndUna, buffer.endSeq());
    }

    /** True when there is data or a FIN not yet acknowledged. */
    boolean hasOutstanding() {
        return sndMax != sndUna;
    }

    /** True when the application's data or FIN is queued but not yet sent. */
    boolean hasUnsent() {
        return Seq.lt(sndMax, buffer.endSeq()) || (finQueued && Seq.leq(sndMax, buffer.endSeq()));
    }

    // ---------------------------------------------------------------- timers

    /** Arms the retransmission timer for one RTO, no later than the user timeout allows (as Linux clamps it). */
    void armRto(long now) {
        long deadline = now + (adoptedUnheard ? Math.min(ADOPTED_PROBE_NANOS, rto.rtoNanos()) : rto.rtoNanos());
        long userTimeout = config.userTimeout();
        if (userTimeout > 0 && !synPhase()) {
            long limit = unackedSince + userTimeout;
            if (limit - deadline < 0) {
                deadline = Math.max(limit, now);
            }
        }
        rtxDeadline = deadline;
    }

    private boolean synPhase() {
        TcpState s = c.state();
        return s == TcpState.SYN_SENT || s == TcpState.SYN_RECEIVED;
    }

    /**
     * The retransmission timer expired (RFC 6298 §5.4–5.6): back off, go back to SND.UNA and
     * let output resend as the window and cwnd allow. Returns false when the connection must be
     * given up: {@code synRetries} SYN retransmissions, {@code retries} timeouts, or the user
     * timeout (RFC 5482) run out.
     */
    boolean onRetransmitTimeout(long now) {
        rtxDeadline = NO_DEADLINE;
        if (synPhase()) {
            if (synRetransmits >= config.synRetries()) {
                return false;
            }
            synRetransmits++;
            rto.backoff();
            counters.increment(Counter.TCP_RTO_TIMEOUTS);
            synPending = true;
            synRetransmitReason = "SYN timeout";
            sndNxt = iss;
            rttTiming = false;
            armRto(now);
            return true;
        }
        if (!hasOutstanding()) {
            return true;
        }
        // As Linux does: when the peer shrank its window to zero under our data, the
        // retransmissions act as window probes and do not count towards giving up while the
        // peer keeps answering.
        boolean zeroWindow = sndWnd == 0 && !finAcked();
        if (zeroWindow ? now - c.lastReceiveTime() > config.maxRto() : giveUp(now)) {
            return false;
        }
        cc.onRetransmitTimeout(now, sndMax - sndUna);
        // RFC 6582 §3.2 step 4, RFC 6675 §5.1: end recovery, forget SACK marks (RFC 2018 §8).
        recovery = RECOVERY_NONE;
        recover = sndMax;
        dupAcks = 0;
        rtxHead = false;
        board.clear();
        sndNxt = sndUna;
        rttTiming = false;
        if (adoptedUnheard) {
            adoptedUnheard = false; // the takeover's probe: the RTO estimate was not wrong, keep it
        } else {
            rto.backoff();
        }
        if (!zeroWindow) {
            rtoExpiries++;
        }
        counters.increment(Counter.TCP_RTO_TIMEOUTS);
        armRto(now);
        return true;
    }

    private boolean giveUp(long now) {
        if (config.userTimeout() > 0) {
            return now - unackedSince >= config.userTimeout();
        }
        return rtoExpiries >= config.retries();
    }

    /**
     * Arms the persist timer (RFC 9293 §3.8.6.1) when queued data or our FIN cannot go because
     * of the peer's window while nothing is in flight, and disarms it otherwise.
     */
    void updatePersist(long now) {
        if (!persistStalled()) {
            persistDeadline = NO_DEADLINE;
            persistOverride = false;
            if (sndWnd > 0) {
                persistBackoff = 0;
            }
        } else if (persistDeadline == NO_DEADLINE) {
            persistDeadline = now + persistInterval();
        }
    }

    /** True when the persist timer should run but is not armed ({@link #updatePersist} needs the time). */
    boolean persistWanted() {
        return persistDeadline == NO_DEADLINE && persistStalled();
    }

    private boolean persistStalled() {
        return dataPhase() && !hasOutstanding() && rtxDeadline == NO_DEADLINE && hasUnsent()
                && !canSendNew(mssLimit(), false, false);
    }

    /** The persist interval: the RTO (at least min RTO) doubled per probe, capped at the max RTO (Linux tcp_probe0_when). */
    private long persistInterval() {
        long base = Math.max(rto.rtoNanos(), config.minRto());
        long max = config.maxRto();
        return persistBackoff >= MAX_SHIFT || base > max >> persistBackoff ? max : base << persistBackoff;
    }

    /**
     * The persist timer expired: on a zero window send a probe (Linux style, see
     * {@link #writeProbe}), on a small one send what it takes. Returns false when
     * {@code retries} probes in a row went unanswered; any ACK resets that count, so a peer
     * that keeps answering is probed forever.
     */
    boolean onPersistTimeout(long now) {
        persistDeadline = NO_DEADLINE;
        int usable = sndUna + sndWnd - sndNxt;
        if (usable > 0) {
            persistOverride = true;
        } else {
            if (persistProbesOut >= config.retries()) {
                return false;
            }
            persistProbesOut++;
            zeroWindowProbe = true;
        }
        persistBackoff++;
        persistDeadline = now + persistInterval();
        return true;
    }

    /** Stops every send-side timer (TIME-WAIT, CLOSED). */
    void stopTimers() {
        rtxDeadline = NO_DEADLINE;
        persistDeadline = NO_DEADLINE;
        rtxHead = false;
        zeroWindowProbe = false;
        keepaliveProbe = false;
        persistOverride = false;
    }

    // ---------------------------------------------------------------- output

    /** True in the states where our data, FIN and their retransmissions may go out. */
    boolean dataPhase() {
        switch (c.state()) {
            case ESTABLISHED:
            case CLOSE_WAIT:
            case FIN_WAIT_1:
            case CLOSING:
            case LAST_ACK:
                return true;
            default:
                return false;
        }
    }

    /** True when {@link #output} would send something (a SYN, data, FIN, retransmission or probe). */
    boolean wantsToSend() {
        if (synPending && synPhase()) {
            return true;
        }
        if (keepaliveProbe) {
            return true;
        }
        if (!dataPhase()) {
            return false;
        }
        if (rtxHead || zeroWindowProbe || persistOverride) {
            return true;
        }
        if (recovery == RECOVERY_SACK) {
            return sackSegmentAllowed(mssLimit());
        }
        if (Seq.lt(sndNxt, sndMax)) {
            return goBackNAllowed(mssLimit());
        }
        return canSendNew(mssLimit(), false, false);
    }

    /** Emits everything due: SYN or SYN-ACK, retransmissions, new data, FIN, probes. */
    void output(long now, SegmentSink sink) {
        if (synPending && synPhase()) {
            sendSyn(now, sink);
            return;
        }
        if (dataPhase()) {
            if (rtxHead) {
                retransmitHead(now, sink);
            }
            if (recovery == RECOVERY_SACK) {
                sackRecoveryOutput(now, sink);
            } else {
                sendFromSndNxt(now, sink);
            }
            persistOverride = false;
            if (zeroWindowProbe) {
                zeroWindowProbe = false;
                counters.increment(Counter.TCP_ZERO_WINDOW_PROBES);
                writeProbe(now, sink);
            }
        }
        if (keepaliveProbe) {
            keepaliveProbe = false;
            counters.increment(Counter.TCP_KEEPALIVE_PROBES);
            writeProbe(now, sink);
        }
    }

    /**
     * A zero-window or keepalive probe as Linux sends them ({@code tcp_xmit_probe_skb}): an ACK
     * with SEQ = SND.UNA − 1 and no data. The byte before SND.UNA is old to the peer, so it is
     * never taken as data and draws an ACK with the current window (RFC 9293 §3.10.7.4 first
     * check; RFC 1122 §4.2.3.6 allows a keepalive without data), though a peer like Linux (or
     * us) answers such segments at most every 500 ms. Unlike RFC 9293's one-byte probe it never
     * puts a byte beyond the offered window, and needs no retransmission bookkeeping.
     */
    private void writeProbe(long now, SegmentSink sink) {
        c.emit(now, sink, TcpHeader.ACK, sndUna - 1, 0);
    }

    private void sendSyn(long now, SegmentSink sink) {
        synPending = false;
        boolean synAck = c.state() == TcpState.SYN_RECEIVED;
        c.emit(now, sink, synAck ? TcpHeader.SYN | TcpHeader.ACK : TcpHeader.SYN, iss, 0);
        String reason = synRetransmitReason;
        synRetransmitReason = null;
        if (reason != null) {
            counters.increment(Counter.TCP_SYN_RETRANSMITS);
            counters.increment(Counter.TCP_RETRANSMITS);
            totalRetransmits++;
            rttTiming = false;
            noteRetransmission(now, iss + 1);
            traceRetransmit(iss, 0, reason, true);
        } else if (!Seq.gt(sndMax, iss)) {
            rttTiming = true;
            rttSeq = iss + 1;
            rttStart = now;
        }
        sndNxt = iss + 1;
        sndMax = Seq.max(sndMax, sndNxt);
        if (rtxDeadline == NO_DEADLINE) {
            armRto(now);
        }
    }

    /** Largest payload of the next segment, options deducted (RFC 9293 §3.7.1, RFC 6691). */
    int mssLimit() {
        return mssBase - c.optionBytes();
    }

    private int payloadLimit(SegmentSink sink) {
        return Math.min(mssLimit(), sink.maxSegmentLength() - TcpHeader.MIN_LENGTH - c.optionBytes());
    }

    /** Data and FIN from SND.NXT: go-back-N retransmissions after a timeout, then new data. */
    private void sendFromSndNxt(long now, SegmentSink sink) {
        while (true) {
            int limit = payloadLimit(sink);
            if (Seq.lt(sndNxt, sndMax)) {
                if (!goBackNAllowed(limit)) {
                    return;
                }
                int end = nextSackedLeft(sndNxt);
                int len = goBackNLength(now, sink, end, limit);
                if (len > limit) {
                    c.largeSegmentPayload = limit;
                }
                if (sendRetransmission(now, sink, sndNxt, end, len, "RTO") == 0) {
                    return;
                }
                continue;
            }
            if (!sendNew(now, sink, limit, persistOverride, false)) {
                return;
            }
        }
    }

    /**
     * Go-back-N: may the next retransmission from SND.NXT (up to the next SACKed range) go? The
     * head always may (as Linux); others need window and cwnd.
     */
    private boolean goBackNAllowed(int limit) {
        if (sndNxt == sndUna) {
            return true;
        }
        int end = Seq.min(nextSackedLeft(sndNxt), sndNxt + limit);
        return Seq.leq(end, sndUna + sndWnd) && end - sndNxt <= cc.cwnd() - flightSize();
    }

    /**
     * TSO for go-back-N: when the link cuts large segments, as many whole {@code limit}-byte
     * segments from SND.NXT as fit before {@code end} (the next SACKed byte), the queue's end, the
     * window, cwnd and the link's 64 KiB go as one, as Linux retransmits whole TSO segments, so
     * that resending a large window after a timeout is not one syscall per MSS. Otherwise
     * {@code limit}.
     */
    private int goBackNLength(long now, SegmentSink sink, int end, int limit) {
        int large = sink.largeSegmentLength(c.tuple(), now);
        if (large <= 0) {
            return limit;
        }
        int max = large - TcpHeader.MIN_LENGTH - c.optionBytes();
        long room = Math.min(Math.min(Seq.min(end, buffer.endSeq()) - sndNxt, max), sndUna + sndWnd - sndNxt);
        room = Math.min(room, (long) cc.cwnd() - flightSize());
        long whole = room - room % limit;
        return (int) Math.max(limit, whole);
    }

    /**
     * FlightSize (RFC 5681 §2): what was sent from SND.UNA up to SND.NXT (after a timeout, what
     * was resent since), less what the peer SACKed there, which is no longer in the network.
     */
    private int flightSize() {
        int flight = sndNxt - sndUna;
        for (int k = 0; k < board.rangeCount(); k++) {
            int left = board.rangeLeft(k);
            if (!Seq.lt(left, sndNxt)) {
                break;
            }
            flight -= Seq.min(board.rangeRight(k), sndNxt) - Seq.max(left, sndUna);
        }
        return flight;
    }

    /**
     * During go-back-N, moves SND.NXT past SACKed data (the peer holds it). Kept as an invariant
     * after every ACK and send, so that {@link #wantsToSend} and {@link #output} see one state.
     */
    private void skipSacked() {
        if (!Seq.lt(sndNxt, sndMax)) {
            return;
        }
        for (int k = 0; k < board.rangeCount(); k++) {
            if (Seq.geq(sndNxt, board.rangeLeft(k)) && Seq.lt(sndNxt, board.rangeRight(k))) {
                sndNxt = Seq.min(board.rangeRight(k), sndMax);
            }
        }
    }

    /** The left edge of the first SACKed range above {@code seq}, or SND.MAX. */
    private int nextSackedLeft(int seq) {
        for (int k = 0; k < board.rangeCount(); k++) {
            int left = board.rangeLeft(k);
            if (Seq.gt(left, seq)) {
                return Seq.min(left, sndMax);
            }
        }
        return sndMax;
    }

    /**
     * Retransmits from {@code seq} up to {@code end} or {@code limit} payload bytes, the FIN
     * included when it lies in range. Returns the sequence space sent.
     */
    private int sendRetransmission(long now, SegmentSink sink, int seq, int end, int limit, String reason) {
        int dataEnd = buffer.endSeq();
        int dataLen = Math.max(0, Math.min(Seq.min(end, dataEnd) - seq, limit));
        boolean fin = finQueued && seq + dataLen == dataEnd && Seq.gt(end, dataEnd);
        if (dataLen == 0 && !fin) {
            return 0;
        }
        sendRange(now, sink, seq, dataLen, fin, reason);
        return dataLen + (fin ? 1 : 0);
    }

    /** Fast retransmit (RFC 5681 §3.2, RFC 6675 §5 step 4.3) or NewReno's partial-ACK retransmission. */
    private void retransmitHead(long now, SegmentSink sink) {
        rtxHead = false;
        if (!hasOutstanding()) {
            return;
        }
        int end = sack ? nextSackedLeft(sndUna) : sndMax;
        int sent = sendRetransmission(now, sink, sndUna, end, payloadLimit(sink), rtxHeadReason);
        if (recovery == RECOVERY_SACK) {
            highRxt = sndUna + sent;
            rescueRxt = highRxt;
        }
    }

    /** RFC 6675 §5 step C: while cwnd − pipe ≥ SMSS, send what NextSeg() chooses. */
    private void sackRecoveryOutput(long now, SegmentSink sink) {
        while (recovery == RECOVERY_SACK) {
            int limit = payloadLimit(sink);
            if (!pipeAllows()) {
                return;
            }
            boolean canNew = canSendNew(limit, false, true);
            NextSeg next = board.nextSeg(sndUna, sndMax, highRxt, rescueRxt, sndMss, canNew);
            int seq = board.nextSeq();
            switch (next) {
                case LOST:
                case UNSACKED: {
                    counters.increment(Counter.TCP_SACK_RETRANSMITS);
                    int sent = sendRetransmission(now, sink, seq, seq + board.nextLength(), limit, "SACK hole");
                    if (sent == 0) {
                        return;
                    }
                    highRxt = Seq.max(highRxt, seq + sent);
                    break;
                }
                case RESCUE: {
                    counters.increment(Counter.TCP_SACK_RETRANSMITS);
                    if (sendRetransmission(now, sink, seq, seq + board.nextLength(), limit, "SACK rescue") == 0) {
                        return;
                    }
                    rescueRxt = recover;
                    break;
                }
                case NEW_DATA:
                    if (!sendNew(now, sink, limit, false, true)) {
                        return;
                    }
                    break;
                default:
                    return;
            }
        }
    }

    private boolean pipeAllows() {
        int pipe = board.pipe(sndUna, sndMax, highRxt, sndMss);
        return (long) cc.cwnd() - pipe >= sndMss;
    }

    private boolean sackSegmentAllowed(int limit) {
        if (!pipeAllows()) {
            return false;
        }
        boolean canNew = canSendNew(limit, false, true);
        return board.nextSeg(sndUna, sndMax, highRxt, rescueRxt, sndMss, canNew) != NextSeg.NONE;
    }

    /** True when {@link #sendNew} would send. */
    private boolean canSendNew(int limit, boolean override, boolean pipeChecked) {
        int queued = buffer.endSeq() - sndNxt;
        if (queued > 0) {
            return newDataLength(queued, limit, override, pipeChecked) > 0;
        }
        return loneFinAllowed(pipeChecked);
    }

    /** New data from SND.NXT = SND.MAX, the FIN riding on its last segment, or a lone FIN. Returns whether it sent. */
    private boolean sendNew(long now, SegmentSink sink, int limit, boolean override, boolean pipeChecked) {
        int dataEnd = buffer.endSeq();
        int queued = dataEnd - sndNxt;
        if (queued > 0) {
            int len = newDataLength(queued, limit, override, pipeChecked);
            if (len == 0) {
                return false;
            }
            if (len >= limit) {
                len = largeLength(now, sink, queued, limit, len, pipeChecked);
            }
            int usable = sndUna + sndWnd - sndNxt;
            boolean fin = finQueued && len == queued && len < usable;
            restartAfterIdle(now);
            if (len > limit) {
                c.largeSegmentPayload = limit;
            }
            sendRange(now, sink, sndNxt, len, fin, null);
            if (len > limit && len % limit != 0) {
                sndSml = sndNxt; // the link's last piece is a small segment (Nagle's Minshall test)
            }
            return true;
        }
        if (!loneFinAllowed(pipeChecked)) {
            return false;
        }
        sendRange(now, sink, sndNxt, 0, true, null);
        return true;
    }

    /**
     * TSO: when the link cuts large segments, as many whole {@code limit}-byte segments of new
     * data as the window, cwnd and the link's 64 KiB allow go as one segment, plus the queue's
     * short tail when it is all that is queued and Nagle would send it anyway. The link then puts
     * the same segments on the wire as sending them one by one would have (as Linux's TSO).
     */
    private int largeLength(long now, SegmentSink sink, int queued, int limit, int len, boolean pipeChecked) {
        int large = sink.largeSegmentLength(c.tuple(), now);
        if (large <= 0) {
            return len;
        }
        int max = large - TcpHeader.MIN_LENGTH - c.optionBytes();
        int room = Math.min(Math.min(queued, max), sndUna + sndWnd - sndNxt);
        if (!pipeChecked) {
            room = Math.min(room, cwndQuota());
        }
        int whole = room - room % limit;
        if (room == queued && whole != room && (noDelay || finQueued || !smallSegmentUnacked())) {
            whole = room;
        }
        return Math.max(len, whole);
    }

    /** A FIN after all data may go when it is unsent and the window (and cwnd) takes one more sequence number. */
    private boolean loneFinAllowed(boolean pipeChecked) {
        if (!finQueued || sndNxt != buffer.endSeq() || Seq.gt(sndMax, sndNxt)) {
            return false;
        }
        int usable = sndUna + sndWnd - sndNxt;
        return usable > 0 && (pipeChecked || cwndQuota() > 0);
    }

    /**
     * How many new bytes may go now, 0 for none: the least of the queued data, the payload
     * limit, the usable window and (unless the caller checked pipe) the congestion quota, sent
     * only when
     * <ol>
     * <li>it is a full-sized segment (RFC 9293 §3.8.6.2.1 (1)); or
     * <li>it is all the queued data and Nagle allows (RFC 896 in Minshall's variant, as Linux:
     *     no sub-MSS segment unacknowledged), Nagle is off, or a FIN follows (close pushes); or
     * <li>nothing is in flight and it is at least half the largest window the peer offered
     *     (§3.8.6.2.1 (3), Fs = 1/2); or
     * <li>the persist timer fired (the "override timeout" of §3.8.6.2.1 (4)).
     * </ol>
     */
    private int newDataLength(int queued, int limit, boolean override, boolean pipeChecked) {
        int usable = sndUna + sndWnd - sndNxt;
        int len = Math.min(Math.min(queued, limit), usable);
        if (!pipeChecked) {
            len = Math.min(len, cwndQuota());
        }
        if (len <= 0) {
            return 0;
        }
        if (len >= limit || override) {
            return len;
        }
        if (adopting && Seq.lt(sndNxt, adoptedCeiling)) {
            // After a takeover: the dead primary may have sent this already, whole segments into a
            // window that has since shrunk (a receiver holding out-of-order data behind a hole
            // offers little): it is a retransmission in all but name, and sender-side silly
            // window avoidance would hold it back until the persist timer, 200 ms or more.
            return len;
        }
        if (len == queued) {
            return noDelay || finQueued || !smallSegmentUnacked() ? len : 0;
        }
        if (!hasOutstanding() && len >= maxSndWnd / 2) {
            return len;
        }
        return 0;
    }

    /** Minshall's test (Linux tcp_minshall_check): a sub-MSS segment is sent and not yet acknowledged. */
    private boolean smallSegmentUnacked() {
        return Seq.gt(sndSml, sndUna) && Seq.leq(sndSml, sndMax);
    }

    /**
     * The congestion window left: cwnd − {@link #flightSize()}. Limited transmit (RFC 3042)
     * adds a segment for each of the first two duplicate ACKs.
     */
    private int cwndQuota() {
        long allowance = cc.cwnd();
        if (recovery == RECOVERY_NONE && dupAcks > 0) {
            allowance += (long) Math.min(dupAcks, 2) * sndMss;
        }
        long quota = allowance - flightSize();
        return (int) Math.max(Math.min(quota, Integer.MAX_VALUE), Integer.MIN_VALUE);
    }

    /** RFC 5681 §4.1 via {@link CongestionControl#onIdleRestart}: sending after an idle period. */
    private void restartAfterIdle(long now) {
        if (!hasOutstanding()) {
            cc.onIdleRestart(now, now - lastSendTime, rto.rtoNanos());
        }
    }

    /** Writes one data/FIN segment at {@code seq} and updates the sequence variables and timers. */
    private void sendRange(long now, SegmentSink sink, int seq, int dataLen, boolean fin, String reason) {
        int seqLen = dataLen + (fin ? 1 : 0);
        boolean retransmission = Seq.lt(seq, sndMax);
        boolean wasIdle = !hasOutstanding();
        int flags = TcpHeader.ACK | (fin ? TcpHeader.FIN : 0)
                | (dataLen > 0 && seq + dataLen == buffer.endSeq() ? TcpHeader.PSH : 0);
        c.emit(now, sink, flags, seq, dataLen);
        if (retransmission) {
            totalRetransmits++;
            counters.increment(Counter.TCP_RETRANSMITS);
            rttTiming = false; // Karn's rule (RFC 6298 §3)
            noteRetransmission(now, seq + seqLen);
            traceRetransmit(seq, dataLen, reason, false);
        } else {
            bytesSent += dataLen;
            if (!rttTiming && !timestamps) {
                rttTiming = true;
                rttSeq = seq + seqLen;
                rttStart = now;
            }
        }
        int end = seq + seqLen;
        if (Seq.gt(end, sndNxt)) {
            sndNxt = end;
        }
        if (Seq.gt(sndNxt, sndMax)) {
            sndMax = sndNxt;
        }
        skipSacked();
        if (dataLen > 0) {
            lastSendTime = now;
            if (dataLen < sndMss) {
                sndSml = end;
            }
        }
        if (wasIdle) {
            unackedSince = now;
        }
        if (rtxDeadline == NO_DEADLINE) {
            armRto(now);
        }
    }

    private void noteRetransmission(long now, int end) {
        rtxEnd = rtxOutstanding ? Seq.max(rtxEnd, end) : end;
        rtxOutstanding = true;
        rtxTsVal = c.tsClock(now);
    }

    private void traceRetransmit(int seq, int len, String reason, boolean syn) {
        if (!c.ctx.tracing()) {
            return;
        }
        String why = reason == null ? "retransmission" : reason;
        if ("RTO".equals(why) || "SYN timeout".equals(why)) {
            why = why + ", backoff " + rto.backoffCount();
        }
        c.ctx.trace(c.tuple() + " retransmit seq=" + Integer.toUnsignedString(seq) + " len=" + len
                + (syn ? " SYN" : "") + " (" + why + ")");
    }

    /** Bytes in flight for tcp_info: pipe during SACK recovery, else SND.NXT − SND.UNA. */
    int bytesInFlight() {
        if (recovery == RECOVERY_SACK) {
            return board.pipe(sndUna, sndMax, highRxt, sndMss);
        }
        return sndNxt - sndUna;
    }
}
