package io.understudy.stack.wire;

import java.nio.ByteBuffer;

/** An Ethernet MAC address held in the low 48 bits of a {@code long}, first octet most significant. */
public final class MacAddress {
    /** Bytes in a MAC address on the wire. */
    public static final int LENGTH = 6;
    /** The broadcast address ff:ff:ff:ff:ff:ff. */
    public static final long BROADCAST = 0xFFFF_FFFF_FFFFL;

    private static final int TEXT_LENGTH = 3 * LENGTH - 1;
    private static final int HEX = 16;
    private static final int GROUP_BIT = 40;
    private static final char[] DIGITS = "0123456789abcdef".toCharArray();

    private MacAddress() {}

    /** Parses six colon-separated pairs of hex digits, such as {@code "02:00:00:00:00:01"}. */
    public static long parse(String text) {
        if (text.length() != TEXT_LENGTH) {
            throw invalid(text);
        }
        long mac = 0;
        for (int i = 0; i < LENGTH; i++) {
            int p = 3 * i;
            int hi = Character.digit(text.charAt(p), HEX);
            int lo = Character.digit(text.charAt(p + 1), HEX);
            if (hi < 0 || lo < 0 || (i < LENGTH - 1 && text.charAt(p + 2) != ':')) {
                throw invalid(text);
            }
            mac = (mac << Byte.SIZE) | (hi << 4) | lo;
        }
        return mac;
    }

    /** Formats as lower-case {@code "xx:xx:xx:xx:xx:xx"}. */
    public static String toString(long mac) {
        char[] out = new char[TEXT_LENGTH];
        for (int i = 0; i < LENGTH; i++) {
            int octet = (int) (mac >>> (Byte.SIZE * (LENGTH - 1 - i))) & 0xFF;
            out[3 * i] = DIGITS[octet >>> 4];
            out[3 * i + 1] = DIGITS[octet & 0xF];
            if (i < LENGTH - 1) {
                out[3 * i + 2] = ':';
            }
        }
        return new String(out);
    }

    /** True for ff:ff:ff:ff:ff:ff. */
    public static boolean isBroadcast(long mac) {
        return mac == BROADCAST;
    }

    /** True when the group bit (least significant bit of the first octet) is set; broadcast included. */
    public static boolean isMulticast(long mac) {
        return ((mac >>> GROUP_BIT) & 1) != 0;
    }

    /** Reads the six bytes at absolute index {@code at}. */
    public static long read(ByteBuffer buf, int at) {
        return ((buf.getShort(at) & 0xFFFFL) << Integer.SIZE) | (buf.getInt(at + Short.BYTES) & 0xFFFF_FFFFL);
    }

    /** Writes the low 48 bits of {@code mac} as six bytes at absolute index {@code at}. */
    public static void write(ByteBuffer buf, int at, long mac) {
        buf.putShort(at, (short) (mac >>> Integer.SIZE));
        buf.putInt(at + Short.BYTES, (int) mac);
    }

    private static IllegalArgumentException invalid(String text) {
        return new IllegalArgumentException("not a MAC address (want xx:xx:xx:xx:xx:xx in hex): \"" + text + "\"");
    }
}
