package io.understudy.stack.tcp;

import static io.understudy.stack.tcp.SegSpec.segment;
import static io.understudy.stack.tcp.TcpHarness.LOCAL;
import static io.understudy.stack.tcp.TcpHarness.REMOTE;
import static io.understudy.stack.tcp.TcpHarness.at;
import static io.understudy.stack.tcp.TcpHarness.seg;
import static io.understudy.stack.wire.TcpHeader.ACK;
import static io.understudy.stack.wire.TcpHeader.PSH;
import static io.understudy.stack.wire.TcpHeader.RST;
import static io.understudy.stack.wire.TcpHeader.SYN;
import static org.assertj.core.api.Assertions.assertThat;

import io.understudy.stack.Counter;
import io.understudy.stack.Counters;
import org.junit.jupiter.api.Test;

class TcpSecurityTest {

    // ------------------------------------------------------------------ RFC 5961 §3: RST

    @Test
    void rstOutsideTheWindowIsDroppedSilently() {
        TcpHarness h = TcpHarness.established();
        h.receive(at(1), seg().flags(RST).seq(REMOTE + 1 + (1 << 21)).ack(0));
        h.receive(at(2), seg().flags(RST).seq(REMOTE).ack(0));
        h.expectNothing();
        assertThat(h.c.state()).isEqualTo(TcpState.ESTABLISHED);
        assertThat(h.counter(Counter.DROP_TCP_RST_OUT_OF_WINDOW)).isEqualTo(2);
    }

    @Test
    void rstInTheWindowDrawsAChallengeAckAndAnExactRstThenResets() {
        TcpHarness h = TcpHarness.established();
        h.receive(at(1), seg().flags(RST).seq(REMOTE + 1000).ack(0));
        h.expect(at(1), segment().flags(ACK).seq(LOCAL + 1).ack(REMOTE + 1));
        assertThat(h.c.state()).isEqualTo(TcpState.ESTABLISHED);
        // The legitimate peer answers a challenge ACK with a RST at RCV.NXT.
        h.receive(at(2), seg().flags(RST).seq(REMOTE + 1).ack(0));
        assertThat(h.c.state()).isEqualTo(TcpState.CLOSED);
        h.expectNothing();
        assertThat(h.counter(Counter.TCP_CHALLENGE_ACKS)).isEqualTo(1);
        assertThat(h.counter(Counter.TCP_RESETS_RECEIVED)).isEqualTo(1);
    }

    @Test
    void rstWithAnOldTimestampIsStillTaken() {
        TcpHarness h = TcpHarness.established();
        h.receive(at(1), seg().flags(RST).seq(REMOTE + 1).ack(0).ts(1, 0));
        assertThat(h.c.state()).isEqualTo(TcpState.CLOSED);
    }

    // ------------------------------------------------------------------ RFC 5961 §4: SYN

    @Test
    void synInEstablishedDrawsAChallengeAckWhereverItsSequenceNumberLies() {
        TcpHarness h = TcpHarness.established();
        h.receive(at(1), seg().flags(SYN).seq(REMOTE + 100).ack(0).mss(1460));
        h.expect(at(1), segment().flags(ACK).seq(LOCAL + 1).ack(REMOTE + 1));
        h.receive(at(601), seg().flags(SYN).seq(REMOTE - 100_000).ack(0).mss(1460));
        h.expect(at(601), segment().flags(ACK).seq(LOCAL + 1).ack(REMOTE + 1));
        h.receive(at(1201), seg().flags(SYN | ACK).seq(REMOTE).ack(LOCAL + 1).mss(1460));
        h.expect(at(1201), segment().flags(ACK).seq(LOCAL + 1).ack(REMOTE + 1));
        assertThat(h.c.state()).isEqualTo(TcpState.ESTABLISHED);
        assertThat(h.counter(Counter.TCP_CHALLENGE_ACKS)).isEqualTo(3);
    }

    // ------------------------------------------------------------------ RFC 5961 §5: ACK

