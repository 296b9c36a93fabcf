package io.understudy.stack.tcp;

import static io.understudy.stack.tcp.SegSpec.segment;
import static io.understudy.stack.tcp.TcpHarness.LOCAL;
import static io.understudy.stack.tcp.TcpHarness.PEER_TS_OFFSET;
import static io.understudy.stack.tcp.TcpHarness.REMOTE;
import static io.understudy.stack.tcp.TcpHarness.TS_OFFSET;
import static io.understudy.stack.tcp.TcpHarness.at;
import static io.understudy.stack.tcp.TcpHarness.seg;
import static io.understudy.stack.wire.TcpHeader.ACK;
import static io.understudy.stack.wire.TcpHeader.FIN;
import static io.understudy.stack.wire.TcpHeader.PSH;
import static io.understudy.stack.wire.TcpHeader.RST;
import static io.understudy.stack.wire.TcpHeader.SYN;
import static org.assertj.core.api.Assertions.assertThat;

import io.understudy.stack.Counter;
import org.junit.jupiter.api.Test;

class TcpHandshakeTest {

    @Test
    void passiveOpenAnswersSynWithSynAckCarryingTheNegotiatedOptions() {
        TcpHarness h = new TcpHarness(TcpHarness.defaultConfig());
        h.now = at(-10);
        h.c.openPassive(h.now, LOCAL, TS_OFFSET, h.build(TcpHarness.fixture().peerSyn()));
        h.flush();
        assertThat(h.c.state()).isEqualTo(TcpState.SYN_RECEIVED);
        h.expect(at(-10), segment().flags(SYN | ACK).seq(LOCAL).ack(REMOTE + 1).window(65535).mss(1460).wscale(5)
                .sackPermitted(true).ts(TS_OFFSET - 10, PEER_TS_OFFSET - 10));
        h.expectNothing(at(-1));
    }

    @Test
    void synAckLeavesOutOptionsThePeerDidNotOffer() {
        TcpHarness h = TcpHarness.fixture().peerOptions(false, false, false).synReceived();
        TcpHarness probe = new TcpHarness(TcpHarness.defaultConfig());
        probe.now = at(-10);
        probe.c.openPassive(probe.now, LOCAL, TS_OFFSET,
                probe.build(TcpHarness.fixture().peerOptions(false, false, false).peerSyn()));
        probe.flush();
        probe.expect(at(-10), segment().flags(SYN | ACK).mss(1460).noWscale().sackPermitted(false).noTs());
        assertThat(h.c.info().sack()).isFalse();
        assertThat(h.c.info().timestamps()).isFalse();
        assertThat(h.c.info().sndWscale()).isZero();
        assertThat(h.c.info().rcvWscale()).isZero();
    }

    @Test
    void synReceivedBecomesEstablishedOnTheAckOfOurSyn() {
        TcpHarness h = TcpHarness.synReceived();
        h.receive(at(0), seg().flags(ACK).seq(REMOTE + 1).ack(LOCAL + 1));
        assertThat(h.c.state()).isEqualTo(TcpState.ESTABLISHED);
        assertThat(h.events).containsExactly("established", "onConnected");
        h.expectNothing(at(5000));
        assertThat(h.c.info().srtt()).isEqualTo(at(10)); // RTT sample from the handshake
        assertThat(h.c.info().rto()).isEqualTo(at(200)); // min RTO
    }

    @Test
    void activeOpenSendsSynWithOurOptionsAndAcknowledgesTheSynAck() {
        TcpHarness h = new TcpHarness(TcpHarness.defaultConfig());
        h.c.openActive(0, LOCAL, TS_OFFSET);
        h.flush();
        assertThat(h.c.state()).isEqualTo(TcpState.SYN_SENT);
        h.expect(at(0), segment().flags(SYN).seq(LOCAL).ack(0).window(65535).mss(1460).wscale(5).sackPermitted(true)
                .ts(TS_OFFSET, 0));
        h.receive(at(30), seg().flags(SYN | ACK).seq(REMOTE).ack(LOCAL + 1).window(29200).mss(1400).sackPermitted()
                .wscale(7).ts(PEER_TS_OFFSET, TS_OFFSET));
        assertThat(h.c.state()).isEqualTo(TcpState.ESTABLISHED);
        h.expect(at(30), segment().flags(ACK).seq(LOCAL + 1).ack(REMOTE + 1).ts(TS_OFFSET + 30, PEER_TS_OFFSET).len(0));
        assertThat(h.events).containsExactly("established", "onConnected");
        TcpInfo info = h.c.info();
        assertThat(info.sndMss()).isEqualTo(1400 - 12);
        assertThat(info.sndWnd()).as("a SYN's window is not scaled").isEqualTo(29200);
        assertThat(info.sndWscale()).isEqualTo(7);
        assertThat(info.srtt()).isEqualTo(at(30));
        assertThat(info.cwnd()).isEqualTo(10 * (1400 - 12));
    }

