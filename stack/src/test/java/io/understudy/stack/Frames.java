package io.understudy.stack;

import io.understudy.stack.wire.ArpPacket;
import io.understudy.stack.wire.Checksum;
import io.understudy.stack.wire.EthernetFrame;
import io.understudy.stack.wire.IcmpMessage;
import io.understudy.stack.wire.Ipv4Header;
import io.understudy.stack.wire.MacAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;

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

    // ---- reading

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
     * whole ICMP message, a valid ICMP checksum.
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
