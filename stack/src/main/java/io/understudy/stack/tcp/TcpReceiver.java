package io.understudy.stack.tcp;

import static io.understudy.stack.tcp.TcpConnection.NO_DEADLINE;

import io.understudy.stack.Counter;
import io.understudy.stack.Counters;
import io.understudy.stack.wire.Seq;
import io.understudy.stack.wire.TcpHeader;
import java.nio.ByteBuffer;

/**
 * The receive half of a TCB: the receive sequence variables of RFC 9293 §3.3.1, the receive
 * queue, segment acceptability (§3.10.7.4 first check), PAWS and TS.Recent (RFC 7323 §4.3,
 * §5), the window we advertise (receiver SWS avoidance, §3.8.6.2.2, and window scaling,
 * RFC 7323 §2) and the decision when to acknowledge (RFC 5681 §4.2, RFC 9293 §3.8.6.3).
 *
 * <p>It decides that an ACK is due ({@link #ackNow}, {@link #delayedAckDeadline}); the
 * connection writes it. Package-private; owned by {@link TcpConnection}. Allocates nothing
 * after construction.
 */
final class TcpReceiver {
    /** Linux's TCP_MAX_QUICKACKS: segments acknowledged at once when a connection starts receiving. */
    static final int MAX_QUICK_ACKS = 16;
    /** RFC 7323 §5.5: after 24 days without an update TS.Recent is invalid (Linux TCP_PAWS_24DAYS). */
    static final long PAWS_IDLE_NANOS = 24L * 24 * 3600 * 1_000_000_000L;
    /**
     * TSvals this many milliseconds older than TS.Recent still pass PAWS (Linux
     * {@code TCP_PAWS_WINDOW}): a pure ACK sent a tick after a data segment may overtake it.
     */
    static final int PAWS_WINDOW = 1;
    /** The MSS assumed until the peer's segments show their size (RFC 9293 §3.7.1, Linux TCP_MSS_DEFAULT). */
    static final int DEFAULT_MSS = 536;

    private static final int MAX_UNSCALED_WINDOW = 0xFFFF;

    private final TcpConfig config;
    private final Counters counters;
    /** The receive queue: unread in-order bytes and out-of-order ranges. */
    final ReceiveBuffer buffer;

    /** IRS: the peer's initial sequence number. */
    int irs;
    /** RCV.NXT: the next sequence number expected, past the peer's FIN once that is received. */
    int rcvNxt;
    /** RCV.NXT + RCV.WND as last advertised: the right edge we promised, never moved left (RFC 9293 §3.8.6). */
    int rcvWndEdge;
    /** Rcv.Wind.Shift (RFC 7323 §2.2): our window scale, 0 without window scaling. */
    int rcvWscale;
    /** True when RFC 7323 timestamps are in use on this connection. */
    boolean timestamps;
    /** True when SACK (RFC 2018) is in use on this connection. */
    boolean sack;
    /** TS.Recent (RFC 7323 §4.3): the timestamp to echo in TSecr. */
    int tsRecent;
    /** When TS.Recent was last set, for the 24-day rule of RFC 7323 §5.5. */
    long tsRecentStamp;
    /** Last.ACK.sent (RFC 7323 §4.3): the acknowledgment number of the last segment we sent. */
    int lastAckSent;
    /** The peer's FIN has been received in order: RCV.NXT counts it. */
    boolean finReceived;
    /** A FIN arrived beyond a hole and waits for the data before it. */
    boolean finOutOfOrder;
    /** Sequence number of the out-of-order FIN, valid when {@link #finOutOfOrder}. */
    int finSeq;
    /** An ACK must go out with the next output. */
    boolean ackNow;
    /** Duplicate ACKs owed as separate segments (no SACK: the peer counts them, RFC 5681 §3.2). */
    int dupAcksToSend;
    /** When the delayed ACK is due (RFC 9293 §3.8.6.3), or {@link TcpConnection#NO_DEADLINE}. */
    long delayedAckDeadline = NO_DEADLINE;
    /** Segments still acknowledged at once (Linux quickack mode). */
    int quickAcks;
    /** True once any data arrived (the quickack budget is given at the first data). */
    boolean dataSeen;
    /** When in-order data last arrived. */
    long lastDataTime;
    /** Our estimate of the peer's segment size (Linux rcv_mss): the largest payload seen. */
    int rcvMss;
    /** In-order payload bytes received (tcp_info bytes_received). */
    long bytesReceived;

