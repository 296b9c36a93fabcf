package io.understudy.stack.arp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import io.understudy.stack.arp.ArpCache.Config;
import io.understudy.stack.arp.ArpCache.Resolve;
import io.understudy.stack.arp.ArpCache.State;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ArpCacheTest {
    static final long MS = 1_000_000L, S = 1_000 * MS;
    static final int IP_A = 0x0A000001, IP_B = 0x0A000002, IP_C = 0x0A000003, IP_D = 0x0A000004, IP_E = 0x0A000005;
    static final long MAC_A = 0x02_00_00_00_00_0AL, MAC_B = 0x02_00_00_00_00_0BL, MAC_C = 0x02_00_00_00_00_0CL;

    /** Records what the cache hands out. */
    static final class Recorder implements ArpCache.PendingSink, ArpCache.TickSink {
        final List<String> sent = new ArrayList<>();
        final List<Integer> requests = new ArrayList<>();
        final List<String> unresolved = new ArrayList<>();

        @Override public void send(ByteBuffer packet, long mac) {
            byte[] b = new byte[packet.remaining()];
            packet.get(packet.position(), b);
            sent.add(new String(b, StandardCharsets.US_ASCII) + "@" + Long.toHexString(mac));
        }

        @Override public void sendRequest(int ip) {
            requests.add(ip);
        }

        @Override public void unresolved(int ip, int droppedPackets) {
            unresolved.add(Integer.toHexString(ip) + ":" + droppedPackets);
        }
    }

    static ByteBuffer packet(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.US_ASCII));
    }

    static Config config(int maxEntries, int maxPending, int maxPendingBytes) {
        return new Config(maxEntries, 60 * S, S, 3, maxPending, maxPendingBytes);
    }

    final Recorder out = new Recorder();

    @Test void learnedAddressIsFoundAndUnknownIsNot() {
        var arp = new ArpCache();
        assertThat(arp.learn(IP_A, MAC_A, 0, out)).isTrue();
        assertThat(arp.lookup(IP_A, 1)).isEqualTo(MAC_A);
        assertThat(arp.lookup(IP_B, 1)).isEqualTo(-1);
        assertThat(arp.size()).isEqualTo(1);
        assertThat(out.sent).isEmpty();
    }

    @Test void learnReplacesMacAndRefreshesExpiry() {
        var arp = new ArpCache();
        arp.learn(IP_A, MAC_A, 0, out);
        arp.learn(IP_A, MAC_B, 30 * S, out);
        assertThat(arp.lookup(IP_A, 89 * S)).isEqualTo(MAC_B);
        assertThat(arp.lookup(IP_A, 90 * S)).isEqualTo(-1);
        assertThat(arp.size()).isEqualTo(1);
    }

    @Test void entryExpiresExactlyAtReachableDeadline() {
        var arp = new ArpCache();
        long t0 = 123 * S;
        arp.learn(IP_A, MAC_A, t0, out);
        assertThat(arp.lookup(IP_A, t0 + 60 * S - 1)).isEqualTo(MAC_A);
        assertThat(arp.lookup(IP_A, t0 + 60 * S)).isEqualTo(-1);
        assertThat(arp.size()).isEqualTo(1);
        assertThat(arp.hasDeadline()).as("stale entries need no timer").isFalse();
    }

    @Test void firstEnqueueAsksForRequestThenQueues() {
        var arp = new ArpCache();
        assertThat(arp.enqueue(IP_A, packet("p1"), 0)).isEqualTo(Resolve.SEND_REQUEST);
        assertThat(arp.enqueue(IP_A, packet("p2"), 10 * MS)).isEqualTo(Resolve.QUEUED);
        assertThat(arp.lookup(IP_A, 20 * MS)).isEqualTo(-1);
        assertThat(arp.hasDeadline()).isTrue();
        assertThat(arp.nextDeadline()).isEqualTo(S);
    }

    @Test void resolutionFlushesQueueInOrderToTheLearnedMac() {
        var arp = new ArpCache();
        arp.enqueue(IP_A, packet("one"), 0);
        arp.enqueue(IP_A, packet("two"), 1);
        arp.enqueue(IP_A, packet("three"), 2);
        arp.learn(IP_A, MAC_A, 3, out);
        assertThat(out.sent).containsExactly("one@2000000000a", "two@2000000000a", "three@2000000000a");
        assertThat(arp.lookup(IP_A, 4)).isEqualTo(MAC_A);
        assertThat(arp.hasDeadline()).isFalse();
        arp.learn(IP_A, MAC_A, 5, out);
        assertThat(out.sent).as("queue emptied").hasSize(3);
    }

    @Test void enqueueCopiesOnlyPositionToLimit() {
        var arp = new ArpCache();
        ByteBuffer frame = packet("xxpayloadyy");
        frame.position(2).limit(9);
        arp.enqueue(IP_A, frame, 0);
        assertThat(frame.position()).isEqualTo(2);
        assertThat(frame.limit()).isEqualTo(9);
        frame.put(2, (byte) 'P'); // the caller reuses its buffer
        arp.learn(IP_A, MAC_A, 1, out);
        assertThat(out.sent).containsExactly("payload@2000000000a");
    }

    @Test void fullQueueDropsOldest() {
        var arp = new ArpCache();
        arp.enqueue(IP_A, packet("1"), 0);
        arp.enqueue(IP_A, packet("2"), 0);
        assertThat(arp.enqueue(IP_A, packet("3"), 0)).isEqualTo(Resolve.QUEUED);
        assertThat(arp.enqueue(IP_A, packet("4"), 0)).isEqualTo(Resolve.QUEUED_DROPPED_OLDEST);
        assertThat(arp.pendingDropped()).isEqualTo(1);
        arp.learn(IP_A, MAC_A, 1, out);
        assertThat(out.sent).containsExactly("2@2000000000a", "3@2000000000a", "4@2000000000a");
    }

    @Test void byteBoundDropsAsManyOldestAsNeeded() {
        var arp = new ArpCache(config(16, 8, 10));
        arp.enqueue(IP_A, packet("aaa"), 0);
        arp.enqueue(IP_A, packet("bbb"), 0);
        arp.enqueue(IP_A, packet("ccc"), 0);
        assertThat(arp.enqueue(IP_A, packet("dddddd"), 0)).isEqualTo(Resolve.QUEUED_DROPPED_OLDEST);
        assertThat(arp.pendingDropped()).isEqualTo(2);
        arp.learn(IP_A, MAC_A, 1, out);
        assertThat(out.sent).containsExactly("ccc@2000000000a", "dddddd@2000000000a");
    }

    @Test void packetLargerThanByteBoundIsDroppedWithoutCreatingAnEntry() {
        var arp = new ArpCache(config(16, 8, 4));
        assertThat(arp.enqueue(IP_A, packet("12345"), 0)).isEqualTo(Resolve.PACKET_TOO_BIG);
        assertThat(arp.size()).isZero();
        assertThat(arp.enqueue(IP_A, packet("1234"), 0)).isEqualTo(Resolve.SEND_REQUEST);
    }

    @Test void retransmitsEverySecondUpToMaxProbesThenGivesUp() {
        var arp = new ArpCache();
        long t0 = 5 * S;
        assertThat(arp.enqueue(IP_A, packet("x"), t0)).isEqualTo(Resolve.SEND_REQUEST); // probe 1
        arp.enqueue(IP_A, packet("y"), t0 + 1);
        arp.onTick(t0 + S - 1, out);
        assertThat(out.requests).isEmpty();
        arp.onTick(t0 + S, out); // probe 2
        assertThat(out.requests).containsExactly(IP_A);
        assertThat(arp.nextDeadline()).isEqualTo(t0 + 2 * S);
        arp.onTick(t0 + 2 * S, out); // probe 3
        assertThat(out.requests).containsExactly(IP_A, IP_A);
        arp.onTick(t0 + 3 * S - 1, out);
        assertThat(out.unresolved).isEmpty();
        arp.onTick(t0 + 3 * S, out);
        assertThat(out.requests).as("maxProbes requests in all").hasSize(2);
        assertThat(out.unresolved).containsExactly("a000001:2");
        assertThat(arp.size()).isZero();
        assertThat(arp.hasDeadline()).isFalse();
        assertThatThrownBy(arp::nextDeadline).isInstanceOf(IllegalStateException.class);
    }

    @Test void lateTickRearmsFromNowWithoutBursting() {
        var arp = new ArpCache();
        arp.enqueue(IP_A, packet("x"), 0);
        arp.onTick(S + 700 * MS, out);
        assertThat(out.requests).hasSize(1);
        assertThat(arp.nextDeadline()).isEqualTo(2 * S + 700 * MS);
    }

    @Test void tickHandlesSeveralEntriesInDeadlineOrder() {
        var arp = new ArpCache();
        arp.enqueue(IP_A, packet("a"), 0);
        arp.enqueue(IP_B, packet("b"), 100 * MS);
        arp.enqueue(IP_C, packet("c"), 200 * MS);
        arp.learn(IP_B, MAC_B, 300 * MS, out);
        arp.onTick(S + 150 * MS, out);
        assertThat(out.requests).containsExactly(IP_A);
        assertThat(arp.nextDeadline()).isEqualTo(S + 200 * MS);
        arp.onTick(S + 200 * MS, out);
        assertThat(out.requests).containsExactly(IP_A, IP_C);
        assertThat(arp.nextDeadline()).isEqualTo(2 * S + 150 * MS);
    }

    @Test void staleEntryIsReResolvedThroughEnqueue() {
        var arp = new ArpCache();
        arp.learn(IP_A, MAC_A, 0, out);
        assertThat(arp.lookup(IP_A, 60 * S)).isEqualTo(-1);
        assertThat(arp.enqueue(IP_A, packet("again"), 60 * S)).isEqualTo(Resolve.SEND_REQUEST);
        assertThat(arp.nextDeadline()).isEqualTo(61 * S);
        arp.learn(IP_A, MAC_B, 60 * S + 5 * MS, out);
        assertThat(out.sent).containsExactly("again@2000000000b");
        assertThat(arp.size()).isEqualTo(1);
    }

    @Test void enqueueForReachableNeighbourIsACallerBug() {
        var arp = new ArpCache();
        arp.learn(IP_A, MAC_A, 0, out);
        assertThatThrownBy(() -> arp.enqueue(IP_A, packet("x"), 1)).isInstanceOf(IllegalStateException.class);
    }

    @Test void updateRefreshesButNeverCreates() {
        var arp = new ArpCache();
        assertThat(arp.update(IP_A, MAC_A, 0, out)).isFalse();
        assertThat(arp.size()).isZero();
        arp.learn(IP_A, MAC_A, 0, out);
        assertThat(arp.update(IP_A, MAC_B, 10 * S, out)).isTrue();
        assertThat(arp.lookup(IP_A, 69 * S)).isEqualTo(MAC_B);
    }

    @Test void updateResolvesIncompleteEntryAndFlushes() {
        var arp = new ArpCache();
        arp.enqueue(IP_A, packet("q"), 0);
        assertThat(arp.update(IP_A, MAC_C, 1, out)).isTrue();
        assertThat(out.sent).containsExactly("q@2000000000c");
        assertThat(arp.hasDeadline()).isFalse();
    }

    @Test void macMustFitIn48Bits() {
        var arp = new ArpCache();
        assertThatThrownBy(() -> arp.learn(IP_A, 1L << 48, 0, out)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test void fullTablePrefersEvictingAnExpiredEntryOverTheLeastRecentlyUsed() {
        var arp = new ArpCache(config(3, 3, 1 << 16));
        arp.learn(IP_A, MAC_A, 0, out);        // expires at 60 s
        arp.learn(IP_B, MAC_B, 10 * S, out);   // expires at 70 s
        arp.learn(IP_C, MAC_C, 20 * S, out);   // expires at 80 s
        arp.lookup(IP_A, 30 * S);              // recency now A, C, B
        assertThat(arp.learn(IP_D, 0xD, 65 * S, out)).isTrue();
        assertThat(arp.evictions()).isEqualTo(1);
        assertThat(arp.lookup(IP_B, 66 * S)).as("LRU but fresh: kept").isEqualTo(MAC_B);
        assertThat(arp.lookup(IP_C, 66 * S)).isEqualTo(MAC_C);
        assertThat(arp.lookup(IP_D, 66 * S)).isEqualTo(0xD);
        assertThat(arp.size()).isEqualTo(3);
    }

    @Test void fullTableWithoutExpiredEntriesEvictsLeastRecentlyUsed() {
        var arp = new ArpCache(config(3, 3, 1 << 16));
        arp.learn(IP_A, MAC_A, 0, out);
        arp.learn(IP_B, MAC_B, 1, out);
        arp.learn(IP_C, MAC_C, 2, out);
        arp.lookup(IP_A, 3); // recency A, C, B
        assertThat(arp.enqueue(IP_D, packet("d"), 4)).isEqualTo(Resolve.SEND_REQUEST);
        assertThat(arp.lookup(IP_B, 5)).isEqualTo(-1);
        assertThat(arp.lookup(IP_A, 5)).isEqualTo(MAC_A);
        assertThat(arp.lookup(IP_C, 5)).isEqualTo(MAC_C);
        assertThat(arp.size()).isEqualTo(3);
    }

    @Test void tableFullOfUnresolvedEntriesRefusesNewOnes() {
        var arp = new ArpCache(config(2, 3, 1 << 16));
        arp.enqueue(IP_A, packet("a"), 0);
        arp.enqueue(IP_B, packet("b"), 0);
        assertThat(arp.enqueue(IP_C, packet("c"), 0)).isEqualTo(Resolve.TABLE_FULL);
        assertThat(arp.learn(IP_C, MAC_C, 0, out)).isFalse();
        assertThat(arp.size()).isEqualTo(2);
        assertThat(arp.evictions()).isZero();
        arp.learn(IP_A, MAC_A, 1, out); // now one resolved entry is evictable
        assertThat(arp.enqueue(IP_C, packet("c"), 2)).isEqualTo(Resolve.SEND_REQUEST);
        assertThat(arp.lookup(IP_A, 3)).isEqualTo(-1);
        assertThat(arp.size()).isEqualTo(2);
    }

    @Test void deadlinesWrapAroundNearLongMaxValue() {
        var arp = new ArpCache();
        long t0 = Long.MAX_VALUE - 500 * MS;
        arp.learn(IP_A, MAC_A, t0, out);
        assertThat(arp.lookup(IP_A, t0 + 60 * S - 1)).isEqualTo(MAC_A);
        assertThat(arp.lookup(IP_A, t0 + 60 * S)).isEqualTo(-1);

        arp.enqueue(IP_B, packet("b"), t0);
        assertThat(arp.nextDeadline()).isNegative(); // wrapped
        arp.onTick(t0 + S - 1, out);
        assertThat(out.requests).isEmpty();
        arp.onTick(t0 + S, out);
        assertThat(out.requests).containsExactly(IP_B);
        arp.onTick(t0 + 2 * S, out);
        arp.onTick(t0 + 3 * S - 1, out);
        assertThat(out.unresolved).isEmpty();
        arp.onTick(t0 + 3 * S, out);
        assertThat(out.unresolved).containsExactly("a000002:1");
    }

    @Test void forEachShowsEveryStateMostRecentFirst() {
        var arp = new ArpCache();
        arp.learn(IP_A, MAC_A, 0, out);
        arp.learn(IP_B, MAC_B, 30 * S, out);
        arp.enqueue(IP_C, packet("c"), 61 * S);
        List<String> rows = new ArrayList<>();
        arp.forEach(61 * S, (ip, mac, state, deadline, pending) ->
                rows.add(Integer.toHexString(ip) + " " + mac + " " + state + " " + deadline / S + " " + pending));
        assertThat(rows).containsExactly(
                "a000003 -1 INCOMPLETE 62 1",
                "a000002 " + MAC_B + " REACHABLE 90 0",
                "a000001 " + MAC_A + " STALE 60 0");
    }

    /** Random operations against a small table; after each, lookups must agree with forEach. */
    @Test void randomOperationsKeepTableConsistent() {
        var arp = new ArpCache(config(64, 3, 1 << 16));
        var rnd = new Random(42);
        long now = Long.MAX_VALUE - 100 * S;
        for (int step = 0; step < 20_000; step++) {
            now += rnd.nextInt(200) * MS;
            int ip = 0x0A000000 | rnd.nextInt(300) << 8; // spread across the hash
            switch (rnd.nextInt(4)) {
                case 0 -> arp.learn(ip, rnd.nextInt(1 << 24), now, out);
                case 1 -> arp.update(ip, rnd.nextInt(1 << 24), now, out);
                case 2 -> {
                    if (arp.lookup(ip, now) == -1) {
                        arp.enqueue(ip, packet("p"), now);
                    }
                }
                default -> arp.onTick(now, out);
            }
            checkConsistent(arp, now);
        }
        assertThat(arp.evictions()).isPositive();
        assertThat(out.unresolved).isNotEmpty();
    }

    private static void checkConsistent(ArpCache arp, long now) {
        Map<Integer, Long> visible = new HashMap<>();
        Set<Integer> seen = new HashSet<>();
        arp.forEach(now, (ip, mac, state, deadline, pending) -> {
            if (!seen.add(ip)) {
                fail("duplicate entry " + Integer.toHexString(ip));
            }
            visible.put(ip, state == State.REACHABLE ? mac : -1L);
        });
        if (seen.size() != arp.size() || arp.size() > 64) {
            fail("size " + arp.size() + " but forEach saw " + seen.size());
        }
        for (int i = 0; i < 300; i++) {
            int ip = 0x0A000000 | i << 8;
            long expected = visible.getOrDefault(ip, -1L);
            if (arp.lookup(ip, now) != expected) {
                fail("lookup(" + Integer.toHexString(ip) + ") disagrees with forEach: " + expected);
            }
        }
    }

    @Test void lookupsAndRefreshesDoNotAllocate() {
        var bean = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        var arp = new ArpCache();
        for (int i = 0; i < 1000; i++) {
            arp.learn(0x0A000000 + i, i, 0, out);
        }
        long sink = 0;
        for (int warm = 0; warm < 3; warm++) {
            long tid = Thread.currentThread().getId();
            long before = bean.getThreadAllocatedBytes(tid);
            for (int round = 0; round < 100; round++) {
                for (int i = 0; i < 1000; i++) {
                    sink += arp.lookup(0x0A000000 + i, round);
                    arp.update(0x0A000000 + i, i, round, out);
                    sink += arp.lookup(0x0B000000 + i, round);
                }
            }
            long allocated = bean.getThreadAllocatedBytes(tid) - before;
            if (warm == 2) {
                assertThat(allocated).as("bytes allocated by 300k operations").isLessThan(1024);
            }
        }
        assertThat(sink).isNotZero();
    }
}
