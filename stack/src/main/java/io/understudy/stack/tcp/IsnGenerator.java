package io.understudy.stack.tcp;

/**
 * Initial sequence numbers as RFC 6528 §3 defines them, {@code ISN = M + F(localip, localport,
 * remoteip, remoteport, secretkey)}, plus keyed per-connection timestamp offsets.
 *
 * <p>{@code M} is a 4-microsecond timer taken from {@code now}; {@code F} is SipHash-2-4 under
 * the {@link TcpSecret}, as Linux's {@code secure_tcp_seq} uses it. Consecutive incarnations of
 * one 4-tuple therefore get ISNs that advance with the clock (the old-duplicate protection of
 * RFC 9293 §3.4.1), while ISNs of different 4-tuples are unrelated and unpredictable off-path
 * (RFC 6528 §2).
 *
 * <p>Replication: the key is replicated configuration, so a standby computes the same
 * {@code F} and the same timestamp offsets for every 4-tuple. For {@code M} to keep advancing
 * across a takeover, feed both instances {@code now} from a clock they share (for example
 * wall-clock nanoseconds); with unrelated origins the ISNs stay valid and unpredictable but
 * may step backwards for a 4-tuple reused right after the takeover.
 *
 * <p>Not thread-safe (it reuses one hasher); owned by the stack thread. Allocates nothing.
 */
public final class IsnGenerator {
    /** Period of the RFC 6528 timer {@code M}, in nanoseconds: 4 µs (RFC 9293 §3.4.1). */
    public static final long M_TICK_NANOS = 4_000L;

    private final SipHash sip;

    /** A generator keyed with {@code secret}, which must be the one the standby uses too. */
    public IsnGenerator(TcpSecret secret) {
        this.sip = new SipHash(secret);
    }

    /** The ISN for a connection at time {@code now} (nanoseconds); ports are 0–65535. */
    public int isn(long now, int localIp, int localPort, int remoteIp, int remotePort) {
        int m = (int) Math.floorDiv(now, M_TICK_NANOS);
        int f = (int) sip.hashTuple(SipHash.TAG_ISN, localIp, localPort, remoteIp, remotePort, 0);
        return m + f;
    }

    /**
     * A keyed offset to add to the timestamp clock (RFC 7323 §5.4) in this 4-tuple's TSvals, so
     * TSvals neither reveal the host's clock nor let connections be correlated, as Linux does
     * with {@code tcp_timestamps=1}. It depends only on the 4-tuple and the key: every
     * incarnation of the 4-tuple, on the primary or the standby, gets the same offset, so with a
     * shared clock its TSvals stay monotonic as PAWS (RFC 7323 §5) on the peer requires.
     */
    public int timestampOffset(int localIp, int localPort, int remoteIp, int remotePort) {
        return (int) sip.hashTuple(SipHash.TAG_TIMESTAMP_OFFSET, localIp, localPort, remoteIp, remotePort, 0);
    }
}
