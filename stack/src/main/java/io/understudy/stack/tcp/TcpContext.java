package io.understudy.stack.tcp;

import io.understudy.stack.Counters;
import io.understudy.stack.replication.OutputCommit;
import io.understudy.stack.replication.ReplicationLog;
import io.understudy.stack.replication.TcbImage;
import io.understudy.stack.wire.TcpHeader;
import io.understudy.stack.wire.TcpOptions;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every TCB of one stack shares: the configuration, the counters, the RFC 5961 §7
 * challenge-ACK rate limiter, the trace logger, the open files of the send queues' file regions
 * ({@link FileChannelCache}) and scratch space for the stack thread.
 *
 * <p>Owned by the stack thread, like the TCBs; not thread-safe. Allocates only in its
 * constructor (and in the file cache, when it opens a file).
 */
public final class TcpContext {
    /**
     * Challenge ACKs allowed per second per stack (RFC 5961 §7), Linux's
     * {@code tcp_challenge_ack_limit} before 6.0.
     */
    public static final int DEFAULT_CHALLENGE_ACK_LIMIT = 1000;
    /** The SLF4J logger of {@link TcpConfig#trace()}: one line per state transition and per retransmission. */
    public static final String TRACE_LOGGER = "io.understudy.tcp.trace";

    private static final Logger TRACE = LoggerFactory.getLogger(TRACE_LOGGER);
    private static final long SECOND = 1_000_000_000L;
    /** Largest receive window a 16-bit field carries unscaled. */
    private static final int MAX_UNSCALED_WINDOW = 0xFFFF;

    private final TcpConfig config;
    private final Counters counters;
    private final int challengeAckLimit;
    private final boolean tracing;
    private final int receiveWindowShift;
    /** xorshift64* state for the challenge-ACK jitter. */
    private long random;
    private boolean challengeWindowOpen;
    private long challengeWindowStart;
    private int challengeAcksLeft;

    /** Where changes are replicated; null in solo mode. */
    ReplicationLog replication;
    /** The next hop's MAC for a remote address, as far as the stack knows it (0 if not); for {@link TcbImage#peerMac}. */
    java.util.function.IntToLongFunction neighbors = remoteIp -> 0;
    /** The output-commit queue frames are tagged for; never null. */
    OutputCommit commit = new OutputCommit(1 << 20);

    /**
     * The channels of file regions, shared by every send queue of the stack; a connection takes
     * it when it is created. Replaced only by tests ({@link #files(FileChannelCache)}).
     */
    private FileChannelCache files = new FileChannelCache(FileChannelCache.DEFAULT_MAX_IDLE,
            java.time.InstantSource.system());

    /** Scratch header view for writing segments (stack thread only). */
    final TcpHeader header = new TcpHeader();
    /** Scratch SACK block edges, for writing our blocks and reading the peer's. */
    final int[] sackLeft = new int[TcpOptions.MAX_SACK_BLOCKS];
    /** Scratch SACK block right edges. */
    final int[] sackRight = new int[TcpOptions.MAX_SACK_BLOCKS];

    /** A context with {@link #DEFAULT_CHALLENGE_ACK_LIMIT} and a random jitter seed. */
    public TcpContext(TcpConfig config, Counters counters) {
        this(config, counters, DEFAULT_CHALLENGE_ACK_LIMIT, ThreadLocalRandom.current().nextLong());
    }

    /**
     * A context allowing about {@code challengeAckLimit} challenge ACKs per second.
     *
     * <p>As Linux does since the fix for CVE-2016-5696, the allowance of each one-second window is
     * drawn from {@code [limit/2, 3·limit/2)}, so that an off-path attacker cannot count our
     * challenge ACKs to infer sequence numbers. {@code seed} makes the draw reproducible;
     * {@link Integer#MAX_VALUE} disables the limit.
     */
    public TcpContext(TcpConfig config, Counters counters, int challengeAckLimit, long seed) {
        if (challengeAckLimit < 1) {
            throw new IllegalArgumentException("challenge ACK limit must be positive, got " + challengeAckLimit);
        }
        this.config = config;
        this.counters = counters;
        this.challengeAckLimit = challengeAckLimit;
        this.random = seed == 0 ? 0x9E3779B97F4A7C15L : seed;
        this.tracing = config.trace();
        this.receiveWindowShift = windowShiftFor(config.receiveBuffer());
    }

