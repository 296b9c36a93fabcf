package io.understudy.stack.tcp;

import java.util.concurrent.TimeUnit;

/**
 * TCP settings, shared by every connection of a stack. Times are nanoseconds. Defaults follow
 * Linux where the RFCs leave a choice.
 *
 * @param mss our MSS: the largest payload we accept, announced in our SYN (MTU − 40)
 * @param receiveBuffer receive queue capacity in bytes, a power of two
 * @param sendBuffer send queue capacity in bytes, a power of two
 * @param windowScaling offer window scaling (RFC 7323)
 * @param timestamps offer timestamps (RFC 7323)
 * @param sack offer SACK (RFC 2018)
 * @param congestionControl "newreno" or "cubic"
 * @param minRto lower bound of the retransmission timeout (RFC 6298 says 1 s; Linux uses 200 ms)
 * @param initialRto RTO before the first RTT sample (RFC 6298 §2.1: 1 s)
 * @param maxRto upper bound of the RTO after backoff
 * @param delayedAckTimeout longest an ACK is delayed (RFC 9293 §3.8.6.3 requires < 0.5 s; Linux 40 ms)
 * @param msl maximum segment lifetime; TIME-WAIT lasts 2·MSL
 * @param finWait2Timeout how long an orphaned FIN-WAIT-2 waits for the peer's FIN (Linux: 60 s)
 * @param synRetries SYN (and SYN-ACK) retransmissions before giving up (Linux: 6 and 5)
 * @param retries data retransmissions before giving up (Linux tcp_retries2: 15)
 * @param userTimeout give up when data stays unacknowledged this long; 0 to use {@code retries} only (RFC 5482)
 * @param keepalive send keepalive probes on idle connections
 * @param keepaliveIdle idle time before the first probe (Linux: 2 h)
 * @param keepaliveInterval time between unanswered probes (Linux: 75 s)
 * @param keepaliveProbes unanswered probes before the connection is dropped (Linux: 9)
 * @param noDelay disable Nagle's algorithm by default (each socket can change it)
 * @param trace log each state transition and each retransmission with its reason
 */
public record TcpConfig(int mss, int receiveBuffer, int sendBuffer, boolean windowScaling, boolean timestamps,
        boolean sack, String congestionControl, long minRto, long initialRto, long maxRto, long delayedAckTimeout,
        long msl, long finWait2Timeout, int synRetries, int retries, long userTimeout, boolean keepalive,
        long keepaliveIdle, long keepaliveInterval, int keepaliveProbes, boolean noDelay, boolean trace) {

    private static long ms(long v) {
        return TimeUnit.MILLISECONDS.toNanos(v);
    }

    private static long s(long v) {
        return TimeUnit.SECONDS.toNanos(v);
    }

    /** Linux-like defaults for a link of the given MTU. */
    public static TcpConfig defaults(int mtu) {
        return new TcpConfig(mtu - 40, 1 << 20, 1 << 20, true, true, true, "cubic", ms(200), s(1), s(120), ms(40),
                s(30), s(60), 6, 15, 0, false, s(7200), s(75), 9, false, false);
    }

    public TcpConfig {
        if (mss < 88 || mss > 65_495) {
            throw new IllegalArgumentException("MSS must be 88-65495, got " + mss);
        }
        if (Integer.bitCount(receiveBuffer) != 1 || Integer.bitCount(sendBuffer) != 1) {
            throw new IllegalArgumentException("buffer sizes must be powers of two, got " + receiveBuffer + " and " + sendBuffer);
        }
        if (minRto <= 0 || initialRto < minRto || maxRto < initialRto) {
            throw new IllegalArgumentException("RTO bounds must satisfy 0 < min <= initial <= max");
        }
        if (delayedAckTimeout <= 0 || delayedAckTimeout >= ms(500)) {
            throw new IllegalArgumentException("delayed ACK timeout must be under 500 ms (RFC 9293 §3.8.6.3)");
        }
    }

    /** TIME-WAIT's duration, 2·MSL. */
    public long timeWait() {
        return 2 * msl;
    }

    public TcpConfig withMsl(long v) {
        return new TcpConfig(mss, receiveBuffer, sendBuffer, windowScaling, timestamps, sack, congestionControl, minRto,
                initialRto, maxRto, delayedAckTimeout, v, finWait2Timeout, synRetries, retries, userTimeout, keepalive,
                keepaliveIdle, keepaliveInterval, keepaliveProbes, noDelay, trace);
    }

    public TcpConfig withOptions(boolean windowScaling, boolean timestamps, boolean sack) {
        return new TcpConfig(mss, receiveBuffer, sendBuffer, windowScaling, timestamps, sack, congestionControl, minRto,
                initialRto, maxRto, delayedAckTimeout, msl, finWait2Timeout, synRetries, retries, userTimeout, keepalive,
                keepaliveIdle, keepaliveInterval, keepaliveProbes, noDelay, trace);
    }

    public TcpConfig withBuffers(int receive, int send) {
        return new TcpConfig(mss, receive, send, windowScaling, timestamps, sack, congestionControl, minRto,
                initialRto, maxRto, delayedAckTimeout, msl, finWait2Timeout, synRetries, retries, userTimeout, keepalive,
                keepaliveIdle, keepaliveInterval, keepaliveProbes, noDelay, trace);
    }

    public TcpConfig withCongestionControl(String name) {
        return new TcpConfig(mss, receiveBuffer, sendBuffer, windowScaling, timestamps, sack, name, minRto,
                initialRto, maxRto, delayedAckTimeout, msl, finWait2Timeout, synRetries, retries, userTimeout, keepalive,
                keepaliveIdle, keepaliveInterval, keepaliveProbes, noDelay, trace);
    }

    public TcpConfig withKeepalive(boolean on, long idle, long interval, int probes) {
        return new TcpConfig(mss, receiveBuffer, sendBuffer, windowScaling, timestamps, sack, congestionControl, minRto,
                initialRto, maxRto, delayedAckTimeout, msl, finWait2Timeout, synRetries, retries, userTimeout, on,
                idle, interval, probes, noDelay, trace);
    }

    public TcpConfig withTimeouts(long minRto, long userTimeout, int retries) {
        return new TcpConfig(mss, receiveBuffer, sendBuffer, windowScaling, timestamps, sack, congestionControl, minRto,
                Math.max(initialRto, minRto), maxRto, delayedAckTimeout, msl, finWait2Timeout, synRetries, retries,
                userTimeout, keepalive, keepaliveIdle, keepaliveInterval, keepaliveProbes, noDelay, trace);
    }

    public TcpConfig withNoDelay(boolean v) {
        return new TcpConfig(mss, receiveBuffer, sendBuffer, windowScaling, timestamps, sack, congestionControl, minRto,
                initialRto, maxRto, delayedAckTimeout, msl, finWait2Timeout, synRetries, retries, userTimeout, keepalive,
                keepaliveIdle, keepaliveInterval, keepaliveProbes, v, trace);
    }

    public TcpConfig withTrace(boolean v) {
        return new TcpConfig(mss, receiveBuffer, sendBuffer, windowScaling, timestamps, sack, congestionControl, minRto,
                initialRto, maxRto, delayedAckTimeout, msl, finWait2Timeout, synRetries, retries, userTimeout, keepalive,
                keepaliveIdle, keepaliveInterval, keepaliveProbes, noDelay, v);
    }
}
