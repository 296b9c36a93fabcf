package io.understudy.stack.ip;

import static io.understudy.stack.Frames.echoReply;
import static io.understudy.stack.Frames.echoRequest;
import static io.understudy.stack.Frames.fragment;
import static io.understudy.stack.Frames.icmp;
import static io.understudy.stack.Frames.ipv4;
import static io.understudy.stack.Frames.pattern;
import static io.understudy.stack.Frames.slice;
import static io.understudy.stack.Frames.udp;
import static io.understudy.stack.StackHarness.BROADCAST_IP;
import static io.understudy.stack.StackHarness.MS;
import static io.understudy.stack.StackHarness.OUR_IP;
import static io.understudy.stack.StackHarness.PEER_IP;
import static io.understudy.stack.StackHarness.PEER_MAC;
import static io.understudy.stack.StackHarness.fromUs;
import static io.understudy.stack.StackHarness.toUs;
import static io.understudy.stack.wire.IcmpMessage.CODE_PORT_UNREACHABLE;
import static io.understudy.stack.wire.IcmpMessage.CODE_PROTOCOL_UNREACHABLE;
import static io.understudy.stack.wire.IcmpMessage.DEST_UNREACHABLE;
import static io.understudy.stack.wire.Ipv4Header.PROTO_ICMP;
import static io.understudy.stack.wire.Ipv4Header.PROTO_UDP;
import static org.assertj.core.api.Assertions.assertThat;

