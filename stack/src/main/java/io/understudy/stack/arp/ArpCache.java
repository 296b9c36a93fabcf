package io.understudy.stack.arp;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The neighbour table: IPv4 address to MAC address, with resolution state, retransmission
 * deadlines and a small queue of packets waiting for each address (RFC 826, RFC 1122 §2.3.2).
 *
 * <p>Owned by the stack thread; never reads the clock. Every {@code now} is a
 * {@link System#nanoTime()}-style value that never decreases from call to call; deadlines are
 * compared as {@code deadline - now <= 0}, so any origin (even near {@link Long#MAX_VALUE}) works.
 *
 * <p>Entries are either INCOMPLETE (a request is outstanding and packets may be queued) or
 * resolved. A resolved entry expires {@code reachableTime} after it was last learned; from then
 * on it is STALE: {@link #lookup} returns -1 and the caller re-resolves through {@link #enqueue}.
 *
 * <p>Storage is preallocated: an open-addressing table keyed by IP plus parallel arrays per
 * entry, so lookups and refreshes never allocate. Only queueing a packet allocates (its copy).
 */
public final class ArpCache {

    /** Cache limits and timers; times in nanoseconds. */
    public record Config(int maxEntries, long reachableTimeNanos, long retransmitIntervalNanos,
                         int maxProbes, int maxPendingPerEntry, int maxPendingBytesPerEntry) {
        /** 1024 entries, 60 s reachable, 1 s retransmit, 3 probes, 3 packets / 64 KiB queued (as Linux). */
        public static final Config DEFAULT =
                new Config(1024, 60_000_000_000L, 1_000_000_000L, 3, 3, 64 * 1024);

        /** Rejects non-positive limits and times. */
        public Config {
            if (maxEntries <= 0 || reachableTimeNanos <= 0 || retransmitIntervalNanos <= 0
                    || maxProbes <= 0 || maxPendingPerEntry <= 0 || maxPendingBytesPerEntry <= 0) {
                throw new IllegalArgumentException("ArpCache limits and times must be positive: " + this);
            }
        }
    }

    /** An entry's state as shown by {@link #forEach}. */
    public enum State {
        /** A request is outstanding; packets may be queued. */
        INCOMPLETE,
        /** Resolved and not yet expired: {@link #lookup} returns the MAC. */
        REACHABLE,
        /** Resolved but expired: {@link #lookup} returns -1; the next {@link #enqueue} re-resolves. */
        STALE
    }

    /** What {@link #enqueue} did with the packet and what the caller must do next. */
    public enum Resolve {
        /** Packet queued and a new resolution started: broadcast an ARP request now. */
        SEND_REQUEST,
        /** Packet queued behind a request already outstanding. */
        QUEUED,
        /** Packet queued; the queue was full so the oldest packet(s) were dropped (see {@link #pendingDropped()}). */
        QUEUED_DROPPED_OLDEST,
        /** Packet dropped: larger than {@code maxPendingBytesPerEntry}; no entry was created. */
        PACKET_TOO_BIG,
        /** Packet dropped: table full of unresolved entries, nothing to evict. */
        TABLE_FULL
    }

    /** Receives queued packets when their address resolves. */
    @FunctionalInterface
    public interface PendingSink {
        /** Sends {@code packet} [position, limit) to {@code mac}; the buffer is only valid during the call. */
        void send(ByteBuffer packet, long mac);
    }

    /** Receives the work {@link #onTick} decides on. */
    public interface TickSink {
        /** Broadcast another ARP request for {@code ip}. */
        void sendRequest(int ip);

        /** Resolution of {@code ip} failed; its entry and {@code droppedPackets} queued packets are gone. */
        void unresolved(int ip, int droppedPackets);
    }

    /** Sees one entry; for INCOMPLETE, mac is -1 and deadline is the next retransmission, else the expiry. */
    @FunctionalInterface
    public interface EntryVisitor {
        /** Visits one entry. */
        void visit(int ip, long mac, State state, long deadline, int pendingPackets);
    }

    private static final int NONE = -1;
    private static final byte FREE = 0, INCOMPLETE = 1, RESOLVED = 2;

    private final Config config;

    /** Open-addressing table (linear probing, backward-shift deletion) of entry indexes; NONE = empty. */
    private final int[] table;
    private final int mask, shift;

    // Entry fields, indexed by entry number.
    private final int[] ip;
    private final long[] mac;
    private final byte[] state;
    /** Resolved: expiry. INCOMPLETE: next retransmission. */
    private final long[] deadline;
    private final int[] probes;
    /** Recency list, most recent at lruHead; lruNext doubles as the free list. */
    private final int[] lruPrev, lruNext;
    /** INCOMPLETE entries in deadline order (FIFO, since now never decreases and the interval is fixed). */
    private final int[] reqPrev, reqNext;
    /** Per-entry ring of queued packet copies, allocated on first use and kept. */
    private final ByteBuffer[][] queue;
    private final int[] queueHead, queueCount, queueBytes;

    private int lruHead = NONE, lruTail = NONE, reqHead = NONE, reqTail = NONE, freeHead;
    private int size;
    private long evictions, pendingDropped;

    /** A cache with {@link Config#DEFAULT}. */
    public ArpCache() {
        this(Config.DEFAULT);
    }

    /** A cache with the given limits. */
    public ArpCache(Config config) {
        this.config = config;
        int n = config.maxEntries();
        int capacity = Integer.highestOneBit(Math.max(2, n) * 2 - 1) << 1; // power of two >= 2n
        table = new int[capacity];
        Arrays.fill(table, NONE);
        mask = capacity - 1;
        shift = Integer.numberOfLeadingZeros(capacity) + 1;
        ip = new int[n];
        mac = new long[n];
        state = new byte[n];
        deadline = new long[n];
        probes = new int[n];
        lruPrev = new int[n];
        lruNext = new int[n];
        reqPrev = new int[n];
        reqNext = new int[n];
        queue = new ByteBuffer[n][];
        queueHead = new int[n];
        queueCount = new int[n];
        queueBytes = new int[n];
        for (int e = 0; e < n; e++) {
            lruNext[e] = e + 1 < n ? e + 1 : NONE;
        }
        freeHead = 0;
    }

    /** The MAC for {@code ip}, or -1 when unknown, incomplete or expired. */
    public long lookup(int ip, long now) {
        int e = find(ip);
        if (e == NONE || state[e] != RESOLVED || deadline[e] - now <= 0) {
            return -1;
        }
        touch(e);
        return mac[e];
    }

    /**
     * The MAC last learned for {@code ip}, expired or not, or -1 when there is none: what a
     * standby is told to use for a connection's peer should it take over (it asks again when the
     * entry it makes from it expires). Does not touch the entry's age.
     */
    public long peek(int ip) {
        int e = find(ip);
        return e == NONE || state[e] != RESOLVED ? -1 : mac[e];
    }

    /**
     * Creates or refreshes the entry for {@code ip} (RFC 826: the sender is a neighbour that
     * talks to us). An INCOMPLETE entry resolves and its queued packets go to {@code sink} in
     * order. Returns false only when the table is full of unresolved entries.
     */
    public boolean learn(int ip, long mac, long now, PendingSink sink) {
        checkMac(mac);
        int e = find(ip);
        if (e == NONE) {
            e = allocate(ip, now);
            if (e == NONE) {
                return false;
            }
        }
        resolve(e, mac, now, sink);
        return true;
    }

    /**
     * Refreshes the entry for {@code ip} only if it exists (RFC 826 merge step); resolves an
     * INCOMPLETE entry like {@link #learn}. Returns whether an entry existed.
     */
    public boolean update(int ip, long mac, long now, PendingSink sink) {
        checkMac(mac);
        int e = find(ip);
        if (e == NONE) {
            return false;
        }
        resolve(e, mac, now, sink);
        return true;
    }

    /**
     * Queues a copy of {@code packet} [position, limit) until {@code ip} resolves, starting a
     * resolution if none is outstanding. Call only when {@link #lookup} returned -1 at this
     * {@code now}; a still-reachable entry is a caller bug ({@link IllegalStateException}).
     */
    public Resolve enqueue(int ip, ByteBuffer packet, long now) {
        int length = packet.remaining();
        if (length > config.maxPendingBytesPerEntry()) {
            return Resolve.PACKET_TOO_BIG;
        }
        int e = find(ip);
        Resolve result;
        if (e == NONE) {
            e = allocate(ip, now);
            if (e == NONE) {
                return Resolve.TABLE_FULL;
            }
            startResolution(e, now);
            result = Resolve.SEND_REQUEST;
        } else if (state[e] == RESOLVED) {
            if (deadline[e] - now > 0) {
                throw new IllegalStateException("enqueue for a reachable neighbour; lookup() first");
            }
            startResolution(e, now); // stale: re-resolve, as if new
            result = Resolve.SEND_REQUEST;
        } else {
            result = Resolve.QUEUED;
        }
        touch(e);
        if (makeRoom(e, length)) {
            result = result == Resolve.QUEUED ? Resolve.QUEUED_DROPPED_OLDEST : result;
        }
        push(e, packet, length);
        return result;
    }

    /**
     * Retransmits requests whose interval passed and gives up on entries that used all
     * {@code maxProbes} (their queued packets are dropped and reported to {@code sink}).
     */
    public void onTick(long now, TickSink sink) {
        while (reqHead != NONE && deadline[reqHead] - now <= 0) {
            int e = reqHead;
            int entryIp = ip[e];
            if (probes[e] < config.maxProbes()) {
                probes[e]++;
                deadline[e] = now + config.retransmitIntervalNanos();
                unlinkRequest(e);
                appendRequest(e);
                sink.sendRequest(entryIp);
            } else {
                int dropped = queueCount[e];
                remove(e);
                sink.unresolved(entryIp, dropped);
            }
        }
    }

    /** Whether any request is outstanding, i.e. {@link #nextDeadline()} is meaningful. */
    public boolean hasDeadline() {
        return reqHead != NONE;
    }

    /** When {@link #onTick} next has work; throws {@link IllegalStateException} unless {@link #hasDeadline()}. */
    public long nextDeadline() {
        if (reqHead == NONE) {
            throw new IllegalStateException("no outstanding ARP request");
        }
        return deadline[reqHead];
    }

    /** Number of entries in any state. */
    public int size() {
        return size;
    }

    /** Resolved entries evicted to make room, since creation. */
    public long evictions() {
        return evictions;
    }

    /** Queued packets dropped (oldest first) to make room for newer ones, since creation. */
    public long pendingDropped() {
        return pendingDropped;
    }

    /** Visits every entry, most recently used first; the visitor must not modify the cache. */
    public void forEach(long now, EntryVisitor visitor) {
        for (int e = lruHead; e != NONE; e = lruNext[e]) {
            if (state[e] == INCOMPLETE) {
                visitor.visit(ip[e], -1, State.INCOMPLETE, deadline[e], queueCount[e]);
            } else {
                State s = deadline[e] - now > 0 ? State.REACHABLE : State.STALE;
                visitor.visit(ip[e], mac[e], s, deadline[e], 0);
            }
        }
    }

    // ---- entry life cycle

    private void resolve(int e, long newMac, long now, PendingSink sink) {
        if (state[e] == INCOMPLETE) {
            unlinkRequest(e);
        }
        state[e] = RESOLVED;
        mac[e] = newMac;
        deadline[e] = now + config.reachableTimeNanos();
        probes[e] = 0;
        touch(e);
        flush(e, newMac, sink);
    }

    private void startResolution(int e, long now) {
        state[e] = INCOMPLETE;
        mac[e] = -1;
        probes[e] = 1; // the request the caller sends now
        deadline[e] = now + config.retransmitIntervalNanos();
        appendRequest(e);
    }

    /** Takes a free entry for {@code ip} (evicting a resolved one if needed) and indexes it; NONE if full. */
    private int allocate(int newIp, long now) {
        if (freeHead == NONE && !evictOne(now)) {
            return NONE;
        }
        int e = freeHead;
        freeHead = lruNext[e];
        ip[e] = newIp;
        lruPrev[e] = NONE;
        lruNext[e] = lruHead;
        if (lruHead != NONE) {
            lruPrev[lruHead] = e;
        }
        lruHead = e;
        if (lruTail == NONE) {
            lruTail = e;
        }
        int slot = homeSlot(newIp);
        while (table[slot] != NONE) {
            slot = (slot + 1) & mask;
        }
        table[slot] = e;
        size++;
        return e;
    }

    /**
     * Evicts an expired resolved entry, else the least recently used resolved one. Walks the
     * recency list from the old end, so this is O(maxEntries), but only when the table is full.
     */
    private boolean evictOne(long now) {
        int victim = NONE;
        for (int e = lruTail; e != NONE; e = lruPrev[e]) {
            if (state[e] != RESOLVED) {
                continue;
            }
            if (deadline[e] - now <= 0) {
                victim = e;
                break;
            }
            if (victim == NONE) {
                victim = e;
            }
        }
        if (victim == NONE) {
            return false;
        }
        remove(victim);
        evictions++;
        return true;
    }

    private void remove(int e) {
        removeFromTable(e);
        if (state[e] == INCOMPLETE) {
            unlinkRequest(e);
        }
        ByteBuffer[] q = queue[e];
        while (queueCount[e] > 0) {
            q[queueHead[e]] = null;
            queueHead[e] = (queueHead[e] + 1) % q.length;
            queueCount[e]--;
        }
        queueHead[e] = 0;
        queueBytes[e] = 0;
        state[e] = FREE;
        int p = lruPrev[e], n = lruNext[e];
        if (p != NONE) lruNext[p] = n; else lruHead = n;
        if (n != NONE) lruPrev[n] = p; else lruTail = p;
        lruNext[e] = freeHead;
        freeHead = e;
        size--;
    }

    private void touch(int e) {
        if (lruHead == e) {
            return;
        }
        int p = lruPrev[e], n = lruNext[e];
        lruNext[p] = n; // e is not the head, so p exists
        if (n != NONE) lruPrev[n] = p; else lruTail = p;
        lruPrev[e] = NONE;
        lruNext[e] = lruHead;
        lruPrev[lruHead] = e;
        lruHead = e;
    }

    // ---- pending packet queue

    /** Drops oldest packets until one more of {@code length} bytes fits; returns whether any was dropped. */
    private boolean makeRoom(int e, int length) {
        boolean dropped = false;
        while (queueCount[e] > 0 && (queueCount[e] == config.maxPendingPerEntry()
                || queueBytes[e] + length > config.maxPendingBytesPerEntry())) {
            take(e);
            pendingDropped++;
            dropped = true;
        }
        return dropped;
    }

    private void push(int e, ByteBuffer packet, int length) {
        ByteBuffer[] q = queue[e];
        if (q == null) {
            q = queue[e] = new ByteBuffer[config.maxPendingPerEntry()];
        }
        ByteBuffer copy = ByteBuffer.allocate(length);
        copy.put(0, packet, packet.position(), length);
        q[(queueHead[e] + queueCount[e]) % q.length] = copy;
        queueCount[e]++;
        queueBytes[e] += length;
    }

    private ByteBuffer take(int e) {
        ByteBuffer[] q = queue[e];
        ByteBuffer packet = q[queueHead[e]];
        q[queueHead[e]] = null;
        queueHead[e] = (queueHead[e] + 1) % q.length;
        queueCount[e]--;
        queueBytes[e] -= packet.limit();
        return packet;
    }

    /** Hands every queued packet to the sink, oldest first; each leaves the queue before the call. */
    private void flush(int e, long toMac, PendingSink sink) {
        while (queueCount[e] > 0) {
            sink.send(take(e), toMac);
        }
    }

    // ---- request FIFO

    private void appendRequest(int e) {
        reqPrev[e] = reqTail;
        reqNext[e] = NONE;
        if (reqTail != NONE) reqNext[reqTail] = e; else reqHead = e;
        reqTail = e;
    }

    private void unlinkRequest(int e) {
        int p = reqPrev[e], n = reqNext[e];
        if (p != NONE) reqNext[p] = n; else reqHead = n;
        if (n != NONE) reqPrev[n] = p; else reqTail = p;
    }

    // ---- hash table

    /** Fibonacci hashing: the top bits of key * 2^32/phi. */
    private int homeSlot(int key) {
        return (key * 0x9E3779B9) >>> shift;
    }

    private int find(int key) {
        for (int slot = homeSlot(key); table[slot] != NONE; slot = (slot + 1) & mask) {
            if (ip[table[slot]] == key) {
                return table[slot];
            }
        }
        return NONE;
    }

    private void removeFromTable(int e) {
        int hole = homeSlot(ip[e]);
        while (table[hole] != e) {
            hole = (hole + 1) & mask;
        }
        // Backward-shift deletion: pull later members of the probe run into the hole.
        for (int i = (hole + 1) & mask; table[i] != NONE; i = (i + 1) & mask) {
            int home = homeSlot(ip[table[i]]);
            if (((i - home) & mask) >= ((i - hole) & mask)) {
                table[hole] = table[i];
                hole = i;
            }
        }
        table[hole] = NONE;
    }

    private static void checkMac(long mac) {
        if ((mac >>> 48) != 0) {
            throw new IllegalArgumentException("MAC must fit in 48 bits: " + Long.toHexString(mac));
        }
    }
}
