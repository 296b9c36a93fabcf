package io.understudy.stack.arp;

import static io.understudy.stack.Frames.arpFrame;
import static io.understudy.stack.Frames.echoReply;
import static io.understudy.stack.Frames.echoRequest;
import static io.understudy.stack.Frames.ethernet;
import static io.understudy.stack.Frames.ipv4;
import static io.understudy.stack.StackHarness.MS;
import static io.understudy.stack.StackHarness.OTHER_IP;
import static io.understudy.stack.StackHarness.OTHER_MAC;
import static io.understudy.stack.StackHarness.OUR_IP;
import static io.understudy.stack.StackHarness.OUR_MAC;
import static io.understudy.stack.StackHarness.PEER_IP;
import static io.understudy.stack.StackHarness.PEER_MAC;
import static io.understudy.stack.StackHarness.SECOND;
import static io.understudy.stack.StackHarness.fromUs;
import static io.understudy.stack.StackHarness.ourArpRequest;
import static io.understudy.stack.StackHarness.toUs;
import static io.understudy.stack.wire.ArpPacket.REPLY;
import static io.understudy.stack.wire.ArpPacket.REQUEST;
import static io.understudy.stack.wire.Ipv4Header.PROTO_ICMP;
import static org.assertj.core.api.Assertions.assertThat;