import io.understudy.stack.Counter;
import io.understudy.stack.Frames;
import io.understudy.stack.StackConfig;
import io.understudy.stack.StackHarness;
import io.understudy.stack.wire.EthernetFrame;
import io.understudy.stack.wire.Ipv4Address;
import io.understudy.stack.wire.MacAddress;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IcmpLayerTest {
    private static final int UNKNOWN_PROTOCOL = 253;

    private final StackHarness h = new StackHarness();

    @BeforeEach void peerIsKnown() {
        h.knows(PEER_MAC, PEER_IP);
    }

    private static byte[] udpFromPeer(int dst, int length) {
        return ipv4(PEER_IP, dst, PROTO_UDP, 0x4242, udp(PEER_IP, dst, 40000, 53, pattern(length, 2)));
    }

    private static byte[] unreachable(int code, byte[] offending, int quoted) {
        return fromUs(PEER_MAC, ipv4(OUR_IP, PEER_IP, PROTO_ICMP, 0, icmp(DEST_UNREACHABLE, code, 0, slice(offending, 0, quoted))));
    }

    // ---- echo

    @Test void echoRequestGetsTheSameMessageBackAsAReply() {
        h.receive(toUs(PEER_MAC, Frames.unhex("""
                4500 0024 4242 0000 4001 b493 c0000202 c0000201
                08 00 5435 1234 0001 6162636465666768
                """)));
        // Addresses swapped, our id and TTL 64, type 0, identifier, sequence and data unchanged.
        h.expect(fromUs(PEER_MAC, Frames.unhex("""
                4500 0024 0000 0000 4001 f6d5 c0000201 c0000202
                00 00 5c35 1234 0001 6162636465666768
                """)));
        assertThat(h.counters()).isEqualTo("rx_frames=2 tx_frames=2 arp_requests_received=1 arp_replies_sent=1 "
                + "ip_received=1 ip_delivered=1 ip_sent=1 icmp_received=1 icmp_echo_replies_sent=1");
    }

    @Test void echoRepliesAreNumberedAndCarryTheirRequestsData() {
        for (int seq = 1; seq <= 3; seq++) {
            byte[] data = pattern(100 * seq, seq);
            h.receive(toUs(PEER_MAC, ipv4(PEER_IP, OUR_IP, PROTO_ICMP, seq, echoRequest(0xBEEF, seq, data))));
            h.expect(fromUs(PEER_MAC, ipv4(OUR_IP, PEER_IP, PROTO_ICMP, seq - 1, echoReply(0xBEEF, seq, data))));
        }
    }

    @ParameterizedTest(name = "to {0}")
    @ValueSource(strings = {"192.0.2.255", "255.255.255.255"})
    void echoToABroadcastAddressIsIgnored(String address) {
        int dst = Ipv4Address.parse(address);
        h.receive(Frames.ethernet(MacAddress.BROADCAST, PEER_MAC, EthernetFrame.TYPE_IPV4,
                ipv4(PEER_IP, dst, PROTO_ICMP, 1, echoRequest(1, 1, pattern(8, 0)))));
        h.expectNothing();
        assertThat(h.count(Counter.ICMP_ECHO_BROADCAST_IGNORED)).isEqualTo(1);
    }

    @Test void echoIsAnsweredOnAPointToPointSubnetWhereOurAddressIsTheLastOne() {
        // RFC 3021: a /31 has no directed broadcast; 192.0.2.1 is an ordinary host address there.
        int peer = Ipv4Address.parse("192.0.2.0");
        var p2p = new StackHarness(new StackConfig(StackHarness.OUR_MAC, OUR_IP, 31, 0, 1500));
        p2p.knows(PEER_MAC, peer);
        p2p.receive(toUs(PEER_MAC, ipv4(peer, OUR_IP, PROTO_ICMP, 1, echoRequest(1, 1, pattern(8, 0)))));
        p2p.expect(fromUs(PEER_MAC, ipv4(OUR_IP, peer, PROTO_ICMP, 0, echoReply(1, 1, pattern(8, 0)))));
    }

    @Test void echoIsAnsweredThroughTheGatewayOnAHostRoute() {
        var host = new StackHarness(new StackConfig(StackHarness.OUR_MAC, OUR_IP, 32, StackHarness.GATEWAY_IP, 1500));
        host.receive(toUs(PEER_MAC, ipv4(PEER_IP, OUR_IP, PROTO_ICMP, 1, echoRequest(1, 1, pattern(8, 0)))));
        host.expect(StackHarness.ourArpRequest(StackHarness.GATEWAY_IP));
    }

    @Test void echoRepliesAndOtherMessagesAreCountedNotAnswered() {
        h.receive(toUs(PEER_MAC, ipv4(PEER_IP, OUR_IP, PROTO_ICMP, 1, echoReply(1, 1, pattern(8, 0)))));
        h.receive(toUs(PEER_MAC, ipv4(PEER_IP, OUR_IP, PROTO_ICMP, 2,
                icmp(DEST_UNREACHABLE, CODE_PORT_UNREACHABLE, 0, slice(udpFromPeer(OUR_IP, 8), 0, 28)))));
        h.expectNothing();
        assertThat(h.count(Counter.ICMP_OTHER_RECEIVED)).isEqualTo(2);
    }

    // ---- destination unreachable

    @Test void udpWithNoListenerGetsPortUnreachableQuotingTheHeaderAnd8Bytes() {
        byte[] offending = udpFromPeer(OUR_IP, 100);
        h.receive(toUs(PEER_MAC, offending));
        h.expect(unreachable(CODE_PORT_UNREACHABLE, offending, 20 + 8));
        assertThat(h.count(Counter.DROP_UDP_NO_LISTENER)).isEqualTo(1);
        assertThat(h.count(Counter.ICMP_UNREACHABLES_SENT)).isEqualTo(1);
    }

    @Test void unknownProtocolGetsProtocolUnreachable() {
        byte[] offending = ipv4(PEER_IP, OUR_IP, UNKNOWN_PROTOCOL, 7, pattern(40, 3));
        h.receive(toUs(PEER_MAC, offending));
        h.expect(unreachable(CODE_PROTOCOL_UNREACHABLE, offending, 20 + 8));
        assertThat(h.count(Counter.DROP_IP_UNKNOWN_PROTOCOL)).isEqualTo(1);
    }

    @Test void unreachableQuotesAllOfAPayloadShorterThan8Bytes() {
        byte[] offending = ipv4(PEER_IP, OUR_IP, UNKNOWN_PROTOCOL, 7, pattern(3, 3));
        h.receive(toUs(PEER_MAC, offending));
        h.expect(unreachable(CODE_PROTOCOL_UNREACHABLE, offending, 20 + 3));
    }

    @Test void undeliverableBroadcastGetsNoError() {
        h.receive(Frames.ethernet(MacAddress.BROADCAST, PEER_MAC, EthernetFrame.TYPE_IPV4, udpFromPeer(BROADCAST_IP, 8)));
        h.expectNothing();
        assertThat(h.count(Counter.DROP_UDP_NO_LISTENER)).isEqualTo(1);
    }

    @Test void undeliverableReassembledDatagramGetsNoError() {
        byte[] whole = udpFromPeer(OUR_IP, 2000);
        h.receive(toUs(PEER_MAC, fragment(whole, 0, 1480)));
        h.receive(toUs(PEER_MAC, fragment(whole, 1480, whole.length - 20 - 1480)));
        h.expectNothing();
        assertThat(h.count(Counter.IP_REASSEMBLED)).isEqualTo(1);
        assertThat(h.count(Counter.DROP_UDP_NO_LISTENER)).isEqualTo(1);
    }

    @Test void errorsAreLimitedToABurstOf50ThenOnePerMillisecond() {
        for (int i = 0; i < 60; i++) {
            h.receive(toUs(PEER_MAC, ipv4(PEER_IP, OUR_IP, UNKNOWN_PROTOCOL, i, pattern(8, i))));
        }
        assertThat(h.sent()).hasSize(50);
        assertThat(h.count(Counter.ICMP_ERRORS_RATE_LIMITED)).isEqualTo(10);
        h.at(MS - 1);
        h.receive(toUs(PEER_MAC, ipv4(PEER_IP, OUR_IP, UNKNOWN_PROTOCOL, 60, pattern(8, 0))));
        h.expectNothing();
        h.at(MS);
        h.receive(toUs(PEER_MAC, ipv4(PEER_IP, OUR_IP, UNKNOWN_PROTOCOL, 61, pattern(8, 0))));
        h.receive(toUs(PEER_MAC, ipv4(PEER_IP, OUR_IP, UNKNOWN_PROTOCOL, 62, pattern(8, 0))));
        assertThat(h.sent()).hasSize(1);
        assertThat(h.count(Counter.ICMP_UNREACHABLES_SENT)).isEqualTo(51);
        assertThat(h.count(Counter.ICMP_ERRORS_RATE_LIMITED)).isEqualTo(12);
    }

    @Test void errorBucketRefillsToTheBurstAndNoFurther() {
        for (int i = 0; i < 50; i++) {
            h.receive(toUs(PEER_MAC, ipv4(PEER_IP, OUR_IP, UNKNOWN_PROTOCOL, i, pattern(8, i))));
        }
        h.sent();
        h.at(3600_000 * MS).knows(PEER_MAC, PEER_IP); // an hour on, the neighbour entry had expired
        for (int i = 0; i < 60; i++) {
            h.receive(toUs(PEER_MAC, ipv4(PEER_IP, OUR_IP, UNKNOWN_PROTOCOL, i, pattern(8, i))));
        }
        assertThat(h.sent()).hasSize(50);
    }
}
