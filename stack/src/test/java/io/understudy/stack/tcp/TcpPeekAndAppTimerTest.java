package io.understudy.stack.tcp;

import static io.understudy.stack.tcp.SegSpec.segment;
import static io.understudy.stack.tcp.TcpHarness.LOCAL;
import static io.understudy.stack.tcp.TcpHarness.REMOTE;
import static io.understudy.stack.tcp.TcpHarness.at;
import static io.understudy.stack.tcp.TcpHarness.seg;
import static io.understudy.stack.wire.TcpHeader.ACK;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link TcpConnection#peek}, {@link TcpConnection#consume}, the application timer and {@link TcpConnection#now()}. */
class TcpPeekAndAppTimerTest {

    // ------------------------------------------------------------------ peek and consume

    @Test
    void peekCopiesWithoutConsumingAndConsumeDiscards() {
        TcpHarness h = TcpHarness.established();
        h.autoRead = false;
        h.receive(at(1), seg().seq(REMOTE + 1).ack(LOCAL + 1).payload("hello world"));
        byte[] b = new byte[5];
        assertThat(h.c.peek(6, b, 0, 5)).isEqualTo(5);
        assertThat(new String(b, StandardCharsets.US_ASCII)).isEqualTo("world");
        ByteBuffer bb = ByteBuffer.allocate(3);
        assertThat(h.c.peek(0, bb)).isEqualTo(3);
        assertThat(new String(bb.array(), StandardCharsets.US_ASCII)).isEqualTo("hel");
        assertThat(h.c.readable()).isEqualTo(11);
        assertThat(h.c.peek(11, b, 0, 5)).isZero();

        h.c.consume(6);
        assertThat(h.c.readable()).isEqualTo(5);
        byte[] rest = new byte[10];
        assertThat(h.c.read(rest, 0, 10)).isEqualTo(5);
        assertThat(new String(rest, 0, 5, StandardCharsets.US_ASCII)).isEqualTo("world");
    }

