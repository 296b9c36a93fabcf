package io.understudy.stack;

/**
 * How one stack instance sits on its link: its addresses and limits. Immutable.
 *
 * @param mac the interface's MAC address (low 48 bits)
 * @param ip the interface's IPv4 address
 * @param prefixLength the subnet prefix length (0–32)
 * @param gateway the next hop for addresses outside the subnet, or 0 for none (then they are unreachable)
 * @param mtu the largest IP datagram the link carries (68–65535)
 */
public record StackConfig(long mac, int ip, int prefixLength, int gateway, int mtu) {
    /** Ethernet's default MTU. */
    public static final int DEFAULT_MTU = 1500;

    public StackConfig {
        if (prefixLength < 0 || prefixLength > 32) {
            throw new IllegalArgumentException("prefix length must be 0-32, got " + prefixLength);
        }
        // RFC 791: every host must accept 68-byte datagrams without fragmentation.
        if (mtu < 68 || mtu > 65_535) {
            throw new IllegalArgumentException("MTU must be 68-65535, got " + mtu);
        }
        if ((mac & 0x0100_0000_0000L) != 0) {
            throw new IllegalArgumentException("the interface MAC must be unicast (its first octet even)");
        }
    }

    /** The subnet mask as an int. */
    public int netmask() {
        return prefixLength == 0 ? 0 : -1 << (32 - prefixLength);
    }

    /**
     * The subnet's directed broadcast address. A /31 or /32 has none (RFC 3021): every address
     * in it is a host's, ours included, so this is the limited broadcast 255.255.255.255.
     */
    public int broadcast() {
        return prefixLength >= 31 ? -1 : ip | ~netmask();
    }

    /** True when {@code addr} is on the local subnet. */
    public boolean onLink(int addr) {
        return ((addr ^ ip) & netmask()) == 0;
    }
}
