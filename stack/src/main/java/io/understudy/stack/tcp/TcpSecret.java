package io.understudy.stack.tcp;

import java.security.SecureRandom;

/**
 * The 128-bit secret key of the keyed functions that TCP derives from a connection's 4-tuple:
 * initial sequence numbers and timestamp offsets ({@link IsnGenerator}) and SYN cookies
 * ({@link SynCookies}).
 *
 * <p>The key is part of the <em>replicated configuration</em>: a primary and its standby must
 * use the same key, or after a takeover the standby would reject the SYN cookies the primary
 * handed out and would choose other ISNs and timestamp offsets for the same 4-tuples. Generate
 * it once per service (not per process), store it with the rest of the configuration, and
 * hand it to every instance. {@link #toString()} never shows it.
 *
 * @param k0 the first 8 key bytes, read little-endian (SipHash's convention)
 * @param k1 the last 8 key bytes, read little-endian
 */
public record TcpSecret(long k0, long k1) {
    /** Key length in bytes. */
    public static final int LENGTH = 16;

    /** The key whose 16 bytes are {@code key}, in SipHash's byte order. */
    public static TcpSecret fromBytes(byte[] key) {
        if (key.length != LENGTH) {
            throw new IllegalArgumentException("a TCP secret is " + LENGTH + " bytes, got " + key.length);
        }
        return new TcpSecret(littleEndian(key, 0), littleEndian(key, Long.BYTES));
    }

    /** A fresh key from {@code random}; do this once per service and replicate the result. */
    public static TcpSecret generate(SecureRandom random) {
        byte[] key = new byte[LENGTH];
        random.nextBytes(key);
        return fromBytes(key);
    }

    /** The 16 key bytes, inverse of {@link #fromBytes}. */
    public byte[] toBytes() {
        byte[] key = new byte[LENGTH];
        for (int i = 0; i < Long.BYTES; i++) {
            key[i] = (byte) (k0 >>> (8 * i));
            key[Long.BYTES + i] = (byte) (k1 >>> (8 * i));
        }
        return key;
    }

    /** A redacted form: the key never reaches a log. */
    @Override
    public String toString() {
        return "TcpSecret[redacted]";
    }

    private static long littleEndian(byte[] b, int at) {
        long v = 0;
        for (int i = Long.BYTES - 1; i >= 0; i--) {
            v = v << 8 | (b[at + i] & 0xFFL);
        }
        return v;
    }
}
