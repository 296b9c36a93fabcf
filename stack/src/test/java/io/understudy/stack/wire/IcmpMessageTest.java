package io.understudy.stack.wire;

import static io.understudy.stack.wire.Bytes.AT;
import static org.assertj.core.api.Assertions.assertThat;

import io.understudy.stack.wire.IcmpMessage.Problem;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class IcmpMessageTest {
    /** The 64-byte echo request {@code ping} sends: id 0x1c46, seq 1, a 16-byte timeval then 0x10..0x37. */
    static final String PING_ECHO = "08 00 86 ad 1c 46 00 01 00 f1 53 65 00 00 00 00 40 e2 01 00 00 00 00 00"
            + "10 11 12 13 14 15 16 17 18 19 1a 1b 1c 1d 1e 1f 20 21 22 23 24 25 26 27"
            + "28 29 2a 2b 2c 2d 2e 2f 30 31 32 33 34 35 36 37";

    private final IcmpMessage icmp = new IcmpMessage();

    @Test
    void readsPingEchoRequestBehindItsIpv4Header() {
        ByteBuffer buf = Bytes.at(Ipv4HeaderTest.PING_HEADER + PING_ECHO);
        Ipv4Header ip = new Ipv4Header().wrap(buf, AT, 84);
        assertThat(ip.validate()).isEqualTo(Ipv4Header.Problem.NONE);
        icmp.wrap(buf, ip.payloadOffset(), ip.payloadLength());
        assertThat(icmp.validate()).isEqualTo(Problem.NONE);
        assertThat(icmp.type()).isEqualTo(IcmpMessage.ECHO_REQUEST);
        assertThat(icmp.code()).isZero();
        assertThat(icmp.checksum()).isEqualTo(0x86AD);
        assertThat(icmp.identifier()).isEqualTo(0x1C46);
        assertThat(icmp.sequence()).isEqualTo(1);
        assertThat(icmp.bodyOffset()).isEqualTo(AT + 28);
        assertThat(icmp.bodyLength()).isEqualTo(56);
    }

    @Test
    void turnsARequestIntoAReplyInPlace() {
        ByteBuffer buf = Bytes.at(PING_ECHO);
        icmp.wrap(buf, AT, 64).type(IcmpMessage.ECHO_REPLY).writeChecksum(64);
        assertThat(icmp.validate()).isEqualTo(Problem.NONE);
        assertThat(icmp.checksum()).as("checksum moves by the type change alone").isEqualTo(0x8EAD);
        assertThat(icmp.identifier()).isEqualTo(0x1C46);
    }

    @Test
    void writesEveryHeaderByteOfAnEcho() {
        ByteBuffer buf = Bytes.junk(AT + 10);
        buf.putShort(AT + 8, (short) 0x6869);
        icmp.wrap(buf, AT, 10).type(IcmpMessage.ECHO_REQUEST).code(0).identifier(0x1234).sequence(0xFFFF).writeChecksum(10);
        assertThat(Bytes.hexOf(buf, 0, AT + 10)).matches("a5a5a5" + "0800" + "[0-9a-f]{4}" + "1234ffff" + "6869");
        assertThat(icmp.validate()).isEqualTo(Problem.NONE);
        assertThat(icmp.sequence()).isEqualTo(0xFFFF);
    }

    @Test
    void writesAFragNeededErrorAndReadsItsMtu() {
        ByteBuffer buf = Bytes.junk(AT + 36);
        icmp.wrap(buf, AT, 36).type(IcmpMessage.DEST_UNREACHABLE).code(IcmpMessage.CODE_FRAG_NEEDED).restOfHeader(1400);
        buf.put(AT + IcmpMessage.HEADER_LENGTH, Bytes.hex(Ipv4HeaderTest.PING_HEADER + "0800000000000000"));
        icmp.writeChecksum(36);
        assertThat(icmp.validate()).isEqualTo(Problem.NONE);
        assertThat(icmp.code()).isEqualTo(IcmpMessage.CODE_FRAG_NEEDED);
        assertThat(icmp.nextHopMtu()).isEqualTo(1400);
        assertThat(new Ipv4Header().wrap(buf, icmp.bodyOffset(), icmp.bodyLength()).src())
                .isEqualTo(Ipv4Address.parse("192.168.1.10"));
    }

    @Test
    void checksumCoversAnOddLengthBody() {
        ByteBuffer buf = Bytes.junk(AT + 9);
        buf.put(AT + 8, (byte) 0x7F);
        icmp.wrap(buf, AT, 9).type(IcmpMessage.ECHO_REPLY).code(0).restOfHeader(0).writeChecksum(9);
        assertThat(icmp.validate()).isEqualTo(Problem.NONE);
        buf.put(AT + 8, (byte) 0x7E);
        assertThat(icmp.validate()).isEqualTo(Problem.BAD_CHECKSUM);
    }

    @Test
    void rejectsBadChecksumAndEveryTruncation() {
        ByteBuffer buf = Bytes.at(PING_ECHO);
        buf.put(AT + 63, (byte) 0x38);
        assertThat(icmp.wrap(buf, AT, 64).validate()).isEqualTo(Problem.BAD_CHECKSUM);
        assertThat(icmp.wrap(buf, AT, 63).validate()).as("message cut short").isEqualTo(Problem.BAD_CHECKSUM);
        for (int len = 0; len < IcmpMessage.HEADER_LENGTH; len++) {
            assertThat(icmp.wrap(buf, AT, len).validate()).as("length %d", len).isEqualTo(Problem.TRUNCATED);
        }
    }
}
