package io.understudy.httpd;

/**
 * The bytes {@code /bytes/N?seed=S} serves: byte {@code p} of the stream for seed {@code S} is
 * byte {@code p & 7} (little-endian) of {@code splitmix64(S + (p >>> 3) * 0x9E3779B97F4A7C15)},
 * the SplitMix64 finalizer. It depends only on the seed and the position, so the server can make
 * the stream in chunks of any size, and a client can reproduce it:
 *
 * <pre>{@code
 * long z = seed + (p >>> 3) * 0x9E3779B97F4A7C15L;
 * z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
 * z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
 * z ^= z >>> 31;
 * byte b = (byte) (z >>> ((p & 7) * 8));
 * }</pre>
 */
public final class SeededBytes {
    private SeededBytes() {}

    /** The byte at {@code position} of the stream for {@code seed}. */
    public static byte at(long seed, long position) {
        return (byte) (word(seed, position >>> 3) >>> ((position & 7) * 8));
    }

    private static long word(long seed, long index) {
        long z = seed + index * 0x9E37_79B9_7F4A_7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58_476D_1CE4_E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D0_49BB_1331_11EBL;
        return z ^ (z >>> 31);
    }

    /** Fills {@code dst[off, off+len)} with the bytes of the stream for {@code seed} from {@code position}. */
    public static void fill(long seed, long position, byte[] dst, int off, int len) {
        int i = 0;
        while (i < len && ((position + i) & 7) != 0) {
            dst[off + i] = at(seed, position + i);
            i++;
        }
        while (len - i >= 8) {
            long w = word(seed, (position + i) >>> 3);
            for (int k = 0; k < 8; k++) {
                dst[off + i + k] = (byte) (w >>> (k * 8));
            }
            i += 8;
        }
        while (i < len) {
            dst[off + i] = at(seed, position + i);
            i++;
        }
    }
}
