package io.understudy.benchmarks;

import io.understudy.stack.Counter;
import io.understudy.stack.NetStack;
import io.understudy.stack.link.Link;
import io.understudy.stack.tcp.TcpConfig;
import io.understudy.stack.tcp.TcpConnection;
import io.understudy.stack.tcp.TcpHandler;
import io.understudy.stack.tcp.TcpState;
import io.understudy.stack.wire.ArpPacket;
import io.understudy.stack.wire.TcpHeader;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * TCP output of a full-window burst: an established server connection whose peer window and
 * congestion window are open (grown in {@code @Setup}) takes a 64 KiB write from the application,
 * and the batch end emits all of it; then the peer's cumulative ACK for it comes back (a
 * preallocated frame with the ack number, TSval and TSecr rewritten) and is processed in a second
 * batch, freeing the send queue. One op = write + emit + ACK in.
 *
 * <p>{@code link}: {@code plain} — 46 MSS-sized frames, each checksummed in software;
 * {@code tso} — a link reporting {@code OFFLOAD_CSUM|OFFLOAD_TSO}, so the stack hands it large
 * segments with partial checksums (the kernel would cut them). The link drops every frame after
 * reading its TSval. {@code @TearDown} checks that every burst left whole and nothing was dropped.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class TcpOutputBench {
    static final int BURST = 64 * 1024;
    /** Fake time from the write to the ACK, and from the ACK to the next write. */
    static final long HALF_RTT = 50_000L;
    static final long ARP_REFRESH = 20_000_000_000L;

    @Param({"plain", "tso"})
    public String link;

    private TcpLab lab;
    private NetStack server;
    private BenchLink out;
    private TcpConnection conn;
    private final byte[] data = new byte[BURST];
    private ByteBuffer ack;
    private int ackLength, ackAt, tsAt;
    private Frames.Resum resum;
    private int tsBase;
    private long t0, now, nextArpRefresh;
    private ByteBuffer arpReply, arpRequest;
    private long bursts, shortBursts, framesAtStart, gsoAtStart;

    @Setup(Level.Trial)
    public void setUp() {
        for (int i = 0; i < BURST; i++) {
            data[i] = (byte) (i * 13 + 1);
        }
        lab = new TcpLab(TcpConfig.defaults(1500), false);
        lab.connect(new TcpHandler() { }, new TcpLab.Discard());
        conn = lab.serverConn;
        conn.noDelay(true); // the tail of each burst is not held back by Nagle (as an HTTP server sets it)
        server = lab.server;
        out = lab.serverLink;

        // A pure ACK from the client, as the template of the peer's ACKs.
        conn.write(data, 0, 1448);
        server.onBatchEnd(lab.now);
        lab.step();
        byte[] template = null;
        for (byte[] f : lab.clientLink.captured) {
            ByteBuffer b = ByteBuffer.wrap(f);
            if (Frames.tcpPayloadLength(b, 0) == 0 && b.get(Frames.tcpOffset(b, 0) + 13) == TcpHeader.ACK) {
                template = f;
            }
        }
        if (template == null) {
            throw new IllegalStateException("no pure ACK from the client");
        }
        lab.steps(5);

        out.capture = false;
        if (link.equals("tso")) {
            out.offloads = Link.OFFLOAD_CSUM | Link.OFFLOAD_TSO;
        }
        now = lab.now;
        t0 = now;
        nextArpRefresh = now + ARP_REFRESH;
        ack = TcpLab.direct(template);
        ackLength = ack.capacity();
        int tcpAt = Frames.tcpOffset(ack, 0);
        ackAt = tcpAt + 8;
        tsAt = Frames.tsValOffset(ack, tcpAt);
        if (tsAt < 0) {
            throw new IllegalStateException("the template has no timestamps option");
        }
        tsBase = ack.getInt(tsAt);
        resum = new Frames.Resum(ack, 0, ackAt, tsAt, tsAt + 4);
        arpReply = TcpLab.direct(Frames.arp(ArpPacket.REPLY, TcpLab.CLIENT_MAC, TcpLab.CLIENT_IP, TcpLab.SERVER_MAC, TcpLab.SERVER_IP));
        arpRequest = TcpLab.direct(Frames.arp(ArpPacket.REQUEST, TcpLab.CLIENT_MAC, TcpLab.CLIENT_IP, TcpLab.SERVER_MAC, TcpLab.SERVER_IP));

        // Open the congestion window (slow start from 10 segments) until whole bursts leave.
        for (int i = 0; i < 2_000; i++) {
            burst();
        }
        shortBursts = 0;
        bursts = 0;
        framesAtStart = out.frames;
        gsoAtStart = out.gsoFrames;
        for (int i = 0; i < 200; i++) {
            burst();
        }
        if (shortBursts != 0) {
            throw new IllegalStateException(shortBursts + " of 200 bursts left short after warm-up: " + conn.info());
        }
        check("after warm-up");
        // Load the formatting classes now: the trial's tear-down runs inside the last measured
        // iteration, and class loading there would show in -prof gc as bytes per op.
        summary();
    }

    private String summary() {
        return String.format("%n[TcpOutputBench %s] %d bursts (%.1f s fake time), %.1f frames per burst "
                        + "(%.1f large), %d short bursts, %s", link, bursts, (now - t0) / 1e9,
                (out.frames - framesAtStart) / (double) Math.max(1, bursts),
                (out.gsoFrames - gsoAtStart) / (double) Math.max(1, bursts), shortBursts, conn.info());
    }

    @Benchmark
    public int burst() {
        long t = now += HALF_RTT;
        int before = conn.sndNxt();
        int n = conn.write(data, 0, BURST);
        server.onBatchEnd(t);
        int sndNxt = conn.sndNxt();
        if (n != BURST || sndNxt - before != BURST) {
            shortBursts++;
        }
        bursts++;
        t = now += HALF_RTT;
        int tsVal = tsBase + (int) ((t - t0) / 1_000_000L);
        int tsEcr = out.lastTsVal;
        ack.putInt(ackAt, sndNxt);
        ack.putInt(tsAt, tsVal);
        ack.putInt(tsAt + 4, tsEcr);
        resum.write(sndNxt, tsVal, tsEcr);
        ack.limit(ackLength).position(0);
        server.onFrame(t, ack);
        server.onBatchEnd(t);
        peerArp();
        return sndNxt;
    }

    private void peerArp() {
        if (out.arpRequested) {
            out.arpRequested = false;
            deliver(arpReply);
        }
        if (now - nextArpRefresh >= 0) {
            nextArpRefresh = now + ARP_REFRESH;
            deliver(arpRequest);
        }
    }

    private void deliver(ByteBuffer f) {
        f.clear();
        server.onFrame(now, f);
        server.onBatchEnd(now);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        check("at the end");
        System.out.println(summary());
        if (shortBursts != 0) {
            throw new IllegalStateException(shortBursts + " bursts left short");
        }
    }

    private void check(String when) {
        if (conn.state() != TcpState.ESTABLISHED) {
            throw new IllegalStateException(when + ": " + conn);
        }
        long dropped = 0;
        for (Counter c : Counter.values()) {
            if (c.name().startsWith("DROP_")) {
                dropped += server.counters().get(c);
            }
        }
        if (dropped != 0 || server.counters().get(Counter.TCP_RETRANSMITS) != 0) {
            throw new IllegalStateException(when + ": drops or retransmissions: " + server.counters().summary());
        }
    }
}
