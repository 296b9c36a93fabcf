package io.understudy.stack.tcp;

import static io.understudy.stack.tcp.SegSpec.segment;
import static io.understudy.stack.tcp.TcpHarness.LOCAL;
import static io.understudy.stack.tcp.TcpHarness.REMOTE;
import static io.understudy.stack.tcp.TcpHarness.at;
import static io.understudy.stack.tcp.TcpHarness.seg;
import static io.understudy.stack.wire.TcpHeader.ACK;
import static io.understudy.stack.wire.TcpHeader.PSH;
import static io.understudy.stack.wire.TcpHeader.URG;
import static org.assertj.core.api.Assertions.assertThat;

import io.understudy.stack.Counter;
import org.junit.jupiter.api.Test;

class TcpDataTest {

    /** Sends 16 one-byte segments (acknowledged at once in quickack mode); the next byte is REMOTE + 17. */
    private static void exhaustQuickAcks(TcpHarness h) {
        for (int i = 0; i < TcpReceiver.MAX_QUICK_ACKS; i++) {
            h.receive(seg().seq(REMOTE + 1 + i).ack(LOCAL + 1).payload("q"));
            h.expect(h.now(), segment().flags(ACK).ack(REMOTE + 2 + i));
        }
    }

    // ------------------------------------------------------------------ acknowledgments

    @Test
    void firstSegmentsAreAcknowledgedAtOnceInQuickAckMode() {
        TcpHarness h = TcpHarness.established();
        exhaustQuickAcks(h);
        h.expectNothing();
    }

    @Test
    void singleSegmentIsAcknowledgedAfterTheDelayedAckTimeout() {
        TcpHarness h = TcpHarness.established();
        exhaustQuickAcks(h);
        h.receive(at(100), seg().seq(REMOTE + 17).ack(LOCAL + 1).payload("hello"));
        h.expectNothing(at(139));
        h.expect(at(140), segment().flags(ACK).seq(LOCAL + 1).ack(REMOTE + 22));
        assertThat(h.counter(Counter.TCP_DELAYED_ACKS)).isEqualTo(1);
    }

    @Test
    void everySecondFullSizedSegmentIsAcknowledgedAtOnce() {
        TcpHarness h = TcpHarness.established();
        exhaustQuickAcks(h);
        h.receive(at(100), seg().seq(REMOTE + 17).ack(LOCAL + 1).len(1448));
        h.expectNothing();
        h.receive(at(101), seg().seq(REMOTE + 17 + 1448).ack(LOCAL + 1).len(1448));
        h.expect(at(101), segment().flags(ACK).ack(REMOTE + 17 + 2896));
        h.expectNothing(at(1000));
    }

    @Test
    void pushDoesNotForceAnImmediateAck() {
        TcpHarness h = TcpHarness.established();
        exhaustQuickAcks(h);
        h.receive(at(100), seg().flags(ACK | PSH).seq(REMOTE + 17).ack(LOCAL + 1).payload("p"));
        h.expectNothing(at(139));
        h.expect(at(140), segment().flags(ACK).ack(REMOTE + 18));
    }

    @Test
    void delayedAckIsPiggybackedOnData() {
        TcpHarness h = TcpHarness.established();
        exhaustQuickAcks(h);
        h.receive(at(100), seg().seq(REMOTE + 17).ack(LOCAL + 1).payload("request"));
        h.advanceTo(at(110));
        h.appWrite("response");
        h.expect(at(110), segment().flags(ACK | PSH).seq(LOCAL + 1).ack(REMOTE + 24).payload("response"));
        h.expectNothing(at(309)); // the delayed ACK is gone; only the response's RTO (200 ms) remains
    }

    // ------------------------------------------------------------------ reassembly

