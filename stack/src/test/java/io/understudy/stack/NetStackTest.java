package io.understudy.stack;

import static io.understudy.stack.Frames.L3;
import static io.understudy.stack.Frames.echoReply;
import static io.understudy.stack.Frames.echoRequest;
import static io.understudy.stack.Frames.fixIpChecksum;
import static io.understudy.stack.Frames.ipv4;
import static io.understudy.stack.Frames.pattern;
import static io.understudy.stack.Frames.put16;
import static io.understudy.stack.Frames.put32;
import static io.understudy.stack.StackHarness.OUR_IP;
import static io.understudy.stack.StackHarness.PEER_IP;
import static io.understudy.stack.StackHarness.PEER_MAC;
import static io.understudy.stack.StackHarness.fromUs;
import static io.understudy.stack.StackHarness.toUs;
import static io.understudy.stack.wire.Ipv4Header.PROTO_ICMP;
import static org.assertj.core.api.Assertions.assertThat;

import io.understudy.stack.wire.ArpPacket;
import io.understudy.stack.wire.EthernetFrame;
import io.understudy.stack.wire.IcmpMessage;
import io.understudy.stack.wire.Ipv4Address;
import io.understudy.stack.wire.Ipv4Header;
import io.understudy.stack.wire.MacAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Ethernet input and the stack as a whole: what it drops, and how it counts what it drops. */
class NetStackTest {
    private final StackHarness h = new StackHarness();

    /** A valid echo request from the peer: 14 + 20 + 8 + 16 bytes. */
    private static byte[] echo() {
        return toUs(PEER_MAC, ipv4(PEER_IP, OUR_IP, PROTO_ICMP, 0x4242, echoRequest(1, 1, pattern(16, 0))));
    }

    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(ints = {0, 1, 6, 12, 13})
    void truncatedEthernetHeaderIsDropped(int length) {
        h.receive(Arrays.copyOf(echo(), length));
        h.expectNothing();
        assertThat(h.counters()).isEqualTo("rx_frames=1 drop_eth_truncated=1");
    }

    static Stream<Arguments> malformed() {
        return Stream.of(
                // Ethernet
                bad("to another unicast MAC", f -> mac(f, EthernetFrame.DST, "02:00:00:00:00:99"), "drop_eth_not_for_us=1"),
                bad("to a multicast MAC", f -> mac(f, EthernetFrame.DST, "01:00:5e:00:00:01"), "drop_eth_not_for_us=1"),
                bad("from a multicast MAC", f -> mac(f, EthernetFrame.SRC, "01:00:5e:00:00:01"), "drop_eth_bad_source=1"),
                bad("from the broadcast MAC", f -> mac(f, EthernetFrame.SRC, "ff:ff:ff:ff:ff:ff"), "drop_eth_bad_source=1"),
                bad("VLAN-tagged", f -> put16(f, EthernetFrame.ETHER_TYPE, EthernetFrame.TYPE_VLAN), "drop_eth_vlan=1"),
                bad("IPv6 EtherType", f -> put16(f, EthernetFrame.ETHER_TYPE, 0x86DD), "drop_eth_unknown_type=1"),
                // IPv4 header, in the order it is checked
                bad("IP truncated to 19 bytes", f -> Arrays.copyOf(f, L3 + 19), "drop_ip_truncated=1"),
                bad("version 6", f -> ipByte(f, Ipv4Header.VERSION_IHL, 0x65), "drop_ip_bad_version=1"),
                bad("IHL 3", f -> ipByte(f, Ipv4Header.VERSION_IHL, 0x43), "drop_ip_bad_header_length=1"),
                bad("IHL past the frame", f -> { f[L3 + Ipv4Header.VERSION_IHL] = 0x4F; return f; }, "drop_ip_bad_header_length=1"),
                bad("total length past the frame", f -> ip16(f, Ipv4Header.TOTAL_LENGTH, f.length - L3 + 1),
                        "drop_ip_bad_total_length=1"),
                bad("total length inside the header", f -> ip16(f, Ipv4Header.TOTAL_LENGTH, 19), "drop_ip_bad_total_length=1"),
                bad("bad header checksum", f -> { f[L3 + Ipv4Header.CHECKSUM] ^= 1; return f; }, "drop_ip_bad_checksum=1"),
                bad("fragment past 65535", f -> ip16(f, Ipv4Header.FLAGS_FRAGMENT, 0x1FFF), "drop_ip_bad_fragment=1"),
                // IPv4 addresses
                bad("to another address", f -> ip32(f, Ipv4Header.DST, "192.0.2.77"), "ip_received=1 drop_ip_not_for_us=1"),
                bad("to a multicast address", f -> ip32(f, Ipv4Header.DST, "224.0.0.1"), "ip_received=1 drop_ip_not_for_us=1"),
                bad("from 0.0.0.0", f -> ip32(f, Ipv4Header.SRC, "0.0.0.0"), "ip_received=1 drop_ip_bad_source=1"),
                bad("from 255.255.255.255", f -> ip32(f, Ipv4Header.SRC, "255.255.255.255"), "ip_received=1 drop_ip_bad_source=1"),
                bad("from the subnet broadcast", f -> ip32(f, Ipv4Header.SRC, "192.0.2.255"), "ip_received=1 drop_ip_bad_source=1"),
                bad("from 224.0.0.1", f -> ip32(f, Ipv4Header.SRC, "224.0.0.1"), "ip_received=1 drop_ip_bad_source=1"),
                bad("from our own address", f -> ip32(f, Ipv4Header.SRC, "192.0.2.1"), "ip_received=1 drop_ip_bad_source=1"),
                // ICMP
                bad("ICMP truncated to 7 bytes", f -> ip16(Arrays.copyOf(f, L3 + 27), Ipv4Header.TOTAL_LENGTH, 27),
                        "ip_received=1 ip_delivered=1 drop_icmp_truncated=1"),
                bad("bad ICMP checksum", f -> { f[L3 + 20 + IcmpMessage.CHECKSUM] ^= 1; return f; },
                        "ip_received=1 ip_delivered=1 drop_icmp_bad_checksum=1"));
    }

