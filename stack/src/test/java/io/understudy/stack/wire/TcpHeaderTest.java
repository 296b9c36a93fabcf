package io.understudy.stack.wire;

import static io.understudy.stack.wire.Bytes.AT;
import static org.assertj.core.api.Assertions.assertThat;

import io.understudy.stack.wire.TcpHeader.Problem;
import java.nio.ByteBuffer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class TcpHeaderTest {
    private static final int CLIENT = Ipv4Address.parse("192.168.1.10");
    private static final int SERVER = Ipv4Address.parse("192.168.1.1");
    /** A Linux SYN, 54321 → 80: MSS 1460, SACK_PERM, TS, NOP, WS 7. */
    static final String LINUX_SYN = "d4 31 00 50 3b 9a ca 07 00 00 00 00 a0 02 fa f0 b9 37 00 00"
            + "02 04 05 b4 04 02 08 0a 0a 1b 2c 3d 00 00 00 00 01 03 03 07";
    /** A Linux data segment (ACK|PSH) with NOP NOP TS and the 5-byte payload "hello": odd length. */
    private static final String HELLO = "d4 31 00 50 3b 9a ca 08 01 02 03 05 80 18 01 f6 54 9f 00 00"
            + "01 01 08 0a 0a 1b 2c 40 11 22 33 44 68 65 6c 6c 6f";
    private static final int LENGTH = 24;

    private final TcpHeader tcp = new TcpHeader();

    @Test
    void readsLinuxSynBehindItsIpv4Header() {
        ByteBuffer buf = Bytes.at(Ipv4HeaderTest.SYN_HEADER + LINUX_SYN);
        Ipv4Header ip = new Ipv4Header().wrap(buf, AT, 60);
        assertThat(ip.validate()).isEqualTo(Ipv4Header.Problem.NONE);
        tcp.wrap(buf, ip.payloadOffset(), ip.payloadLength());
        assertThat(tcp.validate(ip.src(), ip.dst())).isEqualTo(Problem.NONE);
        assertThat(tcp.srcPort()).isEqualTo(54321);
        assertThat(tcp.dstPort()).isEqualTo(80);
        assertThat(tcp.seq()).isEqualTo(0x3B9ACA07);
        assertThat(tcp.ack()).isZero();
        assertThat(tcp.headerLength()).isEqualTo(40);
        assertThat(tcp.flags()).isEqualTo(TcpHeader.SYN);
        assertThat(tcp.hasFlag(TcpHeader.SYN)).isTrue();
        assertThat(tcp.hasFlag(TcpHeader.ACK | TcpHeader.FIN)).isFalse();
        assertThat(tcp.window()).isEqualTo(64240);
        assertThat(tcp.checksum()).isEqualTo(0xB937);
        assertThat(tcp.urgentPointer()).isZero();
        assertThat(tcp.optionsOffset()).isEqualTo(AT + 40);
        assertThat(tcp.optionsLength()).isEqualTo(20);
        assertThat(tcp.payloadOffset()).isEqualTo(AT + 60);
        assertThat(tcp.payloadLength()).isZero();

        TcpOptions options = new TcpOptions();
        assertThat(options.parse(buf, tcp.optionsOffset(), tcp.optionsLength())).isTrue();
        assertThat(options.mss()).isEqualTo(1460);
        assertThat(options.sackPermitted()).isTrue();
        assertThat(options.tsVal()).isEqualTo(0x0A1B2C3D);
        assertThat(options.windowScale()).isEqualTo(7);
    }

    @Test
    void readsOddLengthDataSegment() {
        ByteBuffer buf = Bytes.at(HELLO);
        tcp.wrap(buf, AT, 37);
        assertThat(tcp.validate(CLIENT, SERVER)).isEqualTo(Problem.NONE);
        assertThat(tcp.flags()).isEqualTo(TcpHeader.ACK | TcpHeader.PSH);
        assertThat(tcp.ack()).isEqualTo(0x01020305);
        assertThat(tcp.window()).isEqualTo(502);
        assertThat(tcp.payloadOffset()).isEqualTo(AT + 32);
        assertThat(tcp.payloadLength()).isEqualTo(5);
    }

    @Test
    void writesEveryHeaderByte() {
        ByteBuffer buf = Bytes.junk(AT + LENGTH);
        buf.putInt(AT + TcpHeader.MIN_LENGTH, 0x01010100);
        tcp.wrap(buf, AT, LENGTH).srcPort(80).dstPort(0xFFFF).seq(0xFFFFFFFF).ack(0x80000000).headerLength(LENGTH)
                .flags(TcpHeader.FIN | TcpHeader.ACK | TcpHeader.CWR).window(0xFFFF).urgentPointer(0x0102)
                .writeChecksum(SERVER, CLIENT);
        String checksum = Bytes.hexOf(buf, AT + TcpHeader.CHECKSUM, 2);
        assertThat(Bytes.hexOf(buf, 0, AT + LENGTH)).isEqualTo("a5a5a5" + "0050ffff" + "ffffffff" + "80000000"
                + "6091ffff" + checksum + "0102" + "01010100");
        assertThat(tcp.validate(SERVER, CLIENT)).isEqualTo(Problem.NONE);
        assertThat(tcp.seq()).isEqualTo(-1);
        assertThat(tcp.ack()).isEqualTo(Integer.MIN_VALUE);
        assertThat(tcp.flags()).isEqualTo(0x91);
        assertThat(tcp.urgentPointer()).isEqualTo(0x0102);
        assertThat(tcp.checksumValid(CLIENT, SERVER)).as("pseudo header is order-insensitive").isTrue();
        assertThat(tcp.checksumValid(SERVER, SERVER)).isFalse();
    }

    /** A valid segment: 20-byte header with the given flags, 4 bytes of payload. */
    private static ByteBuffer segment(int flags) {
        ByteBuffer buf = Bytes.junk(AT + LENGTH);
        new TcpHeader().wrap(buf, AT, LENGTH).srcPort(1).dstPort(2).seq(3).ack(4).headerLength(TcpHeader.MIN_LENGTH)
                .flags(flags).window(5).urgentPointer(0).writeChecksum(CLIENT, SERVER);
        return buf;
    }

    static Stream<Arguments> malformed() {
        return Stream.of(
                Arguments.of("data offset 0", 0x00, TcpHeader.ACK, Problem.BAD_HEADER_LENGTH),
                Arguments.of("data offset 4", 0x40, TcpHeader.ACK, Problem.BAD_HEADER_LENGTH),
                Arguments.of("data offset 7 past the segment", 0x70, TcpHeader.ACK, Problem.BAD_HEADER_LENGTH),
                Arguments.of("data offset 15 past the segment", 0xF0, TcpHeader.ACK, Problem.BAD_HEADER_LENGTH),
                Arguments.of("SYN+FIN", 0x50, TcpHeader.SYN | TcpHeader.FIN, Problem.BAD_FLAGS),
                Arguments.of("SYN+RST", 0x50, TcpHeader.SYN | TcpHeader.RST, Problem.BAD_FLAGS),
                Arguments.of("SYN+FIN+RST+ACK (christmas tree)", 0x50, 0xFF, Problem.BAD_FLAGS),
                Arguments.of("SYN+ACK", 0x50, TcpHeader.SYN | TcpHeader.ACK, Problem.NONE),
                Arguments.of("FIN+RST+ACK", 0x50, TcpHeader.FIN | TcpHeader.RST | TcpHeader.ACK, Problem.NONE),
                Arguments.of("no flags", 0x50, 0, Problem.NONE));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void rejectsMalformedSegments(String what, int dataOffsetByte, int flags, Problem expected) {
        ByteBuffer buf = segment(flags);
        buf.put(AT + TcpHeader.DATA_OFFSET, (byte) dataOffsetByte);
        tcp.wrap(buf, AT, LENGTH);
        if (tcp.headerLength() >= TcpHeader.MIN_LENGTH && tcp.headerLength() <= LENGTH) {
            tcp.writeChecksum(CLIENT, SERVER);
        }
        assertThat(tcp.validate(CLIENT, SERVER)).isEqualTo(expected);
    }

    @Test
    void rejectsBadChecksums() {
        ByteBuffer buf = segment(TcpHeader.ACK);
        tcp.wrap(buf, AT, LENGTH);
        assertThat(tcp.validate(CLIENT, Ipv4Address.parse("192.168.1.2"))).as("wrong destination")
                .isEqualTo(Problem.BAD_CHECKSUM);
        assertThat(tcp.wrap(buf, AT, LENGTH - 1).validate(CLIENT, SERVER)).as("payload cut").isEqualTo(Problem.BAD_CHECKSUM);
        buf.put(AT + LENGTH - 1, (byte) 0);
        assertThat(tcp.wrap(buf, AT, LENGTH).validate(CLIENT, SERVER)).as("payload changed").isEqualTo(Problem.BAD_CHECKSUM);
    }

    @Test
    void rejectsEveryTruncation() {
        ByteBuffer buf = segment(TcpHeader.ACK);
        for (int len = 0; len < TcpHeader.MIN_LENGTH; len++) {
            assertThat(tcp.wrap(buf, AT, len).validate(CLIENT, SERVER)).as("length %d", len).isEqualTo(Problem.TRUNCATED);
        }
    }
}