    @Test
    void dataInTheSynAckIsDelivered() {
        TcpHarness h = TcpHarness.synSent();
        h.receive(at(0), seg().flags(SYN | ACK | PSH).seq(REMOTE).ack(LOCAL + 1).mss(1460).payload("hello")
                .ts(PEER_TS_OFFSET, TS_OFFSET - 10));
        assertThat(h.receivedText()).isEqualTo("hello");
        h.expect(at(0), segment().flags(ACK).seq(LOCAL + 1).ack(REMOTE + 6));
    }

    @Test
    void simultaneousOpenGoesThroughSynReceivedAndAnswersWithSynAck() {
        TcpHarness h = TcpHarness.synSent();
        h.receive(at(0), seg().flags(SYN).seq(REMOTE).ack(0).mss(1460).sackPermitted().wscale(7)
                .ts(PEER_TS_OFFSET, 0));
        assertThat(h.c.state()).isEqualTo(TcpState.SYN_RECEIVED);
        h.expect(at(0), segment().flags(SYN | ACK).seq(LOCAL).ack(REMOTE + 1).mss(1460).wscale(5).sackPermitted(true)
                .tsEcr(PEER_TS_OFFSET));
        // The peer's SYN-ACK repeats its SYN and acknowledges ours.
        h.receive(at(5), seg().flags(SYN | ACK).seq(REMOTE).ack(LOCAL + 1).mss(1460).sackPermitted().wscale(7));
        assertThat(h.c.state()).isEqualTo(TcpState.ESTABLISHED);
        assertThat(h.events).containsExactly("established", "onConnected");
        h.expectNothing(at(2000));
    }

    @Test
    void simultaneousOpenAlsoCompletesWithAPlainAck() {
        TcpHarness h = TcpHarness.synSent();
        h.receive(at(0), seg().flags(SYN).seq(REMOTE).ack(0).mss(1460).ts(PEER_TS_OFFSET, 0));
        h.drain();
        h.receive(at(5), seg().flags(ACK).seq(REMOTE + 1).ack(LOCAL + 1));
        assertThat(h.c.state()).isEqualTo(TcpState.ESTABLISHED);
    }

    @Test
    void rstInPassiveSynReceivedDeletesTheConnectionSilently() {
        TcpHarness h = TcpHarness.synReceived();
        h.receive(at(0), seg().flags(RST).seq(REMOTE + 1).ack(0));
        assertThat(h.c.state()).isEqualTo(TcpState.CLOSED);
        assertThat(h.events).contains("closed").doesNotContain("onConnected");
        h.expectNothing(at(10_000));
        assertThat(h.c.nextDeadline()).isEqualTo(TcpConnection.NO_DEADLINE);
    }

    @Test
    void rstInSimultaneousOpenSynReceivedRefusesTheConnection() {
        TcpHarness h = TcpHarness.synSent();
        h.receive(at(0), seg().flags(SYN).seq(REMOTE).ack(0).mss(1460).noTs());
        h.drain();
        h.receive(at(1), seg().flags(RST).seq(REMOTE + 1).ack(0));
        assertThat(h.c.state()).isEqualTo(TcpState.CLOSED);
        assertThat(h.events).containsExactly("onClosed(REFUSED)", "closed");
    }

    @Test
    void rstWithAcceptableAckInSynSentRefusesTheConnection() {
        TcpHarness h = TcpHarness.synSent();
        h.receive(at(0), seg().flags(RST | ACK).seq(0).ack(LOCAL + 1));
        assertThat(h.c.state()).isEqualTo(TcpState.CLOSED);
        assertThat(h.events).containsExactly("onClosed(REFUSED)", "closed");
        h.expectNothing();
    }

    @Test
    void rstWithoutAckInSynSentIsIgnored() {
        TcpHarness h = TcpHarness.synSent();
        h.receive(at(0), seg().flags(RST).seq(REMOTE).ack(0));
        assertThat(h.c.state()).isEqualTo(TcpState.SYN_SENT);
        h.expectNothing();
    }

    @Test
    void unacceptableAckInSynSentIsAnsweredWithRstAtItsAckNumber() {
        TcpHarness h = TcpHarness.synSent();
        h.receive(at(0), seg().flags(SYN | ACK).seq(REMOTE).ack(LOCAL + 77).noTs());
        h.expect(at(0), segment().flags(RST).seq(LOCAL + 77).noTs());
        assertThat(h.c.state()).isEqualTo(TcpState.SYN_SENT);
        h.receive(at(1), seg().flags(ACK).seq(REMOTE).ack(LOCAL).noTs());
        h.expect(at(1), segment().flags(RST).seq(LOCAL));
    }

