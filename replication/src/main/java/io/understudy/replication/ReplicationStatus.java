package io.understudy.replication;

import java.util.Arrays;

/**
 * What replication is doing now, readable from any thread (for status pages, metrics and tests).
 * Counters are cumulative over the instance's life; RTT figures cover the last
 * {@value #RTT_WINDOW} acknowledged records.
 */
public final class ReplicationStatus {
    /** The instance's part. */
    public enum Role {
        /** Shipping to a standby. */
        PRIMARY,
        /** Shadowing a primary. */
        STANDBY,
        /** Serving without a standby (none joined yet, or it was lost under policy CONTINUE). */
        SOLO,
        /** Lost its standby under policy HALT: no output leaves any more. */
        HALTED
    }

    /** The replication link. */
    public enum LinkState {
        /** Waiting for a peer (a primary for its standby, a standby connecting). */
        WAITING,
        /** Handshake done, records flowing. */
        CONNECTED,
        /** The peer was lost. */
        LOST
    }

    static final int RTT_WINDOW = 256;

    private volatile Role role;
    private volatile LinkState state = LinkState.WAITING;
    private volatile String peer = "";
    private volatile long recordsShipped;
    private volatile long recordsAcked;
    private volatile long bytesShipped;
    private volatile long bytesAcked;
    private volatile long recordsApplied;
    private volatile long lastRttNanos = -1;
    private volatile long takeovers;
    private volatile long lastTakeoverNanos = -1;
    private volatile int lastTakeoverConnections;
    private volatile long clockOffsetNanos;
    private volatile boolean standbySynced;
    private volatile long snapshotRecord = Long.MAX_VALUE;
    private final long[] rtts = new long[RTT_WINDOW];
    private int rttCount;

    ReplicationStatus(Role role) {
        this.role = role;
    }

    public Role role() { return role; }
    public LinkState state() { return state; }
    /** The peer's link description, empty when none. */
    public String peer() { return peer; }
    /** The number of the newest record shipped to a standby (primary; numbers go on across standbys). */
    public long recordsShipped() { return recordsShipped; }
    /** The newest record the standby acknowledged (primary). */
    public long recordsAcked() { return recordsAcked; }
    /** Record bytes shipped, all standbys together (primary). */
    public long bytesShipped() { return bytesShipped; }
    /** Records shipped and not yet acknowledged (primary; 0 without a standby). */
    public long lagRecords() { return state == LinkState.CONNECTED ? Math.max(0, recordsShipped - recordsAcked) : 0; }
    /** Bytes shipped and not yet acknowledged (primary; 0 without a standby). */
    public long lagBytes() { return state == LinkState.CONNECTED ? Math.max(0, bytesShipped - bytesAcked) : 0; }
    /** Records applied (standby). */
    public long recordsApplied() { return recordsApplied; }
    /** The round trip of the newest acknowledged record (ship to ack), -1 before the first. */
    public long lastRttNanos() { return lastRttNanos; }
    /** The median round trip over the recent window, -1 before the first. */
    public synchronized long rttP50Nanos() { return percentile(50); }
    /** The largest round trip over the recent window, -1 before the first. */
    public synchronized long rttMaxNanos() { return percentile(100); }
    /** Takeovers this instance performed (standby). */
    public long takeovers() { return takeovers; }
    /** How long the last takeover took from detecting the loss to handing the connections to the stack, -1 if none. */
    public long lastTakeoverNanos() { return lastTakeoverNanos; }
    /** Connections adopted by the last takeover. */
    public int lastTakeoverConnections() { return lastTakeoverConnections; }
    /**
     * True while the pair protects the connections: for a primary, its standby acknowledged the
     * snapshot it joined with; for a standby, it applied a complete snapshot on its current link.
     */
    public boolean inSync() {
        if (state != LinkState.CONNECTED) return false;
        return role == Role.STANDBY ? standbySynced : role == Role.PRIMARY && recordsAcked >= snapshotRecord;
    }

    /** The primary's clock minus ours, as last estimated (standby). */
    public long clockOffsetNanos() { return clockOffsetNanos; }

    void role(Role r) { role = r; }
    void state(LinkState s) { state = s; }
    void peer(String p) { peer = p == null ? "" : p; }
    void shipped(long record, long cumulativeBytes) { recordsShipped = record; bytesShipped = cumulativeBytes; }
    void applied(long record) { recordsApplied++; }
    void clockOffset(long nanos) { clockOffsetNanos = nanos; }
    void standbySynced(boolean synced) { standbySynced = synced; }
    void snapshotShipping(long record) { snapshotRecord = record; }

    void acked(long record, long ackedCumulativeBytes, long rttNanos) {
        recordsAcked = record;
        bytesAcked = ackedCumulativeBytes;
        if (rttNanos >= 0) {
            lastRttNanos = rttNanos;
            synchronized (this) {
                rtts[rttCount++ % RTT_WINDOW] = rttNanos;
            }
        }
    }

    /** A new standby joins: lag counts from what was shipped before it. */
    void sessionStarted() {
        recordsAcked = recordsShipped;
        bytesAcked = bytesShipped;
    }

    void tookOver(long nanos, int connections) {
        takeovers++;
        lastTakeoverNanos = nanos;
        lastTakeoverConnections = connections;
    }

    private long percentile(int p) {
        int n = Math.min(rttCount, RTT_WINDOW);
        if (n == 0) return -1;
        long[] copy = Arrays.copyOf(rtts, n);
        Arrays.sort(copy);
        return copy[(n - 1) * p / 100];
    }

    @Override
    public String toString() {
        return "replication " + role.name().toLowerCase() + " " + state.name().toLowerCase()
                + (peer.isEmpty() ? "" : " peer=" + peer)
                + " shipped=" + recordsShipped + " acked=" + recordsAcked + " lag=" + lagRecords()
                + " bytes=" + bytesShipped + " applied=" + recordsApplied
                + " rtt_us=" + micros(lastRttNanos) + " p50_us=" + micros(rttP50Nanos()) + " max_us=" + micros(rttMaxNanos())
                + " takeovers=" + takeovers;
    }

    private static String micros(long nanos) {
        return nanos < 0 ? "-" : Long.toString(nanos / 1000);
    }
}
