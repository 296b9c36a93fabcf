package io.understudy.stack.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.understudy.stack.Counter;
import io.understudy.stack.Counters;
import io.understudy.stack.wire.Ipv4Address;
import io.understudy.stack.wire.TcpHeader;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Two connections talk to each other over a simulated link with delay, loss and reordering:
 * both directions carry data, both close, and every byte arrives intact, in order, with no RST.
 * Sequence numbers start just below 2^32 so they wrap during the transfer.
 */
class TcpPairTest {
    private static final long MS = 1_000_000L;
    private static final int IP_A = Ipv4Address.parse("10.201.0.1");
    private static final int IP_B = Ipv4Address.parse("10.201.0.2");

    private final PriorityQueue<Packet> network = new PriorityQueue<>();
    private Random random;
    private double loss;
    private long delay;
    private long jitter;
    private long now;
    private long packetCounter;

    private record Packet(long at, long order, Side to, byte[] bytes) implements Comparable<Packet> {
        @Override
        public int compareTo(Packet o) {
            int c = Long.compare(at, o.at);
            return c != 0 ? c : Long.compare(order, o.order);
        }
    }

    private final class Side implements TcpConnection.Owner, TcpHandler, SegmentSink {
        final String name;
        final TcpConnection c;
        final int localIp;
        final int remoteIp;
        final byte[] toSend;
        final ByteArrayOutputStream received = new ByteArrayOutputStream();
        final ByteBuffer out = ByteBuffer.allocate(2048);
        final List<String> log = new ArrayList<>();
        Side peer;
        int written;
        boolean wantsOutput;
        boolean ownerClosed;
        boolean peerClosed;
        boolean closeCalled;
        boolean shutdownCalled;
        CloseReason reason;
        int resetsSent;
        /** Read at most this many bytes per millisecond (0: everything at once). */
        int readRate;

        Side(String name, TcpContext ctx, TcpTuple tuple, byte[] toSend) {
            this.name = name;
            this.c = new TcpConnection(ctx, tuple, this);
            this.localIp = tuple.localIp();
            this.remoteIp = tuple.remoteIp();
            this.toSend = toSend;
            c.handler(this);
        }

        void pump() {
            while (written < toSend.length) {
                int n = c.write(toSend, written, toSend.length - written);
                if (n == 0) {
                    break;
                }
                written += n;
            }
            if (written == toSend.length && !shutdownCalled) {
                shutdownCalled = true;
                c.shutdownOutput();
            }
            if (shutdownCalled && peerClosed && !closeCalled && c.readable() == 0) {
                closeCalled = true;
                c.close();
            }
        }

        void readAll() {
            byte[] buf = new byte[65536];
            int budget = readRate == 0 ? Integer.MAX_VALUE : readRate;
            int n;
            while (budget > 0 && (n = c.read(buf, 0, Math.min(buf.length, budget))) > 0) {
                received.write(buf, 0, n);
                budget -= n;
            }
        }

        @Override
        public void established(TcpConnection conn) {
            log.add("established");
        }

        @Override
        public void wantsOutput(TcpConnection conn) {
            wantsOutput = true;
        }

        @Override
        public void closed(TcpConnection conn) {
            ownerClosed = true;
        }

        @Override
        public void onConnected(TcpConnection conn) {
            pump();
        }

        @Override
        public void onReadable(TcpConnection conn) {
            readAll();
        }

        @Override
        public void onWritable(TcpConnection conn) {
            pump();
        }

        @Override
        public void onPeerClosed(TcpConnection conn) {
            peerClosed = true;
            pump();
        }

        @Override
        public void onClosed(TcpConnection conn, CloseReason r) {
            reason = r;
        }

        @Override
        public ByteBuffer segmentBuffer() {
            return out;
        }

        @Override
        public int segmentOffset() {
            return 0;
        }

        @Override
        public int maxSegmentLength() {
            return 1480;
        }

        @Override
        public void send(long when, TcpTuple tuple, int length) {
            TcpHeader h = new TcpHeader().wrap(out, 0, length).writeChecksum(localIp, remoteIp);
            if (h.hasFlag(TcpHeader.RST)) {
                resetsSent++;
            }
            byte[] bytes = new byte[length];
            out.get(0, bytes);
            if (random.nextDouble() < loss) {
                return;
            }
            long at = when + delay + (jitter > 0 ? (long) (random.nextDouble() * jitter) : 0);
            network.add(new Packet(at, packetCounter++, peer, bytes));
        }
    }

