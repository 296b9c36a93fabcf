package io.understudy.stack.wire;

import java.nio.ByteBuffer;

/**
 * The Internet checksum (RFC 1071), built from partial sums so IPv4, ICMP and TCP (with its
 * pseudo header) share one implementation.
 *
 * <p>A partial sum is an {@code int} holding a 16-bit one's-complement sum (at most
 * {@code 0xFFFF} as returned here). Chain partial sums by passing one as the {@code acc} of
 * the next {@link #sum}, then {@link #finish} the total. To verify, sum the data including
 * its checksum field: the data is intact when {@code finish(...) == 0}.
 *
 * <p>Reads eight bytes at a time with {@link ByteBuffer#getLong(int)}, which assumes the
 * buffer is {@link java.nio.ByteOrder#BIG_ENDIAN} (the default).
 */
public final class Checksum {
    private static final long LOW_32 = 0xFFFF_FFFFL;
    private static final int LOW_16 = 0xFFFF;

    private Checksum() {}

    /**
     * Adds the big-endian 16-bit words of {@code len} bytes at {@code at} to {@code acc}; an odd
     * final byte is padded with a zero low byte, so only the last chunk of a chain may be odd.
     */
    public static int sum(ByteBuffer b, int at, int len, int acc) {
        long s = acc & LOW_32;
        int i = at;
        int end = at + len;
        // One's-complement addition is associative over 32-bit words: fold once at the end.
        for (; i + Long.BYTES <= end; i += Long.BYTES) {
            long v = b.getLong(i);
            s += (v >>> Integer.SIZE) + (v & LOW_32);
        }
        if (i + Integer.BYTES <= end) {
            s += b.getInt(i) & LOW_32;
            i += Integer.BYTES;
        }
        if (i + Short.BYTES <= end) {
            s += b.getShort(i) & LOW_16;
            i += Short.BYTES;
        }
        if (i < end) {
            s += (b.get(i) & 0xFF) << Byte.SIZE;
        }
        return fold(s);
    }

    /** Partial sum of the TCP/UDP pseudo header (RFC 9293 §3.1): addresses, protocol and segment length. */
    public static int pseudoHeader(int src, int dst, int protocol, int length) {
        return (src >>> Short.SIZE) + (src & LOW_16) + (dst >>> Short.SIZE) + (dst & LOW_16) + protocol + length;
    }

    /** Folds a partial sum to 16 bits and complements it: the value to store in a checksum field. */
    public static short finish(int acc) {
        return (short) ~fold(acc & LOW_32);
    }

    private static int fold(long s) {
        while ((s >>> Short.SIZE) != 0) {
            s = (s & LOW_16) + (s >>> Short.SIZE);
        }
        return (int) s;
    }
}
