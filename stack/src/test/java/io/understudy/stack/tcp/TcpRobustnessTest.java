package io.understudy.stack.tcp;

import static io.understudy.stack.tcp.TcpHarness.LOCAL;
import static io.understudy.stack.tcp.TcpHarness.REMOTE;
import static io.understudy.stack.tcp.TcpHarness.at;
import static io.understudy.stack.tcp.TcpHarness.seg;
import static io.understudy.stack.wire.TcpHeader.ACK;
import static io.understudy.stack.wire.TcpHeader.FIN;
import static io.understudy.stack.wire.TcpHeader.PSH;
import static io.understudy.stack.wire.TcpHeader.RST;
import static io.understudy.stack.wire.TcpHeader.SYN;
import static io.understudy.stack.wire.TcpHeader.URG;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.understudy.stack.wire.Seq;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Malformed and random input never throws, never makes a RST answer a RST, and keeps the TCB
 * consistent; the harness also checks that nothing is ever sent without {@code wantsOutput}.
 */
class TcpRobustnessTest {

    @Test
    void malformedOptionsInDataSegmentsNeverThrow() {
        int[][] options = {
            {2, 0, 1, 1},                        // zero length: parsing stops
            {8, 10, 1, 2},                       // timestamps running past the header
            {5, 10, 0, 0, 0, 1, 0, 0, 0, 2},     // SACK of a bad length
            {5, 18, 0, 0, 0, 1},                 // SACK running past the header
            {1, 1, 5},                           // a kind without its length
            {3, 3, 14, 2, 4, 1, 1},              // window scale and MSS outside a SYN
            {8, 1},                              // length 1
            {4, 2, 4, 2, 4, 2, 8, 10, 0, 0, 0, 0, 0, 0, 0, 0},
        };
        Supplier<?>[] fixtures = {TcpHarness::established, TcpHarness::synSent, TcpHarness::synReceived,
            TcpHarness::finWait2, TcpHarness::timeWait};
        for (Supplier<?> f : fixtures) {
            for (int[] raw : options) {
                TcpHarness h = (TcpHarness) f.get();
                h.receive(at(1), seg().flags(ACK | PSH).seq(REMOTE + 1).ack(LOCAL + 1).rawOptions(raw).payload("x"));
                h.receive(at(2), seg().flags(SYN).seq(REMOTE).ack(0).rawOptions(raw));
                h.receive(at(3), seg().flags(RST).seq(REMOTE + 50).ack(0).rawOptions(raw));
                h.drain();
            }
        }
    }

    @Test
    void malformedOptionsInTheSynStillOpenWithWhatWasRecorded() {
        TcpHarness h = new TcpHarness(TcpHarness.defaultConfig());
        // MSS 1000, then a zero-length option that stops parsing before the window scale.
        h.c.openPassive(0, LOCAL, TcpHarness.TS_OFFSET,
                h.build(seg().flags(SYN).seq(REMOTE).ack(0).rawOptions(2, 4, 3, 232, 4, 0, 3, 3, 7)));
        h.flush();
        List<Seg> out = h.drain();
        assertThat(out).hasSize(1);
        assertThat(out.get(0).wscale()).isEqualTo(-1);
        assertThat(h.c.info().sndMss()).isEqualTo(1000);
    }

    @Test
    void peerMssBelowTheMinimumIsRaised() {
        TcpHarness h = TcpHarness.fixture().peerMss(1).peerOptions(true, false, true).established();
        assertThat(h.c.info().sndMss()).isEqualTo(TcpSender.MIN_SND_MSS);
    }

    @Test
    void windowScaleAboveFourteenIsClamped() {
        TcpHarness h = TcpHarness.fixture().peerWscale(20).established();
        assertThat(h.c.info().sndWscale()).isEqualTo(14);
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {20240611, 11, 12})
    void randomSegmentsInEveryStateNeverThrowAndNeverAnswerRstWithRst(long seed) {
        Random random = new Random(seed);
        List<Supplier<TcpHarness>> fixtures = List.of(TcpHarness::synSent, TcpHarness::synReceived,
                TcpHarness::established, TcpHarness::finWait1, TcpHarness::finWait2, TcpHarness::closing,
                TcpHarness::timeWait, TcpHarness::closeWait, TcpHarness::lastAck,
                () -> TcpHarness.fixture().peerOptions(false, false, false).established(),
                () -> TcpHarness.fixture().active().established(),
                () -> TcpHarness.fixture().config(c -> c.withBuffers(4096, 4096)).established(),
                () -> TcpHarness.fixture().peerOptions(true, true, false).finWait1());
        int segments = 0;
        for (int round = 0; round < 40; round++) {
            for (Supplier<TcpHarness> fixture : fixtures) {
                TcpHarness h = fixture.get();
                h.autoRead = random.nextBoolean();
                for (int i = 0; i < 60; i++) {
                    step(h, random);
                    segments++;
                }
            }
        }
        assertThat(segments).isGreaterThan(30_000);
    }

