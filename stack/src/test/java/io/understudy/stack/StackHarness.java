package io.understudy.stack;

import static org.assertj.core.api.Assertions.assertThat;

import io.understudy.stack.tcp.TcpConfig;
import io.understudy.stack.tcp.TcpSecret;
import io.understudy.stack.wire.ArpPacket;
import io.understudy.stack.wire.EthernetFrame;
import io.understudy.stack.wire.Ipv4Address;
import io.understudy.stack.wire.MacAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;

/**
 * A {@link NetStack} on a {@link MemoryLink} with a fake clock. Feed it frames, advance the
 * clock, and assert on the exact frames it sent:
 *
 * <pre>{@code
 * var h = new StackHarness();
 * h.receive(arpRequestFromPeer);
 * h.expect(arpReplyToPeer);
 * h.at(SECOND).tick();
 * h.expectNothing();
 * }</pre>
 *
 * <p>Every frame taken from the link is first checked with {@link Frames#problemWith}, so any
 * test that looks at output also checks that it is well formed.
 */
public final class StackHarness {
    public static final long MS = 1_000_000L, SECOND = 1_000 * MS;

    public static final long OUR_MAC = MacAddress.parse("02:00:00:00:00:01");
    public static final int OUR_IP = Ipv4Address.parse("192.0.2.1");
    public static final int GATEWAY_IP = Ipv4Address.parse("192.0.2.254");
    public static final int BROADCAST_IP = Ipv4Address.parse("192.0.2.255");
    /** 192.0.2.1/24 via 192.0.2.254, MTU 1500. */
    public static final StackConfig CONFIG = new StackConfig(OUR_MAC, OUR_IP, 24, GATEWAY_IP, StackConfig.DEFAULT_MTU);

    /** A neighbour the tests talk with. */
    public static final long PEER_MAC = MacAddress.parse("02:00:00:00:00:02");
    public static final int PEER_IP = Ipv4Address.parse("192.0.2.2");
    /** Another neighbour, for when two are needed. */
    public static final long OTHER_MAC = MacAddress.parse("02:00:00:00:00:03");
    public static final int OTHER_IP = Ipv4Address.parse("192.0.2.3");

    /** Where received frames start in their buffer: junk before them, so offsets are not assumed to be 0. */
    private static final int RX_AT = 5;
    private static final byte JUNK = (byte) 0xA5;

    private final MemoryLink link = new MemoryLink();
    private final NetStack stack;
    private long now;
    private final byte[] txJunk;

    /** A stack with {@link #CONFIG} at time 0. */
    public StackHarness() {
        this(CONFIG);
    }

    /** A stack with {@code config} at time 0. */
    public StackHarness(StackConfig config) {
        this.stack = new NetStack(config, link, 0);
        this.txJunk = new byte[stack.ip().txBuffer().capacity()];
        Arrays.fill(txJunk, JUNK);
    }

    /**
     * A stack with {@code config}, TCP settings {@code tcpConfig}, a fixed {@code secret} (so
     * ISNs, timestamp offsets and SYN cookies can be computed by the test) and a cap of
     * {@code maxConnections} TCP connections, at time 0.
     */
    public StackHarness(StackConfig config, TcpConfig tcpConfig, TcpSecret secret, int maxConnections) {
        this.stack = new NetStack(config, tcpConfig, secret, maxConnections, link, 0);
        this.txJunk = new byte[stack.ip().txBuffer().capacity()];
        Arrays.fill(txJunk, JUNK);
    }

    public NetStack stack() {
        return stack;
    }

    /** The fake clock, in nanoseconds. */
    public long now() {
        return now;
    }

    /** Sets the clock; it never goes back. */
    public StackHarness at(long nanos) {
        assertThat(nanos).as("the clock never goes back").isGreaterThanOrEqualTo(now);
        now = nanos;
        return this;
    }

    /** Hands {@code frame} to the stack as the engine would, from inside a larger buffer. */
    public StackHarness receive(byte[] frame) {
        junkTx();
        byte[] slot = new byte[RX_AT + frame.length + 8];
        Arrays.fill(slot, JUNK);
        System.arraycopy(frame, 0, slot, RX_AT, frame.length);
        stack.onFrame(now, ByteBuffer.wrap(slot, RX_AT, frame.length));
        return this;
    }

    /** Ends a batch at the current time: due timers fire and the link is flushed. */
    public StackHarness tick() {
        junkTx();
        stack.onBatchEnd(now);
        return this;
    }

    /** Fills the IP layer's transmit buffer with junk, so a header field the stack forgot to write shows. */
    private void junkTx() {
        stack.ip().txBuffer().put(0, txJunk);
    }

    /** Takes the frames sent since the last look, each checked to be well formed. */
    public List<byte[]> sent() {
        List<byte[]> frames = link.take();
        for (byte[] f : frames) {
            assertThat(Frames.problemWith(f, stack.config())).as("problem with sent frame %s", Frames.hex(f)).isNull();
        }
        return frames;
    }

    /** Takes the one frame sent since the last look. */
    public byte[] sentOne() {
        List<byte[]> frames = sent();
        assertThat(frames).as("frames sent").hasSize(1);
        return frames.get(0);
    }

    /** Asserts that exactly {@code frames} (padded to 60 bytes, as on the wire) were sent since the last look. */
    public void expect(byte[]... frames) {
        assertThat(sent().stream().map(Frames::hex))
                .containsExactlyElementsOf(Arrays.stream(frames).map(f -> Frames.hex(Frames.pad(f))).toList());
    }

    /** Asserts that nothing was sent since the last look. */
    public void expectNothing() {
        assertThat(sent().stream().map(Frames::hex)).as("frames sent").isEmpty();
    }

    public long count(Counter counter) {
        return stack.counters().get(counter);
    }

    /**
     * Every non-zero counter but the byte counts, as {@code name=value} in declaration order,
     * e.g. {@code "rx_frames=1 drop_eth_truncated=1"}.
     */
    public String counters() {
        StringBuilder out = new StringBuilder();
        for (Counter c : Counter.values()) {
            long v = count(c);
            if (v != 0 && c != Counter.RX_BYTES && c != Counter.TX_BYTES) {
                out.append(out.isEmpty() ? "" : " ").append(c.metricName()).append('=').append(v);
            }
        }
        return out.toString();
    }

    /** Teaches the stack a neighbour (it asks for our address) and discards our reply. */
    public StackHarness knows(long mac, int ip) {
        receive(Frames.arpFrame(ArpPacket.REQUEST, mac, ip, 0, OUR_IP));
        assertThat(sent()).as("ARP reply").hasSize(1);
        return this;
    }

    // ---- frames between us and the neighbours

    /** An IPv4 frame from {@code srcMac} to our MAC. */
    public static byte[] toUs(long srcMac, byte[] datagram) {
        return Frames.ethernet(OUR_MAC, srcMac, EthernetFrame.TYPE_IPV4, datagram);
    }

    /** An IPv4 frame from us to {@code dstMac}. */
    public static byte[] fromUs(long dstMac, byte[] datagram) {
        return Frames.ethernet(dstMac, OUR_MAC, EthernetFrame.TYPE_IPV4, datagram);
    }

    /** Our broadcast ARP request for {@code ip}. */
    public static byte[] ourArpRequest(int ip) {
        return Frames.arpFrame(ArpPacket.REQUEST, OUR_MAC, OUR_IP, 0, ip);
    }
}
