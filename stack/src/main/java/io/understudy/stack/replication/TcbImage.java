package io.understudy.stack.replication;

import io.understudy.stack.tcp.TcpState;

/**
 * The scalar state of one TCB that a standby needs to take the connection over: identity,
 * negotiated options, sequence variables, windows, timestamps, round-trip estimates, the state
 * and the application's resume mark. Filled by
 * {@link io.understudy.stack.tcp.TcpConnection#exportImage}, shipped by the replication module
 * (every field, each batch that changed the connection), and turned back into a TCB by
 * {@link io.understudy.stack.NetStack#takeover}. Queues are not here: they travel as
 * {@link ReplicationLog#received}/{@link ReplicationLog#appended} deltas.
 *
 * <p>A plain mutable carrier, reused; sequence numbers are 32-bit and wrap; stream offsets are
 * 64-bit byte counts from the start of the connection.
 */
public final class TcbImage {
    /** {@link #flags} bits. */
    public static final int SACK = 1, TIMESTAMPS = 1 << 1, WINDOW_SCALING = 1 << 2, PASSIVE = 1 << 3,
            APP_CLOSED = 1 << 4, FIN_QUEUED = 1 << 5, FIN_RECEIVED = 1 << 6, CLOSE_QUEUED = 1 << 7,
            SHUTDOWN_QUEUED = 1 << 8, NO_DELAY = 1 << 9, HAS_SEND_MARK = 1 << 10, HAS_RTT = 1 << 11,
            /** A snapshot could not include bytes the application's resume mark needs: a takeover resets the connection. */
            REPLAY_LOST = 1 << 12;

    public int localIp;
    public int localPort;
    public int remoteIp;
    public int remotePort;
    /** {@link TcpState#ordinal()}. */
    public int state;
    public int flags;
    /** Our sending shift (the peer's window scale option), 0 without scaling. */
    public int sndWscale;
    /** Our receiving shift, 0 without scaling. */
    public int rcvWscale;
    /** The peer's MSS option (0: none). */
    public int peerMss;
    public int iss;
    public int irs;
    public int sndUna;
    /** The end of the send queue (sequence number after the last byte the application appended). */
    public int sndEnd;
    /** SND.WND in bytes (already scaled). */
    public int sndWnd;
    public int sndWl1;
    public int sndWl2;
    public int maxSndWnd;
    public int rcvNxt;
    /** The right edge of the window we last advertised: never moved left. */
    public int rcvWndEdge;
    /** The sequence number of the first unread received byte. */
    public int readSeq;
    /** Added to the millisecond clock in our TSvals. */
    public int tsOffset;
    public int tsRecent;
    public long srttNanos;
    public long rttvarNanos;
    /** Bytes the application consumed so far (the stream offset of {@link #readSeq}). */
    public long receiveOffset;
    /** Bytes the application appended so far (the stream offset of {@link #sndEnd}). */
    public long sendOffset;
    /** The application's resume mark: replay received bytes from this stream offset ({@code ≤ receiveOffset}). */
    public long markReceiveOffset;
    /** The application's resume mark: its output restarts at this stream offset (with {@link #HAS_SEND_MARK}). */
    public long markSendOffset;
    /** The application's resume mark: an opaque word (the HTTP server keeps its response date). */
    public long markWord;
    /**
     * The MAC address of the connection's next hop as the primary knew it (48 bits), or 0 when
     * unknown: a standby that takes over sends to it at once, without first asking by ARP, so
     * that its first window is not stuck behind (and partly dropped from) a resolution queue.
     */
    public long peerMac;

    public TcpState tcpState() {
        return TcpState.values()[state];
    }

    public boolean has(int flag) {
        return (flags & flag) != 0;
    }

    /** Copies every field of {@code other}. */
    public TcbImage set(TcbImage o) {
        localIp = o.localIp; localPort = o.localPort; remoteIp = o.remoteIp; remotePort = o.remotePort;
        state = o.state; flags = o.flags; sndWscale = o.sndWscale; rcvWscale = o.rcvWscale; peerMss = o.peerMss;
        iss = o.iss; irs = o.irs; sndUna = o.sndUna; sndEnd = o.sndEnd; sndWnd = o.sndWnd; sndWl1 = o.sndWl1;
        sndWl2 = o.sndWl2; maxSndWnd = o.maxSndWnd; rcvNxt = o.rcvNxt; rcvWndEdge = o.rcvWndEdge; readSeq = o.readSeq;
        tsOffset = o.tsOffset; tsRecent = o.tsRecent; srttNanos = o.srttNanos; rttvarNanos = o.rttvarNanos;
        receiveOffset = o.receiveOffset; sendOffset = o.sendOffset; markReceiveOffset = o.markReceiveOffset;
        markSendOffset = o.markSendOffset; markWord = o.markWord; peerMac = o.peerMac;
        return this;
    }

    @Override
    public String toString() {
        return Integer.toUnsignedString(localPort) + "<-" + (remoteIp >>> 24) + "." + ((remoteIp >>> 16) & 255) + "."
                + ((remoteIp >>> 8) & 255) + "." + (remoteIp & 255) + ":" + remotePort + " " + tcpState()
                + " una=" + Integer.toUnsignedString(sndUna) + " end=" + Integer.toUnsignedString(sndEnd)
                + " rcvNxt=" + Integer.toUnsignedString(rcvNxt) + " read=" + Integer.toUnsignedString(readSeq);
    }
}