    @Test
    void outOfOrderSegmentsDrawImmediateDuplicateAcksWithExactSackBlocks() {
        TcpHarness h = TcpHarness.established();
        h.receive(at(1), seg().seq(REMOTE + 1001).ack(LOCAL + 1).len(100));
        h.expect(at(1), segment().flags(ACK).ack(REMOTE + 1).sack(REMOTE + 1001, REMOTE + 1101));
        h.receive(at(2), seg().seq(REMOTE + 2001).ack(LOCAL + 1).len(100));
        h.expect(at(2), segment().flags(ACK).ack(REMOTE + 1)
                .sack(REMOTE + 2001, REMOTE + 2101, REMOTE + 1001, REMOTE + 1101));
        h.receive(at(3), seg().seq(REMOTE + 1101).ack(LOCAL + 1).len(100));
        h.expect(at(3), segment().flags(ACK).ack(REMOTE + 1)
                .sack(REMOTE + 1001, REMOTE + 1201, REMOTE + 2001, REMOTE + 2101));
        h.receive(at(4), seg().seq(REMOTE + 1).ack(LOCAL + 1).len(1000));
        h.expect(at(4), segment().flags(ACK).ack(REMOTE + 1201).sack(REMOTE + 2001, REMOTE + 2101));
        h.receive(at(5), seg().seq(REMOTE + 1201).ack(LOCAL + 1).len(800, 1200));
        h.expect(at(5), segment().flags(ACK).ack(REMOTE + 2101).noSack());
        assertThat(h.received.size()).isEqualTo(2100);
        assertThat(h.counter(Counter.TCP_OUT_OF_ORDER)).isEqualTo(3);
    }

    @Test
    void sackBlocksAreLimitedToThreeBesideTimestamps() {
        TcpHarness h = TcpHarness.established();
        for (int i = 1; i <= 5; i++) {
            h.receive(at(i), seg().seq(REMOTE + 1 + 200 * i).ack(LOCAL + 1).len(100));
        }
        h.drain();
        h.receive(at(10), seg().seq(REMOTE + 1 + 1200).ack(LOCAL + 1).len(100));
        h.expect(at(10), segment().flags(ACK).ack(REMOTE + 1)
                .sack(REMOTE + 1201, REMOTE + 1301, REMOTE + 1001, REMOTE + 1101, REMOTE + 801, REMOTE + 901));
    }

    @Test
    void withoutSackEveryOutOfOrderSegmentIsADuplicateAckEvenWithinOneBatch() {
        TcpHarness h = TcpHarness.fixture().peerOptions(true, true, false).established();
        h.c.onSegment(h.now(), h.build(seg().seq(REMOTE + 101).ack(LOCAL + 1).len(100)));
        h.c.onSegment(h.now(), h.build(seg().seq(REMOTE + 201).ack(LOCAL + 1).len(100)));
        h.c.onSegment(h.now(), h.build(seg().seq(REMOTE + 301).ack(LOCAL + 1).len(100)));
        h.flush();
        for (int i = 0; i < 3; i++) {
            h.expect(at(0), segment().flags(ACK).seq(LOCAL + 1).ack(REMOTE + 1).noSack());
        }
        h.expectNothing();
    }

    @Test
    void overlappingSegmentsAreDeliveredOnceKeepingTheFirstCopy() {
        TcpHarness h = TcpHarness.established();
        h.receive(at(1), seg().seq(REMOTE + 1).ack(LOCAL + 1).payload("abcdefghij"));
        h.receive(at(2), seg().seq(REMOTE + 6).ack(LOCAL + 1).payload("FGHIJklmno"));
        h.receive(at(3), seg().seq(REMOTE + 21).ack(LOCAL + 1).payload("uvwxy"));
        h.receive(at(4), seg().seq(REMOTE + 14).ack(LOCAL + 1).payload("NOPQRSTUVWXY"));
        assertThat(h.receivedText()).isEqualTo("abcdefghijklmnoPQRSTuvwxy");
        assertThat(h.c.bytesReceived()).isEqualTo(25);
    }

    @Test
    void duplicateSegmentIsAcknowledgedAtOnce() {
        TcpHarness h = TcpHarness.established();
        exhaustQuickAcks(h);
        h.receive(at(100), seg().seq(REMOTE + 1).ack(LOCAL + 1).payload("q"));
        h.expect(at(100), segment().flags(ACK).ack(REMOTE + 17));
        assertThat(h.counter(Counter.DROP_TCP_OUT_OF_WINDOW)).isEqualTo(1);
    }

    @Test
    void segmentBeyondTheWindowIsNotAcceptedButAcknowledged() {
        TcpHarness h = TcpHarness.established();
        h.receive(at(1), seg().seq(REMOTE + 1 + 65535).ack(LOCAL + 1).payload("far"));
        h.expect(at(1), segment().flags(ACK).ack(REMOTE + 1).noSack());
        assertThat(h.c.readable()).isZero();
    }