    private static void step(TcpHarness h, Random random) {
        int action = random.nextInt(20);
        if (action == 0) {
            h.advanceTo(h.now() + at(random.nextInt(3000)));
            h.drain();
            return;
        }
        if (action == 1 && h.c.writable() > 0) {
            h.appWrite(Math.min(h.c.writable(), 1 + random.nextInt(3000)));
            h.drain();
            return;
        }
        if (action == 2) {
            h.appRead();
            h.drain();
            return;
        }
        if (action == 3 && random.nextInt(10) == 0) {
            if (random.nextBoolean()) {
                h.appClose();
            } else {
                h.appShutdown();
            }
            h.drain();
            return;
        }
        SegBuilder b = randomSegment(h, random);
        boolean rst = (b.flags & RST) != 0;
        h.receive(b);
        List<Seg> out = h.drain();
        if (rst && out.stream().anyMatch(s -> s.has(RST))) {
            fail("a RST answered a RST: " + out);
        }
        checkInvariants(h);
    }

    private static SegBuilder randomSegment(TcpHarness h, Random random) {
        int[] flagChoices = {ACK, ACK | PSH, ACK | FIN, FIN, RST, RST | ACK, SYN, SYN | ACK, 0, ACK | URG,
            ACK | FIN | PSH, ACK | 0x40 | 0x80};
        int flags = flagChoices[random.nextInt(flagChoices.length)];
        int rcvNxt = h.c.rcvNxt();
        int sndUna = h.c.snd.sndUna;
        int seq = switch (random.nextInt(5)) {
            case 0 -> random.nextInt();
            case 1 -> rcvNxt;
            case 2 -> rcvNxt + random.nextInt(4000) - 1000;
            case 3 -> REMOTE + random.nextInt(100);
            default -> rcvNxt - 1;
        };
        int ack = switch (random.nextInt(5)) {
            case 0 -> random.nextInt();
            case 1 -> sndUna;
            case 2 -> h.c.sndNxt();
            case 3 -> sndUna + random.nextInt(5000) - 1000;
            default -> LOCAL + random.nextInt(3);
        };
        SegBuilder b = seg().flags(flags).seq(seq).ack(ack).window(random.nextInt(4) == 0 ? 0 : random.nextInt(65536));
        if (random.nextInt(3) == 0) {
            b.len(random.nextInt(2000), random.nextInt(251));
        }
        if ((flags & URG) != 0) {
            b.urgentPointer(random.nextInt(65536));
        }
        switch (random.nextInt(6)) {
            case 0 -> b.noTs();
            case 1 -> b.ts(random.nextInt(), random.nextInt());
            case 2 -> {
                int n = 1 + random.nextInt(3);
                int[] edges = new int[2 * n];
                for (int i = 0; i < n; i++) {
                    edges[2 * i] = sndUna + random.nextInt(20_000) - 2000;
                    edges[2 * i + 1] = edges[2 * i] + random.nextInt(5000) - 500;
                }
                b.sack(edges);
            }
            case 3 -> {
                int[] raw = new int[random.nextInt(40)];
                for (int i = 0; i < raw.length; i++) {
                    raw[i] = random.nextInt(256);
                }
                b.rawOptions(raw);
            }
            case 4 -> {
                b.mss(random.nextInt(65536));
                b.wscale(random.nextInt(256));
            }
            default -> { }
        }
        return b;
    }

    private static void checkInvariants(TcpHarness h) {
        TcpSender s = h.c.snd;
        TcpState state = h.c.state();
        if (state == TcpState.CLOSED) {
            assertThat(h.c.nextDeadline()).isEqualTo(TcpConnection.NO_DEADLINE);
            return;
        }
        assertThat(Seq.leq(s.sndUna, s.sndNxt)).as("SND.UNA <= SND.NXT").isTrue();
        assertThat(Seq.leq(s.sndNxt, s.sndMax)).as("SND.NXT <= SND.MAX").isTrue();
        assertThat(Seq.leq(s.sndMax, s.buffer.endSeq() + 1)).as("nothing sent beyond the queue and FIN").isTrue();
        assertThat(h.c.readable()).isBetween(0, h.c.rcv.buffer.capacity());
        assertThat(s.cc.cwnd()).isGreaterThanOrEqualTo(0);
    }
}