    @Test
    void ackOfDataNeverSentIsDroppedWithAChallengeAck() {
        TcpHarness h = TcpHarness.established();
        h.receive(at(1), seg().flags(ACK | PSH).seq(REMOTE + 1).ack(LOCAL + 100).payload("injected"));
        h.expect(at(1), segment().flags(ACK).seq(LOCAL + 1).ack(REMOTE + 1));
        assertThat(h.c.readable()).isZero();
        assertThat(h.receivedText()).isEmpty();
        assertThat(h.counter(Counter.DROP_TCP_BAD_ACK)).isEqualTo(1);
    }

    @Test
    void ackOlderThanTheLargestWindowIsDroppedWithAChallengeAck() {
        TcpHarness h = TcpHarness.established();
        int maxWindow = TcpHarness.PEER_WINDOW << TcpHarness.PEER_WSCALE;
        h.receive(at(1), seg().flags(ACK | PSH).seq(REMOTE + 1).ack(LOCAL + 1 - maxWindow - 1).payload("blind"));
        h.expect(at(1), segment().flags(ACK).ack(REMOTE + 1));
        assertThat(h.receivedText()).isEmpty();
    }

    @Test
    void slightlyOldAckIsIgnoredButItsDataTaken() {
        TcpHarness h = TcpHarness.established();
        h.receive(at(1), seg().flags(ACK | PSH).seq(REMOTE + 1).ack(LOCAL + 1 - 1000).payload("fine"));
        assertThat(h.receivedText()).isEqualTo("fine");
        h.expect(at(1), segment().flags(ACK).ack(REMOTE + 5));
    }

    @Test
    void challengeAcksAreRateLimitedStackWide() {
        TcpContext shared = new TcpContext(TcpHarness.defaultConfig(), new Counters(), 10, 3);
        int sent = 0;
        for (int i = 0; i < 100; i++) {
            TcpHarness h = TcpHarness.fixture().context(shared).established();
            h.receive(at(1), seg().flags(RST).seq(REMOTE + 1000).ack(0));
            sent += h.drain().size();
        }
        assertThat(sent).isBetween(5, 14);
        assertThat(shared.counters().get(Counter.TCP_CHALLENGE_ACKS)).isEqualTo(sent);
        assertThat(shared.counters().get(Counter.TCP_CHALLENGE_ACKS_LIMITED)).isEqualTo(100 - sent);
        TcpHarness later = TcpHarness.fixture().context(shared).established();
        later.receive(at(1001), seg().flags(RST).seq(REMOTE + 1000).ack(0));
        later.expect(at(1001), segment().flags(ACK).ack(REMOTE + 1));
    }

    @Test
    void repliesToOutOfWindowSegmentsWithoutDataAreLimitedPerConnection() {
        TcpHarness h = TcpHarness.established();
        h.receive(at(1), seg().flags(RST).seq(REMOTE + 1000).ack(0));
        h.expect(at(1), segment().flags(ACK).ack(REMOTE + 1));
        h.receive(at(2), seg().flags(RST).seq(REMOTE + 1001).ack(0));
        h.receive(at(3), seg().flags(ACK).seq(REMOTE - 5000).ack(LOCAL + 1));
        h.expectNothing();
        assertThat(h.counter(Counter.TCP_OUT_OF_WINDOW_ACKS_LIMITED)).isEqualTo(2);
        // Data is always answered: it is not part of an ACK loop.
        h.receive(at(4), seg().seq(REMOTE - 5000).ack(LOCAL + 1).payload("old"));
        h.expect(at(4), segment().flags(ACK).ack(REMOTE + 1));
        h.receive(at(501), seg().flags(ACK).seq(REMOTE - 5000).ack(LOCAL + 1));
        h.expect(at(501), segment().flags(ACK).ack(REMOTE + 1));
    }