    @Test
    void pureAckExactlyAtTheRightEdgeOfTheWindowIsTaken() {
        // The peer filled our window and its data was lost: its pure ACKs carry SEQ = its SND.NXT,
        // our right edge. Taking them (as Linux and BSD do) is what lets our data be acknowledged.
        TcpHarness h = TcpHarness.fixture().config(c -> c.withBuffers(4096, 1 << 20)).established();
        h.receive(at(1), seg().seq(REMOTE + 1).ack(LOCAL + 1).payload("x"));
        // The right edge stays at REMOTE + 1 + 4096 (a 1-byte opening is below the SWS threshold).
        h.expect(at(1), segment().flags(ACK).ack(REMOTE + 2).window(4095));
        h.appWrite("data");
        h.expect(at(1), segment().payload("data"));
        h.receive(at(5), seg().seq(REMOTE + 1 + 4096).ack(LOCAL + 5));
        assertThat(h.c.info().bytesInFlight()).isZero();
        h.expectNothing(at(5000));
        h.receive(at(5001), seg().seq(REMOTE + 1 + 4097).ack(LOCAL + 5));
        h.expect(at(5001), segment().flags(ACK).ack(REMOTE + 2));
    }

    @Test
    void urgentDataIsDeliveredInlineAsOrdinaryData() {
        TcpHarness h = TcpHarness.established();
        h.receive(at(1), seg().flags(ACK | URG | PSH).seq(REMOTE + 1).ack(LOCAL + 1).urgentPointer(2).payload("!ab"));
        h.receive(at(2), seg().flags(ACK | URG).seq(REMOTE + 4).ack(LOCAL + 1).urgentPointer(60000).payload("cd"));
        assertThat(h.receivedText()).isEqualTo("!abcd");
    }

    // ------------------------------------------------------------------ sending

    @Test
    void initialWindowIsTenSegments() {
        TcpHarness h = TcpHarness.established();
        h.appWrite(30_000);
        for (int i = 0; i < 10; i++) {
            h.expect(at(0), segment().seq(LOCAL + 1 + 1448 * i).len(1448));
        }
        h.expectNothing();
        h.receive(at(10), seg().seq(REMOTE + 1).ack(LOCAL + 1 + 2 * 1448));
        h.expect(at(10), segment().seq(LOCAL + 1 + 10 * 1448).len(1448));
        h.expect(at(10), segment().seq(LOCAL + 1 + 11 * 1448).len(1448));
        h.expect(at(10), segment().seq(LOCAL + 1 + 12 * 1448).len(1448));
        h.expect(at(10), segment().seq(LOCAL + 1 + 13 * 1448).len(1448));
        h.expectNothing();
        assertThat(h.c.info().cwnd()).isEqualTo(12 * 1448);
    }

    @Test
    void nagleHoldsASecondSmallSegmentUntilTheFirstIsAcknowledged() {
        TcpHarness h = TcpHarness.established();
        h.appWrite("a");
        h.expect(at(0), segment().flags(ACK | PSH).seq(LOCAL + 1).payload("a"));
        h.appWrite("b");
        h.appWrite("c");
        h.expectNothing(at(10));
        h.receive(at(20), seg().seq(REMOTE + 1).ack(LOCAL + 2));
        h.expect(at(20), segment().flags(ACK | PSH).seq(LOCAL + 2).payload("bc"));
    }

    @Test
    void noDelaySendsSmallSegmentsAtOnce() {
        TcpHarness h = TcpHarness.fixture().config(c -> c.withNoDelay(true)).established();
        assertThat(h.c.noDelay()).isTrue();
        h.appWrite("a");
        h.appWrite("b");
        h.expect(at(0), segment().seq(LOCAL + 1).payload("a"));
        h.expect(at(0), segment().seq(LOCAL + 2).payload("b"));
    }

    @Test
    void turningNoDelayOnReleasesHeldData() {
        TcpHarness h = TcpHarness.established();
        h.appWrite("a");
        h.appWrite("b");
        h.expect(at(0), segment().payload("a"));
        h.expectNothing();
        h.c.noDelay(true);
        h.flush();
        h.expect(at(0), segment().seq(LOCAL + 2).payload("b"));
    }