    @Test
    void unacceptableAckWithRstInSynSentIsDroppedWithoutReply() {
        TcpHarness h = TcpHarness.synSent();
        h.receive(at(0), seg().flags(RST | ACK).seq(REMOTE).ack(LOCAL + 77));
        h.expectNothing();
        assertThat(h.c.state()).isEqualTo(TcpState.SYN_SENT);
    }

    @Test
    void segmentWithoutSynOrRstInSynSentIsDropped() {
        TcpHarness h = TcpHarness.synSent();
        h.receive(at(0), seg().flags(ACK).seq(REMOTE).ack(LOCAL + 1));
        h.expectNothing();
        assertThat(h.c.state()).isEqualTo(TcpState.SYN_SENT);
        assertThat(h.counter(Counter.DROP_TCP_SYN_SENT_NO_SYN)).isEqualTo(1);
    }

    @Test
    void unacceptableAckInSynReceivedIsAnsweredWithRst() {
        TcpHarness h = TcpHarness.synReceived();
        h.receive(at(0), seg().flags(ACK).seq(REMOTE + 1).ack(LOCAL + 5));
        h.expect(at(0), segment().flags(RST).seq(LOCAL + 5));
        assertThat(h.c.state()).isEqualTo(TcpState.SYN_RECEIVED);
    }

    @Test
    void synRetransmissionsBackOffAndGiveUpAfterSynRetriesWithoutRst() {
        TcpHarness h = new TcpHarness(TcpHarness.defaultConfig());
        h.c.openActive(0, LOCAL, TS_OFFSET);
        h.flush();
        h.expect(at(0), segment().flags(SYN).seq(LOCAL));
        long t = 0;
        for (int i = 0; i < 6; i++) {
            long next = t + (1000L << i);
            h.expectNothing(at(next) - 1);
            h.expect(at(next), segment().flags(SYN).seq(LOCAL).tsVal(TS_OFFSET + (int) next));
            t = next;
        }
        assertThat(t).isEqualTo(63_000);
        h.expectNothing(at(127_000) - 1);
        assertThat(h.c.state()).isEqualTo(TcpState.SYN_SENT);
        h.advanceTo(at(127_000));
        assertThat(h.c.state()).isEqualTo(TcpState.CLOSED);
        assertThat(h.events).containsExactly("onClosed(TIMED_OUT)", "closed");
        h.expectNothing();
        assertThat(h.counter(Counter.TCP_SYN_RETRANSMITS)).isEqualTo(6);
    }

    @Test
    void handshakeAfterALostSynUsesThreeSecondRtoAndOneSegmentWindow() {
        TcpHarness h = TcpHarness.fixture().config(c -> c.withOptions(true, false, true)).synSent();
        h.expect(at(990), segment().flags(SYN).seq(LOCAL));
        h.receive(at(1000), seg().flags(SYN | ACK).seq(REMOTE).ack(LOCAL + 1).mss(1460).noTs());
        TcpInfo info = h.c.info();
        assertThat(info.rto()).as("RFC 6298 §5.7").isEqualTo(at(3000));
        assertThat(info.cwnd()).as("RFC 5681 §3.1").isEqualTo(1460);
    }

    @Test
    void synAckIsRetransmittedOnTimeoutAndWhenThePeerRepeatsItsSyn() {
        TcpHarness h = TcpHarness.synReceived();
        h.expect(at(990), segment().flags(SYN | ACK).seq(LOCAL).ack(REMOTE + 1));
        h.receive(at(1500), TcpHarness.fixture().peerSyn());
        h.expect(at(1500), segment().flags(SYN | ACK).seq(LOCAL).ack(REMOTE + 1));
        assertThat(h.counter(Counter.TCP_SYN_RETRANSMITS)).isEqualTo(2);
    }

    @Test
    void ackArrivingWhileASynAckRetransmissionIsPendingStillLetsDataFlow() {
        TcpHarness h = TcpHarness.synReceived();
        h.now = at(990);
        h.c.onTimer(h.now()); // the SYN-ACK retransmission is pending ...
        h.c.onSegment(h.now(), h.build(seg().flags(ACK).seq(REMOTE + 1).ack(LOCAL + 1))); // ... when the ACK comes
        h.c.write("go".getBytes(), 0, 2);
        h.flush();
        assertThat(h.c.state()).isEqualTo(TcpState.ESTABLISHED);
        h.expect(at(990), segment().flags(ACK | PSH).seq(LOCAL + 1).payload("go"));
        h.expectNothing();
    }