    @Test
    void challengeAckAllowanceIsDrawnPerSecondAroundTheLimit() {
        TcpContext ctx = new TcpContext(TcpHarness.defaultConfig(), new Counters(), 1000, 7);
        int min = Integer.MAX_VALUE;
        int max = 0;
        for (int second = 0; second < 50; second++) {
            int allowed = 0;
            while (ctx.allowChallengeAck(at(1000L * second)) && allowed < 10_000) {
                allowed++;
            }
            min = Math.min(min, allowed);
            max = Math.max(max, allowed);
        }
        assertThat(min).isGreaterThanOrEqualTo(500);
        assertThat(max).isLessThan(1500);
        assertThat(max).as("randomised (CVE-2016-5696)").isGreaterThan(min);
    }

    @Test
    void rejectedSegmentsLeaveTheWholeTcbUnchanged() {
        TcpHarness h = TcpHarness.established();
        h.appWrite("out");
        h.receive(at(1), seg().flags(ACK | PSH).seq(REMOTE + 1).ack(LOCAL + 4).payload("in"));
        h.drain();
        int recent = h.c.rcv.tsRecent;
        SegBuilder[] rejected = {
            seg().flags(RST).seq(REMOTE + 500).ack(0),                                  // RST in window, not exact
            seg().flags(RST).seq(REMOTE - 500).ack(0),                                  // RST outside the window
            seg().flags(SYN).seq(REMOTE + 3).ack(0).mss(1000),                          // SYN
            seg().flags(ACK | PSH).seq(REMOTE + 3).ack(LOCAL + 500).payload("zz"),      // ACK of unsent data
            seg().flags(ACK | PSH).seq(REMOTE + 3).ack(LOCAL + 1).payload("zz").ts(recent - 9, 0), // PAWS
            seg().flags(ACK | PSH).seq(REMOTE + 3 + (1 << 21)).ack(LOCAL + 4).payload("far"),      // out of window
            seg().flags(PSH).seq(REMOTE + 3).ack(0).payload("no ack bit"),
        };
        TcpInfo before = h.c.info();
        long received = h.c.bytesReceived();
        for (int i = 0; i < rejected.length; i++) {
            h.receive(at(1000L * (i + 2)), rejected[i]);
            assertThat(h.c.info()).as("after rejected segment %d", i).isEqualTo(before);
            assertThat(h.c.bytesReceived()).isEqualTo(received);
            assertThat(h.drain()).as("replies to %d", i).allMatch(x -> x.flags() == ACK && x.len() == 0);
        }
    }

    // ------------------------------------------------------------------ RFC 7323 §5: PAWS

    @Test
    void segmentWithAnOldTimestampIsDroppedAndAcknowledged() {
        TcpHarness h = TcpHarness.established();
        int recent = h.c.rcv.tsRecent;
        h.receive(at(1), seg().flags(ACK | PSH).seq(REMOTE + 1).ack(LOCAL + 1).payload("old").ts(recent - 2, 0));
        h.expect(at(1), segment().flags(ACK).ack(REMOTE + 1).tsEcr(recent));
        assertThat(h.receivedText()).isEmpty();
        assertThat(h.counter(Counter.DROP_TCP_PAWS)).isEqualTo(1);
        // One tick of slack, as Linux (TCP_PAWS_WINDOW): a data segment overtaken by a later ACK.
        h.receive(at(2), seg().flags(ACK | PSH).seq(REMOTE + 1).ack(LOCAL + 1).payload("new").ts(recent - 1, 0));
        assertThat(h.receivedText()).isEqualTo("new");
    }

    @Test
    void reorderedDuplicateAckWithAnOlderTimestampPassesPaws() {
        TcpHarness h = TcpHarness.established();
        h.appWrite(3000);
        h.drain();
        int recent = h.c.rcv.tsRecent;
        h.receive(at(1), seg().seq(REMOTE + 1).ack(LOCAL + 1).ts(recent - 3, 0));
        assertThat(h.counter(Counter.DROP_TCP_PAWS)).isZero();
        h.expectNothing();
        // An old ACK that would change the window is not let through.
        h.receive(at(2), seg().seq(REMOTE + 1).ack(LOCAL + 1).window(2000).ts(recent - 3, 0));
        assertThat(h.counter(Counter.DROP_TCP_PAWS)).isEqualTo(1);
    }

