package io.understudy.stack.wire;

import java.nio.ByteBuffer;

/**
 * View over an Ethernet II frame header (no FCS: the TAP device strips it). Once
 * {@link #isValid()} holds, no accessor throws. VLAN-tagged frames report
 * {@link #TYPE_VLAN}; the stack counts and drops them.
 */
public final class EthernetFrame {
    /** Field offsets from the start of the frame. */
    public static final int DST = 0, SRC = 6, ETHER_TYPE = 12;
    /** Bytes in the header; the payload starts here. */
    public static final int HEADER_LENGTH = 14;
    /** EtherType of IPv4. */
    public static final int TYPE_IPV4 = 0x0800;
    /** EtherType of ARP. */
    public static final int TYPE_ARP = 0x0806;
    /** EtherType of an 802.1Q VLAN tag. */
    public static final int TYPE_VLAN = 0x8100;

    private ByteBuffer buf;
    private int at;
    private int length;

    /** Points this view at {@code length} bytes of {@code buf} starting at absolute index {@code at}. */
    public EthernetFrame wrap(ByteBuffer buf, int at, int length) {
        this.buf = buf;
        this.at = at;
        this.length = length;
        return this;
    }

    /** True when the frame is long enough to hold the header. */
    public boolean isValid() {
        return length >= HEADER_LENGTH;
    }

    /** Destination MAC address. */
    public long dst() {
        return MacAddress.read(buf, at + DST);
    }

    /** Source MAC address. */
    public long src() {
        return MacAddress.read(buf, at + SRC);
    }

    /** EtherType, 0..0xFFFF. */
    public int etherType() {
        return buf.getShort(at + ETHER_TYPE) & 0xFFFF;
    }

    /** Absolute index of the first payload byte. */
    public int payloadOffset() {
        return at + HEADER_LENGTH;
    }

    /** Bytes after the header (may include Ethernet padding beyond the payload's own length). */
    public int payloadLength() {
        return length - HEADER_LENGTH;
    }

    /** Sets the destination MAC address. */
    public EthernetFrame dst(long mac) {
        MacAddress.write(buf, at + DST, mac);
        return this;
    }

    /** Sets the source MAC address. */
    public EthernetFrame src(long mac) {
        MacAddress.write(buf, at + SRC, mac);
        return this;
    }

    /** Sets the EtherType. */
    public EthernetFrame etherType(int type) {
        buf.putShort(at + ETHER_TYPE, (short) type);
        return this;
    }
}
