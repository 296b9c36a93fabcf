package io.understudy.stack.tcp;

import static io.understudy.stack.tcp.SegSpec.segment;
import static io.understudy.stack.tcp.TcpHarness.LOCAL;
import static io.understudy.stack.tcp.TcpHarness.PEER_TS_OFFSET;
import static io.understudy.stack.tcp.TcpHarness.REMOTE;
import static io.understudy.stack.tcp.TcpHarness.TS_OFFSET;
import static io.understudy.stack.tcp.TcpHarness.at;
import static io.understudy.stack.tcp.TcpHarness.seg;
import static io.understudy.stack.wire.TcpHeader.ACK;
import static io.understudy.stack.wire.TcpHeader.PSH;
import static org.assertj.core.api.Assertions.assertThat;

import io.understudy.stack.Counter;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class TcpRetransmissionTest {
    private static final int MSS = 1448;

    /** Sequence number of full-sized segment {@code i} of the first flight. */
    private static int s(int i) {
        return LOCAL + 1 + MSS * i;
    }

    private static TcpHarness newReno(boolean sack) {
        return TcpHarness.fixture().peerOptions(true, true, sack).config(c -> c.withCongestionControl("newreno"))
                .established();
    }

    // ------------------------------------------------------------------ RTO

    @Test
    void rtoIsOneSecondBeforeAnyRttSampleAndDoublesOnEachTimeout() {
        TcpHarness h = new TcpHarness(TcpHarness.defaultConfig());
        TcpSegment ack = h.build(seg().seq(REMOTE + 1).ack(LOCAL + 1).window(1000).ts(PEER_TS_OFFSET, 0));
        h.c.openFromCookie(0, LOCAL, TS_OFFSET, REMOTE, 1460, 7, true, ack);
        h.flush();
        h.appWrite("data");
        h.expect(at(0), segment().seq(LOCAL + 1).payload("data"));
        h.expectNothing(at(999));
        h.expect(at(1000), segment().seq(LOCAL + 1).payload("data"));
        h.expectNothing(at(2999));
        h.expect(at(3000), segment().seq(LOCAL + 1).payload("data"));
        h.expect(at(7000), segment().seq(LOCAL + 1).payload("data"));
        assertThat(h.c.info().retransmits()).isEqualTo(3);
    }

    @Test
    void rtoIsTheMinimumAfterAShortRttSampleAndDoubles() {
        TcpHarness h = TcpHarness.established();
        h.appWrite("abcdef");
        h.expect(at(0), segment().seq(LOCAL + 1).ack(REMOTE + 1).payload("abcdef"));
        h.expectNothing(at(199));
        h.expect(at(200), segment().seq(LOCAL + 1).ack(REMOTE + 1).payload("abcdef"));
        h.expect(at(600), segment().seq(LOCAL + 1).payload("abcdef"));
        h.expect(at(1400), segment().seq(LOCAL + 1).payload("abcdef"));
        h.expect(at(3000), segment().seq(LOCAL + 1).payload("abcdef"));
        TcpInfo info = h.c.info();
        assertThat(info.retransmits()).isEqualTo(4);
        assertThat(info.rto()).isEqualTo(at(3200));
        assertThat(info.totalRetransmits()).isEqualTo(4);
    }

    @Test
    void ackOfNewDataRestartsTheTimerAndAllAckedStopsIt() {
        TcpHarness h = TcpHarness.fixture().config(c -> c.withNoDelay(true)).established();
        h.appWrite("a");
        h.advanceTo(at(100));
        h.appWrite("b");
        h.drain();
        h.receive(at(150), seg().seq(REMOTE + 1).ack(LOCAL + 2));
        h.expectNothing(at(349));
        h.expect(at(350), segment().seq(LOCAL + 2).payload("b"));
        h.receive(at(360), seg().seq(REMOTE + 1).ack(LOCAL + 3));
        assertThat(h.c.nextDeadline()).isEqualTo(TcpConnection.NO_DEADLINE);
    }

    @Test
    void karnsRuleTakesNoSampleFromARetransmittedSegmentWithoutTimestamps() {
        TcpHarness h = TcpHarness.fixture().peerOptions(true, false, true).established();
        assertThat(h.c.info().srtt()).isEqualTo(at(10));
        h.appWrite("a");
        h.expect(at(0), segment().payload("a").noTs());
        h.expect(at(200), segment().payload("a"));
        h.receive(at(250), seg().seq(REMOTE + 1).ack(LOCAL + 2));
        assertThat(h.c.info().srtt()).as("no sample").isEqualTo(at(10));
        assertThat(h.c.info().rto()).as("backed-off RTO kept").isEqualTo(at(400));
        h.appWrite("b");
        h.expect(at(250), segment().payload("b"));
        h.receive(at(270), seg().seq(REMOTE + 1).ack(LOCAL + 3));
        assertThat(h.c.info().srtt()).isEqualTo(at(10) * 7 / 8 + at(20) / 8);
        assertThat(h.c.info().rto()).isEqualTo(at(200));
        assertThat(h.c.info().retransmits()).isZero();
    }

    @Test
    void timestampEchoGivesAValidSampleEvenForARetransmission() {
        TcpHarness h = TcpHarness.established();
        h.appWrite("a");
        h.expect(at(0), segment().payload("a").tsVal(TS_OFFSET));
        h.expect(at(200), segment().payload("a").tsVal(TS_OFFSET + 200));
        h.receive(at(250), seg().seq(REMOTE + 1).ack(LOCAL + 2).ts(PEER_TS_OFFSET + 250, TS_OFFSET + 200));
        assertThat(h.c.info().srtt()).isEqualTo(at(10) * 7 / 8 + at(50) / 8);
    }

    @Test
    void staleTimestampEchoAfterARetransmissionGivesNoSample() {
        TcpHarness h = TcpHarness.established();
        h.appWrite(2 * MSS);
        h.expect(at(0), segment().seq(s(0)).tsVal(TS_OFFSET));
        h.expect(at(0), segment().seq(s(1)).tsVal(TS_OFFSET));
        h.expect(at(200), segment().seq(s(0)).tsVal(TS_OFFSET + 200));
        // The peer had both segments (its ACK was lost): the resent one is an older duplicate to
        // it, so its ACK echoes the original TSval. That is no round-trip time.
        h.receive(at(205), seg().seq(REMOTE + 1).ack(s(2)).ts(PEER_TS_OFFSET + 205, TS_OFFSET));
        assertThat(h.c.info().srtt()).isEqualTo(at(10));
        assertThat(h.c.info().bytesInFlight()).isZero();
    }

    @Test
    void givesUpAfterRetriesTimeoutsWithoutSendingRst() {
        TcpHarness h = TcpHarness.fixture().config(c -> c.withTimeouts(c.minRto(), 0, 3)).established();
        h.appWrite("x");
        h.expect(at(0), segment().payload("x"));
        h.expect(at(200), segment().payload("x"));
        h.expect(at(600), segment().payload("x"));
        h.expect(at(1400), segment().payload("x"));
        h.expectNothing(at(2999));
        assertThat(h.c.state()).isEqualTo(TcpState.ESTABLISHED);
        h.advanceTo(at(3000));
        assertThat(h.c.state()).isEqualTo(TcpState.CLOSED);
        h.expectNothing();
        assertThat(h.events).containsExactly("onClosed(TIMED_OUT)", "closed");
        assertThat(h.counter(Counter.TCP_CONNECTIONS_TIMED_OUT)).isEqualTo(1);
    }

    @Test
    void userTimeoutClosesWhenDataStaysUnacknowledgedThatLong() {
        TcpHarness h = TcpHarness.fixture().config(c -> c.withTimeouts(c.minRto(), at(1000), 15)).established();
        h.appWrite("x");
        h.expect(at(0), segment().payload("x"));
        h.expect(at(200), segment().payload("x"));
        h.expect(at(600), segment().payload("x"));
        h.expectNothing(at(999));
        assertThat(h.c.state()).isEqualTo(TcpState.ESTABLISHED);
        h.advanceTo(at(1000));
        assertThat(h.c.state()).isEqualTo(TcpState.CLOSED);
        assertThat(h.events).containsExactly("onClosed(TIMED_OUT)", "closed");
    }

    @Test
    void userTimeoutCountsFromTheLastProgress() {
        TcpHarness h = TcpHarness.fixture().config(c -> c.withTimeouts(c.minRto(), at(1000), 15).withNoDelay(true))
                .established();
        h.appWrite("x");
        h.appWrite("y");
        h.receive(at(800), seg().seq(REMOTE + 1).ack(LOCAL + 2));
        h.advanceTo(at(1700));
        assertThat(h.c.state()).isEqualTo(TcpState.ESTABLISHED);
        h.advanceTo(at(1800));
        assertThat(h.c.state()).isEqualTo(TcpState.CLOSED);
    }

    @Test
    void timeoutRetransmitsFromSndUnaAsTheCongestionWindowAllows() {
        TcpHarness h = TcpHarness.established();
        h.appWrite(10 * MSS);
        assertThat(h.drain()).hasSize(10);
        h.expect(at(200), segment().seq(s(0)).len(MSS));
        h.expectNothing();
        assertThat(h.c.info().cwnd()).isEqualTo(MSS);
        h.receive(at(210), seg().seq(REMOTE + 1).ack(s(1)));
        h.expect(at(210), segment().seq(s(1)).len(MSS));
        h.expect(at(210), segment().seq(s(2)).len(MSS));
        h.expectNothing();
        // The peer had everything else: one ACK covers it all and nothing more is resent.
        h.receive(at(220), seg().seq(REMOTE + 1).ack(s(10)));
        h.expectNothing(at(5000));
        assertThat(h.c.info().bytesInFlight()).isZero();
    }

    @Test
    void duplicateAcksAfterATimeoutDoNotStartFastRecovery() {
        TcpHarness h = newReno(false);
        h.appWrite(10 * MSS);
        h.drain();
        h.expect(at(200), segment().seq(s(0)));
        for (int i = 0; i < 5; i++) {
            h.receive(at(201 + i), seg().seq(REMOTE + 1).ack(s(0)));
        }
        h.expectNothing();
        assertThat(h.counter(Counter.TCP_FAST_RETRANSMITS)).isZero();
    }

    // ------------------------------------------------------------------ NewReno

    @Test
    void newRenoFastRetransmitWithLimitedTransmitAndPartialAcks() {
        TcpHarness h = newReno(false);
        h.appWrite(30 * MSS);
        assertThat(h.drain()).hasSize(10);
        // Limited transmit (RFC 3042): one new segment on each of the first two duplicate ACKs.
        h.receive(at(10), seg().seq(REMOTE + 1).ack(s(0)));
        h.expect(at(10), segment().seq(s(10)).len(MSS));
        h.receive(at(11), seg().seq(REMOTE + 1).ack(s(0)));
        h.expect(at(11), segment().seq(s(11)).len(MSS));
        // The third: fast retransmit (RFC 5681 §3.2).
        h.receive(at(12), seg().seq(REMOTE + 1).ack(s(0)));
        h.expect(at(12), segment().seq(s(0)).len(MSS));
        h.expectNothing();
        TcpInfo info = h.c.info();
        assertThat(info.ssthresh()).isEqualTo(12 * MSS / 2);
        assertThat(info.cwnd()).isEqualTo(12 * MSS / 2 + 3 * MSS);
        // A partial ACK (RFC 6582): the next hole is retransmitted at once.
        h.receive(at(20), seg().seq(REMOTE + 1).ack(s(4)));
        h.expect(at(20), segment().seq(s(4)).len(MSS));
        h.expectNothing();
        // The full ACK ends recovery with cwnd = ssthresh.
        h.receive(at(30), seg().seq(REMOTE + 1).ack(s(12)));
        assertThat(h.c.info().cwnd()).isEqualTo(12 * MSS / 2);
        List<Seg> after = h.drain();
        assertThat(after).hasSize(6);
        assertThat(after.get(0).seq()).isEqualTo(s(12));
        assertThat(h.counter(Counter.TCP_FAST_RETRANSMITS)).isEqualTo(1);
        assertThat(h.counter(Counter.TCP_NEWRENO_RECOVERIES)).isEqualTo(1);
        assertThat(h.counter(Counter.TCP_RETRANSMITS)).isEqualTo(2);
    }

    @Test
    void duplicateAcksInRecoveryInflateTheWindow() {
        TcpHarness h = newReno(false);
        h.appWrite(30 * MSS);
        h.drain();
        for (int i = 0; i < 3; i++) {
            h.receive(at(10 + i), seg().seq(REMOTE + 1).ack(s(0)));
        }
        h.drain();
        int cwnd = h.c.info().cwnd();
        // flight = 12 segments; cwnd = 6 + 3 = 9; three more dupacks reach 12, the fourth lets one out.
        for (int i = 0; i < 3; i++) {
            h.receive(at(20 + i), seg().seq(REMOTE + 1).ack(s(0)));
            h.expectNothing();
        }
        h.receive(at(30), seg().seq(REMOTE + 1).ack(s(0)));
        h.expect(at(30), segment().seq(s(12)).len(MSS));
        assertThat(h.c.info().cwnd()).isEqualTo(cwnd + 4 * MSS);
    }

    @Test
    void ackWithDataOrWindowChangeIsNotADuplicateAck() {
        TcpHarness h = newReno(false);
        h.appWrite(10 * MSS);
        h.drain();
        h.receive(at(10), seg().seq(REMOTE + 1).ack(s(0)).payload("x"));
        h.receive(at(11), seg().seq(REMOTE + 2).ack(s(0)).window(999));
        h.receive(at(12), seg().seq(REMOTE + 2).ack(s(0)).window(999));
        h.receive(at(13), seg().seq(REMOTE + 2).ack(s(0)).window(999));
        h.drain();
        assertThat(h.counter(Counter.TCP_FAST_RETRANSMITS)).isZero();
        h.receive(at(14), seg().seq(REMOTE + 2).ack(s(0)).window(999));
        assertThat(h.counter(Counter.TCP_FAST_RETRANSMITS)).isEqualTo(1);
    }

    // ------------------------------------------------------------------ SACK (RFC 6675)

    @Test
    void sackRecoveryRetransmitsExactlyTheHolesWithinPipe() {
        TcpHarness h = TcpHarness.fixture().config(c -> c.withCongestionControl("newreno")).established();
        h.appWrite(10 * MSS);
        assertThat(h.drain()).hasSize(10);
        // Segments 1, 4 and 7 are lost; the peer SACKs the others as they arrive.
        h.receive(at(10), seg().seq(REMOTE + 1).ack(s(1)));
        h.receive(at(11), seg().seq(REMOTE + 1).ack(s(1)).sack(s(2), s(3)));
        h.receive(at(12), seg().seq(REMOTE + 1).ack(s(1)).sack(s(2), s(4)));
        h.expectNothing();
        h.receive(at(13), seg().seq(REMOTE + 1).ack(s(1)).sack(s(5), s(6), s(2), s(4)));
        h.expect(at(13), segment().seq(s(1)).len(MSS));
        h.expectNothing();
        assertThat(h.c.info().cwnd()).isEqualTo(9 * MSS / 2);
        h.receive(at(14), seg().seq(REMOTE + 1).ack(s(1)).sack(s(5), s(7), s(2), s(4)));
        h.expectNothing();
        // cwnd = ssthresh = 4.5 segments (9 were in flight). Segment 8 makes segment 4 lost
        // (three segments SACKed above it): pipe = 1 (segment 1 resent) + 2 (segments 7, 9) = 3.
        h.receive(at(15), seg().seq(REMOTE + 1).ack(s(1)).sack(s(8), s(9), s(5), s(7), s(2), s(4)));
        h.expect(at(15), segment().seq(s(4)).len(MSS));
        h.expectNothing();
        // Segment 9 arrives: pipe = 3 (1 and 4 resent, 7), so NextSeg rule 3 resends segment 7.
        h.receive(at(16), seg().seq(REMOTE + 1).ack(s(1)).sack(s(8), s(10), s(5), s(7), s(2), s(4)));
        h.expect(at(16), segment().seq(s(7)).len(MSS));
        h.expectNothing();
        // The retransmissions arrive: a partial ACK passes RescueRxt, so NextSeg rule 4 makes
        // the one rescue retransmission of the highest un-SACKed segment (RFC 6675 §4).
        h.receive(at(23), seg().seq(REMOTE + 1).ack(s(4)).sack(s(8), s(10), s(5), s(7)));
        h.expect(at(23), segment().seq(s(7)).len(MSS));
        h.receive(at(25), seg().seq(REMOTE + 1).ack(s(7)).sack(s(8), s(10)));
        h.receive(at(26), seg().seq(REMOTE + 1).ack(s(10)));
        h.expectNothing(at(5000));
        assertThat(h.counter(Counter.TCP_SACK_RECOVERIES)).isEqualTo(1);
        assertThat(h.counter(Counter.TCP_RETRANSMITS)).isEqualTo(4);
        assertThat(h.c.info().cwnd()).isEqualTo(9 * MSS / 2);
    }

    @Test
    void sackRecoveryStartsEarlyWhenEnoughDataIsSackedAboveTheHole() {
        TcpHarness h = TcpHarness.established();
        h.appWrite(10 * MSS);
        h.drain();
        // One ACK reports three segments SACKed above the first: IsLost(HighACK + 1) (RFC 6675 §5 step 2).
        h.receive(at(10), seg().seq(REMOTE + 1).ack(s(0)).sack(s(1), s(4)));
        h.expect(at(10), segment().seq(s(0)).len(MSS));
    }

    @Test
    void sackedDataIsSkippedByTimeoutRetransmissions() {
        TcpHarness h = TcpHarness.established();
        h.appWrite(4 * MSS);
        h.drain();
        h.expect(at(200), segment().seq(s(0)));
        h.receive(at(210), seg().seq(REMOTE + 1).ack(s(1)).sack(s(2), s(3)));
        List<Long> seqs = h.drain().stream().map(x -> (long) x.seq()).collect(Collectors.toList());
        assertThat(seqs).containsExactly((long) s(1), (long) s(3));
    }

    @Test
    void fastRetransmitIsTracedWithItsReason() {
        List<String> lines = TraceCapture.during(() -> {
            TcpHarness h = TcpHarness.fixture().config(c -> c.withTrace(true)).peerOptions(true, true, false).established();
            h.appWrite(10 * MSS);
            for (int i = 0; i < 3; i++) {
                h.receive(at(10 + i), seg().seq(REMOTE + 1).ack(s(0)));
            }
            h.advanceTo(at(400));
        });
        String tuple = TcpHarness.TUPLE.toString();
        assertThat(lines).contains(
                tuple + " LISTEN -> SYN_RECEIVED (SYN received)",
                tuple + " SYN_RECEIVED -> ESTABLISHED (ACK of our SYN)",
                tuple + " retransmit seq=" + Integer.toUnsignedString(s(0)) + " len=1448 (fast retransmit, 3 dupacks)",
                tuple + " retransmit seq=" + Integer.toUnsignedString(s(0)) + " len=1448 (RTO, backoff 1)");
        assertThat(lines).allMatch(l -> l.startsWith(tuple + " "));
    }

    @Test
    void ackedDataIsNeverResentAfterRecovery() {
        TcpHarness h = newReno(true);
        h.appWrite(3 * MSS);
        h.drain();
        h.receive(at(10), seg().seq(REMOTE + 1).ack(s(3)));
        h.appWrite("tail");
        h.expect(at(10), segment().flags(ACK | PSH).seq(s(3)).payload("tail"));
        h.receive(at(20), seg().seq(REMOTE + 1).ack(s(3) + 4));
        h.expectNothing(at(10_000));
    }
}
