package io.understudy.stack.tcp;

import static io.understudy.stack.tcp.SegSpec.segment;
import static io.understudy.stack.tcp.TcpHarness.LOCAL;
import static io.understudy.stack.tcp.TcpHarness.REMOTE;
import static io.understudy.stack.tcp.TcpHarness.at;
import static io.understudy.stack.tcp.TcpHarness.seg;
import static io.understudy.stack.wire.TcpHeader.ACK;
import static io.understudy.stack.wire.TcpHeader.FIN;
import static io.understudy.stack.wire.TcpHeader.PSH;
import static io.understudy.stack.wire.TcpHeader.RST;
import static io.understudy.stack.wire.TcpHeader.SYN;
import static org.assertj.core.api.Assertions.assertThat;

import io.understudy.stack.Counter;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class TcpCloseTest {

    @Test
    void closeInEstablishedSendsFinAndEntersFinWait1() {
        TcpHarness h = TcpHarness.established();
        h.appClose();
        assertThat(h.c.state()).isEqualTo(TcpState.FIN_WAIT_1);
        h.expect(at(0), segment().flags(FIN | ACK).seq(LOCAL + 1).ack(REMOTE + 1).len(0));
        assertThat(h.c.writable()).isZero();
    }

    @Test
    void finFollowsQueuedDataOnItsLastSegment() {
        TcpHarness h = TcpHarness.established();
        h.c.write("last words".getBytes(), 0, 10);
        h.c.close();
        h.flush();
        h.expect(at(0), segment().flags(FIN | PSH | ACK).seq(LOCAL + 1).payload("last words"));
        h.expectNothing();
    }

    @Test
    void finWait1ToFinWait2ToTimeWaitToClosed() {
        TcpHarness h = TcpHarness.finWait1();
        h.receive(at(5), seg().flags(ACK).seq(REMOTE + 1).ack(LOCAL + 2));
        assertThat(h.c.state()).isEqualTo(TcpState.FIN_WAIT_2);
        h.expectNothing();
        h.receive(at(50), seg().flags(FIN | ACK).seq(REMOTE + 1).ack(LOCAL + 2));
        assertThat(h.c.state()).isEqualTo(TcpState.TIME_WAIT);
        h.expect(at(50), segment().flags(ACK).seq(LOCAL + 2).ack(REMOTE + 2));
        assertThat(h.events).containsExactly("onClosed(NORMAL)");
        h.expectNothing(at(2049));
        assertThat(h.c.state()).isEqualTo(TcpState.TIME_WAIT);
        h.advanceTo(at(2050));
        assertThat(h.c.state()).isEqualTo(TcpState.CLOSED);
        assertThat(h.events).containsExactly("onClosed(NORMAL)", "closed");
        h.expectNothing();
    }

    @Test
    void finWait1ReceivingFinAndAckOfOurFinGoesStraightToTimeWait() {
        TcpHarness h = TcpHarness.finWait1();
        h.receive(at(5), seg().flags(FIN | ACK).seq(REMOTE + 1).ack(LOCAL + 2));
        assertThat(h.c.state()).isEqualTo(TcpState.TIME_WAIT);
        h.expect(at(5), segment().flags(ACK).seq(LOCAL + 2).ack(REMOTE + 2));
    }

    @Test
    void simultaneousCloseGoesThroughClosing() {
        TcpHarness h = TcpHarness.finWait1();
        h.receive(at(1), seg().flags(FIN | ACK).seq(REMOTE + 1).ack(LOCAL + 1));
        assertThat(h.c.state()).isEqualTo(TcpState.CLOSING);
        h.expect(at(1), segment().flags(ACK).seq(LOCAL + 2).ack(REMOTE + 2));
        h.receive(at(3), seg().flags(ACK).seq(REMOTE + 2).ack(LOCAL + 2));
        assertThat(h.c.state()).isEqualTo(TcpState.TIME_WAIT);
        h.expectNothing(at(2002));
        assertThat(h.c.state()).isEqualTo(TcpState.TIME_WAIT);
        h.advanceTo(at(2003));
        assertThat(h.c.state()).isEqualTo(TcpState.CLOSED);
    }

    @Test
    void closingRetransmitsOurFinUntilAcknowledged() {
        TcpHarness h = TcpHarness.closing();
        h.expect(at(200), segment().flags(FIN | ACK).seq(LOCAL + 1).ack(REMOTE + 2));
        h.expect(at(600), segment().flags(FIN | ACK).seq(LOCAL + 1));
    }

    @Test
    void closeWaitKeepsSendingThenLastAckThenClosed() {
        TcpHarness h = TcpHarness.closeWait();
        h.appWrite("bye");
        h.expect(at(0), segment().flags(ACK | PSH).seq(LOCAL + 1).ack(REMOTE + 2).payload("bye"));
        h.appClose();
        assertThat(h.c.state()).isEqualTo(TcpState.LAST_ACK);
        h.expect(at(0), segment().flags(FIN | ACK).seq(LOCAL + 4).ack(REMOTE + 2));
        h.receive(at(10), seg().flags(ACK).seq(REMOTE + 2).ack(LOCAL + 4));
        assertThat(h.c.state()).isEqualTo(TcpState.LAST_ACK);
        h.receive(at(11), seg().flags(ACK).seq(REMOTE + 2).ack(LOCAL + 5));
        assertThat(h.c.state()).isEqualTo(TcpState.CLOSED);
        assertThat(h.events).containsExactly("onClosed(NORMAL)", "closed");
        h.expectNothing(at(10_000));
    }

    @Test
    void peerFinIsAcknowledgedAndReportedAfterTheData() {
        TcpHarness h = TcpHarness.established();
        h.receive(at(1), seg().flags(FIN | ACK | PSH).seq(REMOTE + 1).ack(LOCAL + 1).payload("end"));
        assertThat(h.c.state()).isEqualTo(TcpState.CLOSE_WAIT);
        assertThat(h.events).containsExactly("onReadable", "onPeerClosed");
        assertThat(h.receivedText()).isEqualTo("end");
        assertThat(h.c.peerFinReceived()).isTrue();
        h.expect(at(1), segment().flags(ACK).ack(REMOTE + 5));
    }

    @Test
    void finBeyondAHoleWaitsForTheMissingData() {
        TcpHarness h = TcpHarness.established();
        h.receive(at(1), seg().flags(FIN | ACK).seq(REMOTE + 4).ack(LOCAL + 1).payload("def"));
        assertThat(h.c.state()).isEqualTo(TcpState.ESTABLISHED);
        h.expect(at(1), segment().flags(ACK).ack(REMOTE + 1).sack(REMOTE + 4, REMOTE + 7));
        h.receive(at(2), seg().flags(ACK).seq(REMOTE + 1).ack(LOCAL + 1).payload("abc"));
        assertThat(h.c.state()).isEqualTo(TcpState.CLOSE_WAIT);
        assertThat(h.receivedText()).isEqualTo("abcdef");
        h.expect(at(2), segment().flags(ACK).ack(REMOTE + 8).noSack());
    }

    @Test
    void bareFinIsTakenEvenWithAZeroWindow() {
        TcpHarness h = TcpHarness.fixture().config(c -> c.withBuffers(4096, 1 << 20)).established();
        h.autoRead = false;
        h.receive(at(1), seg().seq(REMOTE + 1).ack(LOCAL + 1).len(4096));
        h.expect(at(1), segment().flags(ACK).ack(REMOTE + 4097).window(0));
        h.receive(at(60), seg().flags(FIN | ACK).seq(REMOTE + 4097).ack(LOCAL + 1));
        assertThat(h.c.state()).isEqualTo(TcpState.CLOSE_WAIT);
        h.expect(at(60), segment().flags(ACK).ack(REMOTE + 4098).window(0));
        assertThat(h.c.readable()).isEqualTo(4096);
    }

    @Test
    void halfClosedFinWait2KeepsReceivingWithoutTimeout() {
        TcpHarness h = TcpHarness.established();
        h.appShutdown();
        h.expect(at(0), segment().flags(FIN | ACK).seq(LOCAL + 1));
        h.receive(at(1), seg().flags(ACK).seq(REMOTE + 1).ack(LOCAL + 2));
        assertThat(h.c.state()).isEqualTo(TcpState.FIN_WAIT_2);
        h.receive(at(100_000), seg().flags(ACK | PSH).seq(REMOTE + 1).ack(LOCAL + 2).payload("still talking"));
        assertThat(h.receivedText()).isEqualTo("still talking");
        assertThat(h.c.state()).isEqualTo(TcpState.FIN_WAIT_2);
        h.receive(at(100_001), seg().flags(FIN | ACK).seq(REMOTE + 14).ack(LOCAL + 2));
        assertThat(h.c.state()).isEqualTo(TcpState.TIME_WAIT);
    }

    @Test
    void orphanedFinWait2TimesOutSilently() {
        TcpHarness h = TcpHarness.finWait2();
        h.expectNothing(at(59_999));
        assertThat(h.c.state()).isEqualTo(TcpState.FIN_WAIT_2);
        h.advanceTo(at(60_000));
        assertThat(h.c.state()).isEqualTo(TcpState.CLOSED);
        assertThat(h.events).containsExactly("onClosed(TIMED_OUT)", "closed");
        h.expectNothing();
        assertThat(h.counter(Counter.TCP_FIN_WAIT2_TIMEOUTS)).isEqualTo(1);
    }

    @Test
    void closeAfterShutdownStartsTheFinWait2Timeout() {
        TcpHarness h = TcpHarness.established();
        h.appShutdown();
        h.receive(at(1), seg().flags(ACK).seq(REMOTE + 1).ack(LOCAL + 2));
        h.drain();
        h.advanceTo(at(10));
        h.appClose();
        h.advanceTo(at(60_009));
        assertThat(h.c.state()).isEqualTo(TcpState.FIN_WAIT_2);
        h.advanceTo(at(60_010));
        assertThat(h.c.state()).isEqualTo(TcpState.CLOSED);
    }

    @Test
    void timeWaitAcknowledgesARetransmittedFinAndRestartsItsTimer() {
        TcpHarness h = TcpHarness.timeWait();
        h.receive(at(1500), seg().flags(FIN | ACK).seq(REMOTE + 1).ack(LOCAL + 2));
        h.expect(at(1500), segment().flags(ACK).seq(LOCAL + 2).ack(REMOTE + 2));
        h.expectNothing(at(3499));
        assertThat(h.c.state()).isEqualTo(TcpState.TIME_WAIT);
        h.advanceTo(at(3500));
        assertThat(h.c.state()).isEqualTo(TcpState.CLOSED);
    }

    @Test
    void timeWaitAnswersOtherSegmentsWithAnAckButKeepsItsTimer() {
        TcpHarness h = TcpHarness.timeWait();
        h.receive(at(100), seg().flags(ACK).seq(REMOTE + 2).ack(LOCAL + 2).payload("late"));
        h.expect(at(100), segment().flags(ACK).seq(LOCAL + 2).ack(REMOTE + 2));
        h.advanceTo(at(2000));
        assertThat(h.c.state()).isEqualTo(TcpState.CLOSED);
    }

    @Test
    void timeWaitAcceptsANewSynOnlyWhenItCannotBeAnOldDuplicate() {
        TcpHarness h = TcpHarness.timeWait();
        int recent = h.c.rcv.tsRecent;
        assertThat(h.c.acceptsNewSyn(h.build(seg().flags(SYN).seq(REMOTE + 100).ack(0).ts(recent + 1, 0)))).isTrue();
        assertThat(h.c.acceptsNewSyn(h.build(seg().flags(SYN).seq(REMOTE - 100).ack(0).ts(recent + 1, 0))))
                .as("newer timestamp, older sequence number (RFC 6191)").isTrue();
        assertThat(h.c.acceptsNewSyn(h.build(seg().flags(SYN).seq(REMOTE + 100).ack(0).ts(recent - 2, 0))))
                .as("fails PAWS").isFalse();
        assertThat(h.c.acceptsNewSyn(h.build(seg().flags(SYN).seq(REMOTE - 100).ack(0).ts(recent, 0)))).isFalse();
        assertThat(h.c.acceptsNewSyn(h.build(seg().flags(SYN | ACK).seq(REMOTE + 100).ack(1).ts(recent + 1, 0))))
                .isFalse();
        assertThat(h.c.acceptsNewSyn(h.build(seg().flags(SYN).seq(REMOTE + 100).ack(0).noTs())))
                .as("no timestamp: sequence number beyond RCV.NXT (RFC 9293 §3.6.1)").isTrue();
        assertThat(h.c.acceptsNewSyn(h.build(seg().flags(SYN).seq(REMOTE).ack(0).noTs()))).isFalse();
        assertThat(TcpHarness.established().c.acceptsNewSyn(h.build(seg().flags(SYN).seq(REMOTE + 100).ack(0))))
                .as("only in TIME-WAIT").isFalse();
    }

    @Test
    void timeWaitWithoutTimestampsJudgesNewSynsBySequenceNumber() {
        TcpHarness h = TcpHarness.fixture().peerOptions(true, false, true).timeWait();
        assertThat(h.c.acceptsNewSyn(h.build(seg().flags(SYN).seq(REMOTE + 3).ack(0)))).isTrue();
        assertThat(h.c.acceptsNewSyn(h.build(seg().flags(SYN).seq(REMOTE + 2).ack(0)))).isFalse();
    }

    @Test
    void closeWithUnreadDataSendsRstInsteadOfFin() {
        TcpHarness h = TcpHarness.established();
        h.autoRead = false;
        h.receive(at(1), seg().flags(ACK | PSH).seq(REMOTE + 1).ack(LOCAL + 1).payload("unread"));
        h.drain();
        h.appClose();
        h.expect(at(1), segment().flags(RST | ACK).seq(LOCAL + 1).ack(REMOTE + 7));
        assertThat(h.c.state()).isEqualTo(TcpState.CLOSED);
        assertThat(h.events).containsExactly("onReadable", "onClosed(ABORTED)", "closed");
        assertThat(h.counter(Counter.TCP_ABORT_ON_CLOSE)).isEqualTo(1);
    }

    @Test
    void newDataAfterCloseIsAnsweredWithRst() {
        TcpHarness h = TcpHarness.finWait2();
        h.receive(at(1), seg().flags(ACK | PSH).seq(REMOTE + 1).ack(LOCAL + 2).payload("more"));
        h.expect(at(1), segment().flags(RST).seq(LOCAL + 2));
        assertThat(h.c.state()).isEqualTo(TcpState.CLOSED);
        assertThat(h.events).containsExactly("onClosed(ABORTED)", "closed");
        assertThat(h.counter(Counter.TCP_ABORT_ON_DATA)).isEqualTo(1);
    }

    @Test
    void closeInSynSentDeletesTheConnectionWithoutRst() {
        TcpHarness h = TcpHarness.synSent();
        h.appClose();
        assertThat(h.c.state()).isEqualTo(TcpState.CLOSED);
        h.expectNothing(at(5000));
        assertThat(h.events).containsExactly("onClosed(ABORTED)", "closed");
    }

    @Test
    void closeInSynReceivedSendsFinOnceEstablished() {
        TcpHarness h = TcpHarness.synReceived();
        h.appClose();
        h.expectNothing();
        h.receive(at(0), seg().flags(ACK).seq(REMOTE + 1).ack(LOCAL + 1));
        assertThat(h.c.state()).isEqualTo(TcpState.FIN_WAIT_1);
        h.expect(at(0), segment().flags(FIN | ACK).seq(LOCAL + 1).ack(REMOTE + 1));
    }

    static Stream<Arguments> synchronizedStates() {
        return Stream.of(
                Arguments.of("ESTABLISHED", (Supplier<TcpHarness>) TcpHarness::established, REMOTE + 1, "RESET_BY_PEER"),
                Arguments.of("FIN-WAIT-1", (Supplier<TcpHarness>) TcpHarness::finWait1, REMOTE + 1, "RESET_BY_PEER"),
                Arguments.of("FIN-WAIT-2", (Supplier<TcpHarness>) TcpHarness::finWait2, REMOTE + 1, "RESET_BY_PEER"),
                Arguments.of("CLOSE-WAIT", (Supplier<TcpHarness>) TcpHarness::closeWait, REMOTE + 2, "RESET_BY_PEER"),
                Arguments.of("CLOSING", (Supplier<TcpHarness>) TcpHarness::closing, REMOTE + 2, "RESET_BY_PEER"),
                Arguments.of("LAST-ACK", (Supplier<TcpHarness>) TcpHarness::lastAck, REMOTE + 2, "RESET_BY_PEER"),
                Arguments.of("TIME-WAIT", (Supplier<TcpHarness>) TcpHarness::timeWait, REMOTE + 2, null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("synchronizedStates")
    void rstAtRcvNxtClosesTheConnectionInEverySynchronizedState(String name, Supplier<TcpHarness> fixture,
                                                                int rcvNxt, String reason) {
        TcpHarness h = fixture.get();
        h.events.clear();
        h.receive(at(1), seg().flags(RST).seq(rcvNxt).ack(0));
        assertThat(h.c.state()).isEqualTo(TcpState.CLOSED);
        h.expectNothing(at(100_000));
        if (reason != null) {
            assertThat(h.events).containsExactly("onClosed(" + reason + ")", "closed");
        } else {
            assertThat(h.events).containsExactly("closed");
        }
        assertThat(h.c.nextDeadline()).isEqualTo(TcpConnection.NO_DEADLINE);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("synchronizedStates")
    void rstInTheWindowButNotAtRcvNxtDrawsAChallengeAck(String name, Supplier<TcpHarness> fixture, int rcvNxt,
                                                       String reason) {
        TcpHarness h = fixture.get();
        TcpState before = h.c.state();
        h.receive(at(1), seg().flags(RST).seq(rcvNxt + 100).ack(0));
        assertThat(h.c.state()).isEqualTo(before);
        h.expect(at(1), segment().flags(ACK).ack(rcvNxt));
    }

    @Test
    void rstAtRcvNxtMinusOneAfterThePeersFinResets() {
        TcpHarness h = TcpHarness.closeWait();
        h.receive(at(1), seg().flags(RST).seq(REMOTE + 1).ack(0));
        assertThat(h.c.state()).isEqualTo(TcpState.CLOSED);
    }

    @Test
    void abortInEstablishedSendsRstAndReportsAborted() {
        TcpHarness h = TcpHarness.established();
        h.appWrite("unsent?");
        h.drain();
        h.appAbort();
        h.expect(at(0), segment().flags(RST | ACK).seq(LOCAL + 8).ack(REMOTE + 1).window(0));
        assertThat(h.c.state()).isEqualTo(TcpState.CLOSED);
        assertThat(h.events).containsExactly("onClosed(ABORTED)", "closed");
        h.expectNothing(at(100_000));
    }

    @Test
    void abortInSynSentTimeWaitAndLastAckSendsNothing() {
        for (TcpHarness h : new TcpHarness[] {TcpHarness.synSent(), TcpHarness.timeWait(), TcpHarness.lastAck()}) {
            h.appAbort();
            assertThat(h.c.state()).isEqualTo(TcpState.CLOSED);
            h.expectNothing(at(100_000));
            assertThat(h.events).endsWith("closed");
        }
    }

    @Test
    void abortFromInsideACallbackIsSafe() {
        TcpHarness h = TcpHarness.established();
        h.c.handler(new TcpHandler() {
            @Override
            public void onReadable(TcpConnection c) {
                c.abort();
                c.write("ignored".getBytes(), 0, 7);
                c.close();
            }

            @Override
            public void onClosed(TcpConnection c, CloseReason reason) {
                h.events.add("onClosed(" + reason + ")");
            }
        });
        h.receive(at(1), seg().flags(ACK | PSH).seq(REMOTE + 1).ack(LOCAL + 1).payload("x"));
        h.expect(at(1), segment().flags(RST | ACK).seq(LOCAL + 1));
        h.expectNothing();
        assertThat(h.events).containsExactly("onClosed(ABORTED)", "closed");
    }

    @Test
    void writeAndCloseFromInsideOnReadableGoOutTogetherWithTheAck() {
        TcpHarness h = TcpHarness.established();
        h.c.handler(new TcpHandler() {
            @Override
            public void onReadable(TcpConnection c) {
                byte[] buf = new byte[100];
                int n = c.read(buf, 0, buf.length);
                c.write(buf, 0, n);
                c.close();
            }
        });
        h.receive(at(1), seg().flags(ACK | PSH).seq(REMOTE + 1).ack(LOCAL + 1).payload("echo"));
        h.expect(at(1), segment().flags(ACK | PSH | FIN).seq(LOCAL + 1).ack(REMOTE + 5).payload("echo"));
        h.expectNothing();
        assertThat(h.c.state()).isEqualTo(TcpState.FIN_WAIT_1);
    }
}