    TcpReceiver(TcpConfig config, Counters counters) {
        this.config = config;
        this.counters = counters;
        this.buffer = new ReceiveBuffer(config.receiveBuffer());
        this.rcvMss = Math.min(DEFAULT_MSS, config.mss());
    }

    /** The peer's SYN at {@code irs} was accepted: RCV.NXT = IRS + 1 and the window of our SYN or SYN-ACK. */
    void synchronize(int irs, int synWindow) {
        this.irs = irs;
        this.rcvNxt = irs + 1;
        this.buffer.reset(rcvNxt);
        this.rcvWndEdge = rcvNxt + synWindow;
        this.lastAckSent = rcvNxt;
    }

    /** Timestamps were negotiated and the peer's SYN (or cookie ACK) carried {@code tsVal}. */
    void startTimestamps(int tsVal, long now) {
        timestamps = true;
        tsRecent = tsVal;
        tsRecentStamp = now;
    }

    /** RCV.WND: what is left of the window we last advertised. */
    int rcvWnd() {
        int w = rcvWndEdge - rcvNxt;
        return Math.max(w, 0);
    }

    /**
     * RFC 9293 §3.10.7.4, first check: the four cases of segment acceptability against the
     * window we advertised. One divergence, as Linux ({@code tcp_sequence}) and BSD do: a
     * segment without data may sit exactly at the right edge, RCV.NXT + RCV.WND. A peer that has
     * filled our window sends its pure ACKs with SEQ = its SND.NXT, which is that edge; if its
     * data was lost, rejecting those ACKs would leave both sides waiting for each other.
     */
    boolean acceptable(int seq, int segLen) {
        int wnd = rcvWnd();
        if (segLen == 0) {
            return wnd == 0 ? seq == rcvNxt : Seq.inWindow(seq, rcvNxt, wnd + 1);
        }
        if (wnd == 0) {
            return false;
        }
        return Seq.inWindow(seq, rcvNxt, wnd) || Seq.inWindow(seq + segLen - 1, rcvNxt, wnd);
    }

    /** True when {@code seq} lies in the receive window (RFC 5961 §3.2's test for RSTs). */
    boolean inWindow(int seq) {
        return Seq.inWindow(seq, rcvNxt, rcvWnd());
    }

    /**
     * RFC 7323 §5.3 R1 (PAWS): false when the segment carries a TSval older than TS.Recent and
     * must be dropped; as Linux, {@link #PAWS_WINDOW} of slack. RSTs are never rejected by PAWS,
     * and a TS.Recent older than 24 days is invalid (§5.5).
     */
    boolean pawsAccepts(long now, TcpSegment seg) {
        if (!timestamps || !seg.options.hasTimestamps() || seg.has(TcpHeader.RST)) {
            return true;
        }
        if (tsRecent - seg.options.tsVal() <= PAWS_WINDOW) {
            return true;
        }
        return now - tsRecentStamp > PAWS_IDLE_NANOS;
    }

    /**
     * RFC 7323 §4.3 (2): TS.Recent takes the TSval of an acceptable segment that is not older
     * and starts at or before Last.ACK.sent, so we echo the TSval of the earliest segment not
     * yet acknowledged; after 24 days idle any TSval replaces it (§5.5).
     */
    void updateTsRecent(long now, TcpSegment seg) {
        if (!timestamps || !seg.options.hasTimestamps() || !Seq.leq(seg.seq, lastAckSent)) {
            return;
        }
        int tsVal = seg.options.tsVal();
        if (Seq.geq(tsVal, tsRecent) || now - tsRecentStamp > PAWS_IDLE_NANOS) {
            tsRecent = tsVal;
            tsRecentStamp = now;
        }
    }

