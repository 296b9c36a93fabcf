package io.understudy.stack.wire;

import static io.understudy.stack.wire.Bytes.AT;
import static org.assertj.core.api.Assertions.assertThat;

import io.understudy.stack.wire.Ipv4Header.Problem;
import java.nio.ByteBuffer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class Ipv4HeaderTest {
    /** A UDP datagram header whose checksum is known to be b861; its 95 payload bytes follow. */
    private static final String KNOWN_HEADER = "45 00 00 73 00 00 40 00 40 11 b8 61 c0 a8 00 01 c0 a8 00 c7";
    /** IPv4 header of {@code ping 192.168.1.1} from 192.168.1.10 (DF set, TTL 64); ICMP follows. */
    static final String PING_HEADER = "45 00 00 54 5c 3a 40 00 40 01 5b 13 c0 a8 01 0a c0 a8 01 01";
    /** IPv4 header of a Linux SYN from 192.168.1.10 to 192.168.1.1; 40 bytes of TCP follow. */
    static final String SYN_HEADER = "45 00 00 3c 1f 2e 40 00 40 06 98 32 c0 a8 01 0a c0 a8 01 01";

    private static final int TOTAL = 28;

    private final Ipv4Header ip = new Ipv4Header();

    @Test
    void readsKnownHeader() {
        ByteBuffer buf = Bytes.at(Bytes.hex(KNOWN_HEADER + "00".repeat(95)));
        ip.wrap(buf, AT, 115);
        assertThat(ip.validate()).isEqualTo(Problem.NONE);
        assertThat(ip.version()).isEqualTo(4);
        assertThat(ip.headerLength()).isEqualTo(20);
        assertThat(ip.tos()).isZero();
        assertThat(ip.totalLength()).isEqualTo(115);
        assertThat(ip.identification()).isZero();
        assertThat(ip.dontFragment()).isTrue();
        assertThat(ip.moreFragments()).isFalse();
        assertThat(ip.fragmentOffset()).isZero();
        assertThat(ip.isFragment()).isFalse();
        assertThat(ip.ttl()).isEqualTo(64);
        assertThat(ip.protocol()).isEqualTo(Ipv4Header.PROTO_UDP);
        assertThat(ip.headerChecksum()).isEqualTo(0xB861);
        assertThat(ip.src()).isEqualTo(Ipv4Address.parse("192.168.0.1"));
        assertThat(ip.dst()).isEqualTo(Ipv4Address.parse("192.168.0.199"));
        assertThat(ip.optionsLength()).isZero();
        assertThat(ip.payloadOffset()).isEqualTo(AT + 20);
        assertThat(ip.payloadLength()).isEqualTo(95);
    }

    @Test
    void readsPingHeader() {
        ByteBuffer buf = Bytes.at(Bytes.hex(PING_HEADER + "00".repeat(64)));
        ip.wrap(buf, AT, 84);
        assertThat(ip.validate()).isEqualTo(Problem.NONE);
        assertThat(ip.protocol()).isEqualTo(Ipv4Header.PROTO_ICMP);
        assertThat(ip.identification()).isEqualTo(0x5C3A);
        assertThat(ip.payloadLength()).isEqualTo(64);
    }

    @Test
    void ethernetPaddingBeyondTotalLengthIsAcceptedAndIgnored() {
        ByteBuffer buf = Bytes.at(Bytes.hex(SYN_HEADER + "00".repeat(40) + "00".repeat(6)));
        ip.wrap(buf, AT, 66);
        assertThat(ip.validate()).isEqualTo(Problem.NONE);
        assertThat(ip.protocol()).isEqualTo(Ipv4Header.PROTO_TCP);
        assertThat(ip.payloadLength()).isEqualTo(40);
    }

    @Test
    void writesEveryHeaderByteIncludingOptions() {
        ByteBuffer buf = Bytes.junk(AT + 32);
        buf.putInt(AT + Ipv4Header.MIN_LENGTH, 0x01010100);
        ip.wrap(buf, AT, 32)
                .headerLength(24).tos(0x10).totalLength(32).identification(0xBEEF).fragment(true, false, 0)
                .ttl(64).protocol(Ipv4Header.PROTO_TCP).src(0x0A000001).dst(0x0A000002).writeChecksum();
        assertThat(Bytes.hexOf(buf, 0, AT + 24)).startsWith("a5a5a5" + "4610" + "0020" + "beef" + "4000" + "4006")
                .endsWith("0a000001" + "0a000002" + "01010100");
        assertThat(Bytes.hexOf(buf, AT + 24, 8)).isEqualTo("a5".repeat(8));
        assertThat(ip.validate()).isEqualTo(Problem.NONE);
        assertThat(ip.headerLength()).isEqualTo(24);
        assertThat(ip.tos()).isEqualTo(0x10);
        assertThat(ip.identification()).isEqualTo(0xBEEF);
        assertThat(ip.dontFragment()).isTrue();
        assertThat(ip.optionsOffset()).isEqualTo(AT + 20);
        assertThat(ip.optionsLength()).isEqualTo(4);
        assertThat(ip.payloadOffset()).isEqualTo(AT + 24);
        assertThat(ip.payloadLength()).isEqualTo(8);
        assertThat(ip.src()).isEqualTo(0x0A000001);
        assertThat(ip.dst()).isEqualTo(0x0A000002);
    }

    @Test
    void fragmentFieldsRoundTrip() {
        ip.wrap(valid(), AT, TOTAL);
        ip.fragment(false, true, 1480);
        assertThat(ip.moreFragments()).isTrue();
        assertThat(ip.dontFragment()).isFalse();
        assertThat(ip.fragmentOffset()).isEqualTo(1480);
        assertThat(ip.isFragment()).isTrue();
        ip.fragment(false, false, 2960);
        assertThat(ip.isFragment()).as("last fragment").isTrue();
        ip.fragment(true, false, 0);
        assertThat(ip.isFragment()).isFalse();
    }

    /** A valid 28-byte datagram: 20-byte header, 8 bytes of payload. */
    private static ByteBuffer valid() {
        ByteBuffer buf = Bytes.junk(AT + TOTAL);
        new Ipv4Header().wrap(buf, AT, TOTAL).headerLength(20).tos(0).totalLength(TOTAL).identification(1)
                .fragment(true, false, 0).ttl(64).protocol(Ipv4Header.PROTO_ICMP).src(1).dst(2).writeChecksum();
        return buf;
    }

    /** A change made to a valid datagram, through the view or on its bytes. */
    interface Change {
        void apply(Ipv4Header ip, ByteBuffer buf);
    }

    static Stream<Arguments> malformed() {
        return Stream.of(
                bad("version 6", (h, b) -> b.put(AT, (byte) 0x65), true, Problem.BAD_VERSION),
                bad("version 0", (h, b) -> b.put(AT, (byte) 0x05), true, Problem.BAD_VERSION),
                bad("IHL 0", (h, b) -> b.put(AT, (byte) 0x40), false, Problem.BAD_HEADER_LENGTH),
                bad("IHL 4", (h, b) -> b.put(AT, (byte) 0x44), false, Problem.BAD_HEADER_LENGTH),
                bad("IHL 15 past the datagram", (h, b) -> b.put(AT, (byte) 0x4F), false, Problem.BAD_HEADER_LENGTH),
                bad("total length below header", (h, b) -> h.totalLength(19), true, Problem.BAD_TOTAL_LENGTH),
                bad("total length 0", (h, b) -> h.totalLength(0), true, Problem.BAD_TOTAL_LENGTH),
                bad("total length past the frame", (h, b) -> h.totalLength(TOTAL + 1), true, Problem.BAD_TOTAL_LENGTH),
                bad("total length 65535", (h, b) -> h.totalLength(0xFFFF), true, Problem.BAD_TOTAL_LENGTH),
                bad("TTL changed after checksum", (h, b) -> h.ttl(65), false, Problem.BAD_CHECKSUM),
                bad("checksum inverted", (h, b) -> b.putShort(AT + Ipv4Header.CHECKSUM, (short) ~h.headerChecksum()),
                        false, Problem.BAD_CHECKSUM),
                bad("fragment past 65535", (h, b) -> h.fragment(false, false, 65528), true, Problem.BAD_FRAGMENT),
                bad("last fragment ending at 65535", (h, b) -> h.fragment(false, false, 65520), true, Problem.NONE));
    }

    private static Arguments bad(String what, Change change, boolean fixChecksum, Problem expected) {
        return Arguments.of(what, change, fixChecksum, expected);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void rejectsMalformedHeaders(String what, Change change, boolean fixChecksum, Problem expected) {
        ByteBuffer buf = valid();
        ip.wrap(buf, AT, TOTAL);
        change.apply(ip, buf);
        if (fixChecksum) {
            ip.writeChecksum();
        }
        assertThat(ip.validate()).isEqualTo(expected);
    }

    @Test
    void rejectsEveryTruncation() {
        ByteBuffer buf = valid();
        for (int len = 0; len < Ipv4Header.MIN_LENGTH; len++) {
            assertThat(ip.wrap(buf, AT, len).validate()).as("length %d", len).isEqualTo(Problem.TRUNCATED);
        }
        assertThat(ip.wrap(buf, AT, Ipv4Header.MIN_LENGTH).validate()).isEqualTo(Problem.BAD_TOTAL_LENGTH);
    }
}
