package io.understudy.stack.ip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.understudy.stack.ip.Ipv4Reassembler.Config;
import io.understudy.stack.ip.Ipv4Reassembler.Result;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class Ipv4ReassemblerTest {
    static final long S = 1_000_000_000L;
    static final int SRC = 0xC0A80001, DST = 0xC0A80002, UDP = 17, ID = 0x1234;

    /** One fragment of {@link #payload}: [offset, offset + length). */
    record Fragment(int offset, int length, boolean more) {}

    /** Datagram payload whose byte at i is derived from i and a salt, so misplaced bytes show. */
    static byte[] payload(int length, int salt) {
        byte[] p = new byte[length];
        for (int i = 0; i < length; i++) {
            p[i] = (byte) (i * 31 + (i >>> 8) + salt);
        }
        return p;
    }

    /** Splits a payload into fragments of {@code size} bytes (a multiple of 8). */
    static List<Fragment> split(int total, int size) {
        List<Fragment> out = new ArrayList<>();
        for (int off = 0; off < total; off += size) {
            int len = Math.min(size, total - off);
            out.add(new Fragment(off, len, off + len < total));
        }
        return out;
    }

    /** Offers a fragment of {@code payload}, placed inside a larger buffer with junk around it. */
    static Result offer(Ipv4Reassembler r, long now, int id, byte[] payload, Fragment f) {
        return offer(r, now, id, 20, payload, f);
    }

    static Result offer(Ipv4Reassembler r, long now, int id, int headerLength, byte[] payload, Fragment f) {
        ByteBuffer frame = ByteBuffer.allocate(34 + f.length() + 7);
        for (int i = 0; i < frame.capacity(); i++) {
            frame.put(i, (byte) 0xEE);
        }
        frame.put(34, payload, f.offset(), f.length());
        return r.offer(now, SRC, DST, UDP, id, headerLength, f.offset(), f.more(), frame, 34, f.length());
    }

    static byte[] completedBytes(Ipv4Reassembler r) {
        ByteBuffer b = r.completed();
        byte[] out = new byte[b.remaining()];
        b.get(b.position(), out);
        return out;
    }

    /** Offers all fragments; every one but the last must be INCOMPLETE and the last COMPLETE. */
    static void reassemble(Ipv4Reassembler r, long now, int id, byte[] payload, List<Fragment> order) {
        for (int i = 0; i < order.size(); i++) {
            Result expected = i == order.size() - 1 ? Result.COMPLETE : Result.INCOMPLETE;
            assertThat(offer(r, now, id, payload, order.get(i))).as("fragment %d %s", i, order.get(i)).isEqualTo(expected);
        }
        assertThat(completedBytes(r)).isEqualTo(payload);
        assertThat(r.completedId()).isEqualTo(id);
    }

    @Test void inOrderFragmentsReassemble() {
        var r = new Ipv4Reassembler();
        byte[] p = payload(4000, 1);
        reassemble(r, 0, ID, p, split(p.length, 1480));
        assertThat(r.completedSrc()).isEqualTo(SRC);
        assertThat(r.completedDst()).isEqualTo(DST);
        assertThat(r.completedProtocol()).isEqualTo(UDP);
        assertThat(r.inProgress()).isZero();
        assertThat(r.bufferedBytes()).isZero();
        assertThat(r.hasDeadline()).isFalse();
    }

    @Test void reverseOrderFragmentsReassemble() {
        var r = new Ipv4Reassembler();
        byte[] p = payload(5003, 2);
        List<Fragment> frags = split(p.length, 1000);
        Collections.reverse(frags);
        reassemble(r, 0, ID, p, frags);
    }

    @ParameterizedTest @ValueSource(longs = {1, 2, 3, 42, 1234})
    void randomlySizedFragmentsInRandomOrderReassembleTheLargestPayload(long seed) {
        var rnd = new Random(seed);
        var r = new Ipv4Reassembler();
        int total = Ipv4Reassembler.MAX_DATAGRAM - 20; // 65515
        byte[] p = payload(total, (int) seed);
        List<Fragment> frags = new ArrayList<>();
        for (int off = 0; off < total; ) {
            int len = Math.min(8 * (1 + rnd.nextInt(200)), total - off);
            frags.add(new Fragment(off, len, off + len < total));
            off += len;
        }
        Collections.shuffle(frags, rnd);
        reassemble(r, 7, ID, p, frags);
    }

    @Test void exactDuplicateAndDataAlreadyReceivedAreIgnored() {
        var r = new Ipv4Reassembler();
        byte[] p = payload(3000, 3);
        assertThat(offer(r, 0, ID, p, new Fragment(0, 1000, true))).isEqualTo(Result.INCOMPLETE);
        assertThat(offer(r, 0, ID, p, new Fragment(1000, 1000, true))).isEqualTo(Result.INCOMPLETE);
        assertThat(offer(r, 0, ID, p, new Fragment(0, 1000, true))).isEqualTo(Result.DUPLICATE);
        assertThat(offer(r, 0, ID, p, new Fragment(504, 1000, true))).as("inside received bytes").isEqualTo(Result.DUPLICATE);
        assertThat(r.bufferedBytes()).isEqualTo(2000);
        assertThat(offer(r, 0, ID, p, new Fragment(2000, 1000, false))).isEqualTo(Result.COMPLETE);
        assertThat(completedBytes(r)).isEqualTo(p);
    }

    @Test void duplicateLastFragmentIsIgnored() {
        var r = new Ipv4Reassembler();
        byte[] p = payload(1003, 4);
        offer(r, 0, ID, p, new Fragment(1000, 3, false));
        assertThat(offer(r, 0, ID, p, new Fragment(1000, 3, false))).isEqualTo(Result.DUPLICATE);
        assertThat(offer(r, 0, ID, p, new Fragment(0, 1000, true))).isEqualTo(Result.COMPLETE);
        assertThat(completedBytes(r)).isEqualTo(p);
    }

    @Test void partialOverlapDropsTheWholeDatagram() {
        var r = new Ipv4Reassembler();
        byte[] p = payload(3000, 5);
        offer(r, 0, ID, p, new Fragment(0, 1000, true));
        offer(r, 0, ID, p, new Fragment(2000, 1000, false));
        assertThat(offer(r, 0, ID, p, new Fragment(992, 16, true))).isEqualTo(Result.OVERLAP);
        assertThat(r.inProgress()).isZero();
        assertThat(r.bufferedBytes()).isZero();
        assertThat(offer(r, 0, ID, p, new Fragment(1000, 1000, true))).as("starts afresh").isEqualTo(Result.INCOMPLETE);
    }

    @Test void fragmentPastTheMaximumDatagramIsTooBig() {
        var r = new Ipv4Reassembler();
        byte[] p = payload(65536, 6);
        assertThat(offer(r, 0, ID, p, new Fragment(65512, 8, false))).isEqualTo(Result.TOO_BIG); // ends at 65520 > 65515
        assertThat(r.inProgress()).isZero();
        offer(r, 0, ID, p, new Fragment(1000, 8, true));
        assertThat(offer(r, 0, ID, p, new Fragment(65504, 16, true))).isEqualTo(Result.TOO_BIG);
        assertThat(r.inProgress()).as("datagram dropped too").isZero();
    }

    @Test void offsetsTheFieldHoldsButNoDatagramCanReachAreTooBigNotCallerBugs() {
        var r = new Ipv4Reassembler();
        byte[] p = payload(65536, 6);
        assertThat(offer(r, 0, ID, p, new Fragment(65520, 8, false))).isEqualTo(Result.TOO_BIG);
        assertThat(offer(r, 0, ID, p, new Fragment(65528, 7, false))).isEqualTo(Result.TOO_BIG);
        assertThatThrownBy(() -> offer(r, 0, ID, p, new Fragment(65536, 0, false))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test void firstFragmentWithOptionsLowersThePayloadLimit() {
        var r = new Ipv4Reassembler();
        byte[] p = payload(65515, 7);
        assertThat(offer(r, 0, ID, p, new Fragment(65000, 515, false))).isEqualTo(Result.INCOMPLETE);
        assertThat(offer(r, 0, ID, 24, p, new Fragment(0, 1000, true))).isEqualTo(Result.TOO_BIG);
        assertThat(r.inProgress()).isZero();
        assertThat(offer(r, 0, ID, 24, p, new Fragment(0, 1000, true))).isEqualTo(Result.INCOMPLETE);
        assertThat(offer(r, 0, ID, p, new Fragment(65000, 512, false))).as("65512 > 65535 - 24").isEqualTo(Result.TOO_BIG);
    }

    @Test void badLengthsDropOnlyTheFragment() {
        var r = new Ipv4Reassembler();
        byte[] p = payload(3000, 8);
        offer(r, 0, ID, p, new Fragment(0, 1000, true));
        assertThat(offer(r, 0, ID, p, new Fragment(1000, 1001, true))).as("middle not multiple of 8").isEqualTo(Result.BAD_LENGTH);
        assertThat(offer(r, 0, ID, p, new Fragment(1000, 0, true))).as("empty").isEqualTo(Result.BAD_LENGTH);
        assertThat(offer(r, 0, ID, p, new Fragment(1000, 0, false))).as("empty last").isEqualTo(Result.BAD_LENGTH);
        assertThat(r.inProgress()).isEqualTo(1);
        assertThat(r.bufferedBytes()).isEqualTo(1000);
    }

    @Test void secondLastFragmentWithAnotherEndDropsTheDatagram() {
        var r = new Ipv4Reassembler();
        byte[] p = payload(3000, 9);
        offer(r, 0, ID, p, new Fragment(0, 1000, true));
        offer(r, 0, ID, p, new Fragment(2000, 1000, false));
        assertThat(offer(r, 0, ID, p, new Fragment(1000, 1500, false))).isEqualTo(Result.CONFLICTING_LAST);
        assertThat(r.inProgress()).isZero();
    }

    @Test void dataBeyondTheKnownEndDropsTheDatagram() {
        var r = new Ipv4Reassembler();
        byte[] p = payload(4000, 10);
        offer(r, 0, ID, p, new Fragment(1000, 1000, false));
        assertThat(offer(r, 0, ID, p, new Fragment(2000, 1000, true))).isEqualTo(Result.CONFLICTING_LAST);
        assertThat(r.inProgress()).isZero();
    }

    @Test void lastFragmentEndingBeforeReceivedDataDropsTheDatagram() {
        var r = new Ipv4Reassembler();
        byte[] p = payload(4000, 11);
        offer(r, 0, ID, p, new Fragment(2000, 1000, true));
        assertThat(offer(r, 0, ID, p, new Fragment(1000, 500, false))).isEqualTo(Result.CONFLICTING_LAST);
        assertThat(r.inProgress()).isZero();
    }

    @Test void nonFragmentIsACallerBug() {
        var r = new Ipv4Reassembler();
        byte[] p = payload(100, 12);
        assertThatThrownBy(() -> offer(r, 0, ID, p, new Fragment(0, 100, false)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(r.inProgress()).isZero();
    }

    @Test void outOfRangeArgumentsAreCallerBugs() {
        var r = new Ipv4Reassembler();
        ByteBuffer b = ByteBuffer.allocate(100);
        assertThatThrownBy(() -> r.offer(0, SRC, DST, UDP, ID, 20, 4, true, b, 0, 8)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> r.offer(0, SRC, DST, UDP, ID, 16, 8, true, b, 0, 8)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> r.offer(0, SRC, DST, UDP, ID, 20, 8, true, b, 96, 8)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test void completedIsOnlyAvailableRightAfterCompletion() {
        var r = new Ipv4Reassembler();
        byte[] p = payload(16, 13);
        assertThatThrownBy(r::completed).isInstanceOf(IllegalStateException.class);
        offer(r, 0, ID, p, new Fragment(0, 8, true));
        offer(r, 0, ID, p, new Fragment(8, 8, false));
        assertThat(r.completed().remaining()).isEqualTo(16);
        offer(r, 0, ID + 1, p, new Fragment(0, 8, true));
        assertThatThrownBy(r::completed).isInstanceOf(IllegalStateException.class);
    }

    @Test void datagramTimesOutExactlyAtDeadlineFromFirstFragment() {
        var r = new Ipv4Reassembler();
        byte[] p = payload(3000, 14);
        long t0 = 77 * S;
        offer(r, t0, ID, p, new Fragment(0, 1000, true));
        offer(r, t0 + 10 * S, ID, p, new Fragment(1000, 1000, true));
        assertThat(r.nextDeadline()).isEqualTo(t0 + 30 * S);
        assertThat(r.expire(t0 + 30 * S - 1)).isZero();
        assertThat(r.expire(t0 + 30 * S)).isEqualTo(1);
        assertThat(r.inProgress()).isZero();
        assertThat(r.bufferedBytes()).isZero();
        assertThat(r.timeouts()).isEqualTo(1);
        assertThat(r.hasDeadline()).isFalse();
        assertThatThrownBy(r::nextDeadline).isInstanceOf(IllegalStateException.class);
    }

    @Test void fragmentArrivingAtTheDeadlineStartsAFreshDatagram() {
        var r = new Ipv4Reassembler();
        byte[] p = payload(2000, 15);
        offer(r, 0, ID, p, new Fragment(0, 1000, true));
        assertThat(offer(r, 30 * S - 1, ID, p, new Fragment(0, 1000, true))).isEqualTo(Result.DUPLICATE);
        assertThat(offer(r, 30 * S, ID, p, new Fragment(1000, 1000, false))).isEqualTo(Result.INCOMPLETE);
        assertThat(r.timeouts()).isEqualTo(1);
        assertThat(r.nextDeadline()).isEqualTo(60 * S);
        assertThat(r.bufferedBytes()).isEqualTo(1000);
    }

    @Test void deadlinesWrapAroundNearLongMaxValue() {
        var r = new Ipv4Reassembler();
        byte[] p = payload(16, 16);
        long t0 = Long.MAX_VALUE - 10 * S;
        offer(r, t0, ID, p, new Fragment(0, 8, true));
        assertThat(r.nextDeadline()).isNegative();
        assertThat(r.expire(t0 + 30 * S - 1)).isZero();
        assertThat(offer(r, t0 + 29 * S, ID, p, new Fragment(8, 8, false))).isEqualTo(Result.COMPLETE);
        offer(r, t0, ID + 1, p, new Fragment(0, 8, true));
        assertThat(r.expire(t0 + 30 * S)).isEqualTo(1);
    }

    @Test void expireDropsOnlyDatagramsWhoseTimeHasCome() {
        var r = new Ipv4Reassembler();
        byte[] p = payload(16, 17);
        for (int i = 0; i < 5; i++) {
            offer(r, i * S, ID + i, p, new Fragment(0, 8, true));
        }
        assertThat(r.expire(32 * S)).isEqualTo(3);
        assertThat(r.inProgress()).isEqualTo(2);
        assertThat(r.nextDeadline()).isEqualTo(33 * S);
    }

    @Test void tooManyDatagramsEvictsTheOldest() {
        var r = new Ipv4Reassembler(new Config(4, 1 << 20, 30 * S));
        byte[] p = payload(16, 18);
        for (int i = 0; i < 5; i++) {
            assertThat(offer(r, i, ID + i, p, new Fragment(0, 8, true))).isEqualTo(Result.INCOMPLETE);
        }
        assertThat(r.inProgress()).isEqualTo(4);
        assertThat(r.evictions()).isEqualTo(1);
        assertThat(offer(r, 10, ID, p, new Fragment(8, 8, false))).as("oldest is gone").isEqualTo(Result.INCOMPLETE);
        assertThat(offer(r, 10, ID + 4, p, new Fragment(8, 8, false))).isEqualTo(Result.COMPLETE);
    }

    @Test void tooManyBytesEvictsTheOldestOtherDatagram() {
        var r = new Ipv4Reassembler(new Config(64, 3000, 30 * S));
        byte[] p = payload(3000, 19);
        offer(r, 0, ID, p, new Fragment(0, 1480, true));
        offer(r, 1, ID + 1, p, new Fragment(0, 1480, true));
        assertThat(offer(r, 2, ID + 1, p, new Fragment(1480, 48, false))).as("evicts ID, not itself").isEqualTo(Result.COMPLETE);
        assertThat(r.evictions()).isEqualTo(1);
        assertThat(r.inProgress()).isZero();
    }

    @Test void datagramThatCannotFitAloneIsRefused() {
        var r = new Ipv4Reassembler(new Config(64, 2000, 30 * S));
        byte[] p = payload(4000, 20);
        offer(r, 0, ID + 1, p, new Fragment(0, 8, true));
        offer(r, 0, ID, p, new Fragment(0, 1480, true));
        assertThat(offer(r, 0, ID, p, new Fragment(1480, 1480, true))).isEqualTo(Result.NO_MEMORY);
        assertThat(r.inProgress()).as("nothing evicted in vain").isEqualTo(2);
        assertThat(r.evictions()).isZero();
        assertThat(r.bufferedBytes()).isEqualTo(1488);
    }

    @ParameterizedTest @ValueSource(ints = {8, 1480})
    void floodOfDistinctIdsStaysWithinBounds(int fragmentSize) {
        var config = new Config(64, 32 * 1024, 30 * S);
        var r = new Ipv4Reassembler(config);
        byte[] p = payload(fragmentSize, 21);
        for (int i = 0; i < 10_000; i++) {
            assertThat(offer(r, i, i, p, new Fragment(0, fragmentSize, true))).isEqualTo(Result.INCOMPLETE);
            assertThat(r.inProgress()).isLessThanOrEqualTo(64);
            assertThat(r.bufferedBytes()).isLessThanOrEqualTo(32 * 1024);
        }
        assertThat(r.slabsAllocated()).isLessThanOrEqualTo(64);
        assertThat(r.evictions()).isEqualTo(10_000 - r.inProgress());
    }

    @Test void steadyStateReusesSlabs() {
        var r = new Ipv4Reassembler();
        byte[] p = payload(4000, 22);
        List<Fragment> frags = split(p.length, 1480);
        for (int i = 0; i < 3; i++) { // warm up: three datagrams in flight at once
            offer(r, 0, 100 + i, p, frags.get(0));
        }
        for (int i = 0; i < 3; i++) {
            offer(r, 0, 100 + i, p, frags.get(1));
            assertThat(offer(r, 0, 100 + i, p, frags.get(2))).isEqualTo(Result.COMPLETE);
        }
        int slabs = r.slabsAllocated();
        assertThat(slabs).isEqualTo(3);
        for (int id = 0; id < 1000; id++) {
            reassemble(r, id, id, p, frags);
        }
        assertThat(r.slabsAllocated()).isEqualTo(slabs);
    }

    @Test void interleavedDatagramsDoNotMix() {
        var r = new Ipv4Reassembler();
        byte[] a = payload(3000, 23), b = payload(3000, 24);
        List<Fragment> frags = split(3000, 1000);
        offer(r, 0, 1, a, frags.get(0));
        offer(r, 0, 2, b, frags.get(2));
        offer(r, 0, 2, b, frags.get(0));
        offer(r, 0, 1, a, frags.get(2));
        assertThat(offer(r, 0, 2, b, frags.get(1))).isEqualTo(Result.COMPLETE);
        assertThat(completedBytes(r)).isEqualTo(b);
        assertThat(offer(r, 0, 1, a, frags.get(1))).isEqualTo(Result.COMPLETE);
        assertThat(completedBytes(r)).isEqualTo(a);
    }

    @Test void keyIncludesSourceDestinationAndProtocol() {
        var r = new Ipv4Reassembler();
        ByteBuffer b = ByteBuffer.allocate(8);
        assertThat(r.offer(0, SRC, DST, UDP, ID, 20, 0, true, b, 0, 8)).isEqualTo(Result.INCOMPLETE);
        assertThat(r.offer(0, SRC + 1, DST, UDP, ID, 20, 0, true, b, 0, 8)).isEqualTo(Result.INCOMPLETE);
        assertThat(r.offer(0, SRC, DST + 1, UDP, ID, 20, 0, true, b, 0, 8)).isEqualTo(Result.INCOMPLETE);
        assertThat(r.offer(0, SRC, DST, 6, ID, 20, 0, true, b, 0, 8)).isEqualTo(Result.INCOMPLETE);
        assertThat(r.inProgress()).isEqualTo(4);
        assertThat(r.offer(0, SRC, DST, 6, ID, 20, 8, false, b, 0, 8)).isEqualTo(Result.COMPLETE);
        assertThat(r.completedProtocol()).isEqualTo(6);
    }
}
