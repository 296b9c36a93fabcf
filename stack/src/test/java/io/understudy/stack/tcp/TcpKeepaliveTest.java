package io.understudy.stack.tcp;

import static io.understudy.stack.tcp.SegSpec.segment;
import static io.understudy.stack.tcp.TcpHarness.LOCAL;
import static io.understudy.stack.tcp.TcpHarness.REMOTE;
import static io.understudy.stack.tcp.TcpHarness.at;
import static io.understudy.stack.tcp.TcpHarness.seg;
import static io.understudy.stack.wire.TcpHeader.ACK;
import static io.understudy.stack.wire.TcpHeader.RST;
import static org.assertj.core.api.Assertions.assertThat;

import io.understudy.stack.Counter;
import org.junit.jupiter.api.Test;

class TcpKeepaliveTest {

    private static TcpHarness withKeepalive() {
        return TcpHarness.fixture().config(c -> c.withKeepalive(true, at(10_000), at(1_000), 3)).established();
    }

    @Test
    void probesAfterIdleThenEveryIntervalAndResetsAfterTheLastUnanswered() {
        TcpHarness h = withKeepalive();
        h.expectNothing(at(9_999));
        h.expect(at(10_000), segment().flags(ACK).seq(LOCAL).ack(REMOTE + 1).len(0));
        h.expect(at(11_000), segment().flags(ACK).seq(LOCAL).len(0));
        h.expect(at(12_000), segment().flags(ACK).seq(LOCAL).len(0));
        h.expectNothing(at(12_999));
        assertThat(h.c.state()).isEqualTo(TcpState.ESTABLISHED);
        h.expect(at(13_000), segment().flags(RST | ACK).seq(LOCAL + 1).ack(REMOTE + 1));
        assertThat(h.c.state()).isEqualTo(TcpState.CLOSED);
        assertThat(h.events).containsExactly("onClosed(KEEPALIVE_TIMEOUT)", "closed");
        assertThat(h.counter(Counter.TCP_KEEPALIVE_PROBES)).isEqualTo(3);
        assertThat(h.counter(Counter.TCP_KEEPALIVE_TIMEOUTS)).isEqualTo(1);
    }

    @Test
    void answeredProbeRestartsTheIdleTime() {
        TcpHarness h = withKeepalive();
        h.expect(at(10_000), segment().seq(LOCAL).len(0));
        h.receive(at(10_005), seg().seq(REMOTE + 1).ack(LOCAL + 1));
        h.expectNothing(at(20_004));
        h.expect(at(20_005), segment().seq(LOCAL).len(0));
    }

    @Test
    void trafficPostponesTheFirstProbe() {
        TcpHarness h = withKeepalive();
        h.receive(at(5_000), seg().seq(REMOTE + 1).ack(LOCAL + 1).payload("hi"));
        h.drain();
        h.expectNothing(at(14_999));
        h.expect(at(15_000), segment().seq(LOCAL).ack(REMOTE + 3).len(0));
    }

    @Test
    void noProbesWhileDataIsInFlight() {
        TcpHarness h = TcpHarness.fixture().config(c -> c.withKeepalive(true, at(100), at(100), 1)).established();
        h.appWrite("x");
        h.drain();
        h.advanceTo(at(150));
        assertThat(h.drain()).allMatch(s -> s.len() == 1);
        assertThat(h.counter(Counter.TCP_KEEPALIVE_PROBES)).isZero();
    }

    @Test
    void keepaliveIsOffByDefault() {
        TcpHarness h = TcpHarness.established();
        assertThat(h.c.nextDeadline()).isEqualTo(TcpConnection.NO_DEADLINE);
        h.expectNothing(at(10L * 3600 * 1000));
    }
}
