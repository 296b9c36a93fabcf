package io.understudy.stack.tcp;

/**
 * SipHash-2-4 (Aumasson and Bernstein, "SipHash: a fast short-input PRF", 2012), the keyed
 * pseudo-random function behind {@link IsnGenerator} and {@link SynCookies}, as Linux uses it
 * for the same purposes.
 *
 * <p>An instance holds the key and the four words of state, so hashing allocates nothing; it
 * is therefore not thread-safe. Messages are fed as little-endian 64-bit words (the paper's
 * byte order), so {@link #hashTuple} equals {@link #hash(byte[], int, int)} over the same bytes.
 */
final class SipHash {
    /** Domain-separation tags for {@link #hashTuple}: one per function derived from the key. */
    static final int TAG_ISN = 1, TAG_TIMESTAMP_OFFSET = 2, TAG_COOKIE_OFFSET = 3, TAG_COOKIE_MAC = 4;

    private static final int TUPLE_LENGTH = 3 * Long.BYTES;

    private final long k0;
    private final long k1;
    private long v0, v1, v2, v3;

    /** A hasher for the 128-bit key {@code k0 ‖ k1} (each half read little-endian from the key bytes). */
    SipHash(long k0, long k1) {
        this.k0 = k0;
        this.k1 = k1;
    }

    /** A hasher for {@code secret}. */
    SipHash(TcpSecret secret) {
        this(secret.k0(), secret.k1());
    }

    /** SipHash-2-4 of {@code len} bytes of {@code msg} from {@code off}. */
    long hash(byte[] msg, int off, int len) {
        begin();
        int words = len / Long.BYTES;
        for (int w = 0; w < words; w++) {
            long m = 0;
            for (int b = Long.BYTES - 1; b >= 0; b--) {
                m = m << 8 | (msg[off + w * Long.BYTES + b] & 0xFFL);
            }
            word(m);
        }
        long tail = 0;
        for (int b = len - 1; b >= words * Long.BYTES; b--) {
            tail = tail << 8 | (msg[off + b] & 0xFFL);
        }
        return finish(len, tail);
    }

    /**
     * SipHash-2-4 of the 24 bytes {@code localIp, remoteIp (LE), localPort, remotePort (LE 16-bit),
     * tag (LE 32-bit), extra (LE 64-bit)}: a connection's 4-tuple, a domain-separation tag so that
     * one key serves several independent functions, and one word of per-use input.
     */
    long hashTuple(int tag, int localIp, int localPort, int remoteIp, int remotePort, long extra) {
        begin();
        word((localIp & 0xFFFF_FFFFL) | (long) remoteIp << 32);
        word((localPort & 0xFFFFL) | (remotePort & 0xFFFFL) << 16 | (long) tag << 32);
        word(extra);
        return finish(TUPLE_LENGTH, 0);
    }

    private void begin() {
        v0 = k0 ^ 0x736f6d6570736575L;
        v1 = k1 ^ 0x646f72616e646f6dL;
        v2 = k0 ^ 0x6c7967656e657261L;
        v3 = k1 ^ 0x7465646279746573L;
    }

    /** Compresses one message word with two SipRounds. */
    private void word(long m) {
        v3 ^= m;
        round();
        round();
        v0 ^= m;
    }

    /** Pads with the length byte, then four finalization SipRounds. */
    private long finish(int length, long tail) {
        word((long) length << 56 | tail);
        v2 ^= 0xFF;
        round();
        round();
        round();
        round();
        return v0 ^ v1 ^ v2 ^ v3;
    }

    private void round() {
        v0 += v1;
        v1 = Long.rotateLeft(v1, 13);
        v1 ^= v0;
        v0 = Long.rotateLeft(v0, 32);
        v2 += v3;
        v3 = Long.rotateLeft(v3, 16);
        v3 ^= v2;
        v0 += v3;
        v3 = Long.rotateLeft(v3, 21);
        v3 ^= v0;
        v2 += v1;
        v1 = Long.rotateLeft(v1, 17);
        v1 ^= v2;
        v2 = Long.rotateLeft(v2, 32);
    }
}