    /**
     * A retransmission of data we already acknowledged, ending exactly at Last.ACK.sent (our ACK
     * of the original was lost): TS.Recent takes its TSval before the duplicate is answered, as
     * Linux's inclusive {@code rcv_wup} test does. Otherwise the answer would echo the original's
     * TSval and the sender, which may take RTT samples from echoes of retransmissions (RFC 7323
     * §4), would measure its whole backoff as round-trip time.
     */
    void updateTsRecentFromDuplicate(long now, TcpSegment seg) {
        int len = seg.length();
        if (len > 0 && seg.seq + len == lastAckSent) {
            updateTsRecent(now, seg);
        }
    }

    /**
     * RFC 9293 §3.10.7.4, seventh step: stores the text of an acceptable segment starting at
     * {@code seq} and decides how to acknowledge it. Returns the bytes that became readable.
     */
    int receiveText(long now, int seq, ByteBuffer buf, int at, int len, long rtoNanos) {
        if (len <= 0 || finReceived) {
            return 0;
        }
        int before = buffer.rcvNxt();
        if (Seq.leq(seq + len, before)) {
            // A retransmission of data we hold: acknowledge at once (RFC 9293 §3.10.7.4).
            counters.increment(Counter.TCP_DUPLICATE_SEGMENTS);
            ackNow = true;
            return 0;
        }
        if (len > rcvMss) {
            rcvMss = Math.min(len, config.mss());
        }
        boolean hadOutOfOrder = buffer.hasOutOfOrder();
        int n = buffer.offer(seq, buf, at, len);
        if (n == 0) {
            if (Seq.gt(seq, before)) {
                // RFC 5681 §4.2: an out-of-order segment gets an immediate duplicate ACK (with SACK
                // blocks, RFC 2018 §4).
                counters.increment(Counter.TCP_OUT_OF_ORDER);
                if (!sack) {
                    dupAcksToSend++;
                }
            } else {
                counters.increment(Counter.DROP_TCP_RECEIVE_QUEUE_FULL);
            }
            ackNow = true;
            return 0;
        }
        rcvNxt = buffer.rcvNxt();
        bytesReceived += n;
        noteData(now, rtoNanos);
        if (hadOutOfOrder || buffer.hasOutOfOrder()) {
            // RFC 5681 §4.2: a segment that fills all or part of a gap is acknowledged at once.
            ackNow = true;
        } else {
            scheduleAck(now);
        }
        return n;
    }

    /**
     * RFC 9293 §3.10.7.4, eighth step: the peer's FIN, which follows its data and sits at
     * {@code finSeq}. Returns true when it is now in order (RCV.NXT advanced over it); a FIN
     * beyond a hole is remembered until the hole fills.
     */
    boolean receiveFin(int finSeq) {
        if (finReceived) {
            return false;
        }
        ackNow = true;
        int dataNxt = buffer.rcvNxt();
        if (finSeq == dataNxt) {
            acceptFin(finSeq);
            return true;
        }
        if (Seq.gt(finSeq, dataNxt) && Seq.leq(finSeq, buffer.readSeq() + buffer.capacity()) && !finOutOfOrder) {
            finOutOfOrder = true;
            this.finSeq = finSeq;
        }
        return false;
    }

    /** True when in-order data just reached an out-of-order FIN, which is then accepted. */
    boolean outOfOrderFinReached() {
        if (finOutOfOrder && !finReceived && finSeq == buffer.rcvNxt()) {
            acceptFin(finSeq);
            return true;
        }
        return false;
    }

    private void acceptFin(int seq) {
        finReceived = true;
        finOutOfOrder = false;
        rcvNxt = seq + 1;
        ackNow = true;
    }