    private static Arguments bad(String what, UnaryOperator<byte[]> change, String counters) {
        return Arguments.of(what, change, counters);
    }

    private static byte[] mac(byte[] f, int at, String mac) {
        MacAddress.write(ByteBuffer.wrap(f), at, MacAddress.parse(mac));
        return f;
    }

    /** Sets a byte of the IP header and fixes the checksum, so only the intended check fails. */
    private static byte[] ipByte(byte[] f, int offset, int value) {
        f[L3 + offset] = (byte) value;
        return fixIpChecksum(f);
    }

    private static byte[] ip16(byte[] f, int offset, int value) {
        return fixIpChecksum(put16(f, L3 + offset, value));
    }

    private static byte[] ip32(byte[] f, int offset, String address) {
        return fixIpChecksum(put32(f, L3 + offset, Ipv4Address.parse(address)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void malformedFrameIsCountedUnderItsReasonAndNotAnswered(String what, UnaryOperator<byte[]> change, String counters) {
        h.receive(change.apply(echo()));
        h.expectNothing();
        assertThat(h.counters()).isEqualTo("rx_frames=1 " + counters);
    }

    @Test void theUnchangedFrameOfTheMalformedTableIsAnswered() {
        h.knows(PEER_MAC, PEER_IP);
        h.receive(echo());
        assertThat(h.sent()).hasSize(1);
    }

    @Test void ethernetPaddingAfterTheDatagramIsIgnored() {
        h.knows(PEER_MAC, PEER_IP);
        byte[] echo = toUs(PEER_MAC, ipv4(PEER_IP, OUR_IP, PROTO_ICMP, 0x4242, echoRequest(1, 2, new byte[0])));
        byte[] padded = Arrays.copyOf(echo, 60);
        Arrays.fill(padded, echo.length, padded.length, (byte) 0xA5); // padding need not be zeros
        h.receive(padded);
        h.expect(fromUs(PEER_MAC, ipv4(OUR_IP, PEER_IP, PROTO_ICMP, 0, echoReply(1, 2, new byte[0]))));
    }

    @Test void everyFrameIsShownToTheObserverAndEveryBatchEndFlushesIt() {
        var seen = new StringBuilder();
        h.stack().observer(new FrameObserver() {
            @Override public void frame(long now, ByteBuffer frame) {
                seen.append(now).append(':').append(frame.remaining()).append(' ');
            }

            @Override public void flush() {
                seen.append("flush ");
            }
        });
        h.at(7);
        h.receive(Frames.arpFrame(ArpPacket.REQUEST, PEER_MAC, PEER_IP, 0, OUR_IP));
        h.tick();
        assertThat(seen.toString()).isEqualTo("7:42 7:60 flush ");
        assertThat(h.sent()).hasSize(1);
    }
}
