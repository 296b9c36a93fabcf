package io.understudy.stack.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SendBufferTest {
    static final int ISS = 5_000;

    /** The application's stream: byte {@code i} of it. */
    static byte app(long i) {
        return (byte) (i * 0x9E37_79B1L >>> 24 ^ i);
    }

    static byte[] appBytes(long from, int len) {
        byte[] b = new byte[len];
        for (int i = 0; i < len; i++) {
            b[i] = app(from + i);
        }
        return b;
    }

    static SendBuffer buffer(int capacity, int startSeq) {
        var sb = new SendBuffer(capacity);
        sb.reset(startSeq);
        return sb;
    }

    /** Copies [seq, seq + len) out of the buffer through a junk-filled buffer, returning the bytes copied. */
    static byte[] copy(SendBuffer sb, int seq, int len) {
        ByteBuffer dst = ByteBuffer.allocate(len + 10);
        Arrays.fill(dst.array(), (byte) 0xEE);
        int n = sb.copy(seq, dst, 7, len);
        assertThat(dst.get(6)).as("byte before the target untouched").isEqualTo((byte) 0xEE);
        if (7 + n < dst.capacity()) {
            assertThat(dst.get(7 + n)).as("byte after the copy untouched").isEqualTo((byte) 0xEE);
        }
        return Arrays.copyOfRange(dst.array(), 7, 7 + n);
    }

    @Test void appendedBytesAreAddressedBySequenceNumber() {
        var sb = buffer(64, ISS);
        assertThat(sb.appendBytes(ByteBuffer.wrap(appBytes(0, 40)))).isEqualTo(40);
        assertThat(sb.length()).isEqualTo(40);
        assertThat(sb.free()).isEqualTo(24);
        assertThat(sb.startSeq()).isEqualTo(ISS);
        assertThat(sb.endSeq()).isEqualTo(ISS + 40);
        assertThat(copy(sb, ISS, 40)).isEqualTo(appBytes(0, 40));
        assertThat(copy(sb, ISS + 13, 5)).isEqualTo(appBytes(13, 5));
        assertThat(copy(sb, ISS + 30, 100)).as("clipped at endSeq").isEqualTo(appBytes(30, 10));
        assertThat(copy(sb, ISS + 40, 10)).as("nothing at endSeq").isEmpty();
    }

    @Test void acknowledgingDropsBytesAndFreesSpace() {
        var sb = buffer(64, ISS);
        sb.appendBytes(appBytes(0, 64), 0, 64);
        assertThat(sb.free()).isZero();
        assertThat(sb.acknowledge(ISS + 20)).isEqualTo(20);
        assertThat(sb.startSeq()).isEqualTo(ISS + 20);
        assertThat(sb.length()).isEqualTo(44);
        assertThat(sb.free()).isEqualTo(20);
        assertThat(copy(sb, ISS + 20, 44)).isEqualTo(appBytes(20, 44));
        assertThat(sb.acknowledge(ISS + 20)).as("duplicate ACK").isZero();
        assertThat(sb.acknowledge(ISS + 64)).isEqualTo(44);
        assertThat(sb.length()).isZero();
    }

    @Test void appendAcceptsOnlyWhatFits() {
        var sb = buffer(32, ISS);
        ByteBuffer src = ByteBuffer.wrap(appBytes(0, 50));
        assertThat(sb.appendBytes(src)).isEqualTo(32);
        assertThat(src.position()).isEqualTo(32);
        assertThat(sb.appendBytes(src)).isZero();
        assertThat(sb.appendBytes(new byte[5], 0, 5)).isZero();
        sb.acknowledge(ISS + 8);
        assertThat(sb.appendBytes(src)).isEqualTo(8);
        assertThat(src.position()).isEqualTo(40);
        assertThat(copy(sb, ISS + 8, 32)).isEqualTo(appBytes(8, 32));
    }

    @Test void wrapsAroundTheRingAndTheSequenceSpace() {
        int start = 0xFFFF_FFF0;
        var sb = buffer(16, start);
        long appended = 0, acked = 0;
        var random = new Random(2);
        for (int i = 0; i < 1000; i++) {
            int len = 1 + random.nextInt(16);
            int n = sb.appendBytes(appBytes(appended, len), 0, len);
            appended += n;
            int held = sb.length();
            assertThat(copy(sb, sb.startSeq(), held)).isEqualTo(appBytes(acked, held));
            int ack = random.nextInt(held + 1);
            sb.acknowledge(sb.startSeq() + ack);
            acked += ack;
            assertThat(sb.startSeq()).isEqualTo(start + (int) acked);
        }
        assertThat(acked).as("went round the 2^32 boundary").isGreaterThan(16);
    }

    @Test void copiesFromAnyOffsetMatchTheStream() {
        for (long seed = 1; seed <= 10; seed++) {
            var random = new Random(seed);
            int capacity = 1 << (4 + random.nextInt(10));
            int start = random.nextInt();
            var sb = buffer(capacity, start);
            long appended = 0, acked = 0;
            ByteBuffer src = ByteBuffer.allocate(capacity * 2);
            for (int op = 0; op < 3000; op++) {
                switch (random.nextInt(3)) {
                    case 0 -> {
                        int len = random.nextInt(capacity + 1);
                        src.clear();
                        src.put(appBytes(appended, len)).flip();
                        int n = sb.appendBytes(src);
                        assertThat(n).isEqualTo(Math.min(len, capacity - (int) (appended - acked)));
                        appended += n;
                    }
                    case 1 -> {
                        int ack = random.nextInt((int) (appended - acked) + 1);
                        assertThat(sb.acknowledge(sb.startSeq() + ack)).isEqualTo(ack);
                        acked += ack;
                    }
                    default -> {
                        int held = (int) (appended - acked);
                        int offset = random.nextInt(held + 1);
                        int len = random.nextInt(held + 10);
                        byte[] got = copy(sb, start + (int) acked + offset, len);
                        assertThat(got).isEqualTo(appBytes(acked + offset, Math.min(len, held - offset)));
                    }
                }
                assertThat(sb.length()).isEqualTo((int) (appended - acked));
                assertThat(sb.free()).isEqualTo(capacity - sb.length());
                assertThat(sb.endSeq()).isEqualTo(start + (int) appended);
            }
        }
    }

    /** Appends ever longer pieces: the ring wraps while small, then grows with wrapped contents and keeps the queue intact. */
    @Test void growsAcrossTheWrapKeepingTheQueue() {
        int wrappedGrowths = 0;
        for (long seed = 1; seed <= 10; seed++) {
            var random = new Random(seed);
            int capacity = 1 << 12;
            var sb = buffer(capacity, random.nextInt());
            long appended = 0, acked = 0;
            int most = 0;
            for (int op = 0; op < 2000; op++) {
                int ring = sb.allocatedBytes();
                boolean wrapped = ring > 0 && (sb.startSeq() & (ring - 1)) + sb.length() > ring;
                int len = 1 + random.nextInt(Math.min(capacity, 4 << op / 200));
                appended += sb.appendBytes(appBytes(appended, len), 0, len);
                most = Math.max(most, sb.length());
                assertThat(sb.allocatedBytes()).isEqualTo(ReceiveBufferTest.ceilPow2(most));
                if (sb.allocatedBytes() > ring && wrapped) {
                    wrappedGrowths++;
                }
                assertThat(copy(sb, sb.startSeq(), sb.length())).isEqualTo(appBytes(acked, sb.length()));
                acked += sb.acknowledge(sb.startSeq() + random.nextInt(sb.length() + 1));
            }
            assertThat(appended - acked).isEqualTo(sb.length());
        }
        assertThat(wrappedGrowths).as("growths with the queue wrapping round the ring").isGreaterThan(10);
    }

    @Test void anIdleQueueHoldsNoRingAndGrowsOnlyForBytesItHolds() {
        var sb = buffer(1 << 20, ISS);
        assertThat(sb.allocatedBytes()).isZero();
        assertThat(sb.free()).isEqualTo(1 << 20);
        assertThat(copy(sb, ISS, 10)).isEmpty();
        assertThat(sb.acknowledge(ISS)).isZero();
        assertThat(sb.appendBytes(ByteBuffer.allocate(0))).isZero();
        assertThat(sb.allocatedBytes()).isZero();
        sb.appendBytes(appBytes(0, 100), 0, 100);
        assertThat(sb.allocatedBytes()).isEqualTo(128);
        sb.acknowledge(ISS + 60);
        sb.appendBytes(appBytes(100, 1000), 0, 1000);
        assertThat(sb.allocatedBytes()).as("holds 1040 bytes").isEqualTo(2048);
        assertThat(copy(sb, ISS + 60, 1040)).isEqualTo(appBytes(60, 1040));
        sb.acknowledge(sb.endSeq());
        assertThat(sb.allocatedBytes()).as("never shrinks").isEqualTo(2048);
        assertThat(sb.free()).isEqualTo(1 << 20);
    }

    @Test void growthStopsAtTheCapacity() {
        var sb = buffer(1 << 12, ISS);
        long appended = 0;
        for (int i = 0; i < 6; i++) {
            appended += sb.appendBytes(appBytes(appended, 1000), 0, 1000);
            assertThat(sb.allocatedBytes()).isEqualTo(ReceiveBufferTest.ceilPow2(sb.length()));
        }
        assertThat(appended).isEqualTo(1 << 12);
        assertThat(sb.allocatedBytes()).isEqualTo(1 << 12);
        assertThat(copy(sb, ISS, 1 << 12)).isEqualTo(appBytes(0, 1 << 12));
    }

    @Test void copyLeavesTheDestinationPositionAndLimitAlone() {
        var sb = buffer(64, ISS);
        sb.appendBytes(appBytes(0, 20), 0, 20);
        ByteBuffer dst = ByteBuffer.allocate(40);
        dst.position(3).limit(30);
        assertThat(sb.copy(ISS, dst, 10, 20)).isEqualTo(20);
        assertThat(dst.position()).isEqualTo(3);
        assertThat(dst.limit()).isEqualTo(30);
        assertThatThrownBy(() -> sb.copy(ISS, dst, 15, 20)).as("past the limit").isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test void sequenceNumbersOutsideTheQueueAreBugs() {
        var sb = buffer(64, ISS);
        sb.appendBytes(appBytes(0, 20), 0, 20);
        ByteBuffer dst = ByteBuffer.allocate(100);
        assertThatThrownBy(() -> sb.copy(ISS - 1, dst, 0, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> sb.copy(ISS + 21, dst, 0, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> sb.acknowledge(ISS - 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> sb.acknowledge(ISS + 21)).as("an ACK of the FIN is not data").isInstanceOf(IllegalArgumentException.class);
        assertThat(sb.length()).isEqualTo(20);
    }

    @Test void resetEmptiesAndRebases() {
        var sb = buffer(64, ISS);
        sb.appendBytes(appBytes(0, 20), 0, 20);
        sb.reset(-3);
        assertThat(sb.length()).isZero();
        assertThat(sb.startSeq()).isEqualTo(-3);
        sb.appendBytes(appBytes(0, 10), 0, 10);
        assertThat(copy(sb, -3, 10)).isEqualTo(appBytes(0, 10));
    }

    @Test void rejectsCapacitiesThatAreNotPowersOfTwo() {
        assertThatThrownBy(() -> new SendBuffer(100)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SendBuffer(-8)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test void appendCopyAndAcknowledgeDoNotAllocate() {
        var sb = buffer(1 << 16, ISS);
        ByteBuffer src = ByteBuffer.wrap(appBytes(0, 3000));
        byte[] srcArray = appBytes(0, 1000);
        ByteBuffer frame = ByteBuffer.allocate(1514);
        long[] sink = new long[1];
        long allocated = Allocations.steadyState(() -> {
            for (int i = 0; i < 100_000; i++) {
                src.clear();
                sink[0] += sb.appendBytes(src);
                sink[0] += sb.appendBytes(srcArray, 0, srcArray.length);
                int seq = sb.startSeq();
                while (seq != sb.endSeq()) {
                    seq += sb.copy(seq, frame, 54, 1460);
                }
                sink[0] += sb.acknowledge(sb.endSeq());
            }
        });
        assertThat(allocated).as("bytes allocated by 100k append/copy/ack rounds").isLessThan(1024);
        assertThat(sink[0]).isNotZero();
    }
}
