package io.understudy.stack.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Random bytes, raw or nudged towards validity (plausible version, lengths, fixed-up
 * checksums), through every view's validation and, when valid, every getter. Buffers end
 * exactly where the wrapped bytes end, so a read past them throws.
 */
class WireFuzzTest {
    private static final int CASES = 10_000;
    private static final int MAX_LENGTH = 100;
    private static final int MAX_AT = 4;
    private static final int SRC_IP = 0x0A000001;
    private static final int DST_IP = 0x0A000002;
    private static final byte[] OPTION_ALPHABET = {0, 1, 2, 3, 4, 5, 8, 2, 4, 10, 18, 34, (byte) 0xFF};

    private final Random random = new Random(20240611L);
    private final EthernetFrame ethernet = new EthernetFrame();
    private final ArpPacket arp = new ArpPacket();
    private final Ipv4Header ip = new Ipv4Header();
    private final IcmpMessage icmp = new IcmpMessage();
    private final TcpHeader tcp = new TcpHeader();
    private final TcpOptions options = new TcpOptions();
    private long sink;
    private int validEthernet, validArp, validIp, validIcmp, validTcp, validOptions;

    @Test
    void randomBytesNeverMakeAViewThrow() {
        for (int n = 0; n < CASES; n++) {
            int at = random.nextInt(MAX_AT);
            byte[] bytes = new byte[at + random.nextInt(MAX_LENGTH)];
            random.nextBytes(bytes);
            boolean nudge = random.nextBoolean();
            try {
                fuzzEthernet(copy(bytes), at);
                fuzzArp(copy(bytes), at, nudge);
                fuzzIpv4(copy(bytes), at, nudge);
                fuzzIcmp(copy(bytes), at, nudge);
                fuzzTcp(copy(bytes), at, nudge);
                fuzzOptions(copy(bytes), at, nudge);
            } catch (RuntimeException e) {
                throw new AssertionError("case " + n + " at " + at + ": " + HexFormat.of().formatHex(bytes), e);
            }
        }
        assertThat(IntStream.of(validEthernet, validArp, validIp, validIcmp, validTcp, validOptions).min().getAsInt())
                .as("every view got past validation often enough to exercise its getters")
                .isGreaterThan(CASES / 50);
    }

    private ByteBuffer copy(byte[] bytes) {
        return ByteBuffer.wrap(bytes.clone());
    }

    private void fuzzEthernet(ByteBuffer buf, int at) {
        if (ethernet.wrap(buf, at, buf.capacity() - at).isValid()) {
            validEthernet++;
            sink += ethernet.dst() + ethernet.src() + ethernet.etherType() + ethernet.payloadOffset()
                    + ethernet.payloadLength();
        }
    }

    private void fuzzArp(ByteBuffer buf, int at, boolean nudge) {
        int len = buf.capacity() - at;
        if (nudge && len >= ArpPacket.SHA) {
            buf.putInt(at + ArpPacket.HTYPE, random.nextInt(8) == 0 ? random.nextInt() : 0x0001_0800);
            buf.putShort(at + ArpPacket.HLEN, (short) 0x0604);
            buf.putShort(at + ArpPacket.OPER, (short) random.nextInt(4));
        }
        if (arp.wrap(buf, at, len).validate() == ArpPacket.Problem.NONE) {
            validArp++;
            sink += arp.htype() + arp.ptype() + arp.hlen() + arp.plen() + arp.oper()
                    + arp.sha() + arp.spa() + arp.tha() + arp.tpa();
        }
    }

    private void fuzzIpv4(ByteBuffer buf, int at, boolean nudge) {
        int len = buf.capacity() - at;
        ip.wrap(buf, at, len);
        if (nudge && len >= Ipv4Header.MIN_LENGTH) {
            ip.headerLength(random.nextInt(4) == 0 ? random.nextInt(Ipv4Header.MAX_LENGTH + 1) : Ipv4Header.MIN_LENGTH);
            ip.totalLength(random.nextInt(len + 1));
            if (random.nextInt(4) == 0) {
                ip.fragment(random.nextBoolean(), random.nextBoolean(), random.nextInt(Ipv4Header.MAX_TOTAL_LENGTH + 1));
            }
            if (ip.headerLength() <= len) {
                ip.writeChecksum();
            }
        }
        if (ip.validate() == Ipv4Header.Problem.NONE) {
            validIp++;
            sink += ip.version() + ip.headerLength() + ip.tos() + ip.totalLength() + ip.identification()
                    + (ip.dontFragment() ? 1 : 0) + (ip.moreFragments() ? 1 : 0) + ip.fragmentOffset()
                    + (ip.isFragment() ? 1 : 0) + ip.ttl() + ip.protocol() + ip.headerChecksum() + ip.src() + ip.dst()
                    + ip.optionsOffset() + ip.optionsLength() + ip.payloadOffset() + ip.payloadLength();
            fuzzTransport(buf, ip.payloadOffset(), ip.payloadLength(), ip.src(), ip.dst());
        }
    }

