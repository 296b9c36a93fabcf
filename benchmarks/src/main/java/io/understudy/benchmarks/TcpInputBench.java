package io.understudy.benchmarks;

import io.understudy.stack.Counter;
import io.understudy.stack.NetStack;
import io.understudy.stack.tcp.TcpConfig;
import io.understudy.stack.tcp.TcpConnection;
import io.understudy.stack.tcp.TcpHandler;
import io.understudy.stack.tcp.TcpState;
import io.understudy.stack.wire.ArpPacket;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * TCP input of in-order data: an established server connection receives 1448-byte segments
 * (MSS on a 1500-byte MTU, with timestamps) through {@link NetStack#onFrame}, and a discard
 * handler reads them out in {@code onReadable}. Each op rewrites the sequence number and TSval of
 * one preallocated frame (fixing the checksum incrementally) and ends the batch, so the stack
 * runs its whole path: Ethernet, IPv4 (header checksum), TCP (checksum unless the link verified
 * it, options, PAWS, window, ACK decision), the receive queue, the application's read, and the
 * ACKs it emits into a link that drops them. Sequence numbers and the clock advance, so the
 * connection stays in its steady state for any number of ops; the peer answers ARP as a real one
 * would. {@code @TearDown} checks that every byte arrived and nothing was dropped.
 *
 * <p>{@code rxChecksum}: {@code software} verifies the TCP checksum in the stack (plain TAP);
 * {@code verified} delivers frames with a virtio-net header saying the host verified it.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class TcpInputBench {
    static final int MSS = 1448;
    /** Fake time between segments: about 1448 bytes at 10 Gbit/s. */
    static final long NANOS_PER_SEGMENT = 1_000L;
    static final int BATCH = 16;
    /** The peer refreshes its own ARP entry for us this often, which refreshes ours (as hosts do). */
    static final long ARP_REFRESH = 20_000_000_000L;

    @Param({"software", "verified"})
    public String rxChecksum;

    private TcpLab lab;
    private NetStack server;
    private BenchLink link;
    private TcpConnection conn;
    private TcpLab.Discard discard;
    private ByteBuffer frame;
    private int frameLength;
    private int seqAt, tsAt;
    private Frames.Resum resum;
    private int nextSeq;
    private int tsBase;
    private long t0, now, nextArpRefresh;
    private ByteBuffer arpReply, arpRequest;
    private long segments, startBytes, arpAnswered;

    @Setup(Level.Trial)
    public void setUp() {
        boolean vnet = rxChecksum.equals("verified");
        lab = new TcpLab(TcpConfig.defaults(1500), vnet);
        discard = new TcpLab.Discard();
        lab.connect(discard, new TcpHandler() { });
        lab.clientConn.noDelay(true);
        byte[] payload = new byte[MSS];
        for (int i = 0; i < MSS; i++) {
            payload[i] = (byte) (i * 31 + 7);
        }
        if (lab.clientConn.write(payload, 0, MSS) != MSS) {
            throw new IllegalStateException("client did not take the payload");
        }
        lab.client.onBatchEnd(lab.now);
        byte[] template = null;
        for (byte[] f : lab.clientLink.captured) {
            if (Frames.tcpPayloadLength(ByteBuffer.wrap(f), 0) == MSS) {
                template = f;
            }
        }
        if (template == null) {
            throw new IllegalStateException("no full-sized data segment from the client");
        }
        lab.steps(5);
        if (discard.bytes != MSS) {
            throw new IllegalStateException("server read " + discard.bytes + " bytes, expected " + MSS);
        }
        server = lab.server;
        link = lab.serverLink;
        link.capture = false;
        conn = lab.serverConn;
        now = lab.now;
        t0 = now;
        nextArpRefresh = now + ARP_REFRESH;

        int at = vnet ? io.understudy.stack.link.VnetHeader.LENGTH : 0;
        frame = TcpLab.direct(vnet ? BenchLink.withVnetHeader(template) : template);
        frameLength = frame.capacity();
        int tcpAt = Frames.tcpOffset(frame, at);
        seqAt = tcpAt + 4;
        tsAt = Frames.tsValOffset(frame, tcpAt);
        if (tsAt < 0) {
            throw new IllegalStateException("the template has no timestamps option");
        }
        tsBase = frame.getInt(tsAt);
        nextSeq = conn.rcvNxt();
        resum = new Frames.Resum(frame, at, seqAt, tsAt);
        arpReply = rx(vnet, Frames.arp(ArpPacket.REPLY, TcpLab.CLIENT_MAC, TcpLab.CLIENT_IP, TcpLab.SERVER_MAC, TcpLab.SERVER_IP));
        arpRequest = rx(vnet, Frames.arp(ArpPacket.REQUEST, TcpLab.CLIENT_MAC, TcpLab.CLIENT_IP, TcpLab.SERVER_MAC, TcpLab.SERVER_IP));
        startBytes = discard.bytes;
        for (int i = 0; i < 20_000; i++) {
            segment();
            server.onBatchEnd(now);
        }
        check("after warm-up");
        // Load the formatting classes now: the trial's tear-down runs inside the last measured
        // iteration, and class loading there would show in -prof gc as bytes per op.
        summary();
    }

    private static ByteBuffer rx(boolean vnet, byte[] f) {
        return TcpLab.direct(vnet ? BenchLink.withVnetHeader(f) : f);
    }

    /** Feeds the next in-order segment. */
    private void segment() {
        long t = now += NANOS_PER_SEGMENT;
        int seq = nextSeq;
        nextSeq = seq + MSS;
        int tsVal = tsBase + (int) ((t - t0) / 1_000_000L);
        frame.putInt(seqAt, seq);
        frame.putInt(tsAt, tsVal);
        resum.write(seq, tsVal);
        frame.limit(frameLength).position(0);
        server.onFrame(t, frame);
        segments++;
    }

    /** What the peer does about ARP: answers our requests, and now and then refreshes its own entry for us. */
    private void peerArp() {
        if (link.arpRequested) {
            link.arpRequested = false;
            arpAnswered++;
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

    /** One segment, one batch: the stack's worst case (every segment ends a ring batch). */
    @Benchmark
    public long segmentPerBatch() {
        segment();
        server.onBatchEnd(now);
        peerArp();
        return discard.bytes;
    }

    /** {@value #BATCH} segments per batch, as a busy ring delivers them; the score is per segment. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long segmentsBatched() {
        for (int i = 0; i < BATCH; i++) {
            segment();
        }
        server.onBatchEnd(now);
        peerArp();
        return discard.bytes;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        check("at the end");
        System.out.println(summary());
    }

    private String summary() {
        return String.format("%n[TcpInputBench %s] %d segments (%.1f s fake time), %d ACK frames out (%.2f per segment), "
                        + "%d ARP requests answered", rxChecksum, segments, (now - t0) / 1e9, link.frames,
                link.frames / (double) Math.max(1, segments), arpAnswered);
    }

    private void check(String when) {
        long expected = startBytes + segments * MSS;
        if (conn.state() != TcpState.ESTABLISHED || discard.bytes != expected) {
            throw new IllegalStateException(when + ": " + conn + " read " + discard.bytes + ", expected " + expected
                    + "; counters " + server.counters().summary());
        }
        long dropped = 0;
        for (Counter c : Counter.values()) {
            if (c.name().startsWith("DROP_")) {
                dropped += server.counters().get(c);
            }
        }
        if (dropped != 0) {
            throw new IllegalStateException(when + ": drops: " + server.counters().summary());
        }
    }
}