    /** Quickack budget and timing at each in-order data arrival (Linux tcp_event_data_recv). */
    private void noteData(long now, long rtoNanos) {
        if (!dataSeen || now - lastDataTime > rtoNanos) {
            // The first data, or data after a gap longer than the RTO: acknowledge the next
            // segments at once so the sender's window can open (Linux quickack mode).
            dataSeen = true;
            quickAcks = Math.min(MAX_QUICK_ACKS, Math.max(2, rcvWnd() / (2 * rcvMss)));
        }
        lastDataTime = now;
    }

    /**
     * Acknowledgment policy for in-order data (RFC 5681 §4.2, RFC 9293 §3.8.6.3): at once
     * while in quickack mode or when more than one full-sized segment is unacknowledged
     * (Linux's test, so at least every second full-sized segment), otherwise after the
     * delayed-ACK timeout. A PSH does not force an ACK (as in Linux).
     */
    private void scheduleAck(long now) {
        if (quickAcks > 0) {
            quickAcks--;
            ackNow = true;
        } else if (rcvNxt - lastAckSent > rcvMss) {
            ackNow = true;
        } else if (delayedAckDeadline == NO_DEADLINE) {
            delayedAckDeadline = now + config.delayedAckTimeout();
        }
    }

    /** An ACK (pure or piggybacked) with acknowledgment number {@code ack} was sent. */
    void onAckSent(int ack) {
        lastAckSent = ack;
        ackNow = false;
        delayedAckDeadline = NO_DEADLINE;
    }

    /** True when output must send an ACK now. */
    boolean wantsAck() {
        return ackNow || dupAcksToSend > 0;
    }

    /** Receive space from RCV.NXT to the buffer's right edge. */
    int freeSpace() {
        return Math.max(buffer.window() - (finReceived ? 1 : 0), 0);
    }

    /** RFC 9293 §3.8.6.2.2: the window grows only in steps of min(Fr·RCV.BUFF, Eff.snd.MSS), Fr = 1/2. */
    private int swsThreshold() {
        return Math.min(buffer.capacity() / 2, rcvMss);
    }

    /** The largest window the 16-bit field can carry with our shift. */
    private int maxWindow() {
        return MAX_UNSCALED_WINDOW << rcvWscale;
    }

    /**
     * The window field of a non-SYN segment we send, recording the right edge it advertises.
     * Receiver SWS avoidance (RFC 9293 §3.8.6.2.2): the right edge moves only when the space
     * beyond it reaches the SWS threshold. The window never shrinks: if scaling's rounding down
     * would pull the edge left, the field is rounded up instead, as Linux does (RFC 7323 §2.4
     * allows either; {@link ReceiveBuffer#offer} still trims at the buffer's true edge).
     */
    int advertiseWindow() {
        int avail = freeSpace();
        int cur = rcvWnd();
        int wnd = avail - cur >= swsThreshold() ? avail : cur;
        wnd = Math.min(wnd, maxWindow());
        int field = wnd >>> rcvWscale;
        if ((field << rcvWscale) < cur) {
            field = (int) (((long) cur + (1L << rcvWscale) - 1) >>> rcvWscale);
        }
        int edge = rcvNxt + (field << rcvWscale);
        if (Seq.gt(edge, rcvWndEdge)) {
            rcvWndEdge = edge;
        }
        return field;
    }

    /**
     * After the application read: is the window now worth announcing at once? Only when it
     * opens by the SWS threshold and at least doubles (Linux tcp_cleanup_rbuf), so a reading
     * application does not turn every read into a pure ACK.
     */
    boolean windowUpdateWorthSending() {
        if (finReceived) {
            return false;
        }
        int avail = Math.min(freeSpace(), maxWindow());
        int cur = rcvWnd();
        return avail - cur >= swsThreshold() && avail >= 2L * cur;
    }

    /** How many SACK blocks our next ACK carries (RFC 2018 §4): up to 3 beside timestamps, else 4. */
    int sackBlockCount() {
        if (!sack || !buffer.hasOutOfOrder()) {
            return 0;
        }
        return Math.min(buffer.outOfOrderRanges(), timestamps ? 3 : 4);
    }
}
