package io.understudy.stack.wire;

import java.nio.ByteBuffer;

/**
 * View over an ARP packet for IPv4 over Ethernet (RFC 826). Once {@link #validate()} returns
 * {@link Problem#NONE}, no accessor throws. Build packets with {@link #writeTo}.
 */
public final class ArpPacket {
    /** Field offsets from the start of the packet. */
    public static final int HTYPE = 0, PTYPE = 2, HLEN = 4, PLEN = 5, OPER = 6, SHA = 8, SPA = 14, THA = 18, TPA = 24;
    /** Bytes in an Ethernet/IPv4 ARP packet; anything beyond is Ethernet padding. */
    public static final int LENGTH = 28;
    /** Hardware type of Ethernet. */
    public static final int HTYPE_ETHERNET = 1;
    /** Protocol type of IPv4 (its EtherType). */
    public static final int PTYPE_IPV4 = EthernetFrame.TYPE_IPV4;
    /** Operation: who has {@code tpa}? */
    public static final int REQUEST = 1;
    /** Operation: {@code spa} is at {@code sha}. */
    public static final int REPLY = 2;

    /** Why a packet was rejected, in the order the checks run. */
    public enum Problem {
        /** Valid. */
        NONE,
        /** Shorter than {@link #LENGTH}. */
        TRUNCATED,
        /** Not Ethernet/IPv4: htype ≠ 1, ptype ≠ 0x0800, hlen ≠ 6 or plen ≠ 4. */
        NOT_ETHERNET_IPV4,
        /** Operation is neither {@link #REQUEST} nor {@link #REPLY}. */
        UNKNOWN_OPERATION
    }

    private ByteBuffer buf;
    private int at;
    private int length;

    /** Points this view at {@code length} bytes of {@code buf} starting at absolute index {@code at}. */
    public ArpPacket wrap(ByteBuffer buf, int at, int length) {
        this.buf = buf;
        this.at = at;
        this.length = length;
        return this;
    }

    /** Checks length, then address types and sizes, then the operation. */
    public Problem validate() {
        if (length < LENGTH) {
            return Problem.TRUNCATED;
        }
        if (htype() != HTYPE_ETHERNET || ptype() != PTYPE_IPV4
                || hlen() != MacAddress.LENGTH || plen() != Ipv4Address.LENGTH) {
            return Problem.NOT_ETHERNET_IPV4;
        }
        int oper = oper();
        return oper == REQUEST || oper == REPLY ? Problem.NONE : Problem.UNKNOWN_OPERATION;
    }

    /** Hardware type. */
    public int htype() {
        return buf.getShort(at + HTYPE) & 0xFFFF;
    }

    /** Protocol type. */
    public int ptype() {
        return buf.getShort(at + PTYPE) & 0xFFFF;
    }

    /** Hardware address length in bytes. */
    public int hlen() {
        return buf.get(at + HLEN) & 0xFF;
    }

    /** Protocol address length in bytes. */
    public int plen() {
        return buf.get(at + PLEN) & 0xFF;
    }

    /** Operation. */
    public int oper() {
        return buf.getShort(at + OPER) & 0xFFFF;
    }

    /** Sender hardware address. */
    public long sha() {
        return MacAddress.read(buf, at + SHA);
    }

    /** Sender protocol address. */
    public int spa() {
        return buf.getInt(at + SPA);
    }

    /** Target hardware address (zero in a Linux request). */
    public long tha() {
        return MacAddress.read(buf, at + THA);
    }

    /** Target protocol address. */
    public int tpa() {
        return buf.getInt(at + TPA);
    }

    /** Writes a complete Ethernet/IPv4 ARP packet at absolute index {@code at}; returns {@link #LENGTH}. */
    public static int writeTo(ByteBuffer buf, int at, int oper, long sha, int spa, long tha, int tpa) {
        buf.putShort(at + HTYPE, (short) HTYPE_ETHERNET);
        buf.putShort(at + PTYPE, (short) PTYPE_IPV4);
        buf.put(at + HLEN, (byte) MacAddress.LENGTH);
        buf.put(at + PLEN, (byte) Ipv4Address.LENGTH);
        buf.putShort(at + OPER, (short) oper);
        MacAddress.write(buf, at + SHA, sha);
        buf.putInt(at + SPA, spa);
        MacAddress.write(buf, at + THA, tha);
        buf.putInt(at + TPA, tpa);
        return LENGTH;
    }
}
