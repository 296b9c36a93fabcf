package io.understudy.stack;

import static org.assertj.core.api.Assertions.assertThat;

import io.understudy.stack.engine.StackHandler;
import io.understudy.stack.link.FaultInjector;
import io.understudy.stack.link.FaultSpec;
import io.understudy.stack.link.Link;
import io.understudy.stack.wire.ArpPacket;
import io.understudy.stack.wire.EthernetFrame;
import io.understudy.stack.wire.IcmpMessage;
import io.understudy.stack.wire.Ipv4Address;
import io.understudy.stack.wire.Ipv4Header;
import io.understudy.stack.wire.MacAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The real stack behind a {@link FaultInjector}: its checksums catch every corrupted frame. */
class FaultInjectionTest {
    private static final long MS = 1_000_000L;
    private static final long STACK_MAC = MacAddress.parse("02:55:53:00:00:02");
    private static final long PEER_MAC = MacAddress.parse("02:55:53:00:00:01");
    private static final int STACK_IP = Ipv4Address.parse("10.201.0.2");
    private static final int PEER_IP = Ipv4Address.parse("10.201.0.1");
    private static final StackConfig CONFIG = new StackConfig(STACK_MAC, STACK_IP, 24, 0, StackConfig.DEFAULT_MTU);
    private static final int IP_AT = EthernetFrame.HEADER_LENGTH;
    private static final int ICMP_AT = IP_AT + Ipv4Header.MIN_LENGTH;
    /** Echo data as ping sends it; the frame (98 bytes) needs no Ethernet padding, which no checksum covers. */
    private static final int ECHO_DATA = 56;
    private static final int ECHOES = 100;

    /** Keeps a copy of every frame the stack sends. */
    private static final class RecordingLink implements Link {
        final List<ByteBuffer> frames = new ArrayList<>();

        @Override
        public void transmit(ByteBuffer frame) {
            ByteBuffer copy = ByteBuffer.allocate(frame.remaining());
            copy.put(0, frame, frame.position(), frame.remaining());
            frames.add(copy);
        }

        /** Echo sequence numbers of the echo replies sent, in order. */
        List<Integer> echoReplies() {
            var ip = new Ipv4Header();
            var icmp = new IcmpMessage();
            List<Integer> sequences = new ArrayList<>();
            for (ByteBuffer f : frames) {
                if (new EthernetFrame().wrap(f, 0, f.limit()).etherType() == EthernetFrame.TYPE_IPV4
                        && ip.wrap(f, IP_AT, f.limit() - IP_AT).protocol() == Ipv4Header.PROTO_ICMP
                        && icmp.wrap(f, ip.payloadOffset(), ip.payloadLength()).type() == IcmpMessage.ECHO_REPLY) {
                    sequences.add(icmp.sequence());
                }
            }
            return sequences;
        }
    }

    private final RecordingLink link = new RecordingLink();
    private final ByteBuffer frame = ByteBuffer.allocate(2048);

    private ByteBuffer arpRequest() {
        frame.clear();
        new EthernetFrame().wrap(frame, 0, EthernetFrame.HEADER_LENGTH)
                .dst(MacAddress.BROADCAST).src(PEER_MAC).etherType(EthernetFrame.TYPE_ARP);
        int length = ArpPacket.writeTo(frame, IP_AT, ArpPacket.REQUEST, PEER_MAC, PEER_IP, 0, STACK_IP);
        return frame.limit(IP_AT + length);
    }

    private ByteBuffer echoRequest(int sequence) {
        frame.clear();
        int icmpLength = IcmpMessage.HEADER_LENGTH + ECHO_DATA;
        int total = Ipv4Header.MIN_LENGTH + icmpLength;
        new EthernetFrame().wrap(frame, 0, EthernetFrame.HEADER_LENGTH)
                .dst(STACK_MAC).src(PEER_MAC).etherType(EthernetFrame.TYPE_IPV4);
        for (int i = 0; i < ECHO_DATA; i++) {
            frame.put(ICMP_AT + IcmpMessage.HEADER_LENGTH + i, (byte) (sequence + i));
        }
        new IcmpMessage().wrap(frame, ICMP_AT, icmpLength).type(IcmpMessage.ECHO_REQUEST).code(0)
                .identifier(0x5553).sequence(sequence).writeChecksum(icmpLength);
        new Ipv4Header().wrap(frame, IP_AT, total).headerLength(Ipv4Header.MIN_LENGTH).tos(0).totalLength(total)
                .identification(sequence).fragment(true, false, 0).ttl(64).protocol(Ipv4Header.PROTO_ICMP)
                .src(PEER_IP).dst(STACK_IP).writeChecksum();
        return frame.limit(IP_AT + total);
    }

    private static long drops(Counters counters) {
        return Arrays.stream(Counter.values()).filter(c -> c.name().startsWith("DROP_")).mapToLong(counters::get).sum();
    }

    @Test
    void inboundCorruptionIsCaughtByTheChecksumsAndAnswersNothing() {
        var injector = new FaultInjector(FaultSpec.parse("corrupt=100%,direction=in,seed=11"));
        var stack = new NetStack(CONFIG, injector.wrapOutbound(link), 0);
        StackHandler in = injector.wrapInbound(stack);
        stack.onFrame(0, arpRequest());
        stack.onBatchEnd(0);
        link.frames.clear();

        for (int i = 0; i < ECHOES; i++) {
            in.onFrame(i * MS, echoRequest(i));
            in.onBatchEnd(i * MS);
        }

        Counters counters = stack.counters();
        assertThat(link.frames).isEmpty();
        assertThat(injector.corrupted()).isEqualTo(ECHOES);
        assertThat(drops(counters)).isEqualTo(injector.corrupted());
        assertThat(counters.get(Counter.DROP_IP_BAD_CHECKSUM)).isPositive();
        assertThat(counters.get(Counter.DROP_ICMP_BAD_CHECKSUM)).isPositive();
        assertThat(counters.get(Counter.ICMP_RECEIVED)).isZero();
    }

    @Test
    void outboundDuplicationSendsEachEchoReplyTwice() {
        var injector = new FaultInjector(FaultSpec.parse("dup=100%,direction=out"));
        var stack = new NetStack(CONFIG, injector.wrapOutbound(link), 0);
        StackHandler in = injector.wrapInbound(stack);
        in.onFrame(0, arpRequest());
        in.onBatchEnd(0);
        assertThat(link.frames).hasSize(2).allSatisfy(f -> assertThat(f).isEqualTo(link.frames.get(0)));
        link.frames.clear();

        for (int i = 0; i < ECHOES; i++) {
            in.onFrame(i * MS, echoRequest(i));
            in.onBatchEnd(i * MS);
        }

        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < ECHOES; i++) {
            expected.addAll(List.of(i, i));
            assertThat(link.frames.get(2 * i + 1)).isEqualTo(link.frames.get(2 * i));
        }
        assertThat(link.echoReplies()).isEqualTo(expected);
        assertThat(stack.counters().get(Counter.ICMP_ECHO_REPLIES_SENT)).isEqualTo(ECHOES);
        assertThat(injector.duplicated()).isEqualTo(ECHOES + 1);
        assertThat(drops(stack.counters())).isZero();
    }
}
