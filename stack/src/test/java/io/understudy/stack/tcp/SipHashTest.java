package io.understudy.stack.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

class SipHashTest {
    /** The reference key 00 01 … 0f of the SipHash paper and its vectors.h. */
    static final SipHash REFERENCE = new SipHash(0x0706050403020100L, 0x0F0E0D0C0B0A0908L);

    static byte[] counting(int n) {
        byte[] m = new byte[n];
        for (int i = 0; i < n; i++) {
            m[i] = (byte) i;
        }
        return m;
    }

    @Test void matchesThePapersTestVector() {
        // Aumasson & Bernstein 2012, Appendix A: key 00..0f, message 00..0e.
        assertThat(REFERENCE.hash(counting(15), 0, 15)).isEqualTo(0xa129ca6149be45e5L);
    }

    @Test void matchesReferenceVectorsAtBlockBoundaries() {
        // vectors_sip64[n] of the reference implementation: message 00..(n-1), read little-endian.
        long[][] vectors = {
            {0, 0x726fdb47dd0e0e31L}, {1, 0x74f839c593dc67fdL}, {7, 0xab0200f58b01d137L},
            {8, 0x93f5f5799a932462L}, {16, 0x3f2acc7f57c29bdbL}, {23, 0xa80c038ccd5ccec8L},
            {24, 0xb8ad50c6f649af94L},
        };
        for (long[] v : vectors) {
            int n = (int) v[0];
            assertThat(REFERENCE.hash(counting(n), 0, n)).as("%d-byte message", n).isEqualTo(v[1]);
        }
    }

    @Test void hashesAMessageAtAnOffset() {
        byte[] padded = new byte[20];
        System.arraycopy(counting(15), 0, padded, 3, 15);
        assertThat(REFERENCE.hash(padded, 3, 15)).isEqualTo(0xa129ca6149be45e5L);
    }

    @Test void tupleHashEqualsTheByteHashOfItsDocumentedLayout() {
        var random = new Random(7);
        var sip = new SipHash(random.nextLong(), random.nextLong());
        for (int i = 0; i < 1000; i++) {
            int localIp = random.nextInt(), remoteIp = random.nextInt(), tag = random.nextInt();
            int localPort = random.nextInt(65536), remotePort = random.nextInt(65536);
            long extra = random.nextLong();
            byte[] m = new byte[24];
            putLe(m, 0, localIp, 4);
            putLe(m, 4, remoteIp, 4);
            putLe(m, 8, localPort, 2);
            putLe(m, 10, remotePort, 2);
            putLe(m, 12, tag, 4);
            putLe(m, 16, extra, 8);
            assertThat(sip.hashTuple(tag, localIp, localPort, remoteIp, remotePort, extra)).isEqualTo(sip.hash(m, 0, 24));
        }
    }

    private static void putLe(byte[] m, int at, long v, int n) {
        for (int i = 0; i < n; i++) {
            m[at + i] = (byte) (v >>> (8 * i));
        }
    }
}