import io.understudy.stack.Counter;
import io.understudy.stack.Frames;
import io.understudy.stack.StackHarness;
import io.understudy.stack.wire.ArpPacket;
import io.understudy.stack.wire.EthernetFrame;
import io.understudy.stack.wire.Ipv4Address;
import io.understudy.stack.wire.MacAddress;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ArpLayerTest {
    private static final int STRANGER_IP = Ipv4Address.parse("192.0.2.77");
    private static final byte[] DATA = Frames.pattern(32, 1);

    private final StackHarness h = new StackHarness();

    private static byte[] requestFromPeer(int tpa) {
        return arpFrame(REQUEST, PEER_MAC, PEER_IP, 0, tpa);
    }

    private static byte[] echoFrom(long mac, int ip, int sequence) {
        return toUs(mac, ipv4(ip, OUR_IP, PROTO_ICMP, 0x4242, echoRequest(7, sequence, DATA)));
    }

    private static byte[] echoReplyTo(long mac, int ip, int id, int sequence) {
        return fromUs(mac, ipv4(OUR_IP, ip, PROTO_ICMP, id, echoReply(7, sequence, DATA)));
    }

    // ---- answering

    @Test void requestForOurAddressGetsAReplyToTheRequester() {
        h.receive(requestFromPeer(OUR_IP));
        h.expect(Frames.unhex("""
                020000000002 020000000001 0806
                0001 0800 06 04 0002 020000000001 c0000201 020000000002 c0000202
                000000000000000000000000000000000000
                """));
        assertThat(h.counters()).isEqualTo("rx_frames=1 tx_frames=1 arp_requests_received=1 arp_replies_sent=1");
    }

    @Test void requesterIsLearnedSoItsEchoIsAnsweredWithoutAskingForItsAddress() {
        h.receive(requestFromPeer(OUR_IP));
        h.sent();
        h.receive(echoFrom(PEER_MAC, PEER_IP, 1));
        h.expect(echoReplyTo(PEER_MAC, PEER_IP, 0, 1));
        assertThat(h.count(Counter.ARP_REQUESTS_SENT)).isZero();
    }

    @Test void requestForAnotherAddressIsNotAnsweredAndTeachesNothing() {
        h.receive(requestFromPeer(STRANGER_IP));
        h.expectNothing();
        assertThat(h.counters()).isEqualTo("rx_frames=1 arp_requests_received=1 arp_not_for_us=1");
        h.receive(echoFrom(PEER_MAC, PEER_IP, 1));
        h.expect(ourArpRequest(PEER_IP));
    }

    @Test void packetNotForUsStillUpdatesAKnownSendersAddress() {
        long newMac = MacAddress.parse("02:00:00:00:00:22");
        h.knows(PEER_MAC, PEER_IP);
        h.receive(arpFrame(REQUEST, newMac, PEER_IP, 0, STRANGER_IP)); // RFC 826: merge before "am I the target?"
        h.expectNothing();
        h.receive(echoFrom(PEER_MAC, PEER_IP, 1));
        h.expect(echoReplyTo(newMac, PEER_IP, 0, 1));
    }

    @Test void requestClaimingOurAddressFromAnotherMacIsAConflictAndNotAnswered() {
        h.receive(arpFrame(REQUEST, PEER_MAC, OUR_IP, 0, OUR_IP));
        h.expectNothing();
        assertThat(h.counters()).isEqualTo("rx_frames=1 arp_requests_received=1 arp_conflicts=1");
    }

    @Test void probeForOurAddressIsAnsweredToTheProbersMac() {
        h.receive(arpFrame(REQUEST, PEER_MAC, 0, 0, OUR_IP)); // RFC 5227 §2.1.1: sender address 0
        h.expect(ethernet(PEER_MAC, OUR_MAC, EthernetFrame.TYPE_ARP, Frames.arp(REPLY, OUR_MAC, OUR_IP, PEER_MAC, 0)));
        assertThat(h.stack().arp().cache().size()).as("a probe teaches nothing").isZero();
    }

    @Test void announceBroadcastsAGratuitousRequestForOurAddress() {
        h.stack().announce(h.now());
        // RFC 5227 §2.3: sender and target protocol addresses both ours, target hardware address zero.
        h.expect(Frames.unhex("""
                ffffffffffff 020000000001 0806
                0001 0800 06 04 0001 020000000001 c0000201 000000000000 c0000201
                000000000000000000000000000000000000
                """));
        assertThat(h.counters()).isEqualTo("tx_frames=1 arp_gratuitous_sent=1");
    }

    static Stream<Arguments> bogusArp() {
        return Stream.of(
                bogus("truncated", f -> Frames.slice(f, 0, EthernetFrame.HEADER_LENGTH + ArpPacket.LENGTH - 1),
                        "drop_arp_truncated=1"),
                bogus("hlen 7", f -> poke(f, ArpPacket.HLEN, 7), "drop_arp_bad_format=1"),
                bogus("ptype IPv6", f -> Frames.put16(f, Frames.L3 + ArpPacket.PTYPE, 0x86DD), "drop_arp_bad_format=1"),
                bogus("oper 9", f -> Frames.put16(f, Frames.L3 + ArpPacket.OPER, 9), "drop_arp_bad_operation=1"),
                bogus("multicast sender", f -> poke(f, ArpPacket.SHA, 0x01),
                        "arp_requests_received=1 drop_arp_bad_sender=1"));
    }

    private static Arguments bogus(String what, UnaryOperator<byte[]> change, String counters) {
        return Arguments.of(what, change, counters);
    }

    private static byte[] poke(byte[] frame, int arpOffset, int value) {
        frame[Frames.L3 + arpOffset] = (byte) value;
        return frame;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("bogusArp")
    void bogusArpIsCountedAndNotAnswered(String what, UnaryOperator<byte[]> change, String counters) {
        h.receive(change.apply(requestFromPeer(OUR_IP)));
        h.expectNothing();
        assertThat(h.counters()).isEqualTo("rx_frames=1 " + counters);
        assertThat(h.stack().arp().cache().size()).isZero();
    }

    // ---- resolving

    @Test void echoFromUnknownNeighbourWaitsForItsAddressThenGoesToTheLearnedMac() {
        h.receive(echoFrom(OTHER_MAC, OTHER_IP, 1));
        h.expect(ourArpRequest(OTHER_IP));
        h.at(500 * MS).tick();
        h.expectNothing();
        h.receive(arpFrame(REPLY, OTHER_MAC, OTHER_IP, OUR_MAC, OUR_IP));
        h.expect(echoReplyTo(OTHER_MAC, OTHER_IP, 0, 1));
        h.at(10 * SECOND).tick();
        h.expectNothing();
        assertThat(h.count(Counter.ARP_REQUESTS_SENT)).isEqualTo(1);
    }

    @Test void datagramsWaitingForTheSameNeighbourGoOutInOrderAfterOneRequest() {
        h.receive(echoFrom(OTHER_MAC, OTHER_IP, 1));
        h.receive(echoFrom(OTHER_MAC, OTHER_IP, 2));
        h.expect(ourArpRequest(OTHER_IP));
        h.receive(arpFrame(REPLY, OTHER_MAC, OTHER_IP, OUR_MAC, OUR_IP));
        h.expect(echoReplyTo(OTHER_MAC, OTHER_IP, 0, 1), echoReplyTo(OTHER_MAC, OTHER_IP, 1, 2));
    }

    @Test void unansweredRequestIsRetransmittedTwiceThenTheQueuedDatagramIsDropped() {
        h.receive(echoFrom(OTHER_MAC, OTHER_IP, 1));
        h.expect(ourArpRequest(OTHER_IP));
        h.at(SECOND - 1).tick();
        h.expectNothing();
        h.at(SECOND).tick();
        h.expect(ourArpRequest(OTHER_IP));
        h.at(2 * SECOND - 1).tick();
        h.expectNothing();
        h.at(2 * SECOND).tick();
        h.expect(ourArpRequest(OTHER_IP));
        h.at(3 * SECOND - 1).tick();
        h.expectNothing();
        assertThat(h.count(Counter.DROP_ARP_UNRESOLVED)).isZero();
        h.at(3 * SECOND).tick();
        h.expectNothing();
        assertThat(h.count(Counter.DROP_ARP_UNRESOLVED)).isEqualTo(1);
        assertThat(h.count(Counter.ARP_REQUESTS_SENT)).isEqualTo(3);
        assertThat(h.stack().arp().cache().size()).isZero();
        h.receive(arpFrame(REPLY, OTHER_MAC, OTHER_IP, OUR_MAC, OUR_IP));
        h.expectNothing();
    }

    @Test void echoFromOffLinkSourceIsResolvedThroughTheGateway() {
        int remote = Ipv4Address.parse("198.51.100.9");
        h.receive(echoFrom(OTHER_MAC, remote, 1));
        h.expect(ourArpRequest(StackHarness.GATEWAY_IP));
    }
}
