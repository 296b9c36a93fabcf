package io.understudy.stack.wire;

import static io.understudy.stack.wire.Bytes.AT;
import static org.assertj.core.api.Assertions.assertThat;

import io.understudy.stack.wire.ArpPacket.Problem;
import java.nio.ByteBuffer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ArpPacketTest {
    /** Linux asking who has 10.201.0.2, as it reaches a TAP device: target MAC zero, then 18 bytes of padding. */
    private static final String LINUX_REQUEST = EthernetFrameTest.ARP_REQUEST_HEADER
            + "00 01 08 00 06 04 00 01 02 42 ac 11 00 02 0a c9 00 01 00 00 00 00 00 00 0a c9 00 02"
            + "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00";

    private final ArpPacket arp = new ArpPacket();

    @Test
    void readsLinuxRequestInsidePaddedFrame() {
        ByteBuffer buf = Bytes.at(LINUX_REQUEST);
        EthernetFrame frame = new EthernetFrame().wrap(buf, AT, 60);
        arp.wrap(buf, frame.payloadOffset(), frame.payloadLength());
        assertThat(arp.validate()).isEqualTo(Problem.NONE);
        assertThat(arp.htype()).isEqualTo(ArpPacket.HTYPE_ETHERNET);
        assertThat(arp.ptype()).isEqualTo(ArpPacket.PTYPE_IPV4);
        assertThat(arp.hlen()).isEqualTo(6);
        assertThat(arp.plen()).isEqualTo(4);
        assertThat(arp.oper()).isEqualTo(ArpPacket.REQUEST);
        assertThat(arp.sha()).isEqualTo(MacAddress.parse("02:42:ac:11:00:02"));
        assertThat(arp.spa()).isEqualTo(Ipv4Address.parse("10.201.0.1"));
        assertThat(arp.tha()).isZero();
        assertThat(arp.tpa()).isEqualTo(Ipv4Address.parse("10.201.0.2"));
    }

    @Test
    void writesEveryByteOfAReply() {
        ByteBuffer buf = Bytes.junk(AT + ArpPacket.LENGTH + 1);
        int written = ArpPacket.writeTo(buf, AT, ArpPacket.REPLY, 0x0200_0000_0001L, Ipv4Address.parse("10.201.0.2"),
                0x0242_AC11_0002L, Ipv4Address.parse("10.201.0.1"));
        assertThat(written).isEqualTo(ArpPacket.LENGTH);
        assertThat(Bytes.hexOf(buf, 0, buf.capacity())).isEqualTo("a5a5a5"
                + "0001080006040002" + "020000000001" + "0ac90002" + "0242ac110002" + "0ac90001" + "a5");
        arp.wrap(buf, AT, ArpPacket.LENGTH);
        assertThat(arp.validate()).isEqualTo(Problem.NONE);
        assertThat(arp.oper()).isEqualTo(ArpPacket.REPLY);
        assertThat(arp.sha()).isEqualTo(0x0200_0000_0001L);
        assertThat(arp.tha()).isEqualTo(0x0242_AC11_0002L);
    }

    static Stream<Arguments> malformed() {
        return Stream.of(
                Arguments.of("IEEE 802 hardware type", ArpPacket.HTYPE, 2, 6, Problem.NOT_ETHERNET_IPV4),
                Arguments.of("IPv6 protocol type", ArpPacket.PTYPE, 2, 0x86DD, Problem.NOT_ETHERNET_IPV4),
                Arguments.of("8-byte hardware addresses", ArpPacket.HLEN, 1, 8, Problem.NOT_ETHERNET_IPV4),
                Arguments.of("16-byte protocol addresses", ArpPacket.PLEN, 1, 16, Problem.NOT_ETHERNET_IPV4),
                Arguments.of("operation 0", ArpPacket.OPER, 2, 0, Problem.UNKNOWN_OPERATION),
                Arguments.of("RARP request", ArpPacket.OPER, 2, 3, Problem.UNKNOWN_OPERATION),
                Arguments.of("InARP request", ArpPacket.OPER, 2, 8, Problem.UNKNOWN_OPERATION));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void rejectsBogusFields(String what, int offset, int size, int value, Problem expected) {
        ByteBuffer buf = Bytes.junk(AT + ArpPacket.LENGTH);
        ArpPacket.writeTo(buf, AT, ArpPacket.REQUEST, 1, 2, 3, 4);
        if (size == 1) {
            buf.put(AT + offset, (byte) value);
        } else {
            buf.putShort(AT + offset, (short) value);
        }
        assertThat(arp.wrap(buf, AT, ArpPacket.LENGTH).validate()).isEqualTo(expected);
    }

    @Test
    void rejectsEveryTruncation() {
        ByteBuffer buf = Bytes.junk(AT + ArpPacket.LENGTH);
        ArpPacket.writeTo(buf, AT, ArpPacket.REQUEST, 1, 2, 3, 4);
        for (int len = 0; len < ArpPacket.LENGTH; len++) {
            assertThat(arp.wrap(buf, AT, len).validate()).as("length %d", len).isEqualTo(Problem.TRUNCATED);
        }
    }
}
