package io.understudy.stack.tcp;

/**
 * A snapshot of one connection, like Linux's {@code tcp_info}, for the status page and tests.
 * Times in nanoseconds; windows and queues in bytes.
 */
public record TcpInfo(TcpTuple tuple, TcpState state, int cwnd, int ssthresh, long srtt, long rttvar, long rto,
        int retransmits, long totalRetransmits, int bytesInFlight, int sackHoles, int sndMss, int rcvMss, int sndWnd,
        int rcvWnd, int sendQueue, int receiveQueue, String congestionControl, boolean sack, boolean timestamps,
        int sndWscale, int rcvWscale) {}
