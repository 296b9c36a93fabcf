package io.understudy.stack.tcp;

import static io.understudy.stack.wire.TcpHeader.ACK;
import static io.understudy.stack.wire.TcpHeader.FIN;
import static io.understudy.stack.wire.TcpHeader.RST;
import static io.understudy.stack.wire.TcpHeader.SYN;

import io.understudy.stack.Counter;
import io.understudy.stack.Counters;
import io.understudy.stack.replication.Adoption;
import io.understudy.stack.replication.ReplicationLog;
import io.understudy.stack.replication.TcbImage;
import io.understudy.stack.wire.Seq;
import io.understudy.stack.wire.TcpHeader;
import io.understudy.stack.wire.TcpOptions;
import io.understudy.stack.wire.TcpOptionsWriter;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * One TCP connection: its control block (RFC 9293 §3.3.1) and the state machine of RFC 9293
 * §3.3.2 and §3.10, as a pure machine. Segments come in through {@link #onSegment}, time
 * through {@link #onTimer}, the application through {@link #write}, {@link #writeFile}, {@link #read},
 * {@link #close} and friends; segments go out only through {@link #output}, which the TCP
 * layer calls at the end of the batch after {@link Owner#wantsOutput}. It reads no clock and
 * performs no I/O; {@code now} is nanoseconds from any origin, compared by difference.
 *
 * <p>The send half (sequence variables, retransmission, loss recovery, congestion control,
 * Nagle, persist) is {@link TcpSender}; the receive half (acceptability, PAWS, reassembly,
 * window advertisement, delayed ACKs) is {@link TcpReceiver}. This class holds the state,
 * the per-state segment processing ({@code onSegmentIn…}), the timers' dispatch, the
 * application API and the segment writer.
 *
 * <p><b>Callbacks.</b> Application callbacks ({@link TcpHandler}) are collected while a
 * segment, a timer or an API call is processed and delivered afterwards, in the order
 * connected, readable, peer-closed, writable, closed; so protocol processing is never
 * interrupted by application code, and an application may call {@link #write},
 * {@link #close} or {@link #abort} from inside any callback (output happens at the next
 * {@link #output}). {@link TcpHandler#onClosed} comes exactly once, after which no callback
 * comes; after {@link #close} only {@code onClosed} comes. {@link Owner#closed} is called
 * once the connection is CLOSED and has nothing left to send — if a RST is pending, from
 * inside {@link #output} after writing it.
 *
 * <p><b>Divergences, each deliberate</b> (besides those documented on the halves):
 * <ul>
 * <li>Data in a SYN (without TCP Fast Open) is not acknowledged and must be resent, as Linux
 *     does; data in a SYN-ACK is accepted (RFC 9293 §3.10.7.3).
 * <li>Urgent data is delivered inline as ordinary data and the urgent pointer ignored (RFC 6093
 *     §6); Linux by default removes the urgent byte from the stream.
 * <li>Segments without timestamps on a timestamp connection are accepted, as Linux does
 *     (RFC 7323 §3.2 says SHOULD drop).
 * <li>A RST whose ACK is acceptable in SYN-SENT refuses the connection; a SYN in a synchronized
 *     state or a passive SYN-RECEIVED draws a challenge ACK (RFC 5961 §4, as Linux), except the
 *     peer's retransmitted SYN in SYN-RECEIVED, which makes us resend the SYN-ACK (Linux
 *     {@code tcp_check_req}), and the SYN-ACK of a simultaneous open, whose ACK is taken.
 * <li>After {@link #close} with unread data, a RST replaces the FIN; new data arriving after
 *     {@link #close} (not after {@link #shutdownOutput}) is answered with a RST and the
 *     connection dropped (RFC 1122 §4.2.2.13, Linux's TCPAbortOnClose/TCPAbortOnData).
 * <li>Giving up after retransmissions (or the user timeout) sends no RST, as Linux
 *     ({@code tcp_write_err}); a keepalive timeout does send one, as Linux.
 * <li>TIME-WAIT is closed by an acceptable RST (RFC 9293; Linux with {@code tcp_rfc1337=0}),
 *     and restarted only by a retransmitted FIN (RFC 9293; Linux also restarts on other
 *     out-of-window ACKs).
 * <li>PAWS (RFC 7323 §5) has Linux's one-tick slack, and lets a reordered pure duplicate ACK
 *     through ({@code tcp_disordered_ack}); replies to unacceptable segments without data and
 *     challenge ACKs are limited to one per 500 ms per connection ({@code tcp_oow_rate_limited})
 *     before the stack-wide RFC 5961 §7 limit of {@link TcpContext}.
 * </ul>
 *
 * <p><b>Beyond the RFC 9293 interface</b>: {@link #peerFinReceived()} tells a read of 0 at the
 * end of the stream from one with nothing yet ({@link #read} never returns -1);
 * {@link TcpContext#receiveWindowShift()} and {@link TcpContext#synWindow()} are what a
 * SYN-cookie SYN-ACK written by the layer must announce for {@link #openFromCookie}.
 */
public final class TcpConnection {
    /** The TCP layer's side of a connection. */
    public interface Owner {
        /** Handshake done (SYN-RECEIVED or SYN-SENT to ESTABLISHED), called before the application's onConnected. */
        void established(TcpConnection c);

        /** Something is to be sent: the layer calls {@link #output} at the end of the batch. */
        void wantsOutput(TcpConnection c);

        /** CLOSED for good (after TIME-WAIT, RST, abort, timeouts): remove it from the tables. */
        void closed(TcpConnection c);

        /**
         * The connection changed and replication is on: its image goes into this batch's record
         * (the layer calls {@link #replicated()} once it wrote it). Called at most once per batch.
         */
        default void replicate(TcpConnection c) {}
    }

    private static final byte[] NO_BYTES = new byte[0];
    /** The most consumed bytes a resume mark keeps for snapshots; beyond it a joining standby cannot replay them. */
    static final int MAX_KEEP = 256 << 20;

    /** {@link #nextDeadline()} when no timer is pending. */
    public static final long NO_DEADLINE = Long.MAX_VALUE;

    private static final long MILLIS = 1_000_000L;
    /**
     * Least time between two ACKs answering out-of-window or PAWS-failing non-data segments, or
     * challenge ACKs, on one connection (Linux {@code tcp_invalid_ratelimit}, 500 ms).
     */
    static final long OUT_OF_WINDOW_ACK_INTERVAL = 500 * MILLIS;
    private static final int EV_CONNECTED = 1, EV_READABLE = 2, EV_PEER_CLOSED = 4, EV_WRITABLE = 8, EV_CLOSED = 16,
            EV_APP_TIMER = 32;
    /** Most duplicate ACKs written as separate segments by one output. */
    private static final int MAX_DUP_ACKS_PER_OUTPUT = 8;
    private static final int SACK_OPTION_BASE = 4;
    private static final int SACK_BLOCK_BYTES = 8;

    /** Marks this connection for the batch's replication record (no-op in solo mode). */
    void touchedForReplication() {
        if (ctx.replication != null && !replicationQueued && opened && !ownerClosed) {
            replicationQueued = true;
            owner.replicate(this);
        }
    }

    /** The layer wrote this connection's image into the batch's record. */
    void replicated() {
        replicationQueued = false;
    }

    /**
     * Something a segment would reveal changed (RCV.NXT, the window after a read, the state, our
     * ISS, a FIN): every segment from now on carries it, so it waits for this batch's record.
     */
    private void revealState() {
        ReplicationLog log = ctx.replication;
        if (log != null) {
            stateRecord = log.currentRecord();
            touchedForReplication();
        }
    }

    /** The application appended {@code n} literal bytes ending at the queue's end. */
    private void noteAppended(int n) {
        if (n <= 0) {
            return;
        }
        sendOffset += n;
        ReplicationLog log = ctx.replication;
        if (log != null) {
            int end = snd.buffer.endSeq();
            log.appended(this, end - n, n);
            noteAppendRecord(log, end);
        }
    }

    private void noteAppendRecord(ReplicationLog log, int end) {
        long r = log.currentRecord();
        if (r != appendRecord) {
            prevAppendRecord = appendRecord;
            prevAppendEnd = appendEnd;
            appendRecord = r;
        }
        appendEnd = end;
        touchedForReplication();
    }

    /**
     * The record whose state a segment reveals (output commit): its ACK number, window and flags
     * reveal {@link #stateRecord}; payload ending at {@code end} reveals the record that appended
     * it (the older of the last two appending records when the payload lies within what the
     * older one covered).
     */
    private long revealedRecord(int seq, int payloadLength) {
        long tag = stateRecord;
        if (payloadLength > 0) {
            int end = seq + payloadLength;
            long t = Seq.leq(end, prevAppendEnd) ? prevAppendRecord : appendRecord;
            if (t > tag) {
                tag = t;
            }
        }
        return tag;
    }

    /** The stack-wide context. */
    final TcpContext ctx;
    private final TcpConfig config;
    private final Counters counters;
    private final TcpTuple tuple;
    private final Owner owner;
    /** The send half. */
    final TcpSender snd;
    /** The receive half. */
    final TcpReceiver rcv;
    private TcpHandler handler;
    private TcpState state = TcpState.CLOSED;

    /** Window scaling (RFC 7323 §2) is in use: both SYNs carried the option. */
    private boolean windowScaling;
    /** Added to the millisecond clock in our TSvals (RFC 7323 §5.4). */
    private int tsOffset;
    /** Opened from LISTEN (passive OPEN or SYN cookie). */
    private boolean passive;
    /** One of the open methods was called. */
    private boolean opened;
    /** The application called {@link #close}: it reads no more and hears only onClosed. */
    private boolean appClosed;
    /** {@link #close} during the handshake, performed once ESTABLISHED (RFC 9293 §3.10.4). */
    private boolean closeQueued;
    /** {@link #shutdownOutput} during the handshake, performed once ESTABLISHED. */
    private boolean shutdownQueued;
    /** Our RST (abort, keepalive timeout, close with unread data) is to be sent. */
    private boolean rstPending;
    /** A RST in reply to a segment, {@code <SEQ=SEG.ACK><CTL=RST>}, is to be sent. */
    private boolean replyRstPending;
    /** Sequence number of the reply RST. */
    private int replyRstSeq;
    /** The current segment's text must be dropped (zero-window allowance of RFC 9293 §3.10.7.4). */
    private boolean dropText;
    /** {@link Owner#wantsOutput} was called and {@link #output} not yet. */
    private boolean outputRequested;
    /** {@link Owner#closed} was called. */
    private boolean ownerClosed;
    /** The FIN-WAIT-2 timer is to be armed by the next output (close() has no clock). */
    private boolean finWait2TimerPending;
    /** TIME-WAIT's 2·MSL or FIN-WAIT-2's timeout, or {@link #NO_DEADLINE}. */
    private long closeDeadline = NO_DEADLINE;
    /** An ACK answered an out-of-window segment or was a challenge ACK (see {@link #lastOutOfWindowAck}). */
    private boolean outOfWindowAckSent;
    /** When that ACK was sent, for {@link #OUT_OF_WINDOW_ACK_INTERVAL}. */
    private long lastOutOfWindowAck;
    /** When an acceptable segment last arrived (keepalive idle time). */
    private long lastReceiveTime;
    /** Keepalive probes sent since the peer was last heard. */
    private int keepaliveProbesOut;
    /** When the last keepalive probe was sent. */
    private long lastKeepaliveSent;
    /** Application callbacks waiting for delivery (EV_ bits). */
    private int events;
    /** What onClosed will say. */
    private CloseReason closeReason = CloseReason.NORMAL;
    /** onClosed was queued or delivered. */
    private boolean closeReported;
    /** Callbacks are being delivered (re-entrancy guard). */
    private boolean dispatching;
    /** The application's deadline ({@link #appDeadline(long)}), or {@link #NO_DEADLINE}. */
    private long appDeadline = NO_DEADLINE;
    /** The time of the event being processed, or of the last one ({@link #now()}). */
    private long now;
    /** Bytes the application consumed, and appended, so far (stream offsets). */
    private long receiveOffset, sendOffset;
    /** The application's resume mark ({@link #resumeMark}); unset means "at the consumed point, not producing". */
    private boolean markSet;
    private long markReceiveOffset, markSendOffset = -1, markWord;
    /**
     * With a mark behind the consumed point: a copy of the consumed bytes from the mark on
     * ({@code [markReceiveOffset, receiveOffset)}), so that a standby joining later still gets
     * them in its snapshot; {@link #keepValid} is false when they could not all be kept.
     */
    private byte[] keep = NO_BYTES;
    private int keepLength;
    /** The stream offset of {@code keep[0]}; the kept bytes end at {@link #receiveOffset} when valid. */
    private long keepBase;
    private boolean keepValid = true;
    /** This connection waits in the layer's replication list for this batch. */
    private boolean replicationQueued;
    /** The next {@link #emit} is a large segment for the link to cut into pieces of this many payload bytes (TSO); 0: not. */
    int largeSegmentPayload;
    /** Output commit: the record of the newest revealed state, and of the last two appends. */
    private long stateRecord, appendRecord, prevAppendRecord;
    /** The send queue's end after the appends of {@link #appendRecord} and {@link #prevAppendRecord}. */
    private int appendEnd, prevAppendEnd;

    /** A connection in CLOSED; call one of the open methods next. */
    public TcpConnection(TcpContext ctx, TcpTuple tuple, Owner owner) {
        this.ctx = ctx;
        this.config = ctx.config();
        this.counters = ctx.counters();
        this.tuple = tuple;
        this.owner = owner;
        this.snd = new TcpSender(this, config, counters, ctx.files());
        this.rcv = new TcpReceiver(config, counters);
        this.snd.noDelay = config.noDelay();
    }

    // ---------------------------------------------------------------- opening

    /** Active OPEN (RFC 9293 §3.10.1): CLOSED → SYN-SENT; the SYN goes out with the next output. */
    public void openActive(long now, int iss, int tsOffset) {
        open(now, iss, tsOffset, false);
        counters.increment(Counter.TCP_ACTIVE_OPENS);
        setState(TcpState.SYN_SENT, "active open");
        afterChange();
    }

    /**
     * Passive OPEN: a listener received {@code syn} (RFC 9293 §3.10.7.2): LISTEN → SYN-RECEIVED;
     * the SYN-ACK goes out with the next output. Text in the SYN is not taken (as Linux).
     */
    public void openPassive(long now, int iss, int tsOffset, TcpSegment syn) {
        open(now, iss, tsOffset, true);
        counters.increment(Counter.TCP_PASSIVE_OPENS);
        negotiate(syn.options, config.sack(), config.timestamps(), config.windowScaling());
        rcv.synchronize(syn.seq, ctx.synWindow());
        if (snd.timestamps) {
            rcv.startTimestamps(syn.options.tsVal(), now);
        }
        snd.setWindow(syn);
        snd.sndWl2 = iss;
        state = TcpState.LISTEN;
        setState(TcpState.SYN_RECEIVED, "SYN received");
        afterChange();
    }

    /**
     * A SYN-cookie ACK the layer validated (RFC 4987 §3.6): LISTEN → ESTABLISHED with what the
     * cookie carried ({@code peerWindowScale} -1 for none); then {@code ack} is processed as in
     * ESTABLISHED, so data it carries is received. Timestamps are on when the configuration
     * offers them and {@code ack} carries them. The cookie SYN-ACK must have advertised
     * {@link TcpContext#synWindow()} and shift {@link TcpContext#receiveWindowShift()}.
     */
    public void openFromCookie(long now, int iss, int tsOffset, int irs, int peerMss, int peerWindowScale,
                               boolean sackPermitted, TcpSegment ack) {
        open(now, iss, tsOffset, true);
        counters.increment(Counter.TCP_COOKIE_OPENS);
        snd.synPending = false;
        snd.sndUna = iss + 1;
        snd.sndNxt = iss + 1;
        snd.sndMax = iss + 1;
        snd.timestamps = config.timestamps() && ack.options.hasTimestamps();
        snd.sack = config.sack() && sackPermitted;
        rcv.sack = snd.sack;
        windowScaling = config.windowScaling() && peerWindowScale >= 0;
        snd.sndWscale = windowScaling ? Math.min(peerWindowScale, TcpOptions.MAX_WINDOW_SCALE) : 0;
        rcv.rcvWscale = windowScaling ? ctx.receiveWindowShift() : 0;
        snd.setMss(peerMss);
        rcv.synchronize(irs, ctx.synWindow());
        if (snd.timestamps) {
            rcv.startTimestamps(ack.options.tsVal(), now);
        }
        snd.setWindow(ack);
        state = TcpState.LISTEN;
        enterEstablished(now, "valid SYN cookie");
        dropText = false;
        onSegmentInEstablished(now, ack);
        runQueuedClose();
        snd.updatePersist(now);
        afterChange();
    }

    private void open(long now, int iss, int tsOffset, boolean passive) {
        this.now = now;
        if (opened) {
            throw new IllegalStateException("connection " + tuple + " was already opened");
        }
        this.opened = true;
        this.passive = passive;
        this.tsOffset = tsOffset;
        this.lastReceiveTime = now;
        snd.start(iss);
        appendEnd = prevAppendEnd = iss + 1;
        revealState();
    }

    /** Option negotiation from the peer's SYN or SYN-ACK: an option is on when we offered it and the peer sent it. */
    private void negotiate(TcpOptions peer, boolean offerSack, boolean offerTimestamps, boolean offerWindowScale) {
        snd.timestamps = offerTimestamps && peer.hasTimestamps();
        snd.sack = offerSack && peer.sackPermitted();
        rcv.sack = snd.sack;
        // RFC 7323 §2.2: scaling only if both SYNs carried the option.
        windowScaling = offerWindowScale && peer.hasWindowScale();
        snd.sndWscale = windowScaling ? peer.windowScale() : 0;
        rcv.rcvWscale = windowScaling ? ctx.receiveWindowShift() : 0;
        // RFC 9293 §3.7.1: 536 when the peer sent no MSS option.
        snd.setMss(peer.hasMss() ? peer.mss() : 0);
    }

    // ---------------------------------------------------------------- segment arrival

    /**
     * A segment for this connection (RFC 9293 §3.10.7.3–3.10.7.4). Never throws on any input
     * a validated {@link TcpHeader} can describe.
     */
    public void onSegment(long now, TcpSegment seg) {
        this.now = now;
        dropText = false;
        switch (state) {
            case SYN_SENT:
                onSegmentInSynSent(now, seg);
                break;
            case SYN_RECEIVED:
                onSegmentInSynReceived(now, seg);
                break;
            case ESTABLISHED:
                onSegmentInEstablished(now, seg);
                break;
            case FIN_WAIT_1:
                onSegmentInFinWait1(now, seg);
                break;
            case FIN_WAIT_2:
                onSegmentInFinWait2(now, seg);
                break;
            case CLOSE_WAIT:
                onSegmentInCloseWait(now, seg);
                break;
            case CLOSING:
                onSegmentInClosing(now, seg);
                break;
            case LAST_ACK:
                onSegmentInLastAck(now, seg);
                break;
            case TIME_WAIT:
                onSegmentInTimeWait(now, seg);
                break;
            default:
                break; // CLOSED or LISTEN: segments without a TCB are the layer's business
        }
        runQueuedClose();
        snd.updatePersist(now);
        afterChange();
    }

    /** RFC 9293 §3.10.7.3: SYN-SENT. */
    private void onSegmentInSynSent(long now, TcpSegment seg) {
        boolean ackAcceptable = false;
        if (seg.has(ACK)) {
            // First: an ACK must acknowledge our SYN, ISS < SEG.ACK ≤ SND.NXT.
            if (Seq.leq(seg.ack, snd.iss) || Seq.gt(seg.ack, snd.sndMax)) {
                counters.increment(Counter.DROP_TCP_BAD_ACK);
                if (!seg.has(RST)) {
                    replyRst(seg.ack);
                }
                return;
            }
            ackAcceptable = true;
        }
        if (seg.has(RST)) {
            // Second: a RST is taken only with an acceptable ACK (RFC 9293; RFC 5961 §3.2).
            if (ackAcceptable) {
                counters.increment(Counter.TCP_RESETS_RECEIVED);
                enterClosed(CloseReason.REFUSED, "connection refused (RST)");
            }
            return;
        }
        if (!seg.has(SYN)) {
            counters.increment(Counter.DROP_TCP_SYN_SENT_NO_SYN);
            return;
        }
        // Fourth: the SYN.
        negotiate(seg.options, config.sack(), config.timestamps(), config.windowScaling());
        rcv.synchronize(seg.seq, ctx.synWindow());
        if (snd.timestamps) {
            rcv.startTimestamps(seg.options.tsVal(), now);
        }
        snd.setWindow(seg);
        lastReceiveTime = now;
        if (ackAcceptable) {
            snd.onSynAcked(now, seg);
            enterEstablished(now, "SYN-ACK received");
            rcv.ackNow = true;
            // "If there are other controls or text in the segment, then continue processing at
            // the sixth step": text and FIN.
            if (receiveTextAndFin(now, seg)) {
                setState(TcpState.CLOSE_WAIT, "FIN received");
            }
        } else {
            // Simultaneous open (RFC 9293 §3.5, Figure 8): answer with a SYN-ACK.
            setState(TcpState.SYN_RECEIVED, "simultaneous open");
            snd.synPending = true;
        }
    }

    /** RFC 9293 §3.10.7.4 in SYN-RECEIVED. */
    private void onSegmentInSynReceived(long now, TcpSegment seg) {
        if (seg.has(SYN) && !seg.has(ACK) && !seg.has(RST) && seg.seq == rcv.irs) {
            // As Linux (tcp_check_req): the peer repeated its SYN, so our SYN-ACK was lost.
            snd.synPending = true;
            snd.synRetransmitReason = "peer retransmitted its SYN";
            return;
        }
        // As Linux: in a simultaneous open the peer's SYN-ACK repeats its SYN (so it fails the
        // sequence check) and acknowledges ours; take its ACK.
        boolean simultaneousSynAck = !passive && seg.has(SYN | ACK) && !seg.has(RST) && seg.seq + 1 == rcv.rcvNxt
                && seg.ack == snd.sndMax;
        if (!simultaneousSynAck && !checkSynchronized(now, seg)) {
            return;
        }
        // Fifth: the ACK must acknowledge our SYN, SND.UNA < SEG.ACK ≤ SND.NXT; else <SEQ=SEG.ACK><CTL=RST>.
        if (!Seq.gt(seg.ack, snd.sndUna) || Seq.gt(seg.ack, snd.sndMax)) {
            counters.increment(Counter.DROP_TCP_BAD_ACK);
            replyRst(seg.ack);
            return;
        }
        lastReceiveTime = now;
        snd.setWindow(seg);
        enterEstablished(now, "ACK of our SYN");
        rcv.updateTsRecent(now, seg);
        snd.onAck(now, seg);
        if (!simultaneousSynAck && receiveTextAndFin(now, seg)) {
            setState(TcpState.CLOSE_WAIT, "FIN received");
        }
    }

    private void onSegmentInEstablished(long now, TcpSegment seg) {
        if (!checkSynchronized(now, seg) || !checkAck(now, seg)) {
            return;
        }
        if (receiveTextAndFin(now, seg)) {
            setState(TcpState.CLOSE_WAIT, "FIN received");
        }
    }

    private void onSegmentInFinWait1(long now, TcpSegment seg) {
        if (!checkSynchronized(now, seg) || !checkAck(now, seg) || abortOnData(seg)) {
            return;
        }
        boolean finAcked = snd.finAcked();
        if (receiveTextAndFin(now, seg)) {
            // RFC 9293 eighth step: if our FIN is acknowledged (perhaps by this segment), TIME-WAIT; else CLOSING.
            if (finAcked) {
                enterTimeWait(now, "FIN+ACK received");
            } else {
                setState(TcpState.CLOSING, "FIN received");
            }
        } else if (finAcked) {
            enterFinWait2(now);
        }
    }

    private void onSegmentInFinWait2(long now, TcpSegment seg) {
        if (!checkSynchronized(now, seg) || !checkAck(now, seg) || abortOnData(seg)) {
            return;
        }
        if (receiveTextAndFin(now, seg)) {
            enterTimeWait(now, "FIN received");
        }
    }

    /** CLOSE-WAIT: the peer has closed; its text and FIN are ignored (RFC 9293 seventh and eighth steps). */
    private void onSegmentInCloseWait(long now, TcpSegment seg) {
        if (checkSynchronized(now, seg)) {
            checkAck(now, seg);
        }
    }

    private void onSegmentInClosing(long now, TcpSegment seg) {
        if (checkSynchronized(now, seg) && checkAck(now, seg) && snd.finAcked()) {
            enterTimeWait(now, "ACK of our FIN");
        }
    }

    private void onSegmentInLastAck(long now, TcpSegment seg) {
        if (checkSynchronized(now, seg) && checkAck(now, seg) && snd.finAcked()) {
            enterClosed(CloseReason.NORMAL, "ACK of our FIN");
        }
    }

    /**
     * TIME-WAIT: the only thing that can arrive is a retransmission of the peer's FIN; it is
     * acknowledged and the 2·MSL timeout restarted (RFC 9293 §3.10.7.4 eighth step). Anything
     * else that is unacceptable or carries text is acknowledged; a SYN draws a challenge ACK (the layer asks
     * {@link #acceptsNewSyn} before handing a SYN here).
     */
    private void onSegmentInTimeWait(long now, TcpSegment seg) {
        if (!rcv.pawsAccepts(now, seg)) {
            counters.increment(Counter.DROP_TCP_PAWS);
            ackOutOfWindow(now, seg);
            return;
        }
        if (seg.has(RST)) {
            onRst(now, seg);
            return;
        }
        if (seg.has(FIN) && !seg.has(SYN) && seg.seq + seg.payloadLength + 1 == rcv.rcvNxt) {
            rcv.ackNow = true;
            closeDeadline = now + config.timeWait();
            return;
        }
        if (seg.has(SYN)) {
            challengeAck(now, seg);
        } else if (!rcv.acceptable(seg.seq, seg.length())) {
            counters.increment(Counter.DROP_TCP_OUT_OF_WINDOW);
            ackOutOfWindow(now, seg);
        } else if (seg.length() > 0) {
            rcv.ackNow = true; // text after the peer's FIN: ignored, but say where we are (as Linux)
        }
    }

    /**
     * RFC 9293 §3.10.7.4 first to fourth checks and the ACK-bit test, for SYN-RECEIVED and
     * the synchronized states; false when the segment was consumed.
     */
    private boolean checkSynchronized(long now, TcpSegment seg) {
        // RFC 7323 §5.3 R1: PAWS comes before the sequence check; the reply is an ACK.
        if (!rcv.pawsAccepts(now, seg) && !disorderedAck(seg)) {
            counters.increment(Counter.DROP_TCP_PAWS);
            ackOutOfWindow(now, seg);
            return false;
        }
        if (seg.has(RST)) {
            onRst(now, seg);
            return false;
        }
        if (!rcv.acceptable(seg.seq, seg.length())) {
            if (rcv.rcvWnd() == 0 && seg.seq == rcv.rcvNxt && !seg.has(SYN)) {
                // "If the RCV.WND is zero, no segments will be acceptable, but special allowance
                // should be made to accept valid ACKs": process the ACK, drop the text, answer.
                // A bare FIN is taken, as Linux does: it needs no buffer space.
                dropText = seg.payloadLength > 0;
                rcv.ackNow = true;
            } else {
                counters.increment(Counter.DROP_TCP_OUT_OF_WINDOW);
                if (seg.has(SYN)) {
                    challengeAck(now, seg); // RFC 5961 §4.2: any SYN in a synchronized state
                } else {
                    rcv.updateTsRecentFromDuplicate(now, seg);
                    ackOutOfWindow(now, seg);
                }
                return false;
            }
        }
        if (seg.has(SYN)) {
            challengeAck(now, seg); // RFC 5961 §4.2, where RFC 793 would have reset
            return false;
        }
        if (!seg.has(ACK)) {
            counters.increment(Counter.DROP_TCP_NO_ACK);
            return false;
        }
        lastReceiveTime = now;
        keepaliveProbesOut = 0;
        return true;
    }

    /** RFC 9293 §3.10.7.4 fifth step, with RFC 5961 §5.2's acceptable range; false when the segment is dropped. */
    private boolean checkAck(long now, TcpSegment seg) {
        if (!snd.onAck(now, seg)) {
            counters.increment(Counter.DROP_TCP_BAD_ACK);
            challengeAck(now, seg);
            return false;
        }
        rcv.updateTsRecent(now, seg);
        return true;
    }

    /**
     * RFC 9293 §3.10.7.4 second check with RFC 5961 §3.2: a RST exactly at RCV.NXT resets; one
     * elsewhere in the window draws a challenge ACK; one outside is dropped. Never answered with
     * a RST.
     */
    private void onRst(long now, TcpSegment seg) {
        int seq = seg.seq;
        // As Linux (tcp_reset_check): once the peer's FIN is in, a RST at RCV.NXT − 1 counts as exact.
        boolean afterPeerFin = state == TcpState.CLOSE_WAIT || state == TcpState.LAST_ACK
                || state == TcpState.CLOSING || state == TcpState.TIME_WAIT;
        boolean exact = seq == rcv.rcvNxt || (afterPeerFin && seq == rcv.rcvNxt - 1);
        if (!exact) {
            if (rcv.inWindow(seq)) {
                challengeAck(now, seg);
            } else {
                counters.increment(Counter.DROP_TCP_RST_OUT_OF_WINDOW);
            }
            return;
        }
        counters.increment(Counter.TCP_RESETS_RECEIVED);
        if (state == TcpState.SYN_RECEIVED) {
            // Passive: RFC 9293 returns to LISTEN (the layer's listener still is); active: refused.
            enterClosed(passive ? CloseReason.RESET_BY_PEER : CloseReason.REFUSED, "RST received");
        } else {
            enterClosed(CloseReason.RESET_BY_PEER, "RST received");
        }
    }

    /**
     * A challenge ACK (RFC 5961 §3–5), rate-limited per connection like any reply to an
     * out-of-window segment, then stack-wide (RFC 5961 §7), as Linux does.
     */
    private void challengeAck(long now, TcpSegment seg) {
        if (outOfWindowAckLimited(now, seg)) {
            counters.increment(Counter.TCP_CHALLENGE_ACKS_LIMITED);
        } else if (ctx.allowChallengeAck(now)) {
            counters.increment(Counter.TCP_CHALLENGE_ACKS);
            rcv.ackNow = true;
        } else {
            counters.increment(Counter.TCP_CHALLENGE_ACKS_LIMITED);
        }
    }

    /** The ACK RFC 9293 §3.10.7.4 sends in reply to an unacceptable segment, rate-limited. */
    private void ackOutOfWindow(long now, TcpSegment seg) {
        if (!outOfWindowAckLimited(now, seg)) {
            rcv.ackNow = true;
        }
    }

    /**
     * As Linux ({@code tcp_oow_rate_limited}): at most one ACK per
     * {@link #OUT_OF_WINDOW_ACK_INTERVAL} answers segments without data (or SYNs) that are out of
     * the window, fail PAWS or draw a challenge ACK, so two confused endpoints cannot keep an
     * ACK loop going. Segments with data are always answered: they are not part of such a loop.
     */
    private boolean outOfWindowAckLimited(long now, TcpSegment seg) {
        if (seg.length() > 0 && !seg.has(SYN)) {
            return false;
        }
        if (outOfWindowAckSent && now - lastOutOfWindowAck < OUT_OF_WINDOW_ACK_INTERVAL) {
            counters.increment(Counter.TCP_OUT_OF_WINDOW_ACKS_LIMITED);
            return true;
        }
        outOfWindowAckSent = true;
        lastOutOfWindowAck = now;
        return false;
    }

    /**
     * As Linux ({@code tcp_disordered_ack}): a pure duplicate ACK at RCV.NXT that would not
     * change the send window, with a TSval at most about one RTO older than TS.Recent, is let
     * through PAWS. Reordered ACKs are common and carry nothing dangerous; dropping them would
     * answer each with a duplicate ACK the peer might count towards a fast retransmit.
     */
    private boolean disorderedAck(TcpSegment seg) {
        if (!seg.has(ACK) || seg.length() != 0 || seg.seq != rcv.rcvNxt || seg.ack != snd.sndUna
                || snd.mayUpdateWindow(seg)) {
            return false;
        }
        long behindMillis = rcv.tsRecent - seg.options.tsVal();
        return behindMillis <= snd.rto.rtoNanos() / MILLIS;
    }

    /**
     * Sixth to eighth steps for the states that take text: URG is ignored (its data is
     * ordinary data, RFC 6093), text is queued, the FIN noted. Returns true when the peer's FIN
     * became in order with this segment.
     */
    private boolean receiveTextAndFin(long now, TcpSegment seg) {
        if (dropText) {
            return false;
        }
        int seq = seg.has(SYN) ? seg.seq + 1 : seg.seq;
        int len = seg.payloadLength;
        int before = rcv.buffer.rcvNxt();
        int n = rcv.receiveText(now, seq, seg.buf, seg.payloadAt, len, snd.rto.rtoNanos());
        if (n > 0) {
            events |= EV_READABLE;
            ReplicationLog log = ctx.replication;
            if (log != null) {
                log.received(this, before, n);
                revealState();
            }
        }
        boolean fin = seg.has(FIN) ? rcv.receiveFin(seq + len) : false;
        if (!fin) {
            fin = rcv.outOfOrderFinReached();
        }
        if (fin) {
            events |= EV_PEER_CLOSED;
        }
        return fin;
    }

    /**
     * RFC 1122 §4.2.2.13: new data after the application closed (not merely shut down its
     * sending side) is answered with a RST and the connection dropped, as Linux does
     * (TCPAbortOnData).
     */
    private boolean abortOnData(TcpSegment seg) {
        if (!appClosed || seg.payloadLength == 0 || dropText) {
            return false;
        }
        if (!Seq.gt(seg.seq + seg.payloadLength, rcv.rcvNxt)) {
            return false;
        }
        counters.increment(Counter.TCP_ABORT_ON_DATA);
        replyRst(seg.ack);
        enterClosed(CloseReason.ABORTED, "data after close");
        return true;
    }

    private void replyRst(int seq) {
        replyRstPending = true;
        replyRstSeq = seq;
    }

    // ---------------------------------------------------------------- state changes

    private void setState(TcpState next, String why) {
        TcpState prev = state;
        state = next;
        revealState();
        if (ctx.tracing() && prev != next) {
            ctx.trace(tuple + " " + prev + " -> " + next + " (" + why + ")");
        }
    }

    private void enterEstablished(long now, String why) {
        setState(TcpState.ESTABLISHED, why);
        counters.increment(Counter.TCP_ESTABLISHED);
        snd.onEstablished(now);
        owner.established(this);
        events |= EV_CONNECTED;
    }

    private void enterFinWait2(long now) {
        setState(TcpState.FIN_WAIT_2, "ACK of our FIN");
        if (appClosed) {
            closeDeadline = now + config.finWait2Timeout(); // orphaned: do not wait for ever (Linux tcp_fin_timeout)
        }
    }

    private void enterTimeWait(long now, String why) {
        setState(TcpState.TIME_WAIT, why);
        snd.stopTimers();
        rcv.delayedAckDeadline = NO_DEADLINE;
        closeDeadline = now + config.timeWait();
        reportClosed(CloseReason.NORMAL);
    }

    private void enterClosed(CloseReason reason, String why) {
        setState(TcpState.CLOSED, why);
        snd.stopTimers();
        snd.buffer.releaseFiles();
        rcv.delayedAckDeadline = NO_DEADLINE;
        rcv.ackNow = false;
        rcv.dupAcksToSend = 0;
        closeDeadline = NO_DEADLINE;
        finWait2TimerPending = false;
        reportClosed(reason);
    }

    private void reportClosed(CloseReason reason) {
        if (!closeReported) {
            closeReported = true;
            closeReason = reason;
            events |= EV_CLOSED;
        }
    }

    /** A close or shutdown the application asked for during the handshake (RFC 9293 §3.10.4). */
    private void runQueuedClose() {
        if (state != TcpState.ESTABLISHED && state != TcpState.CLOSE_WAIT) {
            return;
        }
        if (closeQueued) {
            closeQueued = false;
            shutdownQueued = false;
            closeSynchronized();
        } else if (shutdownQueued) {
            shutdownQueued = false;
            shutdownSynchronized();
        }
    }

    /** Called by the sender when acknowledged data freed space after a short write. */
    void notifyWritable() {
        events |= EV_WRITABLE;
    }

    // ---------------------------------------------------------------- timers

    /** Fires every timer due at {@code now}: RTO, persist, delayed ACK, keepalive, TIME-WAIT, FIN-WAIT-2. */
    public void onTimer(long now) {
        this.now = now;
        if (due(appDeadline, now)) {
            appDeadline = NO_DEADLINE;
            if (!appClosed && !closeReported) {
                events |= EV_APP_TIMER;
            }
        }
        if (due(snd.rtxDeadline, now) && !snd.onRetransmitTimeout(now)) {
            timedOut();
        }
        if (due(snd.persistDeadline, now) && !snd.onPersistTimeout(now)) {
            timedOut();
        }
        if (due(rcv.delayedAckDeadline, now)) {
            rcv.delayedAckDeadline = NO_DEADLINE;
            rcv.ackNow = true;
            counters.increment(Counter.TCP_DELAYED_ACKS);
        }
        if (due(keepaliveDeadline(), now)) {
            onKeepaliveTimeout(now);
        }
        if (due(closeDeadline, now)) {
            onCloseTimeout();
        }
        snd.updatePersist(now);
        afterChange();
    }

    /** The earliest pending deadline, or {@link #NO_DEADLINE}. */
    public long nextDeadline() {
        long d = earliest(snd.rtxDeadline, snd.persistDeadline);
        d = earliest(d, rcv.delayedAckDeadline);
        d = earliest(d, keepaliveDeadline());
        d = earliest(d, appClosed || closeReported ? NO_DEADLINE : appDeadline);
        return earliest(d, closeDeadline);
    }

    private static boolean due(long deadline, long now) {
        return deadline != NO_DEADLINE && deadline - now <= 0;
    }

    private static long earliest(long a, long b) {
        if (a == NO_DEADLINE) {
            return b;
        }
        if (b == NO_DEADLINE) {
            return a;
        }
        return a - b <= 0 ? a : b;
    }

    /** Retransmissions, zero-window probes or the user timeout ran out: no RST, as Linux (tcp_write_err). */
    private void timedOut() {
        counters.increment(Counter.TCP_CONNECTIONS_TIMED_OUT);
        enterClosed(CloseReason.TIMED_OUT, "retransmission timeout");
    }

    /**
     * Keepalive (RFC 9293 §3.8.4, RFC 1122 §4.2.3.6): after {@code keepaliveIdle} without
     * hearing from the peer, a probe every {@code keepaliveInterval}; not while data is queued
     * or in flight (the retransmission and persist timers watch those, as in Linux).
     */
    private long keepaliveDeadline() {
        if (!config.keepalive() || snd.hasOutstanding() || snd.hasUnsent()) {
            return NO_DEADLINE;
        }
        if (state != TcpState.ESTABLISHED && state != TcpState.CLOSE_WAIT
                && (state != TcpState.FIN_WAIT_2 || appClosed)) {
            return NO_DEADLINE;
        }
        return keepaliveProbesOut == 0 ? lastReceiveTime + config.keepaliveIdle()
                : lastKeepaliveSent + config.keepaliveInterval();
    }

    private void onKeepaliveTimeout(long now) {
        if (keepaliveProbesOut >= config.keepaliveProbes()) {
            // As Linux (tcp_keepalive_timer): reset the connection and report the timeout.
            counters.increment(Counter.TCP_KEEPALIVE_TIMEOUTS);
            rstPending = true;
            enterClosed(CloseReason.KEEPALIVE_TIMEOUT, "keepalive timeout");
            return;
        }
        keepaliveProbesOut++;
        lastKeepaliveSent = now;
        snd.keepaliveProbe = true;
    }

    private void onCloseTimeout() {
        closeDeadline = NO_DEADLINE;
        if (state == TcpState.TIME_WAIT) {
            enterClosed(CloseReason.NORMAL, "2MSL timeout");
        } else if (state == TcpState.FIN_WAIT_2) {
            // The peer never sent its FIN; closed silently, as Linux's FIN-WAIT-2 timewait socket expires.
            counters.increment(Counter.TCP_FIN_WAIT2_TIMEOUTS);
            enterClosed(CloseReason.TIMED_OUT, "FIN-WAIT-2 timeout");
        }
    }

    // ---------------------------------------------------------------- output

    /**
     * Emits everything due now: a reply RST or our RST, the SYN or SYN-ACK, retransmissions,
     * data within the send window and cwnd (Nagle unless noDelay), the FIN, probes, and pure
     * ACKs (immediate, no longer delayed, duplicate or window updates).
     */
    public void output(long now, SegmentSink sink) {
        this.now = now;
        outputRequested = false;
        if (replyRstPending) {
            replyRstPending = false;
            emit(now, sink, RST, replyRstSeq, 0);
        }
        if (rstPending) {
            rstPending = false;
            emit(now, sink, RST | ACK, acceptableSeq(), 0);
        }
        if (state != TcpState.CLOSED && state != TcpState.LISTEN) {
            if (finWait2TimerPending) {
                finWait2TimerPending = false;
                closeDeadline = now + config.finWait2Timeout();
            }
            boolean ackable = state != TcpState.SYN_SENT;
            int dupAcks = Math.min(rcv.dupAcksToSend, MAX_DUP_ACKS_PER_OUTPUT);
            rcv.dupAcksToSend = 0;
            for (int i = 0; ackable && i < dupAcks; i++) {
                emit(now, sink, ACK, acceptableSeq(), 0);
            }
            try {
                snd.output(now, sink);
            } catch (FileRegionChangedException e) {
                abortOnFileRegionError(now, sink, e);
                return;
            }
            if (rcv.ackNow && ackable) {
                emit(now, sink, ACK, acceptableSeq(), 0);
            }
            snd.updatePersist(now);
        }
        finishIfDone();
    }

    /**
     * A file region in the send queue cannot be read as it was queued (the file changed, went
     * away or ended early): its bytes cannot be sent, so neither can anything after them. The
     * segment being written is dropped; the connection is aborted with
     * {@code <SEQ=SND.NXT><ACK=RCV.NXT><CTL=RST,ACK>}, as {@link #abort} does, and the
     * application hears onClosed(ABORTED).
     */
    private void abortOnFileRegionError(long now, SegmentSink sink, FileRegionChangedException e) {
        counters.increment(Counter.TCP_FILE_REGION_ERRORS);
        enterClosed(CloseReason.ABORTED, ctx.tracing() ? "file region error: " + e.getMessage() : "file region error");
        emit(now, sink, RST | ACK, acceptableSeq(), 0);
        afterChange();
    }

    /** True if {@link #output} would send something now. */
    public boolean needsOutput() {
        if (replyRstPending || rstPending) {
            return true;
        }
        if (state == TcpState.CLOSED || state == TcpState.LISTEN || !opened) {
            return false;
        }
        return snd.wantsToSend() || (state != TcpState.SYN_SENT && rcv.wantsAck());
    }

    /**
     * The sequence number of a segment without data: SND.MAX, unless that lies beyond the peer's
     * window (we sent more than it now accepts, e.g. after it shrank or lost state), then the
     * window's right edge, so the peer does not drop the segment as unacceptable and lose its ACK
     * (Linux {@code tcp_acceptable_seq}).
     */
    private int acceptableSeq() {
        int windowEnd = snd.sndUna + snd.sndWnd;
        int high = snd.adopting ? snd.adoptedCeiling : snd.sndMax; // after a takeover: what the primary may have sent
        return Seq.geq(windowEnd, high) ? high : windowEnd;
    }

    /** Bytes of options on our next non-SYN segment: timestamps and SACK blocks. */
    int optionBytes() {
        int n = rcv.sackBlockCount();
        return (snd.timestamps ? TcpSender.TS_OPTION_BYTES : 0) + (n == 0 ? 0 : SACK_OPTION_BASE + n * SACK_BLOCK_BYTES);
    }

    /** TSval for {@code now}: the millisecond clock plus this connection's offset (RFC 7323 §5.4). */
    int tsClock(long now) {
        return (int) Math.floorDiv(now, MILLIS) + tsOffset;
    }

    /**
     * Writes one segment into the sink and sends it: header, options (SYN options, or
     * timestamps and SACK blocks), {@code payloadLength} bytes of the send queue from
     * {@code seq}. An ACK carries RCV.NXT and the window {@link TcpReceiver#advertiseWindow}
     * chooses; a SYN's window is never scaled (RFC 7323 §2.2).
     */
    void emit(long now, SegmentSink sink, int flags, int seq, int payloadLength) {
        ByteBuffer b = sink.segmentBuffer();
        int at = sink.segmentOffset();
        boolean ack = (flags & ACK) != 0;
        int optionsAt = at + TcpHeader.MIN_LENGTH;
        int tsVal = tsClock(now);
        int optionsLength;
        int window;
        if ((flags & SYN) != 0) {
            // Our SYN offers what the configuration enables; a SYN-ACK confirms what was negotiated.
            boolean sackOption = ack ? snd.sack : config.sack();
            boolean tsOption = ack ? snd.timestamps : config.timestamps();
            boolean wsOption = ack ? windowScaling : config.windowScaling();
            optionsLength = TcpOptionsWriter.writeSyn(b, optionsAt, config.mss(), sackOption,
                    wsOption ? ctx.receiveWindowShift() : TcpOptionsWriter.NO_WINDOW_SCALE, tsOption, tsVal,
                    ack ? rcv.tsRecent : 0);
            window = ctx.synWindow();
        } else {
            optionsLength = 0;
            if (snd.timestamps) {
                optionsLength = TcpOptionsWriter.writeTimestamps(b, optionsAt, tsVal, ack ? rcv.tsRecent : 0);
            }
            int blocks = ack && (flags & RST) == 0 ? rcv.sackBlockCount() : 0;
            if (blocks > 0) {
                rcv.buffer.sackBlocks(ctx.sackLeft, ctx.sackRight, blocks);
                optionsLength += TcpOptionsWriter.writeSackBlocks(b, optionsAt + optionsLength, ctx.sackLeft,
                        ctx.sackRight, blocks);
            }
            window = (flags & RST) != 0 ? 0 : rcv.advertiseWindow();
        }
        int headerLength = TcpHeader.MIN_LENGTH + optionsLength;
        copySendQueue(seq, b, at + headerLength, payloadLength);
        int ackNumber = ack ? rcv.rcvNxt : 0;
        ctx.header.wrap(b, at, headerLength + payloadLength)
                .srcPort(tuple.localPort()).dstPort(tuple.remotePort())
                .seq(seq).ack(ackNumber).headerLength(headerLength).flags(flags).window(window).urgentPointer(0);
        b.putShort(at + TcpHeader.CHECKSUM, (short) 0);
        ReplicationLog log = ctx.replication;
        if (log != null) {
            ctx.commit.tag(log.congested() ? log.currentRecord() : revealedRecord(seq, payloadLength));
        }
        int perSegment = largeSegmentPayload;
        largeSegmentPayload = 0;
        if (perSegment > 0 && payloadLength > perSegment) {
            sink.sendLarge(now, tuple, headerLength + payloadLength, headerLength, perSegment);
        } else {
            sink.send(now, tuple, headerLength + payloadLength);
        }
        if (ack) {
            rcv.onAckSent(ackNumber);
        }
        if ((flags & RST) != 0) {
            counters.increment(Counter.TCP_RESETS_SENT);
        }
    }


    // ---------------------------------------------------------------- re-entrancy, callbacks

    /** After any change: deliver callbacks (unless already delivering), ask for output, report CLOSED. */
    private void afterChange() {
        touchedForReplication();
        if (!dispatching) {
            dispatching = true;
            try {
                dispatchEvents();
            } finally {
                dispatching = false;
            }
        }
        requestOutput();
        finishIfDone();
    }

    private void dispatchEvents() {
        while (events != 0) {
            int ev = Integer.lowestOneBit(events);
            events &= ~ev;
            TcpHandler h = handler;
            if (h == null) {
                continue;
            }
            switch (ev) {
                case EV_CONNECTED:
                    if (!appClosed) {
                        h.onConnected(this);
                    }
                    break;
                case EV_READABLE:
                    if (!appClosed && rcv.buffer.readable() > 0) {
                        h.onReadable(this);
                    }
                    break;
                case EV_PEER_CLOSED:
                    if (!appClosed) {
                        h.onPeerClosed(this);
                    }
                    break;
                case EV_WRITABLE:
                    if (!appClosed && writable() > 0) {
                        h.onWritable(this);
                    }
                    break;
                case EV_APP_TIMER:
                    if (!appClosed) {
                        h.onAppTimer(this, now);
                    }
                    break;
                default:
                    events = 0;
                    h.onClosed(this, closeReason);
                    break;
            }
        }
    }

    /** Asks the layer for output when there is something to send or a timer output must arm. */
    private void requestOutput() {
        if (ownerClosed || outputRequested || !opened) {
            return;
        }
        if (needsOutput() || finWait2TimerPending || snd.persistWanted()) {
            outputRequested = true;
            owner.wantsOutput(this);
        }
    }

    private void finishIfDone() {
        if (opened && !ownerClosed && !dispatching && state == TcpState.CLOSED && !rstPending && !replyRstPending) {
            ownerClosed = true;
            owner.closed(this);
        }
    }

    // ---------------------------------------------------------------- TIME-WAIT reuse

    /**
     * In TIME-WAIT, may {@code syn} (a SYN without ACK) open a new incarnation of this 4-tuple?
     * As Linux ({@code tcp_timewait_state_process}), after RFC 6191 and RFC 9293 §3.6.1: not if
     * it fails PAWS; yes if its sequence number is beyond RCV.NXT, or if timestamps are in use
     * and its TSval is newer than TS.Recent. The layer should give the new connection an ISS
     * beyond {@link #sndNxt()} (Linux uses {@code sndNxt() + 65537}).
     */
    public boolean acceptsNewSyn(TcpSegment syn) {
        if (state != TcpState.TIME_WAIT || !syn.has(SYN) || syn.has(ACK) || syn.has(RST)) {
            return false;
        }
        boolean hasTs = rcv.timestamps && syn.options.hasTimestamps();
        if (hasTs && rcv.tsRecent - syn.options.tsVal() > TcpReceiver.PAWS_WINDOW) {
            return false; // fails PAWS
        }
        return Seq.gt(syn.seq, rcv.rcvNxt) || (hasTs && Seq.gt(syn.options.tsVal(), rcv.tsRecent));
    }

    // ---------------------------------------------------------------- accessors

    /** The highest sequence number sent plus one (SND.NXT outside a go-back-N retransmission). */
    public int sndNxt() {
        return snd.sndMax;
    }

    /** RCV.NXT. */
    public int rcvNxt() {
        return rcv.rcvNxt;
    }

    /** ISS. */
    public int iss() {
        return snd.iss;
    }

    /** IRS. */
    public int irs() {
        return rcv.irs;
    }

    /** The 4-tuple. */
    public TcpTuple tuple() {
        return tuple;
    }

    /** The RFC 9293 state. */
    public TcpState state() {
        return state;
    }

    /** When an acceptable segment last arrived. */
    long lastReceiveTime() {
        return lastReceiveTime;
    }

    /** Sets the application's callbacks. */
    public void handler(TcpHandler h) {
        this.handler = h;
    }

    /** The application's callbacks, or null. */
    public TcpHandler handler() {
        return handler;
    }

    // ---------------------------------------------------------------- application API

    /** Bytes ready to read. */
    public int readable() {
        return rcv.buffer.readable();
    }

    /** True when the peer's FIN arrived: once {@link #readable()} is 0, the stream has ended. */
    public boolean peerFinReceived() {
        return rcv.finReceived;
    }

    /** Reads up to {@code dst.remaining()} bytes; returns how many (0 when none, also at end of stream). */
    public int read(ByteBuffer dst) {
        int n = rcv.buffer.read(dst);
        afterRead(n);
        return n;
    }

    /** Reads up to {@code len} bytes into {@code dst[at..]}; returns how many. */
    public int read(byte[] dst, int at, int len) {
        int n = rcv.buffer.read(dst, at, len);
        afterRead(n);
        return n;
    }

    /**
     * Copies up to {@code dst.remaining()} readable bytes starting {@code offset} bytes past the next
     * unread one, without consuming them: they stay in the receive queue (and keep occupying the
     * window) until {@link #consume}. Returns how many (0 when {@code offset == readable()}).
     *
     * @throws IllegalArgumentException if {@code offset} is negative or beyond {@link #readable()}
     */
    public int peek(int offset, ByteBuffer dst) {
        return rcv.buffer.peek(offset, dst);
    }

    /** {@link #peek(int, ByteBuffer)} into {@code dst[at, at + len)}. */
    public int peek(int offset, byte[] dst, int at, int len) {
        return rcv.buffer.peek(offset, dst, at, len);
    }

    /**
     * Discards the next {@code n} readable bytes as if they had been read: the window opens by
     * {@code n} and a window update goes out when {@link #read} would send one.
     *
     * @throws IllegalArgumentException if {@code n} is negative or more than {@link #readable()}
     */
    public void consume(int n) {
        rcv.buffer.consume(n);
        afterRead(n);
    }

    /** The receive queue's capacity in bytes: at most this many bytes can be readable at once. */
    public int receiveCapacity() {
        return rcv.buffer.capacity();
    }

    /**
     * The application's timer: at {@code deadline} (same clock as {@link #now()}) the handler
     * hears {@link TcpHandler#onAppTimer} once, then the timer is disarmed. A new call replaces
     * the deadline; {@link #NO_DEADLINE} cancels it. Nothing fires after {@link #close} or once
     * the connection is closed. Allocates nothing; the resolution is the layer's timer tick.
     */
    public void appDeadline(long deadline) {
        if (appDeadline == deadline) {
            return;
        }
        appDeadline = deadline;
        // The layer re-arms the connection's timer after output: ask for one.
        if (opened && !ownerClosed && !outputRequested) {
            outputRequested = true;
            owner.wantsOutput(this);
        }
    }

    /** The application's deadline, or {@link #NO_DEADLINE}. */
    public long appDeadline() {
        return appDeadline;
    }

    /**
     * The time (nanoseconds, the clock of {@code onSegment}, {@code onTimer} and {@code output})
     * of the event this connection is processing — inside a callback, the event that caused it —
     * or, outside one, of the last event it processed. Callbacks carry no time; this is theirs.
     */
    public long now() {
        return now;
    }

    /** Reading opened the window: announce it if that is worth a segment (receiver SWS avoidance). */
    private void afterRead(int n) {
        if (n > 0) {
            receiveOffset += n;
            keepConsumed(n);
            revealState(); // the window a segment carries reveals how far the application read
        }
        if (n > 0 && state != TcpState.SYN_SENT && state != TcpState.CLOSED && rcv.windowUpdateWorthSending()) {
            rcv.ackNow = true;
        }
        afterChange();
    }

    /** Room in the send queue for bytes (file regions take none, see {@link #writeFile}), 0 once the sending side is closed. */
    public int writable() {
        if (!canWrite()) {
            return 0;
        }
        int free = snd.buffer.free();
        if (free == 0) {
            snd.writeBlocked = true; // the application saw a full queue: onWritable when space opens
        }
        return free;
    }

    private boolean canWrite() {
        return opened && state.canSend() && !snd.finQueued && !appClosed && !closeQueued && !shutdownQueued;
    }

    /** Queues up to {@code src.remaining()} bytes (advancing its position); returns how many were accepted. */
    public int write(ByteBuffer src) {
        if (!canWrite()) {
            return 0;
        }
        int offered = src.remaining();
        int n = snd.buffer.appendBytes(src);
        noteAppended(n);
        afterWrite(n, offered);
        return n;
    }

    /** Queues up to {@code len} bytes of {@code src[at..]}; returns how many were accepted. */
    public int write(byte[] src, int at, int len) {
        if (!canWrite()) {
            return 0;
        }
        int n = snd.buffer.appendBytes(src, at, len);
        noteAppended(n);
        afterWrite(n, len);
        return n;
    }

    /**
     * Queues the whole of {@code region} (a file's bytes, read when sent: see {@link SendBuffer})
     * after the queued data; returns whether it was accepted, all or nothing. Refused, like
     * {@link #write}, once the sending side is closed, and when the send queue holds
     * {@link SendBuffer#MAX_DESCRIPTORS} descriptors or {@link SendBuffer#MAX_FILE_BYTES} of
     * file bytes: then {@link TcpHandler#onWritable} comes after acknowledgments drained it, and
     * the application tries again. A region does not take the room {@link #writable()} counts.
     * If the file has changed (or gone) when its bytes are sent, the connection is aborted with
     * a RST, counting {@code tcp_file_region_errors}.
     */
    public boolean writeFile(FileRegion region) {
        Objects.requireNonNull(region, "region");
        if (!canWrite()) {
            return false;
        }
        boolean accepted = snd.buffer.appendFile(region);
        if (accepted) {
            sendOffset += region.length();
            ReplicationLog log = ctx.replication;
            if (log != null) {
                int end = snd.buffer.endSeq();
                log.appendedFile(this, end - (int) region.length(), region);
                noteAppendRecord(log, end);
            }
        }
        afterWrite(accepted ? 1 : 0, 1);
        return accepted;
    }

    private void afterWrite(int accepted, int offered) {
        if (accepted < offered) {
            snd.writeBlocked = true;
        }
        afterChange();
    }

    /**
     * Graceful CLOSE (RFC 9293 §3.10.4): a FIN after the queued data; the application reads no
     * more. In SYN-SENT the connection is simply deleted; during SYN-RECEIVED the close waits
     * for ESTABLISHED. With unread received data a RST replaces the FIN (RFC 1122 §4.2.2.13,
     * Linux), and new data arriving afterwards is answered with a RST (see the class comment).
     * An orphaned FIN-WAIT-2 lasts at most {@code finWait2Timeout}.
     */
    public void close() {
        if (appClosed) {
            return;
        }
        appClosed = true;
        switch (state) {
            case SYN_SENT:
                enterClosed(CloseReason.ABORTED, "closed by application");
                break;
            case SYN_RECEIVED:
                closeQueued = true;
                break;
            case ESTABLISHED:
            case CLOSE_WAIT:
            case FIN_WAIT_1:
            case FIN_WAIT_2:
                closeSynchronized();
                break;
            default:
                break; // CLOSING, LAST-ACK, TIME-WAIT: already closing; CLOSED: nothing
        }
        afterChange();
    }

    private void closeSynchronized() {
        if (rcv.buffer.readable() > 0) {
            counters.increment(Counter.TCP_ABORT_ON_CLOSE);
            rstPending = true;
            enterClosed(CloseReason.ABORTED, "closed with unread data");
            return;
        }
        if (state == TcpState.FIN_WAIT_2) {
            finWait2TimerPending = true;
        } else {
            shutdownSynchronized();
        }
    }

    /** Half-close (SHUT_WR): a FIN after the queued data; receiving goes on. */
    public void shutdownOutput() {
        if (state == TcpState.SYN_SENT || state == TcpState.SYN_RECEIVED) {
            shutdownQueued = true;
        } else {
            shutdownSynchronized();
        }
        afterChange();
    }

    private void shutdownSynchronized() {
        if (state == TcpState.ESTABLISHED) {
            snd.finQueued = true;
            setState(TcpState.FIN_WAIT_1, appClosed ? "close" : "shutdown");
        } else if (state == TcpState.CLOSE_WAIT) {
            snd.finQueued = true;
            setState(TcpState.LAST_ACK, appClosed ? "close" : "shutdown");
        }
    }

    /**
     * ABORT (RFC 9293 §3.10.5): in SYN-RECEIVED, ESTABLISHED, FIN-WAIT-1, FIN-WAIT-2 and
     * CLOSE-WAIT a RST goes out ({@code <SEQ=SND.NXT><ACK=RCV.NXT><CTL=RST,ACK>}, as Linux);
     * in every state the connection becomes CLOSED and onClosed(ABORTED) follows (unless the
     * application already heard onClosed).
     */
    public void abort() {
        switch (state) {
            case SYN_RECEIVED:
            case ESTABLISHED:
            case FIN_WAIT_1:
            case FIN_WAIT_2:
            case CLOSE_WAIT:
                rstPending = true;
                enterClosed(CloseReason.ABORTED, "aborted by application");
                break;
            case SYN_SENT:
            case CLOSING:
            case LAST_ACK:
            case TIME_WAIT:
                enterClosed(CloseReason.ABORTED, "aborted by application");
                break;
            default:
                break;
        }
        afterChange();
    }

    /** Turns Nagle's algorithm off ({@code true}) or on. */
    public void noDelay(boolean on) {
        snd.noDelay = on;
        afterChange();
    }

    /** True when Nagle's algorithm is off. */
    public boolean noDelay() {
        return snd.noDelay;
    }

    /** In-order payload bytes received from the peer. */
    public long bytesReceived() {
        return rcv.bytesReceived;
    }

    /** Payload bytes sent at least once (retransmissions not counted again). */
    public long bytesSent() {
        return snd.bytesSent;
    }

    // ---------------------------------------------------------------- replication

    /**
     * Bytes the application has consumed so far ({@link #read} or {@link #consume}): the stream
     * offset of the next unread byte. Kept across a takeover.
     */
    public long receiveOffset() {
        return receiveOffset;
    }

    /** Bytes the application has appended so far (literal bytes and file regions): the stream offset of the next byte it writes. Kept across a takeover. */
    public long sendOffset() {
        return sendOffset;
    }

    /**
     * Sets the application's resume mark, replicated with the connection: should a standby take
     * the connection over, its application hears {@link TcpHandler#onAdopted} with the received
     * bytes from {@code receiveOffset} to the consumed point to decode again, and how many bytes
     * it produced after {@code sendOffset} (-1: not producing) to skip when it produces them
     * again. An application that consumes whole requests and appends whole responses in one
     * callback needs no mark. {@code resumeMark(receiveOffset(), -1, 0)} clears the mark: without
     * one, the mark follows the consumed point and nothing is being produced (the default). An
     * adopted connection starts with the mark its primary had, until the application moves it.
     * While the mark is behind the consumed point the connection keeps a copy of the bytes from it
     * on (at most {@link #MAX_KEEP}), so that a standby joining later gets them in its snapshot.
     *
     * @throws IllegalArgumentException if {@code receiveOffset} is beyond {@link #receiveOffset()}
     *         or {@code sendOffset} beyond {@link #sendOffset()}
     */
    public void resumeMark(long receiveOffset, long sendOffset, long word) {
        if (receiveOffset < 0 || receiveOffset > this.receiveOffset || sendOffset < -1 || sendOffset > this.sendOffset) {
            throw new IllegalArgumentException("resume mark (" + receiveOffset + ", " + sendOffset + ") outside (0.."
                    + this.receiveOffset + ", -1.." + this.sendOffset + ")");
        }
        // At the consumed point, producing nothing: no mark, which then follows the consumed point.
        boolean set = receiveOffset != this.receiveOffset || sendOffset != -1 || word != 0;
        if (markSet == set && (!set || markReceiveOffset == receiveOffset && markSendOffset == sendOffset
                && markWord == word)) {
            return;
        }
        keepFrom(set ? receiveOffset : this.receiveOffset);
        markSet = set;
        markReceiveOffset = receiveOffset;
        markSendOffset = sendOffset;
        markWord = word;
        touchedForReplication();
    }

    /** Clears the resume mark: it follows the consumed point, and nothing is being produced ({@code resumeMark(receiveOffset(), -1, 0)}). */
    public void clearResumeMark() {
        resumeMark(receiveOffset, -1, 0);
    }

    /**
     * Copies received in-order bytes {@code [seq, seq + len)} into {@code dst} at absolute index
     * {@code at}: bytes still in the receive queue, or consumed ones a resume mark keeps. For the
     * replication log.
     */
    public void copyReceived(int seq, ByteBuffer dst, int at, int len) {
        int readSeq = rcv.buffer.readSeq();
        if (Seq.lt(seq, readSeq)) {
            int back = readSeq - seq;
            if (!keepValid || back > keepLength) {
                throw new IllegalArgumentException("received bytes at " + Integer.toUnsignedString(seq)
                        + " were consumed and not kept");
            }
            int n = Math.min(len, back);
            dst.put(at, keep, keepLength - back, n);
            at += n;
            len -= n;
            seq += n;
        }
        if (len > 0) {
            rcv.buffer.copy(seq - readSeq, dst, at, len);
        }
    }

    /**
     * Keeps the consumed bytes from stream offset {@code from} (at most {@link #receiveOffset}) on,
     * dropping those before it: from what is kept already, else from the receive ring if they
     * are still there.
     */
    private void keepFrom(long from) {
        int want = (int) Math.min(Integer.MAX_VALUE, receiveOffset - from);
        keepBase = from;
        if (want == 0) {
            keepLength = 0;
            keepValid = true;
            if (keep.length > 4096) {
                keep = NO_BYTES;
            }
            return;
        }
        long keptFrom = receiveOffset - keepLength;
        if (keepValid && from >= keptFrom && want <= keepLength) {
            System.arraycopy(keep, keepLength - want, keep, 0, want);
            keepLength = want;
            return;
        }
        if (want > MAX_KEEP) {
            keepValid = false;
            keepLength = 0;
            return;
        }
        byte[] next = new byte[Math.max(want, 256)];
        keepValid = rcv.buffer.copyConsumed(want, next, 0);
        keep = keepValid ? next : NO_BYTES;
        keepLength = keepValid ? want : 0;
    }

    /** The application consumed {@code n} bytes: with a mark behind, keep them too. */
    private void keepConsumed(int n) {
        if (!markSet || !keepValid || markReceiveOffset >= receiveOffset) {
            return;
        }
        if (keepBase + keepLength != receiveOffset - n) {
            keepValid = false; // not contiguous with what is kept: a hole
            keepLength = 0;
            keep = NO_BYTES;
            return;
        }
        if ((long) keepLength + n > MAX_KEEP) {
            keepValid = false;
            keepLength = 0;
            keep = NO_BYTES;
            return;
        }
        if (keepLength + n > keep.length) {
            keep = java.util.Arrays.copyOf(keep, Math.max(keepLength + n, keep.length * 2));
        }
        keepValid = rcv.buffer.copyConsumed(n, keep, keepLength);
        keepLength = keepValid ? keepLength + n : 0;
    }

    /** Copies literal send-queue bytes {@code [seq, seq + len)} into {@code dst} at absolute index {@code at}. For the replication log. */
    public void copySendQueue(int seq, ByteBuffer dst, int at, int len) {
        int done = 0;
        while (done < len) {
            int n = snd.buffer.copy(seq + done, dst, at + done, len - done);
            if (n <= 0) {
                throw new IllegalStateException("send queue ran dry at " + Integer.toUnsignedString(seq + done));
            }
            done += n;
        }
    }

    /** Fills {@code image} with this connection's scalar state (see {@link TcbImage}); returns it. */
    public TcbImage exportImage(TcbImage image) {
        image.peerMac = ctx.neighbors.applyAsLong(tuple.remoteIp());
        image.localIp = tuple.localIp();
        image.localPort = tuple.localPort();
        image.remoteIp = tuple.remoteIp();
        image.remotePort = tuple.remotePort();
        image.state = state.ordinal();
        int f = 0;
        if (snd.sack) f |= TcbImage.SACK;
        if (snd.timestamps) f |= TcbImage.TIMESTAMPS;
        if (windowScaling) f |= TcbImage.WINDOW_SCALING;
        if (passive) f |= TcbImage.PASSIVE;
        if (appClosed) f |= TcbImage.APP_CLOSED;
        if (snd.finQueued) f |= TcbImage.FIN_QUEUED;
        if (rcv.finReceived) f |= TcbImage.FIN_RECEIVED;
        if (closeQueued) f |= TcbImage.CLOSE_QUEUED;
        if (shutdownQueued) f |= TcbImage.SHUTDOWN_QUEUED;
        if (snd.noDelay) f |= TcbImage.NO_DELAY;
        if (markSendOffset >= 0) f |= TcbImage.HAS_SEND_MARK;
        if (snd.rto.hasSample()) f |= TcbImage.HAS_RTT;
        image.flags = f;
        image.sndWscale = snd.sndWscale;
        image.rcvWscale = rcv.rcvWscale;
        image.peerMss = snd.peerMss;
        image.iss = snd.iss;
        image.irs = rcv.irs;
        image.sndUna = snd.sndUna;
        image.sndEnd = snd.buffer.endSeq();
        image.sndWnd = snd.sndWnd;
        image.sndWl1 = snd.sndWl1;
        image.sndWl2 = snd.sndWl2;
        image.maxSndWnd = snd.maxSndWnd;
        image.rcvNxt = rcv.rcvNxt;
        image.rcvWndEdge = rcv.rcvWndEdge;
        image.readSeq = rcv.buffer.readSeq();
        image.tsOffset = tsOffset;
        image.tsRecent = rcv.tsRecent;
        image.srttNanos = snd.rto.srttNanos();
        image.rttvarNanos = snd.rto.rttvarNanos();
        image.receiveOffset = receiveOffset;
        image.sendOffset = sendOffset;
        image.markReceiveOffset = markSet ? markReceiveOffset : receiveOffset;
        image.markSendOffset = markSet ? markSendOffset : -1;
        image.markWord = markSet ? markWord : 0;
        return image;
    }

    /**
     * Writes everything a joining standby needs about this connection into {@code log}: the
     * unread received bytes, the send queue's descriptors, then the image. A resume mark behind
     * the consumed point cannot be honoured (those bytes are gone): the image says so with
     * {@link TcbImage#REPLAY_LOST}, and a takeover resets such a connection.
     */
    void snapshotTo(ReplicationLog log, TcbImage image) {
        if (!opened || state == TcpState.CLOSED || ownerClosed) {
            return;
        }
        int readSeq = rcv.buffer.readSeq();
        int dataEnd = rcv.buffer.rcvNxt();
        long markBehind = markSet ? receiveOffset - markReceiveOffset : 0;
        int from = markBehind > 0 && keepValid && markBehind <= keepLength ? readSeq - (int) markBehind : readSeq;
        if (dataEnd != from) {
            log.received(this, from, dataEnd - from);
        }
        snd.buffer.forEachDescriptor(new SendBuffer.DescriptorVisitor() {
            @Override
            public void bytes(int seq, int length) {
                log.appended(TcpConnection.this, seq, length);
            }

            @Override
            public void file(int seq, int length, FileRegion region, long filePosition) {
                log.appendedFile(TcpConnection.this, seq, new FileRegion(region.path(), region.size(),
                        region.lastModifiedNanos(), region.inode(), filePosition, length));
            }
        });
        exportImage(image);
        if (image.markReceiveOffset < receiveOffset && readSeq - from != receiveOffset - image.markReceiveOffset) {
            image.flags |= TcbImage.REPLAY_LOST;
            image.markReceiveOffset = receiveOffset;
        }
        log.image(image);
    }

    /**
     * Re-creates the connection an {@link Adoption} describes, as its primary left it (takeover):
     * options, sequence variables, windows and queues from the replicated state; timers armed;
     * SND.NXT back at SND.UNA (everything the primary may have sent goes again, as after a
     * retransmission timeout, which also lets any ACK up to the queue's end be accepted); the
     * congestion window restarts at the initial window with the primary's RTT estimates; a window
     * update is due. Returns what the application needs to resume. A connection whose queues do
     * not match its image, or whose replay was lost, is reset (counted as
     * {@code tcp_adoption_aborted}).
     */
    Resume restore(long now, Adoption a) {
        TcbImage im = a.image();
        TcpState st = im.tcpState();
        open(now, im.iss, im.tsOffset, im.has(TcbImage.PASSIVE));
        snd.timestamps = im.has(TcbImage.TIMESTAMPS);
        snd.sack = im.has(TcbImage.SACK);
        rcv.sack = snd.sack;
        windowScaling = im.has(TcbImage.WINDOW_SCALING);
        snd.sndWscale = im.sndWscale;
        rcv.rcvWscale = im.rcvWscale;
        snd.setMss(im.peerMss);
        snd.noDelay = im.has(TcbImage.NO_DELAY);
        rcv.synchronize(im.irs, ctx.synWindow());
        if (snd.timestamps) {
            rcv.startTimestamps(im.tsRecent, now);
        }
        // Receive queue: the replayed part goes to the application, the rest into the buffer.
        ByteBuffer rx = a.received().duplicate();
        long replayLength = im.receiveOffset - im.markReceiveOffset;
        boolean consistent = replayLength >= 0 && replayLength <= rx.remaining();
        ByteBuffer replay = ByteBuffer.allocate(consistent ? (int) replayLength : 0);
        if (consistent) {
            replay.put(0, rx, rx.position(), (int) replayLength);
            rx.position(rx.position() + (int) replayLength);
        }
        rcv.buffer.reset(im.readSeq);
        int queued = rx.remaining();
        if (consistent && queued > 0) {
            consistent = rcv.buffer.offer(im.readSeq, rx, rx.position(), queued) == queued;
        }
        rcv.rcvNxt = rcv.buffer.rcvNxt();
        if (im.has(TcbImage.FIN_RECEIVED)) {
            rcv.finReceived = true;
            rcv.rcvNxt++;
        }
        consistent &= rcv.rcvNxt == im.rcvNxt;
        // Accept anything the primary may have advertised: its window edge can have moved after
        // its last image (a window update needs no new record), but never beyond what the
        // replicated read point leaves room for.
        rcv.rcvWndEdge = Seq.max(Seq.max(im.rcvWndEdge, rcv.rcvNxt), im.readSeq + rcv.buffer.capacity());
        rcv.lastAckSent = rcv.rcvNxt;
        // Send queue, from max(SND.UNA, ISS + 1).
        snd.buffer.reset(a.sendStartSeq());
        for (Adoption.SendItem item : a.sendQueue()) {
            if (item instanceof Adoption.Bytes b) {
                ByteBuffer bytes = b.bytes().duplicate();
                int want = bytes.remaining();
                consistent &= snd.buffer.appendBytes(bytes) == want;
            } else if (item instanceof Adoption.File f) {
                consistent &= snd.buffer.appendFile(f.region());
            }
        }
        consistent &= snd.buffer.endSeq() == im.sndEnd;
        snd.finQueued = im.has(TcbImage.FIN_QUEUED);
        snd.sndWnd = im.sndWnd;
        snd.sndWl1 = im.sndWl1;
        snd.sndWl2 = im.sndWl2;
        snd.maxSndWnd = Math.max(im.maxSndWnd, im.sndWnd);
        if (im.has(TcbImage.HAS_RTT)) {
            snd.rto.seed(im.srttNanos, im.rttvarNanos);
        }
        state = st;
        appClosed = im.has(TcbImage.APP_CLOSED);
        closeQueued = im.has(TcbImage.CLOSE_QUEUED);
        shutdownQueued = im.has(TcbImage.SHUTDOWN_QUEUED);
        receiveOffset = im.receiveOffset;
        sendOffset = im.sendOffset;
        // The mark stays as the primary left it (the application moves it on); the replayed bytes
        // stay kept, for a standby that joins while the application still needs them.
        markReceiveOffset = im.markReceiveOffset;
        markSendOffset = im.has(TcbImage.HAS_SEND_MARK) ? im.markSendOffset : -1;
        markWord = im.markWord;
        markSet = markReceiveOffset != receiveOffset || markSendOffset != -1 || markWord != 0;
        keep = java.util.Arrays.copyOf(replay.array(), Math.max(replay.capacity(), 256));
        keepLength = replay.capacity();
        keepBase = receiveOffset - keepLength;
        keepValid = true;
        lastReceiveTime = now;
        if (st == TcpState.SYN_RECEIVED) {
            // Our SYN-ACK goes again; the peer's ACK completes the handshake here.
            snd.sndUna = im.iss;
            snd.sndNxt = im.iss;
            snd.sndMax = im.iss + 1;
            snd.synPending = true;
            snd.synRetransmitReason = "takeover";
        } else {
            snd.synPending = false;
            snd.sndUna = im.sndUna;
            // The primary may have sent anything in its queue (and its FIN): any ACK up to there
            // is good (the ceiling). But nothing counts as sent: the queue goes out from SND.UNA
            // as new data — large segments, RTT samples, and fast recovery for what is lost on
            // the way — until the peer's first ACK says how far it got, and sending goes on from
            // there. (Counting the whole queue as sent made all of it a go-back-N retransmission
            // after an RTO: a segment lost on the way was repaired only by another RTO.)
            snd.adoptedCeiling = snd.buffer.endSeq() + (snd.finQueued ? 1 : 0);
            snd.adopting = true;
            snd.adoptedUnheard = true;
            if (Seq.lt(snd.adoptedCeiling, snd.sndUna)) {
                consistent = false;
            }
            snd.sndMax = snd.sndUna;
            snd.sndNxt = snd.sndUna;
            snd.recover = snd.sndUna;
            snd.highRxt = snd.sndUna;
            snd.rescueRxt = snd.sndUna;
            snd.sndSml = snd.sndUna;
            snd.onEstablished(now);
            rcv.ackNow = true; // the window update
            if (st == TcpState.TIME_WAIT) {
                closeDeadline = now + config.timeWait();
                closeReported = true;
            } else if (st == TcpState.FIN_WAIT_2 && appClosed) {
                finWait2TimerPending = true;
            }
        }
        if (snd.hasOutstanding()) {
            snd.armRto(now);
        }
        if (!consistent || im.has(TcbImage.REPLAY_LOST)) {
            counters.increment(Counter.TCP_ADOPTION_ABORTED);
            abort();
            return Resume.none();
        }
        if (ctx.tracing()) {
            ctx.trace(tuple + " adopted in " + st + " (takeover)");
        }
        requestOutput();
        return new Resume(replay, im.has(TcbImage.HAS_SEND_MARK) ? im.sendOffset - im.markSendOffset : -1, im.markWord);
    }

    /** Hands an adopted connection to its application: {@link TcpHandler#onAdopted}, then the usual callbacks. */
    void adopted(TcpHandler h, Resume resume) {
        handler = h;
        if (h != null && !appClosed) {
            dispatching = true;
            try {
                h.onAdopted(this, resume);
            } finally {
                dispatching = false;
            }
            // What the primary's application would hear next: data waiting, the peer's FIN, room to write.
            if (rcv.buffer.readable() > 0) {
                events |= EV_READABLE;
            }
            if (rcv.finReceived) {
                events |= EV_PEER_CLOSED;
            }
            if (canWrite()) {
                events |= EV_WRITABLE;
            }
        }
        afterChange();
    }

    /** A snapshot like Linux's tcp_info (allocates; for status pages and tests). */
    public TcpInfo info() {
        return new TcpInfo(tuple, state, snd.cc.cwnd(), snd.cc.ssthresh(), snd.rto.srttNanos(),
                snd.rto.rttvarNanos(), snd.rto.rtoNanos(), snd.rto.backoffCount(), snd.totalRetransmits,
                snd.bytesInFlight(), snd.board.holes(), snd.sndMss, rcv.rcvMss, snd.sndWnd, rcv.rcvWnd(),
                snd.buffer.length(), rcv.buffer.readable(), snd.cc.name(), snd.sack, snd.timestamps,
                snd.sndWscale, rcv.rcvWscale);
    }

    @Override
    public String toString() {
        return "TcpConnection[" + tuple + " " + state + " iss=" + Integer.toUnsignedString(snd.iss) + " una="
                + Integer.toUnsignedString(snd.sndUna) + " nxt=" + Integer.toUnsignedString(snd.sndNxt) + " max="
                + Integer.toUnsignedString(snd.sndMax) + " end=" + Integer.toUnsignedString(snd.buffer.endSeq())
                + " irs=" + Integer.toUnsignedString(rcv.irs) + " rcvNxt=" + Integer.toUnsignedString(rcv.rcvNxt)
                + " read=" + Integer.toUnsignedString(rcv.buffer.readSeq()) + " edge="
                + Integer.toUnsignedString(rcv.rcvWndEdge) + "]";
    }
}
