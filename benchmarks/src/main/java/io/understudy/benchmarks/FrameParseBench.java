package io.understudy.benchmarks;

import io.understudy.stack.tcp.TcpSegment;
import io.understudy.stack.wire.EthernetFrame;
import io.understudy.stack.wire.Ipv4Header;
import io.understudy.stack.wire.TcpHeader;
import io.understudy.stack.wire.TcpOptionsWriter;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The wire views over one received frame: Ethernet + IPv4 (validated, header checksum) + TCP
 * with timestamps and 1448 bytes of payload, in a direct buffer as a TAP ring gives it.
 * {@code headers}: the TCP checksum trusted (a link that verified it); {@code headersAndChecksum}:
 * verified over the whole segment; {@code toSegment}: also filled into a {@link TcpSegment}
 * (fields and options parsed), as the TCP layer does before a connection sees it.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class FrameParseBench {
    static final int PAYLOAD = 1448;

    private final EthernetFrame eth = new EthernetFrame();
    private final Ipv4Header ip = new Ipv4Header();
    private final TcpHeader tcp = new TcpHeader();
    private final TcpSegment segment = new TcpSegment();
    private ByteBuffer frame;
    private int length;

    @Setup
    public void setUp() {
        int tcpHeader = TcpHeader.MIN_LENGTH + TcpOptionsWriter.TIMESTAMPS_LENGTH;
        int tcpLength = tcpHeader + PAYLOAD;
        length = EthernetFrame.HEADER_LENGTH + Ipv4Header.MIN_LENGTH + tcpLength;
        frame = ByteBuffer.allocateDirect(length);
        eth.wrap(frame, 0, length).dst(TcpLab.SERVER_MAC).src(TcpLab.CLIENT_MAC).etherType(EthernetFrame.TYPE_IPV4);
        int ipAt = EthernetFrame.HEADER_LENGTH;
        int tcpAt = ipAt + Ipv4Header.MIN_LENGTH;
        for (int i = 0; i < PAYLOAD; i++) {
            frame.put(tcpAt + tcpHeader + i, (byte) (i * 31 + 7));
        }
        TcpOptionsWriter.writeTimestamps(frame, tcpAt + TcpHeader.MIN_LENGTH, 123_456, 654_321);
        tcp.wrap(frame, tcpAt, tcpLength).srcPort(40_000).dstPort(80).seq(0x1234_5678).ack(0x9ABC_DEF0)
                .headerLength(tcpHeader).flags(TcpHeader.ACK | TcpHeader.PSH).window(2048)
                .writeChecksum(TcpLab.CLIENT_IP, TcpLab.SERVER_IP);
        ip.wrap(frame, ipAt, length - ipAt).headerLength(Ipv4Header.MIN_LENGTH).tos(0).totalLength(length - ipAt)
                .identification(4711).fragment(true, false, 0).ttl(64).protocol(Ipv4Header.PROTO_TCP)
                .src(TcpLab.CLIENT_IP).dst(TcpLab.SERVER_IP).writeChecksum();
        if (headersAndChecksum() != PAYLOAD) {
            throw new IllegalStateException("the frame does not parse");
        }
    }

    private int parse(boolean checksumTrusted) {
        if (!eth.wrap(frame, 0, length).isValid() || eth.etherType() != EthernetFrame.TYPE_IPV4) {
            return -1;
        }
        if (ip.wrap(frame, eth.payloadOffset(), eth.payloadLength()).validate() != Ipv4Header.Problem.NONE
                || ip.protocol() != Ipv4Header.PROTO_TCP) {
            return -2;
        }
        if (tcp.wrap(frame, ip.payloadOffset(), ip.payloadLength()).validate(ip.src(), ip.dst(), checksumTrusted)
                != TcpHeader.Problem.NONE) {
            return -3;
        }
        return tcp.payloadLength();
    }

    @Benchmark
    public int headers() {
        return parse(true);
    }

    @Benchmark
    public int headersAndChecksum() {
        return parse(false);
    }

    @Benchmark
    public TcpSegment toSegment() {
        if (parse(false) < 0) {
            return null;
        }
        return segment.from(tcp);
    }
}