    @Test
    void badOffsetsAndCountsAreRejected() {
        TcpHarness h = TcpHarness.established();
        h.autoRead = false;
        h.receive(at(1), seg().seq(REMOTE + 1).ack(LOCAL + 1).payload("abc"));
        assertThatThrownBy(() -> h.c.peek(4, new byte[1], 0, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> h.c.peek(-1, ByteBuffer.allocate(1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> h.c.consume(4)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> h.c.consume(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThat(h.c.readable()).isEqualTo(3);
    }

    @Test
    void peekingKeepsTheWindowClosedAndConsumingOpensItWithAnUpdateAsReadDoes() {
        TcpHarness h = TcpHarness.fixture().config(c -> c.withBuffers(4096, 1 << 20)).established();
        h.autoRead = false;
        h.receive(at(1), seg().seq(REMOTE + 1).ack(LOCAL + 1).len(1448));
        h.expect(at(1), segment().flags(ACK).ack(REMOTE + 1449).window(4096 - 1448));
        h.receive(at(2), seg().seq(REMOTE + 1449).ack(LOCAL + 1).len(1448));
        h.expect(at(2), segment().flags(ACK).ack(REMOTE + 2897).window(4096 - 2896));
        h.receive(at(3), seg().seq(REMOTE + 2897).ack(LOCAL + 1).len(1200));
        h.expect(at(43), segment().flags(ACK).ack(REMOTE + 4097).window(0));
        byte[] buf = new byte[4096];
        assertThat(h.c.peek(0, buf, 0, 4096)).isEqualTo(4096);
        h.flush();
        h.expectNothing(); // peeking frees nothing
        h.c.consume(500);
        h.flush();
        h.expectNothing(); // below the SWS threshold, as a read of 500
        h.c.consume(1000);
        h.flush();
        h.expect(at(43), segment().flags(ACK).ack(REMOTE + 4097).window(1500));
        assertThat(h.c.readable()).isEqualTo(4096 - 1500);
    }

    // ------------------------------------------------------------------ application timer

    /** Records onAppTimer calls as "time ms/now() ms". */
    private static final class TimerApp implements TcpHandler {
        final List<String> fired = new ArrayList<>();
        long rearmAfter = -1;

        @Override
        public void onAppTimer(TcpConnection c, long now) {
            fired.add(now / TcpHarness.at(1) + "/" + c.now() / TcpHarness.at(1));
            assertThat(c.appDeadline()).isEqualTo(TcpConnection.NO_DEADLINE);
            if (rearmAfter >= 0) {
                c.appDeadline(now + rearmAfter);
                rearmAfter = -1;
            }
        }
    }

    @Test
    void theAppTimerFiresOnceAtItsDeadlineAndMayBeRearmedFromTheCallback() {
        TcpHarness h = TcpHarness.established();
        TimerApp app = new TimerApp();
        h.c.handler(app);
        h.advanceTo(at(10));
        h.c.appDeadline(at(500));
        h.flush();
        assertThat(h.c.nextDeadline()).isEqualTo(at(500));
        app.rearmAfter = at(100);
        h.advanceTo(at(499));
        assertThat(app.fired).isEmpty();
        h.advanceTo(at(500));
        assertThat(app.fired).containsExactly("500/500");
        assertThat(h.c.appDeadline()).isEqualTo(at(600));
        h.advanceTo(at(5000));
        assertThat(app.fired).containsExactly("500/500", "600/600");
        assertThat(h.c.nextDeadline()).isNotEqualTo(at(600));
        h.expectNothing();
    }

    @Test
    void settingTheAppDeadlineAsksForOutputSoTheLayerRearmsItsTimer() {
        TcpHarness h = TcpHarness.established();
        List<String> asked = new ArrayList<>();
        TcpConnection c = new TcpConnection(h.ctx, TcpHarness.TUPLE, new TcpConnection.Owner() {
            @Override public void established(TcpConnection x) { }
            @Override public void wantsOutput(TcpConnection x) { asked.add("output"); }
            @Override public void closed(TcpConnection x) { }
        });
        c.appDeadline(at(5)); // not opened: nothing asked, nothing armed for the layer
        assertThat(asked).isEmpty();
        c.openActive(at(1), 1000, 0);
        asked.clear();
        c.output(at(1), new DiscardingSink());
        c.appDeadline(at(7));
        assertThat(asked).containsExactly("output");
        assertThat(c.nextDeadline()).isLessThanOrEqualTo(at(7));
    }

    private static final class DiscardingSink implements SegmentSink {
        private final ByteBuffer buf = ByteBuffer.allocate(65_536);

        @Override
        public ByteBuffer segmentBuffer() {
            return buf;
        }

        @Override
        public int segmentOffset() {
            return 0;
        }

        @Override
        public int maxSegmentLength() {
            return buf.capacity();
        }

        @Override
        public void send(long now, TcpTuple tuple, int length) { }
    }

    @Test
    void cancellingAndCloseDisarmTheAppTimer() {
        TcpHarness h = TcpHarness.established();
        TimerApp app = new TimerApp();
        h.c.handler(app);
        h.c.appDeadline(at(100));
        h.c.appDeadline(TcpConnection.NO_DEADLINE);
        h.flush();
        h.advanceTo(at(200));
        assertThat(app.fired).isEmpty();

        h.c.appDeadline(at(300));
        h.appClose();
        h.advanceTo(at(1000));
        assertThat(app.fired).isEmpty();
    }

    @Test
    void nowIsTheTimeOfTheEventInsideCallbacks() {
        TcpHarness h = TcpHarness.established();
        List<Long> seen = new ArrayList<>();
        h.c.handler(new TcpHandler() {
            @Override
            public void onReadable(TcpConnection c) {
                seen.add(c.now());
                c.consume(c.readable());
            }
        });
        h.receive(at(123), seg().seq(REMOTE + 1).ack(LOCAL + 1).payload("x"));
        h.receive(at(456), seg().seq(REMOTE + 2).ack(LOCAL + 1).payload("y"));
        assertThat(seen).containsExactly(at(123), at(456));
        assertThat(h.c.readable()).isZero();
    }
}