    /** The configuration every connection of the stack runs with. */
    public TcpConfig config() {
        return config;
    }

    /** The stack's counters. */
    public Counters counters() {
        return counters;
    }

    /**
     * The window shift we announce when window scaling is on (RFC 7323 §2.3): the smallest
     * that lets the 16-bit field describe the whole receive buffer, at most 14. A SYN-cookie
     * SYN-ACK written by the TCP layer must announce this same shift.
     */
    public int receiveWindowShift() {
        return receiveWindowShift;
    }

    /**
     * The window a SYN or SYN-ACK advertises (never scaled, RFC 7323 §2.2). A SYN-cookie
     * SYN-ACK written by the TCP layer must advertise this window.
     */
    public int synWindow() {
        return Math.min(config.receiveBuffer(), MAX_UNSCALED_WINDOW);
    }

    /**
     * RFC 5961 §7: may a challenge ACK be sent now? Counts the answer under
     * {@code tcp_challenge_acks} or {@code tcp_challenge_acks_limited}.
     */
    public boolean allowChallengeAck(long now) {
        if (challengeAckLimit == Integer.MAX_VALUE) {
            return true;
        }
        if (!challengeWindowOpen || now - challengeWindowStart >= SECOND) {
            challengeWindowOpen = true;
            challengeWindowStart = now;
            challengeAcksLeft = Math.max(1, challengeAckLimit / 2 + nextInt(challengeAckLimit));
        }
        if (challengeAcksLeft > 0) {
            challengeAcksLeft--;
            return true;
        }
        return false;
    }

    /** The replication log changes go to, or null in solo mode. */
    public ReplicationLog replication() {
        return replication;
    }

    /** Sets the replication log (null: solo). */
    public void replication(ReplicationLog log) {
        this.replication = log;
    }

    /** Where {@link TcbImage#peerMac} comes from: the next hop's MAC for a remote address, 0 if unknown. */
    public void neighbors(java.util.function.IntToLongFunction lookup) {
        this.neighbors = java.util.Objects.requireNonNull(lookup, "lookup");
    }

    /** Uses {@code commit} (the network interface's) to tag outgoing segments. */
    public void outputCommit(OutputCommit commit) {
        this.commit = java.util.Objects.requireNonNull(commit, "commit");
    }

    /** The send queues' shared file channels. */
    FileChannelCache files() {
        return files;
    }

    /** Uses {@code cache} for the connections created from now on (tests: another clock or bound). */
    void files(FileChannelCache cache) {
        this.files = java.util.Objects.requireNonNull(cache, "cache");
    }

    /** True when state transitions and retransmissions are logged. */
    boolean tracing() {
        return tracing;
    }

    /** Logs one trace line; callers check {@link #tracing()} first so nothing is built otherwise. */
    void trace(String line) {
        TRACE.info(line);
    }

    /** The smallest shift that brings {@code buffer} into 16 bits, at most {@link TcpOptions#MAX_WINDOW_SCALE}. */
    static int windowShiftFor(int buffer) {
        int shift = 0;
        long space = buffer;
        while (space > MAX_UNSCALED_WINDOW && shift < TcpOptions.MAX_WINDOW_SCALE) {
            space >>= 1;
            shift++;
        }
        return shift;
    }

    /** A uniform draw from [0, bound), xorshift64*. */
    private int nextInt(int bound) {
        random ^= random >>> 12;
        random ^= random << 25;
        random ^= random >>> 27;
        long r = (random * 0x2545F4914F6CDD1DL) >>> 33;
        return (int) (r % bound);
    }
}
