package io.understudy.benchmarks;

import io.understudy.stack.wire.ArpPacket;
import io.understudy.stack.wire.Checksum;
import io.understudy.stack.wire.EthernetFrame;
import java.nio.ByteBuffer;

/** Offsets in, and builders of, the Ethernet frames the benchmarks feed to a stack. */
final class Frames {
    static final int ETH = EthernetFrame.HEADER_LENGTH;

    private Frames() {}

    /** Absolute index of the TSval in the TCP segment at {@code tcpAt}, or -1 without a timestamps option. */
    static int tsValOffset(ByteBuffer f, int tcpAt) {
        int end = tcpAt + ((f.get(tcpAt + 12) & 0xF0) >>> 2);
        int i = tcpAt + 20;
        while (i < end) {
            int kind = f.get(i) & 0xFF;
            if (kind == 0) {
                return -1;
            }
            if (kind == 1) {
                i++;
                continue;
            }
            if (i + 1 >= end) {
                return -1;
            }
            int len = f.get(i + 1) & 0xFF;
            if (kind == 8 && len == 10) {
                return i + 2;
            }
            if (len < 2) {
                return -1;
            }
            i += len;
        }
        return -1;
    }

    /** Absolute index of the TCP header of the IPv4 frame at {@code at}. */
    static int tcpOffset(ByteBuffer f, int at) {
        return at + ETH + ((f.get(at + ETH) & 0x0F) << 2);
    }

    /** TCP payload bytes of the IPv4 frame at {@code at}, or -1 when it is not TCP. */
    static int tcpPayloadLength(ByteBuffer f, int at) {
        if ((f.getShort(at + 12) & 0xFFFF) != EthernetFrame.TYPE_IPV4 || f.get(at + ETH + 9) != 6) {
            return -1;
        }
        int ipHeader = (f.get(at + ETH) & 0x0F) << 2;
        int total = f.getShort(at + ETH + 2) & 0xFFFF;
        int tcpHeader = (f.get(at + ETH + ipHeader + 12) & 0xF0) >>> 2;
        return total - ipHeader - tcpHeader;
    }

    /** An ARP frame from {@code srcMac/srcIp} to {@code dstMac/dstIp} (a reply, or a unicast request). */
    static byte[] arp(int oper, long srcMac, int srcIp, long dstMac, int dstIp) {
        ByteBuffer b = ByteBuffer.allocate(60);
        new EthernetFrame().wrap(b, 0, ETH).dst(dstMac).src(srcMac).etherType(EthernetFrame.TYPE_ARP);
        ArpPacket.writeTo(b, ETH, oper, srcMac, srcIp, oper == ArpPacket.REPLY ? dstMac : 0L, dstIp);
        return b.array();
    }

    /**
     * Keeps the TCP checksum of a template segment right while its 32-bit fields change: the
     * partial sum of the segment (pseudo header included) with the variable fields and the
     * checksum zeroed, to which each op adds the fields' new values (RFC 1071 is a plain sum).
     */
    static final class Resum {
        private final ByteBuffer f;
        private final int csumAt;
        private final int base;

        /** {@code fields}: absolute indexes of the 32-bit fields that change (zeroed here). */
        Resum(ByteBuffer f, int at, int... fields) {
            this.f = f;
            int ipAt = at + ETH;
            int tcpAt = tcpOffset(f, at);
            int tcpLength = (f.getShort(ipAt + 2) & 0xFFFF) - (tcpAt - ipAt);
            this.csumAt = tcpAt + 16;
            for (int i : fields) {
                f.putInt(i, 0);
            }
            f.putShort(csumAt, (short) 0);
            int pseudo = Checksum.pseudoHeader(f.getInt(ipAt + 12), f.getInt(ipAt + 16), 6, tcpLength);
            this.base = Checksum.sum(f, tcpAt, tcpLength, pseudo);
        }

        /** Writes the checksum for the current values of two changed fields. */
        void write(int a, int b) {
            int s = base + (a >>> 16) + (a & 0xFFFF) + (b >>> 16) + (b & 0xFFFF);
            f.putShort(csumAt, Checksum.finish(s));
        }

        /** Writes the checksum for the current values of three changed fields. */
        void write(int a, int b, int c) {
            int s = base + (a >>> 16) + (a & 0xFFFF) + (b >>> 16) + (b & 0xFFFF) + (c >>> 16) + (c & 0xFFFF);
            f.putShort(csumAt, Checksum.finish(s));
        }

        /** Writes the checksum for the current values of four changed fields. */
        void write(int a, int b, int c, int d) {
            int s = base + (a >>> 16) + (a & 0xFFFF) + (b >>> 16) + (b & 0xFFFF) + (c >>> 16) + (c & 0xFFFF)
                    + (d >>> 16) + (d & 0xFFFF);
            f.putShort(csumAt, Checksum.finish(s));
        }
    }
}