    private void fuzzTransport(ByteBuffer buf, int at, int len, int srcIp, int dstIp) {
        if (icmp.wrap(buf, at, len).validate() == IcmpMessage.Problem.NONE) {
            readIcmp();
        }
        if (tcp.wrap(buf, at, len).validate(srcIp, dstIp) == TcpHeader.Problem.NONE) {
            readTcp(buf);
        }
    }

    private void fuzzIcmp(ByteBuffer buf, int at, boolean nudge) {
        int len = buf.capacity() - at;
        icmp.wrap(buf, at, len);
        if (nudge && len >= IcmpMessage.HEADER_LENGTH) {
            icmp.writeChecksum(len);
        }
        if (icmp.validate() == IcmpMessage.Problem.NONE) {
            validIcmp++;
            readIcmp();
        }
    }

    private void readIcmp() {
        sink += icmp.type() + icmp.code() + icmp.checksum() + icmp.identifier() + icmp.sequence() + icmp.nextHopMtu()
                + icmp.bodyOffset() + icmp.bodyLength();
    }

    private void fuzzTcp(ByteBuffer buf, int at, boolean nudge) {
        int len = buf.capacity() - at;
        tcp.wrap(buf, at, len);
        if (nudge && len >= TcpHeader.MIN_LENGTH) {
            tcp.headerLength(random.nextInt(4) == 0 ? random.nextInt(TcpHeader.MAX_LENGTH + 1) : TcpHeader.MIN_LENGTH
                    + 4 * random.nextInt((Math.min(len, TcpHeader.MAX_LENGTH) - TcpHeader.MIN_LENGTH) / 4 + 1));
            if (tcp.headerLength() <= len) {
                tcp.writeChecksum(SRC_IP, DST_IP);
            }
        }
        if (tcp.validate(SRC_IP, DST_IP) == TcpHeader.Problem.NONE) {
            validTcp++;
            readTcp(buf);
        }
    }

    private void readTcp(ByteBuffer buf) {
        sink += tcp.srcPort() + tcp.dstPort() + tcp.seq() + tcp.ack() + tcp.headerLength() + tcp.flags()
                + (tcp.hasFlag(TcpHeader.SYN) ? 1 : 0) + tcp.window() + tcp.checksum() + tcp.urgentPointer()
                + tcp.optionsOffset() + tcp.optionsLength() + tcp.payloadOffset() + tcp.payloadLength();
        options.parse(buf, tcp.optionsOffset(), tcp.optionsLength());
        readOptions();
    }

    private void fuzzOptions(ByteBuffer buf, int at, boolean nudge) {
        int len = buf.capacity() - at;
        if (nudge) {
            for (int i = at; i < buf.capacity(); i++) {
                buf.put(i, OPTION_ALPHABET[random.nextInt(OPTION_ALPHABET.length)]);
            }
        }
        if (options.parse(buf, at, len)) {
            validOptions++;
        }
        readOptions();
    }

    private void readOptions() {
        sink += options.mss() + options.windowScale() + options.tsVal() + options.tsEcr() + options.sackBlockCount()
                + (options.hasMss() ? 1 : 0) + (options.hasWindowScale() ? 1 : 0) + (options.windowScaleClamped() ? 1 : 0)
                + (options.sackPermitted() ? 1 : 0) + (options.hasTimestamps() ? 1 : 0) + options.problem().ordinal();
        for (int i = 0; i < options.sackBlockCount(); i++) {
            sink += options.sackLeft(i) + options.sackRight(i);
        }
    }
}
