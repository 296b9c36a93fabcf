package io.understudy.stack.wire;

import static io.understudy.stack.wire.Bytes.AT;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ChecksumTest {
    private static final String IPV4_HEADER = "45 00 00 73 00 00 40 00 40 11 b8 61 c0 a8 00 01 c0 a8 00 c7";

    /** Byte-at-a-time reference: sum big-endian 16-bit words, pad an odd byte, fold. */
    private static int naiveSum(byte[] data, int acc) {
        long s = acc & 0xFFFF_FFFFL;
        for (int i = 0; i < data.length; i += 2) {
            int hi = data[i] & 0xFF;
            int lo = i + 1 < data.length ? data[i + 1] & 0xFF : 0;
            s += (hi << 8) | lo;
        }
        while ((s >>> 16) != 0) {
            s = (s & 0xFFFF) + (s >>> 16);
        }
        return (int) s;
    }

    @Test
    void rfc1071ExampleSumsToDdf2() {
        ByteBuffer buf = Bytes.at("00 01 f2 03 f4 f5 f6 f7");
        int sum = Checksum.sum(buf, AT, 8, 0);
        assertThat(sum).isEqualTo(0xDDF2);
        assertThat(Checksum.finish(sum)).isEqualTo((short) 0x220D);
    }

    @Test
    void knownIpv4HeaderChecksumIsB861() {
        ByteBuffer buf = Bytes.at(IPV4_HEADER);
        assertThat(Checksum.finish(Checksum.sum(buf, AT, 20, 0))).as("verifies in place").isZero();
        buf.putShort(AT + Ipv4Header.CHECKSUM, (short) 0);
        assertThat(Checksum.finish(Checksum.sum(buf, AT, 20, 0))).isEqualTo((short) 0xB861);
    }

    @Test
    void oddLengthPadsTheLastByteWithZero() {
        ByteBuffer buf = Bytes.at("01 02 03");
        assertThat(Checksum.sum(buf, AT, 3, 0)).isEqualTo(0x0102 + 0x0300);
        assertThat(Checksum.sum(buf, AT, 1, 0)).isEqualTo(0x0100);
        assertThat(Checksum.sum(buf, AT, 0, 0x1234)).isEqualTo(0x1234);
    }

    @Test
    void partialSumsChain() {
        byte[] data = new byte[64];
        new Random(7).nextBytes(data);
        ByteBuffer buf = Bytes.at(data);
        int whole = Checksum.sum(buf, AT, data.length, 0);
        int chained = Checksum.sum(buf, AT + 22, data.length - 22, Checksum.sum(buf, AT, 22, 0));
        assertThat(chained).isEqualTo(whole);
    }

    @Test
    void pseudoHeaderMatchesSummingItsBytes() {
        int src = 0xC0A8010A;
        int dst = 0xC0A80101;
        ByteBuffer pseudo = ByteBuffer.allocate(12)
                .putInt(0, src).putInt(4, dst).putShort(8, (short) 6).putShort(10, (short) 40);
        assertThat(Checksum.finish(Checksum.pseudoHeader(src, dst, 6, 40)))
                .isEqualTo(Checksum.finish(Checksum.sum(pseudo, 0, 12, 0)));
    }

    @Test
    void largestDatagramOfOnesDoesNotOverflow() {
        byte[] data = new byte[0xFFFF];
        java.util.Arrays.fill(data, (byte) 0xFF);
        assertThat(Checksum.sum(ByteBuffer.wrap(data), 0, data.length, 0xFFFF_FFFF)).isEqualTo(naiveSum(data, 0xFFFF_FFFF));
    }

    @Test
    void leavesPositionAndLimitAlone() {
        ByteBuffer buf = Bytes.at(IPV4_HEADER);
        buf.position(5).limit(22);
        Checksum.sum(buf, AT, 19, 0);
        assertThat(buf.position()).isEqualTo(5);
        assertThat(buf.limit()).isEqualTo(22);
    }

    @Test
    void agreesWithByteAtATimeReferenceOnRandomInput() {
        Random random = new Random(1071);
        for (int n = 0; n < 2_000; n++) {
            byte[] data = new byte[random.nextInt(300)];
            random.nextBytes(data);
            int acc = random.nextBoolean() ? 0 : random.nextInt();
            ByteBuffer buf = Bytes.at(data);
            assertThat(Checksum.sum(buf, AT, data.length, acc)).as("length %d", data.length).isEqualTo(naiveSum(data, acc));
        }
    }
}