    @Test
    void nagleLetsTheTailOfALargeWriteGoWhenNoSmallSegmentIsOutstanding() {
        TcpHarness h = TcpHarness.established();
        h.appWrite(1448 + 100);
        h.expect(at(0), segment().flags(ACK).seq(LOCAL + 1).len(1448));
        h.expect(at(0), segment().flags(ACK | PSH).seq(LOCAL + 1449).len(100));
        h.appWrite("x");
        h.expectNothing();
        h.receive(at(5), seg().seq(REMOTE + 1).ack(LOCAL + 1449));
        h.expectNothing();
        h.receive(at(6), seg().seq(REMOTE + 1).ack(LOCAL + 1549));
        h.expect(at(6), segment().seq(LOCAL + 1549).payload("x"));
    }

    @Test
    void senderSendsHalfTheLargestWindowWhenNothingIsOutstanding() {
        TcpHarness h = TcpHarness.fixture().peerOptions(false, true, true).peerWindow(1000).established();
        h.appWrite(3000);
        h.expect(at(0), segment().seq(LOCAL + 1).len(1000));
        h.expectNothing();
        h.receive(at(10), seg().seq(REMOTE + 1).ack(LOCAL + 1001).window(1000));
        h.expect(at(10), segment().seq(LOCAL + 1001).len(1000));
    }

    @Test
    void persistTimerOverridesSenderSwsAvoidanceOnASmallWindow() {
        TcpHarness h = TcpHarness.fixture().peerOptions(false, true, true).peerWindow(1000).established();
        h.receive(at(1), seg().seq(REMOTE + 1).ack(LOCAL + 1).window(300));
        h.appWrite(3000);
        h.expectNothing(at(200));
        h.expect(at(201), segment().seq(LOCAL + 1).len(300));
    }

    @Test
    void receiverDoesNotAdvertiseSmallWindowIncreases() {
        TcpHarness h = TcpHarness.fixture().config(c -> c.withBuffers(4096, 1 << 20)).established();
        h.autoRead = false;
        h.receive(at(1), seg().seq(REMOTE + 1).ack(LOCAL + 1).len(1448));
        h.expect(at(1), segment().flags(ACK).ack(REMOTE + 1449).window(4096 - 1448));
        h.receive(at(2), seg().seq(REMOTE + 1449).ack(LOCAL + 1).len(1448));
        h.expect(at(2), segment().flags(ACK).ack(REMOTE + 2897).window(4096 - 2896));
        // The quickack budget of a 4 KiB window is two segments: this ACK is delayed.
        h.receive(at(3), seg().seq(REMOTE + 2897).ack(LOCAL + 1).len(1200));
        h.expect(at(43), segment().flags(ACK).ack(REMOTE + 4097).window(0));
        byte[] buf = new byte[4096];
        assertThat(h.c.read(buf, 0, 500)).isEqualTo(500);
        h.flush();
        h.expectNothing();
        // A probe now is answered with the window still closed (RFC 9293 §3.8.6.2.2).
        h.receive(at(200), seg().seq(REMOTE + 4096).ack(LOCAL + 1));
        h.expect(at(200), segment().flags(ACK).ack(REMOTE + 4097).window(0));
        assertThat(h.c.read(buf, 0, 1000)).isEqualTo(1000);
        h.flush();
        h.expect(at(200), segment().flags(ACK).ack(REMOTE + 4097).window(1500));
    }

    @Test
    void zeroWindowIsProbedWithBackoffForeverWhileThePeerAnswers() {
        TcpHarness h = TcpHarness.fixture().peerWindow(0).established();
        h.appWrite("data");
        h.expectNothing(at(199));
        long t = 200;
        long interval = 200;
        for (int probe = 0; probe < 20; probe++) {
            h.expect(at(t), segment().flags(ACK).seq(LOCAL).ack(REMOTE + 1).len(0));
            h.receive(at(t + 1), seg().seq(REMOTE + 1).ack(LOCAL + 1).window(0));
            h.expectNothing();
            interval = Math.min(interval * 2, 120_000);
            t += interval;
        }
        assertThat(h.c.state()).isEqualTo(TcpState.ESTABLISHED);
        assertThat(h.counter(Counter.TCP_ZERO_WINDOW_PROBES)).isEqualTo(20);
        h.receive(at(t - 5), seg().seq(REMOTE + 1).ack(LOCAL + 1).window(100));
        h.expect(at(t - 5), segment().flags(ACK | PSH).seq(LOCAL + 1).payload("data"));
        h.receive(at(t), seg().seq(REMOTE + 1).ack(LOCAL + 5).window(100));
        h.expectNothing(at(t + 600_000));
    }

