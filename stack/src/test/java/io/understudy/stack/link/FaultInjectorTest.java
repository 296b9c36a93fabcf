package io.understudy.stack.link;

import static org.assertj.core.api.Assertions.assertThat;

import io.understudy.stack.engine.StackHandler;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class FaultInjectorTest {
    private static final long MS = 1_000_000L;
    private static final int FRAME_LENGTH = 64;
    private static final int INDEX_AT = 14;

    /** Everything one side handed on: the buffers as given and their bytes at the time. */
    private static final class Recording implements StackHandler, Link {
        final List<ByteBuffer> buffers = new ArrayList<>();
        final List<byte[]> bytes = new ArrayList<>();

        @Override
        public void onFrame(long now, ByteBuffer frame) {
            transmit(frame);
        }

        @Override
        public void onBatchEnd(long now) {}

        @Override
        public void transmit(ByteBuffer frame) {
            buffers.add(frame);
            byte[] copy = new byte[frame.remaining()];
            frame.get(frame.position(), copy);
            bytes.add(copy);
        }

        List<Integer> indices() {
            return bytes.stream().map(b -> ByteBuffer.wrap(b).getInt(INDEX_AT)).toList();
        }
    }

    /** An injector with both sides wrapped around recordings, and one reused input buffer (as the ring's slot). */
    private static final class Harness {
        final FaultInjector injector;
        final Recording received = new Recording();
        final Recording sent = new Recording();
        final StackHandler inbound;
        final Link outbound;
        final ByteBuffer scratch = ByteBuffer.allocate(FRAME_LENGTH + 8);

        Harness(String spec) {
            this(new FaultInjector(FaultSpec.parse(spec)));
        }

        Harness(FaultInjector injector) {
            this.injector = injector;
            this.inbound = injector.wrapInbound(received);
            this.outbound = injector.wrapOutbound(sent);
        }

        void receive(long now, int... indices) {
            for (int i : indices) {
                inbound.onFrame(now, frame(scratch, i));
            }
        }

        void send(int... indices) {
            for (int i : indices) {
                outbound.transmit(frame(scratch, i));
            }
        }

        void batchEnd(long now) {
            inbound.onBatchEnd(now);
            outbound.flush();
        }
    }

    /** Frame {@code i} written into {@code buf} after 8 bytes, so it starts at a non-zero position. */
    private static ByteBuffer frame(ByteBuffer buf, int i) {
        buf.clear().position(8);
        for (int b = 8; b < buf.limit(); b++) {
            buf.put(b, (byte) (i * 31 + b));
        }
        return buf.putInt(8 + INDEX_AT, i);
    }

    private static byte[] original(int i) {
        ByteBuffer b = frame(ByteBuffer.allocate(FRAME_LENGTH + 8), i);
        byte[] bytes = new byte[b.remaining()];
        b.get(b.position(), bytes);
        return bytes;
    }

    private static int[] upTo(int n) {
        return IntStream.range(0, n).toArray();
    }

    @Test
    void dropAtOneHundredPercentLetsNothingThrough() {
        var h = new Harness("drop=100%");
        h.receive(0, upTo(100));
        h.send(upTo(100));
        h.batchEnd(10 * MS);
        assertThat(h.received.bytes).isEmpty();
        assertThat(h.sent.bytes).isEmpty();
        assertThat(h.injector.dropped()).isEqualTo(200);
        assertThat(h.injector.framesIn()).isEqualTo(100);
        assertThat(h.injector.framesOut()).isEqualTo(100);
    }

    @Test
    void dupAtOneHundredPercentDeliversEachFrameTwiceUnchanged() {
        var h = new Harness("dup=100%");
        h.receive(0, upTo(50));
        h.send(upTo(50));
        for (Recording side : List.of(h.received, h.sent)) {
            assertThat(side.bytes).hasSize(100);
            for (int i = 0; i < 50; i++) {
                assertThat(side.bytes.get(2 * i)).isEqualTo(original(i));
                assertThat(side.bytes.get(2 * i + 1)).isEqualTo(original(i));
            }
        }
        assertThat(h.injector.duplicated()).isEqualTo(100);
    }

    @Test
    void corruptAtOneHundredPercentFlipsExactlyOneBitPastTheEthernetHeader() {
        var h = new Harness("corrupt=100%");
        h.receive(0, upTo(200));
        h.send(upTo(200));
        for (Recording side : List.of(h.received, h.sent)) {
            assertThat(side.bytes).hasSize(200);
            for (int i = 0; i < 200; i++) {
                byte[] got = side.bytes.get(i);
                byte[] want = original(i);
                assertThat(got).hasSameSizeAs(want);
                int flipped = 0;
                for (int b = 0; b < want.length; b++) {
                    int diff = Integer.bitCount((got[b] ^ want[b]) & 0xFF);
                    assertThat(diff == 0 || b >= 14).as("frame %d byte %d", i, b).isTrue();
                    flipped += diff;
                }
                assertThat(flipped).as("frame %d", i).isEqualTo(1);
            }
        }
        assertThat(h.injector.corrupted()).isEqualTo(400);
    }

    @Test
    void reorderedFramesAllArriveExactlyOnceOutOfOrderOnceTheDelayHasPassed() {
        var h = new Harness("reorder=30%,depth=3,delay=2ms,seed=5");
        for (int i = 0; i < 1000; i++) {
            h.receive(i * 1_000L, i);
            h.send(i);
        }
        h.batchEnd(999 * 1_000L + 2 * MS);
        for (Recording side : List.of(h.received, h.sent)) {
            assertThat(side.indices()).containsExactlyInAnyOrderElementsOf(IntStream.range(0, 1000).boxed().toList())
                    .isNotEqualTo(IntStream.range(0, 1000).boxed().toList());
            for (int i = 0; i < 1000; i++) {
                assertThat(side.bytes.get(i)).isEqualTo(original(side.indices().get(i)));
            }
        }
        assertThat(h.injector.reordered()).isBetween(500L, 700L);
    }

    @Test
    void aHeldFrameLeavesAfterDepthLaterFrames() {
        var h = new Harness("reorder=100%,depth=3,delay=1ms");
        h.receive(0, 0, 1, 2);
        assertThat(h.received.indices()).isEmpty();
        h.receive(0, 3);
        assertThat(h.received.indices()).containsExactly(0);
        h.receive(0, 4);
        assertThat(h.received.indices()).containsExactly(0, 1);
    }

    @Test
    void aHeldFrameLeavesWhenItsDelayHasPassedInEitherDirection() {
        var h = new Harness("reorder=100%,depth=1000,delay=2ms");
        h.receive(0, 0, 1, 2);
        h.send(0, 1, 2);
        h.batchEnd(2 * MS - 1);
        assertThat(h.received.indices()).isEmpty();
        assertThat(h.sent.indices()).isEmpty();
        h.batchEnd(2 * MS);
        assertThat(h.received.indices()).containsExactly(0, 1, 2);
        assertThat(h.sent.indices()).containsExactly(0, 1, 2);
    }

    @Test
    void aDroppedFractionStaysNearItsRate() {
        var h = new Harness("drop=10%,seed=1");
        h.receive(0, upTo(100_000));
        assertThat(h.injector.dropped()).isBetween(9_000L, 11_000L);
        assertThat(h.received.bytes).hasSize((int) (100_000 - h.injector.dropped()));
    }

    @Test
    void theSameSeedGivesTheSameFaults() {
        String spec = "drop=10%,dup=10%,reorder=10%,corrupt=10%,seed=42";
        List<List<String>> runs = new ArrayList<>();
        for (String s : List.of(spec, spec, spec.replace("seed=42", "seed=43"))) {
            var h = new Harness(s);
            for (int i = 0; i < 5_000; i++) {
                h.receive(i * 10_000L, i);
                h.send(i);
            }
            h.batchEnd(1_000 * MS);
            runs.add(Stream.concat(h.received.bytes.stream(), h.sent.bytes.stream()).map(HexFormat.of()::formatHex).toList());
        }
        assertThat(runs.get(1)).isEqualTo(runs.get(0));
        assertThat(runs.get(2)).as("another seed gives other faults").isNotEqualTo(runs.get(0));
    }

    @Test
    void untouchedFramesPassAsTheSameBuffer() {
        var none = new Harness(FaultSpec.NONE.toString());
        none.receive(0, upTo(10));
        none.send(upTo(10));
        assertThat(none.received.buffers).hasSize(10).allSatisfy(b -> assertThat(b).isSameAs(none.scratch));
        assertThat(none.sent.buffers).hasSize(10).allSatisfy(b -> assertThat(b).isSameAs(none.scratch));

        var inboundOnly = new Harness("corrupt=100%,direction=in");
        inboundOnly.send(upTo(10));
        assertThat(inboundOnly.sent.buffers).hasSize(10).allSatisfy(b -> assertThat(b).isSameAs(inboundOnly.scratch));
        assertThat(inboundOnly.injector.corrupted()).isZero();
    }

    @Test
    void anExhaustedPoolLetsFramesPassUntouchedAndRecoversWhenSlotsReturn() {
        var h = new Harness(new FaultInjector(FaultSpec.parse("reorder=100%,depth=100,delay=1ms"), 4));
        h.receive(0, upTo(10));
        assertThat(h.received.indices()).containsExactly(4, 5, 6, 7, 8, 9);
        assertThat(h.injector.poolExhausted()).isEqualTo(6);
        h.batchEnd(MS);
        assertThat(h.received.indices()).containsExactly(4, 5, 6, 7, 8, 9, 0, 1, 2, 3);
        h.receive(MS, 10, 11, 12, 13);
        assertThat(h.injector.poolExhausted()).isEqualTo(6);
        assertThat(h.injector.reordered()).isEqualTo(8);
    }

    @Test
    void theSummaryIsOneLineOfCounters() {
        var h = new Harness("drop=100%");
        h.receive(0, 1, 2);
        h.send(3);
        assertThat(h.injector.summary()).isEqualTo(
                "frames_in=2 frames_out=1 dropped=3 duplicated=0 corrupted=0 reordered=0 pool_exhausted=0");
    }
}
