package io.understudy.stack.wire;

/** An IPv4 address held in an {@code int}, first octet most significant. */
public final class Ipv4Address {
    /** Bytes in an address on the wire. */
    public static final int LENGTH = 4;
    /** Bits in an address; the largest prefix length. */
    public static final int BITS = 32;

    private static final int MAX_OCTET = 255;
    private static final int MAX_DIGITS = 3;

    private Ipv4Address() {}

    /**
     * Parses a strict dotted quad such as {@code "10.201.0.2"}: four decimal octets 0–255,
     * no signs, spaces, empty parts or leading zeros (which some parsers read as octal).
     */
    public static int parse(String text) {
        int addr = 0;
        int i = 0;
        int n = text.length();
        for (int octet = 0; octet < LENGTH; octet++) {
            if (octet > 0) {
                if (i >= n || text.charAt(i) != '.') {
                    throw invalid(text, "expected four octets separated by '.'");
                }
                i++;
            }
            int start = i;
            int value = 0;
            while (i < n && i - start <= MAX_DIGITS && text.charAt(i) >= '0' && text.charAt(i) <= '9') {
                value = value * 10 + (text.charAt(i) - '0');
                i++;
            }
            int digits = i - start;
            if (digits == 0) {
                throw invalid(text, "octet " + (octet + 1) + " is not a decimal number");
            }
            if (digits > MAX_DIGITS || value > MAX_OCTET) {
                throw invalid(text, "octet " + (octet + 1) + " is out of range 0..255");
            }
            if (digits > 1 && text.charAt(start) == '0') {
                throw invalid(text, "octet " + (octet + 1) + " has a leading zero");
            }
            addr = (addr << Byte.SIZE) | value;
        }
        if (i != n) {
            throw invalid(text, "unexpected text after the fourth octet");
        }
        return addr;
    }

    /** Formats as a dotted quad. */
    public static String toString(int addr) {
        return (addr >>> 24) + "." + ((addr >>> 16) & MAX_OCTET) + "."
                + ((addr >>> 8) & MAX_OCTET) + "." + (addr & MAX_OCTET);
    }

    /** The netmask with the top {@code prefixLength} bits set, for 0 ≤ prefixLength ≤ 32. */
    public static int prefixMask(int prefixLength) {
        if (prefixLength < 0 || prefixLength > BITS) {
            throw new IllegalArgumentException("prefix length must be 0..32, got " + prefixLength);
        }
        return prefixLength == 0 ? 0 : -1 << (BITS - prefixLength);
    }

    /** True when {@code a} and {@code b} agree in their top {@code prefixLength} bits. */
    public static boolean sameSubnet(int a, int b, int prefixLength) {
        return ((a ^ b) & prefixMask(prefixLength)) == 0;
    }

    private static IllegalArgumentException invalid(String text, String why) {
        return new IllegalArgumentException("not an IPv4 address (" + why + "): \"" + text + "\"");
    }
}