    @Test
    void unansweredZeroWindowProbesGiveUpAfterRetries() {
        TcpHarness h = TcpHarness.fixture().peerWindow(0).config(c -> c.withTimeouts(c.minRto(), 0, 3)).established();
        h.appWrite("data");
        h.expect(at(200), segment().seq(LOCAL).len(0));
        h.expect(at(600), segment().seq(LOCAL).len(0));
        h.expect(at(1400), segment().seq(LOCAL).len(0));
        h.expectNothing(at(2999));
        assertThat(h.c.state()).isEqualTo(TcpState.ESTABLISHED);
        h.advanceTo(at(3000));
        assertThat(h.c.state()).isEqualTo(TcpState.CLOSED);
        assertThat(h.events).containsExactly("onClosed(TIMED_OUT)", "closed");
    }

    @Test
    void windowOpeningAfterZeroStopsThePersistTimerAndSendsAtOnce() {
        TcpHarness h = TcpHarness.established();
        h.appWrite(1448);
        h.expect(at(0), segment().len(1448));
        h.receive(at(10), seg().seq(REMOTE + 1).ack(LOCAL + 1449).window(0));
        h.appWrite("more");
        h.expectNothing(at(209));
        h.expect(at(210), segment().seq(LOCAL + 1448).len(0));
        h.receive(at(215), seg().seq(REMOTE + 1).ack(LOCAL + 1449).window(10));
        h.expect(at(215), segment().seq(LOCAL + 1449).payload("more"));
    }

    @Test
    void zeroWindowProbeWithDataIsAnsweredButItsDataDropped() {
        TcpHarness h = TcpHarness.fixture().config(c -> c.withBuffers(4096, 1 << 20)).established();
        h.autoRead = false;
        h.receive(at(1), seg().seq(REMOTE + 1).ack(LOCAL + 1).len(4096));
        h.expect(at(1), segment().ack(REMOTE + 4097).window(0));
        h.appWrite("x");
        h.expect(at(1), segment().payload("x"));
        h.receive(at(100), seg().seq(REMOTE + 4097).ack(LOCAL + 2).payload("z"));
        h.expect(at(100), segment().flags(ACK).ack(REMOTE + 4097).window(0));
        assertThat(h.c.readable()).isEqualTo(4096);
        assertThat(h.c.info().bytesInFlight()).as("the ACK in the probe was taken").isZero();
        h.expectNothing(at(1000));
    }

    @Test
    void writesBeyondTheSendBufferAreShortAndOnWritableFollowsWhenSpaceOpens() {
        TcpHarness h = TcpHarness.fixture().config(c -> c.withBuffers(1 << 20, 4096)).established();
        byte[] data = new byte[6000];
        assertThat(h.c.write(data, 0, data.length)).isEqualTo(4096);
        assertThat(h.c.writable()).isZero();
        h.flush();
        h.drain();
        h.receive(at(10), seg().seq(REMOTE + 1).ack(LOCAL + 1 + 2896));
        assertThat(h.events).containsExactly("onWritable");
        assertThat(h.c.writable()).isEqualTo(2896);
    }

    @Test
    void bytesSentCountsEachByteOnceAndBytesReceivedCountsInOrderBytes() {
        TcpHarness h = TcpHarness.established();
        h.appWrite("12345");
        h.advanceTo(at(500));
        h.receive(seg().seq(REMOTE + 1).ack(LOCAL + 6).payload("abc"));
        assertThat(h.c.bytesSent()).isEqualTo(5);
        assertThat(h.c.bytesReceived()).isEqualTo(3);
        assertThat(h.c.info().totalRetransmits()).isGreaterThan(0);
    }

    @Test
    void slowStartRestartsAfterIdle() {
        TcpHarness h = TcpHarness.established();
        h.appWrite(20 * 1448);
        long t = 0;
        int acked = 0;
        while (acked < 20 * 1448) {
            h.drain();
            t += 10;
            acked = Math.min(acked + 4 * 1448, 20 * 1448);
            h.receive(at(t), seg().seq(REMOTE + 1).ack(LOCAL + 1 + acked));
        }
        h.drain();
        assertThat(h.c.info().cwnd()).isGreaterThan(10 * 1448);
        h.advanceTo(at(t + 5000));
        h.appWrite(30 * 1448);
        assertThat(h.drain()).hasSize(10);
    }
}
