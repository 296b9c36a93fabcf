package io.understudy.stack;

import io.understudy.stack.wire.ArpPacket;
import io.understudy.stack.wire.Checksum;
import io.understudy.stack.wire.EthernetFrame;
import io.understudy.stack.wire.IcmpMessage;
import io.understudy.stack.wire.Ipv4Address;
import io.understudy.stack.wire.Ipv4Header;
import io.understudy.stack.wire.MacAddress;
import io.understudy.stack.wire.TcpHeader;
import io.understudy.stack.wire.TcpOptions;
import io.understudy.stack.wire.TcpOptionsWriter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * Builds test frames as byte arrays with the wire views, checksums included, and checks the
 * frames a stack sends. Builders nest: {@code ethernet(dst, src, IPV4, ipv4(a, b, ICMP, echoRequest(...)))}.
 * Everything is unpadded unless {@link #pad} says otherwise.
 */
public final class Frames {
    /** Ethernet's minimum frame without FCS. */
    public static final int MIN_FRAME = 60;
    /** Where the IP header (or ARP packet) starts in a frame. */
    public static final int L3 = EthernetFrame.HEADER_LENGTH;
    /** TTL of the datagrams built here. */
    public static final int TTL = 64;

    private Frames() {}

    // ---- builders

    /** An Ethernet II frame around {@code payload}. */
    public static byte[] ethernet(long dst, long src, int etherType, byte[] payload) {
        byte[] frame = new byte[L3 + payload.length];
        new EthernetFrame().wrap(ByteBuffer.wrap(frame), 0, frame.length).dst(dst).src(src).etherType(etherType);
        System.arraycopy(payload, 0, frame, L3, payload.length);
        return frame;
    }

    /** A 28-byte Ethernet/IPv4 ARP packet. */
    public static byte[] arp(int oper, long sha, int spa, long tha, int tpa) {
        byte[] packet = new byte[ArpPacket.LENGTH];
        ArpPacket.writeTo(ByteBuffer.wrap(packet), 0, oper, sha, spa, tha, tpa);
        return packet;
    }

    /** An ARP packet in a frame from {@code sha}: a request is broadcast, a reply goes to {@code tha}. */
    public static byte[] arpFrame(int oper, long sha, int spa, long tha, int tpa) {
        long dst = oper == ArpPacket.REQUEST ? MacAddress.BROADCAST : tha;
        return ethernet(dst, sha, EthernetFrame.TYPE_ARP, arp(oper, sha, spa, tha, tpa));
    }

    /** An unfragmented IPv4 datagram: 20-byte header, TTL 64, no flags. */
    public static byte[] ipv4(int src, int dst, int protocol, int id, byte[] payload) {
        byte[] datagram = new byte[Ipv4Header.MIN_LENGTH + payload.length];
        System.arraycopy(payload, 0, datagram, Ipv4Header.MIN_LENGTH, payload.length);
        new Ipv4Header().wrap(ByteBuffer.wrap(datagram), 0, datagram.length).headerLength(Ipv4Header.MIN_LENGTH)
                .tos(0).totalLength(datagram.length).identification(id).fragment(false, false, 0).ttl(TTL)
                .protocol(protocol).src(src).dst(dst).writeChecksum();
        return datagram;
    }

    /**
     * The fragment of {@code datagram} (20-byte header, not itself a fragment) carrying payload
     * bytes [offset, offset + length); MF is set unless it reaches the end.
     */
    public static byte[] fragment(byte[] datagram, int offset, int length) {
        int payloadLength = datagram.length - Ipv4Header.MIN_LENGTH;
        byte[] f = new byte[Ipv4Header.MIN_LENGTH + length];
        System.arraycopy(datagram, 0, f, 0, Ipv4Header.MIN_LENGTH);
        System.arraycopy(datagram, Ipv4Header.MIN_LENGTH + offset, f, Ipv4Header.MIN_LENGTH, length);
        new Ipv4Header().wrap(ByteBuffer.wrap(f), 0, f.length).totalLength(f.length)
                .fragment(false, offset + length < payloadLength, offset).writeChecksum();
        return f;
    }

    /** An ICMP message with its checksum. */
    public static byte[] icmp(int type, int code, int restOfHeader, byte[] body) {
        byte[] message = new byte[IcmpMessage.HEADER_LENGTH + body.length];
        System.arraycopy(body, 0, message, IcmpMessage.HEADER_LENGTH, body.length);
        new IcmpMessage().wrap(ByteBuffer.wrap(message), 0, message.length).type(type).code(code)
                .restOfHeader(restOfHeader).writeChecksum(message.length);
        return message;
    }

    /** An ICMP echo request. */
    public static byte[] echoRequest(int identifier, int sequence, byte[] data) {
        return icmp(IcmpMessage.ECHO_REQUEST, 0, identifier << 16 | sequence, data);
    }

    /** An ICMP echo reply. */
    public static byte[] echoReply(int identifier, int sequence, byte[] data) {
        return icmp(IcmpMessage.ECHO_REPLY, 0, identifier << 16 | sequence, data);
    }

    /** A UDP datagram with its pseudo-header checksum. */
    public static byte[] udp(int src, int dst, int srcPort, int dstPort, byte[] data) {
        byte[] segment = new byte[8 + data.length];
        ByteBuffer b = ByteBuffer.wrap(segment);
        b.putShort(0, (short) srcPort).putShort(2, (short) dstPort).putShort(4, (short) segment.length);
        b.put(8, data);
        int sum = Checksum.sum(b, 0, segment.length,
                Checksum.pseudoHeader(src, dst, Ipv4Header.PROTO_UDP, segment.length));
        short checksum = Checksum.finish(sum);
        b.putShort(6, checksum == 0 ? (short) 0xFFFF : checksum);
        return segment;
    }

    /**
     * A TCP segment with its pseudo-header checksum for {@code src} → {@code dst}: a 20-byte
     * header, then {@code options} (a multiple of 4 bytes, at most 40, see {@link #synOptions}
     * and {@link #timestampOptions}), then {@code payload}; urgent pointer 0.
     */
    public static byte[] tcp(int src, int dst, int srcPort, int dstPort, int seq, int ack, int flags, int window,
                             byte[] options, byte[] payload) {
        if (options.length % 4 != 0 || options.length > TcpHeader.MAX_LENGTH - TcpHeader.MIN_LENGTH) {
            throw new IllegalArgumentException("TCP options must be whole words, at most 40 bytes: " + options.length);
        }
        int headerLength = TcpHeader.MIN_LENGTH + options.length;
        byte[] segment = new byte[headerLength + payload.length];
        ByteBuffer b = ByteBuffer.wrap(segment);
        b.put(TcpHeader.MIN_LENGTH, options).put(headerLength, payload);
        new TcpHeader().wrap(b, 0, segment.length).srcPort(srcPort).dstPort(dstPort).seq(seq).ack(ack)
                .headerLength(headerLength).flags(flags).window(window).urgentPointer(0).writeChecksum(src, dst);
        return segment;
    }

    /**
     * SYN options in Linux's layout ({@link TcpOptionsWriter#writeSyn}): MSS, then SACK-permitted
     * and timestamps, then window scale ({@code windowScale} -1 leaves it out).
     */
    public static byte[] synOptions(int mss, boolean sackPermitted, int windowScale, boolean timestamps, int tsVal,
                                    int tsEcr) {
        ByteBuffer b = ByteBuffer.allocate(TcpOptionsWriter.MAX_SYN_LENGTH);
        int n = TcpOptionsWriter.writeSyn(b, 0, mss, sackPermitted, windowScale, timestamps, tsVal, tsEcr);
        return Arrays.copyOf(b.array(), n);
    }

    /** NOP NOP TS, the options of a segment on a connection with timestamps. */
    public static byte[] timestampOptions(int tsVal, int tsEcr) {
        byte[] options = new byte[TcpOptionsWriter.TIMESTAMPS_LENGTH];
        TcpOptionsWriter.writeTimestamps(ByteBuffer.wrap(options), 0, tsVal, tsEcr);
        return options;
    }

    /** ISO-8859-1 bytes of {@code text}, for payloads. */
    public static byte[] text(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** {@code length} bytes that differ from position to position and from salt to salt. */
    public static byte[] pattern(int length, int salt) {
        byte[] p = new byte[length];
        for (int i = 0; i < length; i++) {
            p[i] = (byte) (i * 31 + (i >>> 8) + salt);
        }
        return p;
    }

    /** {@code frame} zero-padded to the Ethernet minimum, as the stack sends it. */
    public static byte[] pad(byte[] frame) {
        return frame.length >= MIN_FRAME ? frame : Arrays.copyOf(frame, MIN_FRAME);
    }

    /** The arrays one after the other. */
    public static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    // ---- editing

    /** Stores a big-endian 16-bit {@code value} at {@code index}; returns the frame. */
    public static byte[] put16(byte[] frame, int index, int value) {
        ByteBuffer.wrap(frame).putShort(index, (short) value);
        return frame;
    }

    /** Stores a big-endian 32-bit {@code value} at {@code index}; returns the frame. */
    public static byte[] put32(byte[] frame, int index, int value) {
        ByteBuffer.wrap(frame).putInt(index, value);
        return frame;
    }

    /** Recomputes the header checksum of the IP header at {@link #L3} (after an edit); returns the frame. */
    public static byte[] fixIpChecksum(byte[] frame) {
        new Ipv4Header().wrap(ByteBuffer.wrap(frame), L3, frame.length - L3).writeChecksum();
        return frame;
    }

    /** Recomputes the TCP checksum of the unfragmented TCP datagram at {@link #L3} (after an edit); returns the frame. */
    public static byte[] fixTcpChecksum(byte[] frame) {
        Ipv4Header ip = new Ipv4Header().wrap(ByteBuffer.wrap(frame), L3, frame.length - L3);
        new TcpHeader().wrap(ByteBuffer.wrap(frame), ip.payloadOffset(), ip.payloadLength()).writeChecksum(ip.src(), ip.dst());
        return frame;
    }

    // ---- reading

    /**
     * A TCP segment a stack sent, read from its frame: where it went, the header fields, the
     * options (MSS and window scale -1 when absent) and the payload as ISO-8859-1 text. Build
     * the expected one with {@link #segment} and the {@code with…} methods and compare whole.
     */
    public record SentTcp(long dstMac, int dstIp, int srcPort, int dstPort, int flags, int seq, int ack, int window,
                          int mss, int windowScale, boolean sackPermitted, boolean timestamps, int tsVal, int tsEcr,
                          String payload) {
        /** The same segment with the SYN options {@link #synOptions} would write. */
        public SentTcp withSynOptions(int mss, boolean sackPermitted, int windowScale, boolean timestamps, int tsVal,
                                      int tsEcr) {
            return new SentTcp(dstMac, dstIp, srcPort, dstPort, flags, seq, ack, window, mss, windowScale,
                    sackPermitted, timestamps, timestamps ? tsVal : 0, timestamps ? tsEcr : 0, payload);
        }

        /** The same segment with a timestamps option. */
        public SentTcp withTimestamps(int tsVal, int tsEcr) {
            return new SentTcp(dstMac, dstIp, srcPort, dstPort, flags, seq, ack, window, mss, windowScale,
                    sackPermitted, true, tsVal, tsEcr, payload);
        }

        /** The same segment carrying {@code text}. */
        public SentTcp withPayload(String text) {
            return new SentTcp(dstMac, dstIp, srcPort, dstPort, flags, seq, ack, window, mss, windowScale,
                    sackPermitted, timestamps, tsVal, tsEcr, text);
        }

        /** True when all of {@code mask}'s flags are set. */
        public boolean has(int mask) {
            return (flags & mask) == mask;
        }

        @Override
        public String toString() {
            List<String> options = new ArrayList<>();
            if (mss >= 0) {
                options.add("mss " + mss);
            }
            if (sackPermitted) {
                options.add("sackOK");
            }
            if (timestamps) {
                options.add("TS val " + Integer.toUnsignedString(tsVal) + " ecr " + Integer.toUnsignedString(tsEcr));
            }
            if (windowScale >= 0) {
                options.add("wscale " + windowScale);
            }
            return "TCP to " + MacAddress.toString(dstMac) + " " + Ipv4Address.toString(dstIp)
                    + " " + srcPort + " > " + dstPort + " [" + flagNames(flags) + "] seq "
                    + Integer.toUnsignedString(seq) + " ack " + Integer.toUnsignedString(ack) + " win " + window
                    + " options " + options + " length " + payload.length() + (payload.isEmpty() ? "" : " \"" + payload + "\"");
        }
    }

    /** The expected segment with no options and no payload, for comparing with {@link #sentTcp}. */
    public static SentTcp segment(long dstMac, int dstIp, int srcPort, int dstPort, int flags, int seq, int ack,
                                  int window) {
        return new SentTcp(dstMac, dstIp, srcPort, dstPort, flags, seq, ack, window, -1, -1, false, false, 0, 0, "");
    }

    /** Reads the TCP segment of a sent frame (check it with {@link #problemWith} first); fails if it carries none. */
    public static SentTcp sentTcp(byte[] frame) {
        ByteBuffer b = ByteBuffer.wrap(frame);
        EthernetFrame eth = new EthernetFrame().wrap(b, 0, frame.length);
        if (eth.etherType() != EthernetFrame.TYPE_IPV4) {
            throw new AssertionError("not IPv4: " + hex(frame));
        }
        Ipv4Header ip = new Ipv4Header().wrap(b, L3, frame.length - L3);
        if (ip.protocol() != Ipv4Header.PROTO_TCP || ip.isFragment()) {
            throw new AssertionError("not a whole TCP segment: " + hex(frame));
        }
        TcpHeader tcp = new TcpHeader().wrap(b, ip.payloadOffset(), ip.payloadLength());
        TcpOptions o = new TcpOptions();
        o.parse(b, tcp.optionsOffset(), tcp.optionsLength());
        byte[] payload = new byte[tcp.payloadLength()];
        b.get(tcp.payloadOffset(), payload);
        return new SentTcp(eth.dst(), ip.dst(), tcp.srcPort(), tcp.dstPort(), tcp.flags(), tcp.seq(), tcp.ack(),
                tcp.window(), o.hasMss() ? o.mss() : -1, o.hasWindowScale() ? o.windowScale() : -1, o.sackPermitted(),
                o.hasTimestamps(), o.tsVal(), o.tsEcr(), new String(payload, StandardCharsets.ISO_8859_1));
    }

    /** TCP flags as {@code SYN|ACK}. */
    public static String flagNames(int flags) {
        String[] names = {"FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR"};
        List<String> out = new ArrayList<>();
        for (int i = 0; i < names.length; i++) {
            if ((flags & (1 << i)) != 0) {
                out.add(names[i]);
            }
        }
        return out.isEmpty() ? "none" : String.join("|", out);
    }

    /** Lower-case hex, for readable assertions on whole frames. */
    public static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }

    /** Parses hex, ignoring whitespace. */
    public static byte[] unhex(String hex) {
        return HexFormat.of().parseHex(hex.replaceAll("\\s+", ""));
    }

    /** The {@code length} bytes of {@code frame} at {@code from}. */
    public static byte[] slice(byte[] frame, int from, int length) {
        return Arrays.copyOfRange(frame, from, from + length);
    }

    /**
     * What is wrong with a frame that {@code config}'s stack sent, or null when it is well formed:
     * padded to 60 bytes and no longer than the MTU allows; from our MAC; ARP from our addresses;
     * IPv4 from our address with a 20-byte header, a valid checksum, zero padding and, for a
     * whole ICMP message, a valid ICMP checksum; for a whole TCP segment, DF set, a valid
     * checksum, no SYN with FIN or RST, well-formed options and urgent pointer 0.
     */
    public static String problemWith(byte[] frame, StackConfig config) {
        if (frame.length < MIN_FRAME || frame.length > L3 + Math.max(config.mtu(), MIN_FRAME - L3)) {
            return "frame length " + frame.length;
        }
        ByteBuffer b = ByteBuffer.wrap(frame);
        EthernetFrame eth = new EthernetFrame().wrap(b, 0, frame.length);
        if (eth.src() != config.mac()) {
            return "source MAC " + MacAddress.toString(eth.src());
        }
        return switch (eth.etherType()) {
            case EthernetFrame.TYPE_ARP -> arpProblem(b, eth, config);
            case EthernetFrame.TYPE_IPV4 -> ipv4Problem(b, config);
            default -> "EtherType " + Integer.toHexString(eth.etherType());
        };
    }

    private static String arpProblem(ByteBuffer b, EthernetFrame eth, StackConfig config) {
        ArpPacket arp = new ArpPacket().wrap(b, L3, b.limit() - L3);
        if (arp.validate() != ArpPacket.Problem.NONE) {
            return "ARP " + arp.validate();
        }
        if (arp.sha() != config.mac() || arp.spa() != config.ip()) {
            return "ARP sender is not us";
        }
        long dst = eth.dst();
        boolean addressed = arp.oper() == ArpPacket.REQUEST ? dst == MacAddress.BROADCAST : dst == arp.tha();
        if (!addressed || !zeros(b, L3 + ArpPacket.LENGTH)) {
            return "ARP addressing or padding";
        }
        return null;
    }

    private static String ipv4Problem(ByteBuffer b, StackConfig config) {
        Ipv4Header ip = new Ipv4Header().wrap(b, L3, b.limit() - L3);
        if (ip.validate() != Ipv4Header.Problem.NONE) {
            return "IPv4 " + ip.validate();
        }
        if (ip.headerLength() != Ipv4Header.MIN_LENGTH || ip.src() != config.ip() || ip.ttl() != TTL) {
            return "IPv4 header length, source or TTL";
        }
        if (ip.totalLength() > config.mtu() || !zeros(b, L3 + ip.totalLength())) {
            return "IPv4 total length " + ip.totalLength() + " in a " + b.limit() + "-byte frame";
        }
        if (ip.moreFragments() && ip.payloadLength() % 8 != 0) {
            return "fragment not a multiple of 8 bytes";
        }
        if (!ip.isFragment() && ip.protocol() == Ipv4Header.PROTO_ICMP) {
            IcmpMessage icmp = new IcmpMessage().wrap(b, ip.payloadOffset(), ip.payloadLength());
            if (icmp.validate() != IcmpMessage.Problem.NONE) {
                return "ICMP " + icmp.validate();
            }
        }
        if (!ip.isFragment() && ip.protocol() == Ipv4Header.PROTO_TCP) {
            return tcpProblem(b, ip);
        }
        return null;
    }

    private static String tcpProblem(ByteBuffer b, Ipv4Header ip) {
        if (!ip.dontFragment()) {
            return "TCP without DF";
        }
        TcpHeader tcp = new TcpHeader().wrap(b, ip.payloadOffset(), ip.payloadLength());
        TcpHeader.Problem problem = tcp.validate(ip.src(), ip.dst());
        if (problem != TcpHeader.Problem.NONE) {
            return "TCP " + problem;
        }
        TcpOptions options = new TcpOptions();
        if (!options.parse(b, tcp.optionsOffset(), tcp.optionsLength())) {
            return "TCP options " + options.problem();
        }
        if (tcp.urgentPointer() != 0) {
            return "TCP urgent pointer " + tcp.urgentPointer();
        }
        return null;
    }

    private static boolean zeros(ByteBuffer b, int from) {
        for (int i = from; i < b.limit(); i++) {
            if (b.get(i) != 0) {
                return false;
            }
        }
        return true;
    }
}