    @Test
    void pawsStopsRejectingAfterTwentyFourDaysIdle() {
        TcpHarness h = TcpHarness.established();
        int recent = h.c.rcv.tsRecent;
        long days25 = 25L * 24 * 3600 * 1000;
        h.receive(at(days25), seg().flags(ACK | PSH).seq(REMOTE + 1).ack(LOCAL + 1).payload("back").ts(recent - 5, 0));
        assertThat(h.receivedText()).isEqualTo("back");
        assertThat(h.c.rcv.tsRecent).as("TS.Recent takes the new clock").isEqualTo(recent - 5);
    }

    @Test
    void pawsStillRejectsJustBeforeTwentyFourDays() {
        TcpHarness h = TcpHarness.established();
        int recent = h.c.rcv.tsRecent;
        long days23 = 23L * 24 * 3600 * 1000;
        h.receive(at(days23), seg().flags(ACK | PSH).seq(REMOTE + 1).ack(LOCAL + 1).payload("old").ts(recent - 5, 0));
        assertThat(h.receivedText()).isEmpty();
    }

    @Test
    void tsRecentEchoesTheEarliestUnacknowledgedSegment() {
        TcpHarness h = TcpHarness.established();
        for (int i = 0; i < TcpReceiver.MAX_QUICK_ACKS; i++) {
            h.receive(seg().seq(REMOTE + 1 + i).ack(LOCAL + 1).payload("q"));
        }
        h.drain();
        int base = h.peerTsNow();
        h.receive(at(100), seg().seq(REMOTE + 17).ack(LOCAL + 1).payload("a").ts(base + 100, 0));
        h.receive(at(110), seg().seq(REMOTE + 18).ack(LOCAL + 1).payload("b").ts(base + 110, 0));
        h.expect(at(140), segment().flags(ACK).ack(REMOTE + 19).tsEcr(base + 100));
    }

    @Test
    void retransmissionOfAcknowledgedDataEndingAtLastAckSentRefreshesTsRecent() {
        TcpHarness h = TcpHarness.established();
        h.receive(at(1), seg().seq(REMOTE + 1).ack(LOCAL + 1).payload("abc"));
        h.expect(at(1), segment().flags(ACK).ack(REMOTE + 4));
        // Our ACK was lost; the peer retransmits after its RTO: the echo must be the new TSval,
        // or the peer would measure its backoff as round-trip time.
        int retransmitTs = h.peerTsNow() + 3000;
        h.receive(at(3001), seg().seq(REMOTE + 1).ack(LOCAL + 1).payload("abc").ts(retransmitTs, 0));
        h.expect(at(3001), segment().flags(ACK).ack(REMOTE + 4).tsEcr(retransmitTs));
        // An older duplicate (not ending at Last.ACK.sent) changes nothing.
        h.receive(at(3002), seg().seq(REMOTE + 1).ack(LOCAL + 1).payload("ab").ts(retransmitTs + 1, 0));
        h.expect(at(3002), segment().flags(ACK).ack(REMOTE + 4).tsEcr(retransmitTs));
    }

    @Test
    void outOfOrderSegmentDoesNotUpdateTsRecent() {
        TcpHarness h = TcpHarness.established();
        int recent = h.c.rcv.tsRecent;
        h.receive(at(1), seg().seq(REMOTE + 100).ack(LOCAL + 1).payload("later").ts(recent + 500, 0));
        h.expect(at(1), segment().flags(ACK).ack(REMOTE + 1).tsEcr(recent));
    }

    @Test
    void segmentWithoutTimestampsIsAcceptedOnATimestampConnection() {
        TcpHarness h = TcpHarness.established();
        h.receive(at(1), seg().flags(ACK | PSH).seq(REMOTE + 1).ack(LOCAL + 1).payload("bare").noTs());
        assertThat(h.receivedText()).isEqualTo("bare");
    }

    @Test
    void timestampsAreNotSentWhenNotNegotiated() {
        TcpHarness h = TcpHarness.fixture().peerOptions(true, false, true).established();
        h.appWrite("x");
        h.expect(at(0), segment().payload("x").noTs());
        assertThat(h.c.info().sndMss()).isEqualTo(1460);
    }
}
