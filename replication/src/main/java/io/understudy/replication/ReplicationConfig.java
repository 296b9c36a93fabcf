package io.understudy.replication;

import io.understudy.replication.codec.Role;
import io.understudy.replication.link.LinkAddress;
import io.understudy.stack.StackConfig;
import io.understudy.stack.tcp.TcpConfig;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How one instance takes part in replication.
 *
 * <p>A {@link Role#PRIMARY primary} listens on {@code listen} for one standby at a time and ships
 * it every TCB change. A {@link Role#STANDBY standby} connects to its primary at {@code peer}, keeps
 * shadow TCBs, and takes the connections over when the primary is lost; it then becomes a primary
 * itself, listening on {@code listen} (for {@code unix:} peers, {@code null} means the same path as
 * {@code peer}; for {@code tcp:} peers, {@code null} means no new standby can join).
 *
 * <p>Both sides must agree on the service they stand for — {@code serviceIp}, {@code serviceMac},
 * {@code ports} (the listening TCP ports, in any order) and {@code configFingerprint} (see
 * {@link #fingerprint}) — or the handshake refuses the pair, naming what differs.
 *
 * @param role PRIMARY or STANDBY
 * @param peer the primary's address (standby only; {@code null} for a primary)
 * @param listen where to accept standbys (required for a primary; see above for a standby)
 * @param policy what a primary does when it loses its standby
 * @param heartbeatInterval how often each side sends a HEARTBEAT when it has nothing else to send
 * @param heartbeatTimeout how long without any frame from the peer before it counts as lost
 * @param serviceIp the service's IPv4 address
 * @param serviceMac the service's MAC address (low 48 bits)
 * @param ports the service's listening TCP ports
 * @param configFingerprint a hash of the TCP settings both sides must share, see {@link #fingerprint}
 * @param queueFrames how many record frames (64 KiB each at most) the primary may hold unsent
 *                    before it gives the standby up as lost rather than block its stack thread
 */
public record ReplicationConfig(Role role, LinkAddress peer, LinkAddress listen, Policy policy,
        Duration heartbeatInterval, Duration heartbeatTimeout, int serviceIp, long serviceMac, List<Integer> ports,
        long configFingerprint, int queueFrames) {

    /** What a primary does when its standby is lost. */
    public enum Policy {
        /** Go on alone, degraded and loudly, and accept a new standby (the default). */
        CONTINUE,
        /** Stop all output for good: a primary that cannot replicate must not talk. */
        HALT
    }

    public static final Duration DEFAULT_HEARTBEAT_INTERVAL = Duration.ofMillis(10);
    public static final Duration DEFAULT_HEARTBEAT_TIMEOUT = Duration.ofMillis(50);
    public static final int DEFAULT_QUEUE_FRAMES = 1024;

    public ReplicationConfig {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(heartbeatInterval, "heartbeatInterval");
        Objects.requireNonNull(heartbeatTimeout, "heartbeatTimeout");
        ports = List.copyOf(Objects.requireNonNull(ports, "ports"));
        if (role == Role.PRIMARY && listen == null) {
            throw new IllegalArgumentException("a primary needs a listen address for its standby");
        }
        if (role == Role.STANDBY && peer == null) {
            throw new IllegalArgumentException("a standby needs its primary's address (peer)");
        }
        if (heartbeatInterval.isNegative() || heartbeatInterval.isZero()) {
            throw new IllegalArgumentException("heartbeat interval must be positive, got " + heartbeatInterval);
        }
        if (heartbeatTimeout.compareTo(heartbeatInterval.multipliedBy(2)) < 0) {
            throw new IllegalArgumentException("heartbeat timeout " + heartbeatTimeout.toMillis()
                    + " ms must be at least twice the interval " + heartbeatInterval.toMillis() + " ms");
        }
        for (int p : ports) {
            if (p < 1 || p > 65535) throw new IllegalArgumentException("port " + p + " is out of range 1..65535");
        }
        if ((serviceMac >>> 48) != 0) throw new IllegalArgumentException("service MAC has more than 48 bits");
        if (queueFrames < 4) throw new IllegalArgumentException("queueFrames must be at least 4, got " + queueFrames);
    }

    /** A primary listening on {@code listen}, policy CONTINUE, default heartbeats. */
    public static ReplicationConfig primary(LinkAddress listen, int serviceIp, long serviceMac, List<Integer> ports,
            long configFingerprint) {
        return new ReplicationConfig(Role.PRIMARY, null, listen, Policy.CONTINUE, DEFAULT_HEARTBEAT_INTERVAL,
                DEFAULT_HEARTBEAT_TIMEOUT, serviceIp, serviceMac, ports, configFingerprint, DEFAULT_QUEUE_FRAMES);
    }

    /**
     * A standby of the primary at {@code peer}; after a takeover it listens on {@code listen}
     * ({@code null}: the same Unix path as {@code peer}). Default heartbeats; policy CONTINUE once primary.
     */
    public static ReplicationConfig standby(LinkAddress peer, LinkAddress listen, int serviceIp, long serviceMac,
            List<Integer> ports, long configFingerprint) {
        return new ReplicationConfig(Role.STANDBY, peer, listen, Policy.CONTINUE, DEFAULT_HEARTBEAT_INTERVAL,
                DEFAULT_HEARTBEAT_TIMEOUT, serviceIp, serviceMac, ports, configFingerprint, DEFAULT_QUEUE_FRAMES);
    }

    public ReplicationConfig withPolicy(Policy p) {
        return new ReplicationConfig(role, peer, listen, p, heartbeatInterval, heartbeatTimeout, serviceIp, serviceMac,
                ports, configFingerprint, queueFrames);
    }

    public ReplicationConfig withHeartbeat(Duration interval, Duration timeout) {
        return new ReplicationConfig(role, peer, listen, policy, interval, timeout, serviceIp, serviceMac, ports,
                configFingerprint, queueFrames);
    }

    public ReplicationConfig withQueueFrames(int frames) {
        return new ReplicationConfig(role, peer, listen, policy, heartbeatInterval, heartbeatTimeout, serviceIp,
                serviceMac, ports, configFingerprint, frames);
    }

    /**
     * Where a standby listens for its own standby once it has taken over: {@code listen}, or for a
     * Unix peer the same path; {@code null} if none.
     */
    public LinkAddress listenAfterTakeover() {
        if (listen != null) return listen;
        return peer instanceof LinkAddress.Unix ? peer : null;
    }

    /** This config as a primary (what a standby becomes after a takeover). */
    ReplicationConfig asPrimary() {
        return new ReplicationConfig(Role.PRIMARY, null, listenAfterTakeover(), policy, heartbeatInterval,
                heartbeatTimeout, serviceIp, serviceMac, ports, configFingerprint, queueFrames);
    }

    /**
     * The 64-bit fingerprint of the settings a primary and its standby must share: MTU, MSS,
     * window scaling, SACK and timestamps on or off, and the receive buffer size. (A standby
     * that adopts a connection must be able to honour the options and window the primary
     * negotiated.)
     */
    public static long fingerprint(StackConfig stack, TcpConfig tcp) {
        long h = 0xcbf29ce484222325L; // FNV-1a over the fields, each as 8 bytes
        long[] fields = {stack.mtu(), tcp.mss(), tcp.windowScaling() ? 1 : 0, tcp.sack() ? 1 : 0,
            tcp.timestamps() ? 1 : 0, tcp.receiveBuffer()};
        for (long f : fields) {
            for (int i = 0; i < 8; i++) {
                h ^= (f >>> (8 * i)) & 0xFF;
                h *= 0x100000001b3L;
            }
        }
        return h;
    }
}