    @Test
    void passiveSynReceivedGivesUpSilentlyAfterSynRetries() {
        TcpHarness h = TcpHarness.synReceived();
        h.advanceTo(at(200_000));
        assertThat(h.c.state()).isEqualTo(TcpState.CLOSED);
        assertThat(h.drain()).hasSize(6).allMatch(s -> s.has(SYN | ACK));
        assertThat(h.events).contains("closed");
    }

    @Test
    void sendMssDefaultsTo536WhenThePeerSendsNoMssOption() {
        TcpHarness h = TcpHarness.fixture().noPeerMss().peerOptions(true, false, true).established();
        assertThat(h.c.info().sndMss()).isEqualTo(536);
        h.c.noDelay(true);
        h.appWrite(1200);
        h.expect(at(0), segment().seq(LOCAL + 1).len(536));
        h.expect(at(0), segment().seq(LOCAL + 537).len(536));
        h.expect(at(0), segment().seq(LOCAL + 1073).len(128));
    }

    @Test
    void sendMssIsTheSmallerOfBothMssesLessTheTimestampOption() {
        TcpHarness h = TcpHarness.fixture().peerMss(9000).established();
        assertThat(h.c.info().sndMss()).isEqualTo(1460 - 12);
        h.appWrite(3000);
        h.expect(at(0), segment().len(1448));
        h.expect(at(0), segment().len(1448));
        h.expect(at(0), segment().len(104));
    }

    @Test
    void windowScalingAppliesToNonSynWindowsInBothDirections() {
        TcpHarness h = TcpHarness.established();
        // Our first non-SYN window: the 1 MiB buffer (the application read the byte) with our shift 5.
        h.receive(at(1), seg().seq(REMOTE + 1).ack(LOCAL + 1).payload("x"));
        h.expect(at(1), segment().flags(ACK).ack(REMOTE + 2).window((1 << 20) >> 5));
        // The peer's window field 1000 with its shift 7.
        assertThat(h.c.info().sndWnd()).isEqualTo(1000 << 7);
    }

    @Test
    void withoutWindowScalingTheWindowIsCappedAt65535() {
        TcpHarness h = TcpHarness.fixture().peerOptions(false, true, true).peerWindow(40000).established();
        h.receive(at(1), seg().seq(REMOTE + 1).ack(LOCAL + 1).payload("x"));
        h.expect(at(1), segment().flags(ACK).ack(REMOTE + 2).window(65535));
        assertThat(h.c.info().sndWnd()).isEqualTo(40000);
    }

    @Test
    void synCookieOpenEstablishesAndTakesTheDataOfTheAck() {
        TcpHarness h = new TcpHarness(TcpHarness.defaultConfig());
        TcpSegment ack = h.build(seg().flags(ACK | PSH).seq(REMOTE + 1).ack(LOCAL + 1).window(500).payload("GET /")
                .ts(PEER_TS_OFFSET, TS_OFFSET));
        h.c.openFromCookie(0, LOCAL, TS_OFFSET, REMOTE, 1460, 7, true, ack);
        h.flush();
        assertThat(h.c.state()).isEqualTo(TcpState.ESTABLISHED);
        assertThat(h.events).containsExactly("established", "onConnected", "onReadable");
        assertThat(h.receivedText()).isEqualTo("GET /");
        h.expect(at(0), segment().flags(ACK).seq(LOCAL + 1).ack(REMOTE + 6).tsEcr(PEER_TS_OFFSET));
        TcpInfo info = h.c.info();
        assertThat(info.sndWnd()).isEqualTo(500 << 7);
        assertThat(info.sack()).isTrue();
        assertThat(info.timestamps()).isTrue();
        assertThat(info.rcvWscale()).isEqualTo(h.ctx.receiveWindowShift());
        h.appWrite("HTTP/1.1 200 OK");
        h.expect(at(0), segment().flags(ACK | PSH).seq(LOCAL + 1).payload("HTTP/1.1 200 OK"));
    }

    @Test
    void dataInASynIsNotAcknowledged() {
        TcpHarness h = new TcpHarness(TcpHarness.defaultConfig());
        h.c.openPassive(0, LOCAL, TS_OFFSET, h.build(TcpHarness.fixture().peerSyn().payload("early")));
        h.flush();
        h.expect(at(0), segment().flags(SYN | ACK).ack(REMOTE + 1));
        assertThat(h.c.readable()).isZero();
    }

    @Test
    void writesDuringTheHandshakeAreSentOnceEstablished() {
        TcpHarness h = TcpHarness.synSent();
        h.appWrite("queued");
        h.expectNothing();
        h.receive(at(0), seg().flags(SYN | ACK).seq(REMOTE).ack(LOCAL + 1).mss(1460).noTs());
        h.expect(at(0), segment().flags(ACK | PSH).seq(LOCAL + 1).ack(REMOTE + 1).payload("queued"));
    }
}
