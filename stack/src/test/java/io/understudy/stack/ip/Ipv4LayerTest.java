package io.understudy.stack.ip;

import static io.understudy.stack.Frames.echoReply;
import static io.understudy.stack.Frames.echoRequest;
import static io.understudy.stack.Frames.fragment;
import static io.understudy.stack.Frames.ipv4;
import static io.understudy.stack.Frames.pattern;
import static io.understudy.stack.StackHarness.OTHER_IP;
import static io.understudy.stack.StackHarness.OTHER_MAC;
import static io.understudy.stack.StackHarness.OUR_IP;
import static io.understudy.stack.StackHarness.PEER_IP;
import static io.understudy.stack.StackHarness.PEER_MAC;
import static io.understudy.stack.StackHarness.SECOND;
import static io.understudy.stack.StackHarness.fromUs;
import static io.understudy.stack.StackHarness.toUs;
import static io.understudy.stack.wire.Ipv4Header.PROTO_ICMP;
import static org.assertj.core.api.Assertions.assertThat;

import io.understudy.stack.Counter;
import io.understudy.stack.Frames;
import io.understudy.stack.StackConfig;
import io.understudy.stack.StackHarness;
import io.understudy.stack.wire.ArpPacket;
import io.understudy.stack.wire.EthernetFrame;
import io.understudy.stack.wire.Ipv4Address;
import io.understudy.stack.wire.Ipv4Header;
import io.understudy.stack.wire.MacAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class Ipv4LayerTest {
    /** A 4000-byte echo request: 4028 bytes of IP, so three fragments at MTU 1500. */
    private static final byte[] DATA = pattern(4000, 9);
    private static final byte[] BIG_ECHO = ipv4(PEER_IP, OUR_IP, PROTO_ICMP, 0x4242, echoRequest(0x77, 5, DATA));
    private static final List<byte[]> BIG_ECHO_FRAGMENTS = List.of(
            fragment(BIG_ECHO, 0, 1480), fragment(BIG_ECHO, 1480, 1480), fragment(BIG_ECHO, 2960, 4008 - 2960));

    private final StackHarness h = new StackHarness();

    @BeforeEach void peerIsKnown() {
        h.knows(PEER_MAC, PEER_IP);
    }

    @ParameterizedTest(name = "fragments in order {0}")
    @ValueSource(strings = {"012", "210", "102", "201"})
    void fragmentedEchoIsReassembledAndItsReplyFragmentedToTheMtu(String order) {
        for (char c : order.toCharArray()) {
            h.receive(toUs(PEER_MAC, BIG_ECHO_FRAGMENTS.get(c - '0')));
        }
        List<byte[]> sent = h.sent();
        assertThat(sent).hasSize(3);
        assertThat(reassemble(sent)).isEqualTo(echoReply(0x77, 5, DATA));
        assertThat(h.count(Counter.IP_REASSEMBLED)).isEqualTo(1);
        assertThat(h.count(Counter.IP_FRAGMENTED)).isEqualTo(1);
        assertThat(h.count(Counter.IP_FRAGMENTS_SENT)).isEqualTo(3);
    }

    /**
     * Checks RFC 791 fragmentation of frames we sent (each fits the 1514-byte frame, all but the
     * last carry MF and a multiple of 8 bytes, one identification, offsets continue each other)
     * and returns the reassembled payload.
     */
    private static byte[] reassemble(List<byte[]> frames) {
        byte[] payload = new byte[65535];
        int end = 0;
        int id = -1;
        for (int i = 0; i < frames.size(); i++) {
            byte[] f = frames.get(i);
            assertThat(f.length).as("frame %d length", i).isLessThanOrEqualTo(1514);
            var ip = new Ipv4Header().wrap(ByteBuffer.wrap(f), Frames.L3, f.length - Frames.L3);
            assertThat(ip.validate()).isEqualTo(Ipv4Header.Problem.NONE);
            assertThat(ip.dst()).isEqualTo(PEER_IP);
            assertThat(ip.dontFragment()).isFalse();
            assertThat(ip.fragmentOffset()).as("offset of fragment %d", i).isEqualTo(end);
            assertThat(ip.fragmentOffset() % 8).as("offset of fragment %d mod 8", i).isZero();
            assertThat(ip.moreFragments()).as("MF of fragment %d", i).isEqualTo(i < frames.size() - 1);
            if (id >= 0) {
                assertThat(ip.identification()).isEqualTo(id);
            }
            id = ip.identification();
            System.arraycopy(f, ip.payloadOffset(), payload, end, ip.payloadLength());
            end += ip.payloadLength();
        }
        return Arrays.copyOf(payload, end);
    }

    @Test void replyWaitingForResolutionIsFragmentedWhenItGoesOut() {
        byte[] echo = ipv4(OTHER_IP, OUR_IP, PROTO_ICMP, 0x4243, echoRequest(0x77, 6, DATA));
        h.receive(toUs(OTHER_MAC, echo));
        h.expect(StackHarness.ourArpRequest(OTHER_IP));
        h.receive(Frames.arpFrame(ArpPacket.REPLY, OTHER_MAC, OTHER_IP, StackHarness.OUR_MAC, OUR_IP));
        byte[] reply = ipv4(OUR_IP, OTHER_IP, PROTO_ICMP, 0, echoReply(0x77, 6, DATA));
        h.expect(fromUs(OTHER_MAC, fragment(reply, 0, 1480)), fromUs(OTHER_MAC, fragment(reply, 1480, 1480)),
                fromUs(OTHER_MAC, fragment(reply, 2960, 4008 - 2960)));
    }

    @Test void loneFirstFragmentTimesOutAfter30Seconds() {
        h.receive(toUs(PEER_MAC, BIG_ECHO_FRAGMENTS.get(0)));
        h.at(30 * SECOND - 1).tick();
        assertThat(h.count(Counter.DROP_FRAG_TIMEOUT)).isZero();
        h.at(30 * SECOND).tick();
        assertThat(h.count(Counter.DROP_FRAG_TIMEOUT)).isEqualTo(1);
        h.receive(toUs(PEER_MAC, BIG_ECHO_FRAGMENTS.get(1)));
        h.receive(toUs(PEER_MAC, BIG_ECHO_FRAGMENTS.get(2)));
        h.expectNothing();
        assertThat(h.count(Counter.IP_REASSEMBLED)).isZero();
    }

    @Test void repeatedFragmentIsADuplicate() {
        h.receive(toUs(PEER_MAC, BIG_ECHO_FRAGMENTS.get(0)));
        h.receive(toUs(PEER_MAC, BIG_ECHO_FRAGMENTS.get(0)));
        assertThat(h.count(Counter.DROP_FRAG_DUPLICATE)).isEqualTo(1);
        h.receive(toUs(PEER_MAC, BIG_ECHO_FRAGMENTS.get(1)));
        h.receive(toUs(PEER_MAC, BIG_ECHO_FRAGMENTS.get(2)));
        assertThat(h.sent()).hasSize(3);
    }

    @ParameterizedTest(name = "offset {0}")
    @ValueSource(ints = {65512, 65520})
    void fragmentEndingPastTheLargestDatagramIsDroppedAsTooBig(int offset) {
        // Its header is valid (the payload ends at or before byte 65535), but with the header the
        // datagram would exceed 65535 bytes: the ping of death.
        byte[] f = ipv4(PEER_IP, OUR_IP, PROTO_ICMP, 0x4242, pattern(8, 0));
        new Ipv4Header().wrap(ByteBuffer.wrap(f), 0, f.length).fragment(false, false, offset).writeChecksum();
        h.receive(toUs(PEER_MAC, f));
        h.expectNothing();
        assertThat(h.count(Counter.DROP_FRAG_TOO_BIG)).isEqualTo(1);
    }

    @Test void sendingDatagramTooBigForTheMtuWithDontFragmentIsRefused() {
        var ip = h.stack().ip();
        assertThat(ip.send(h.now(), PEER_IP, 253, 1481, true)).isFalse();
        assertThat(ip.send(h.now(), PEER_IP, 253, Ipv4Header.MAX_TOTAL_LENGTH - 19, false)).isFalse();
        h.expectNothing();
        assertThat(h.count(Counter.DROP_IP_TOO_BIG)).isEqualTo(2);
        assertThat(ip.send(h.now(), PEER_IP, 253, 1480, true)).isTrue();
        assertThat(h.sentOne()).hasSize(1514);
    }

    @Test void sendingOffLinkWithoutAGatewayIsRefused() {
        var noGateway = new StackHarness(new StackConfig(StackHarness.OUR_MAC, OUR_IP, 24, 0, 1500));
        assertThat(noGateway.stack().ip().send(0, Ipv4Address.parse("198.51.100.1"), 253, 10, false)).isFalse();
        noGateway.expectNothing();
        assertThat(noGateway.count(Counter.DROP_IP_NO_ROUTE)).isEqualTo(1);
    }

    @Test void sendingToTheSubnetBroadcastNeedsNoResolution() {
        var ip = h.stack().ip();
        ip.txBuffer().put(Ipv4Layer.PAYLOAD_AT, pattern(8, 1));
        assertThat(ip.send(h.now(), StackHarness.BROADCAST_IP, 253, 8, false)).isTrue();
        byte[] frame = h.sentOne();
        assertThat(new EthernetFrame().wrap(ByteBuffer.wrap(frame), 0, frame.length).dst())
                .isEqualTo(MacAddress.BROADCAST);
    }
}