    @ParameterizedTest(name = "loss {0}, jitter {1} ms, sack {2}, ts {3}, slow reader {4}, {5}, buffers 2^{6}")
    @CsvSource({
        "0.0,  0, true,  true,  false, cubic,   16",
        "0.01, 0, true,  true,  false, cubic,   16",
        "0.05, 3, true,  true,  false, cubic,   16",
        "0.05, 3, false, true,  false, newreno, 16",
        "0.03, 2, true,  false, false, newreno, 16",
        "0.05, 0, false, false, false, cubic,   16",
        "0.02, 2, true,  true,  true,  cubic,   16",
        "0.10, 5, true,  true,  false, newreno, 16",
        "0.12, 0, true,  true,  false, newreno, 12",
        "0.08, 4, false, true,  true,  cubic,   12",
        "0.05, 2, true,  false, true,  cubic,   13",
    })
    void bothDirectionsDeliverEveryByteAndCloseCleanly(double lossRate, long jitterMs, boolean sack, boolean ts,
                                                       boolean slowReader, String cc, int bufferShift) {
        random = new Random(Double.hashCode(lossRate) * 31 + jitterMs * 7 + (sack ? 1 : 0) + (ts ? 2 : 0) + cc.length()
                + bufferShift);
        loss = lossRate;
        delay = 5 * MS;
        jitter = jitterMs * MS;
        // A realistic MSL: TIME-WAIT must outlast the peer's backed-off retransmissions of its last
        // segments, or (with no layer here to answer with a RST) the peer retries alone.
        TcpConfig config = TcpConfig.defaults(1500).withMsl(30_000 * MS).withOptions(true, ts, sack)
                .withCongestionControl(cc).withBuffers(1 << bufferShift, 1 << bufferShift);
        Counters counters = new Counters();
        TcpContext ctxA = new TcpContext(config, counters, 1000, 1);
        TcpContext ctxB = new TcpContext(config, counters, 1000, 2);
        byte[] dataA = pattern(700_000, 3);
        byte[] dataB = pattern(300_000, 5);
        Side a = new Side("A", ctxA, new TcpTuple(IP_A, 40000, IP_B, 80), dataA);
        Side b = new Side("B", ctxB, new TcpTuple(IP_B, 80, IP_A, 40000), dataB);
        a.peer = b;
        b.peer = a;
        if (slowReader) {
            b.readRate = 1 << (bufferShift - 2);
        }
        a.c.openActive(now, 0xFFFF_0000, 12345);
        output(a);
        boolean bOpened = false;
        long limit = 600_000 * MS;
        while (now < limit && !(a.ownerClosed && b.ownerClosed)) {
            long next = Math.min(deadline(a), deadline(b));
            Packet p = network.peek();
            if (p != null && p.at() <= next) {
                network.poll();
                now = Math.max(now, p.at());
                TcpSegment seg = parse(p.bytes(), p.to());
                if (seg == null) {
                    continue;
                }
                if (p.to() == b && !bOpened) {
                    if (!seg.has(TcpHeader.SYN) || seg.has(TcpHeader.ACK)) {
                        continue; // no listener state for anything else
                    }
                    bOpened = true;
                    b.c.openPassive(now, 0xFFFF_FFF0, 777, seg);
                } else {
                    p.to().c.onSegment(now, seg);
                }
            } else if (next != Long.MAX_VALUE) {
                now = Math.max(now, next);
                fire(a);
                fire(b);
            } else {
                break;
            }
            if (slowReader && b.c.readable() > 0) {
                b.readAll();
            }
            a.pump();
            b.pump();
            output(a);
            output(b);
        }
        assertThat(b.received.toByteArray()).as("A to B").isEqualTo(dataA);
        assertThat(a.received.toByteArray()).as("B to A").isEqualTo(dataB);
        assertThat(a.ownerClosed).as("A closed").isTrue();
        assertThat(b.ownerClosed).as("B closed").isTrue();
        assertThat(a.reason).isEqualTo(CloseReason.NORMAL);
        assertThat(b.reason).isEqualTo(CloseReason.NORMAL);
        assertThat(a.resetsSent + b.resetsSent).as("no RST").isZero();
        assertThat(counters.get(Counter.TCP_RESETS_RECEIVED)).isZero();
        if (lossRate > 0) {
            assertThat(counters.get(Counter.TCP_RETRANSMITS)).isPositive();
        }
        if (lossRate > 0 && bufferShift >= 16) {
            // With windows of many segments, losses are mostly repaired by fast retransmit. (With a
            // few segments in flight there cannot be three duplicate ACKs: timeouts do the work.)
            assertThat(counters.get(Counter.TCP_FAST_RETRANSMITS)).isGreaterThan(counters.get(Counter.TCP_RTO_TIMEOUTS));
        }
        assertThat(a.c.info().srtt()).as("RTT estimate stays sane (no stale timestamp echoes)").isLessThan(500 * MS);
    }

    private long deadline(Side s) {
        long d = s.c.nextDeadline();
        return d == TcpConnection.NO_DEADLINE ? Long.MAX_VALUE : d;
    }

    private void fire(Side s) {
        long d = s.c.nextDeadline();
        if (d != TcpConnection.NO_DEADLINE && d <= now) {
            s.c.onTimer(now);
        }
    }

    private void output(Side s) {
        s.wantsOutput = false;
        s.c.output(now, s);
    }

    private static TcpSegment parse(byte[] bytes, Side to) {
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        TcpHeader h = new TcpHeader().wrap(buf, 0, bytes.length);
        if (h.validate(to.remoteIp, to.localIp) != TcpHeader.Problem.NONE) {
            return null;
        }
        return new TcpSegment().from(h);
    }

    private static byte[] pattern(int n, int seed) {
        byte[] data = new byte[n];
        Random r = new Random(seed);
        r.nextBytes(data);
        return data;
    }
}
