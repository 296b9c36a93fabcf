package io.understudy.stack.replication;

import static org.assertj.core.api.Assertions.assertThat;

import io.understudy.stack.Counter;
import io.understudy.stack.EchoClient;
import io.understudy.stack.services.ClassicServices;
import io.understudy.stack.tcp.CloseReason;
import io.understudy.stack.tcp.TcpConfig;
import io.understudy.stack.tcp.TcpConnection;
import io.understudy.stack.tcp.TcpHandler;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * How fast a taken-over connection gets going again. The standby holds what it had acknowledged
 * when the primary died, so it is behind what the client already has: it sends again from its
 * SND.UNA. That first window must reach the client at once — not wait for an ARP answer (and
 * lose all but the last three segments in the resolution queue, then crawl through loss
 * recovery, which is what a standby did that had to ask for the client's MAC) — and, on a link
 * with TSO, go in large segments; and a loss on the way is repaired as on any connection.
 */
class TakeoverResumeTest {

    /** Reads everything; counts it. */
    static final class Reader implements TcpHandler {
        long got;
        private final byte[] scratch = new byte[1 << 16];

        @Override
        public void onReadable(TcpConnection c) {
            int n;
            while ((n = c.read(ByteBuffer.wrap(scratch))) > 0) {
                got += n;
            }
        }
    }

    @Test
    void theStandbySendsToThePeersMacAsItsPrimaryKnewIt() {
        ReplicationLab lab = new ReplicationLab();
        Reader reader = downloadThenTakeOver(lab);
        long before = reader.got;
        assertThat(before).isPositive();
        lab.steps(2); // the first window reaches the client, its ACK reaches the standby

        assertThat(lab.standby.counters().get(Counter.ARP_REQUESTS_SENT)).as("ARP requests").isZero();
        assertThat(lab.standby.counters().get(Counter.DROP_ARP_QUEUE_FULL)).isZero();
        assertThat(reader.got).as("new bytes one step after the takeover").isGreaterThan(before);
        lab.steps(40);
        assertThat(lab.standby.counters().get(Counter.TCP_FAST_RETRANSMITS)).as("no loss to recover from").isZero();
        assertThat(reader.got - before).isGreaterThan(200_000);
    }

    /**
     * A segment lost while the standby resends its queue is repaired by fast recovery, as on any
     * connection: the queue does not count as sent before the takeover (it did, and every byte of
     * it was a go-back-N retransmission, so only an RTO, 200 ms or more, could repair a loss).
     */
    @Test
    void aSegmentLostAfterTheTakeoverIsRepairedByFastRecovery() {
        ReplicationLab lab = new ReplicationLab();
        Reader reader = downloadThenTakeOver(lab);
        lab.steps(4);
        assertThat(lab.standbyWire.frames).hasSizeGreaterThan(4);
        lab.standbyWire.frames.remove(1); // lost on the way
        long before = reader.got;
        lab.steps(12);
        assertThat(lab.standby.counters().get(Counter.TCP_FAST_RETRANSMITS)).isPositive();
        assertThat(lab.standby.counters().get(Counter.TCP_RTO_TIMEOUTS)).isZero();
        assertThat(reader.got - before).as("bytes past the hole within 12 steps").isGreaterThan(100_000);
    }

    /**
     * The client's ACK of the standby's first window is lost (in the lab, a bridge that learned
     * the service MAC back on the dead primary's port): the standby probes after 10 ms, not after
     * an RTO of 200 ms, and its estimate is not backed off for it.
     */
    /** TcpSender.ADOPTED_PROBE_NANOS. */
    private static final long PROBE_NANOS = 10_000_000L;

    @Test
    void aLostFirstAckIsProbedForAfterTenMilliseconds() {
        ReplicationLab lab = new ReplicationLab();
        Reader reader = downloadThenTakeOver(lab);
        lab.step(); // the first window reaches the client
        assertThat(lab.clientWire.frames).isNotEmpty();
        lab.clientWire.frames.clear(); // its ACK goes nowhere
        long before = reader.got;
        int steps = 0;
        while (lab.standby.counters().get(Counter.TCP_RTO_TIMEOUTS) == 0 && steps < 2_000) {
            lab.step();
            steps++;
        }
        long waited = steps * ReplicationLab.STEP;
        assertThat(waited).as("ns until the probe").isBetween(PROBE_NANOS - 2 * ReplicationLab.STEP,
                PROBE_NANOS + 2 * ReplicationLab.STEP);
        lab.steps(20);
        assertThat(reader.got - before).as("bytes after the probe").isGreaterThan(50_000);
        assertThat(lab.standby.counters().get(Counter.TCP_RTO_TIMEOUTS)).isEqualTo(1);
    }

    /**
     * The client offered only a little window when the primary died (a Linux receiver holding
     * out-of-order data behind a hole offers what is left of its buffer): the standby sends into
     * it at once what the primary may have sent already, instead of waiting, as sender-side silly
     * window avoidance would for new data, for the persist timer (200 ms; seen in the lab).
     */
    @Test
    void aSmallWindowDoesNotHoldBackWhatThePrimaryMayHaveSent() {
        ReplicationLab lab = new ReplicationLab();
        List<Integer> sent = new java.util.ArrayList<>();
        Reader reader = downloadThenTakeOver(lab, held -> held.forEach(a -> a.image().sndWnd = 1024));
        assertThat(lab.standbyWire.frames).as("sent at the takeover").isNotEmpty();
        for (byte[] f : lab.standbyWire.frames) {
            if (f.length > 54) sent.add(f.length - 54 - 12); // Ethernet, IP, TCP with timestamps
        }
        assertThat(sent).contains(1024);
        long before = reader.got;
        lab.steps(20);
        assertThat(reader.got).isGreaterThan(before);
        assertThat(lab.standby.counters().get(Counter.TCP_RTO_TIMEOUTS)).isZero();
    }

    /** The standby announces itself again a few times in the first 30 ms. */
    @Test
    void theStandbyAnnouncesItselfAgainAfterTheTakeover() {
        ReplicationLab lab = new ReplicationLab();
        downloadThenTakeOver(lab);
        assertThat(lab.standby.counters().get(Counter.ARP_GRATUITOUS_SENT)).isEqualTo(1);
        lab.steps(40 * 5); // 40 ms
        assertThat(lab.standby.counters().get(Counter.ARP_GRATUITOUS_SENT)).isEqualTo(5);
        lab.steps(500 * 5);
        assertThat(lab.standby.counters().get(Counter.ARP_GRATUITOUS_SENT)).isEqualTo(5);
    }

    @Test
    void theFirstWindowAfterATakeoverGoesInLargeSegmentsOnATsoLink() {
        ReplicationLab lab = new ReplicationLab(TcpConfig.defaults(1500), true);
        ClassicServices.install(lab.primary.tcp());
        ClassicServices.install(lab.standby.tcp());
        ShadowLog log = new ShadowLog();
        lab.primary.attachReplication(lab.now, log);
        byte[] data = new byte[2_000_000];
        new Random(3).nextBytes(data);
        EchoClient client = new EchoClient(data);
        lab.connect(ClassicServices.ECHO_PORT, client);
        List<Adoption> held = runHoldingWhatWasAcked(lab, log, 40);

        lab.kill();
        int largeBefore = lab.standbyWire.largeFrames;
        lab.takeover(held); // sends the first window, from SND.UNA
        assertThat(lab.standbyWire.largeFrames - largeBefore).as("large segments in the first window").isPositive();
        for (int i = 0; i < 100_000 && client.reason == null; i++) {
            lab.step();
        }
        assertThat(client.reason).isEqualTo(CloseReason.NORMAL);
        assertThat(client.got.toByteArray()).isEqualTo(data);
        assertThat(lab.client.counters().get(Counter.TCP_RESETS_RECEIVED)).isZero();
    }

    /**
     * A chargen download through a replicating primary for 200 steps; then the primary dies and
     * the standby takes over what it held at its last ack (behind what the client has).
     */
    private static Reader downloadThenTakeOver(ReplicationLab lab) {
        return downloadThenTakeOver(lab, held -> { });
    }

    /** As {@link #downloadThenTakeOver(ReplicationLab)}, {@code edit} changing what the standby holds first. */
    private static Reader downloadThenTakeOver(ReplicationLab lab, java.util.function.Consumer<List<Adoption>> edit) {
        ClassicServices.install(lab.primary.tcp());
        ClassicServices.install(lab.standby.tcp());
        ShadowLog log = new ShadowLog();
        lab.primary.attachReplication(lab.now, log);
        Reader reader = new Reader();
        lab.connect(ClassicServices.CHARGEN_PORT, reader);
        List<Adoption> held = runHoldingWhatWasAcked(lab, log, 200);
        edit.accept(held);
        lab.kill();
        lab.takeover(held);
        return reader;
    }

    /**
     * After an RTO with much in flight, the go-back-N resend goes in large segments as cwnd grows
     * again, not one MSS per frame (on a TSO link; no takeover involved).
     */
    @Test
    void goBackNAfterATimeoutGoesInLargeSegmentsOnATsoLink() {
        ReplicationLab lab = new ReplicationLab(TcpConfig.defaults(1500), true);
        ClassicServices.install(lab.primary.tcp());
        Reader reader = new Reader();
        lab.connect(ClassicServices.CHARGEN_PORT, reader);
        lab.steps(100);
        long before = reader.got;
        // everything the primary sends is lost until its retransmission timer fires
        int steps = 0;
        while (lab.primary.counters().get(Counter.TCP_RTO_TIMEOUTS) == 0 && steps++ < 5_000) {
            lab.primaryWire.frames.clear();
            lab.step();
        }
        assertThat(lab.primary.counters().get(Counter.TCP_RTO_TIMEOUTS)).isEqualTo(1);
        long retransmitsAtRto = lab.primary.counters().get(Counter.TCP_RETRANSMITS);
        int largeAtRto = lab.primaryWire.largeFrames;
        lab.steps(12); // still resending what was lost (far more than 12 round trips' slow start covers)
        assertThat(lab.primary.counters().get(Counter.TCP_RETRANSMITS)).as("go-back-N resends").isGreaterThan(retransmitsAtRto + 3);
        assertThat(lab.primaryWire.largeFrames - largeAtRto).as("large go-back-N segments").isPositive();
        assertThat(reader.got).isGreaterThan(before);
    }

    /** Runs {@code steps} steps, acking each record a step late; returns what the standby held at the last ack. */
    private static List<Adoption> runHoldingWhatWasAcked(ReplicationLab lab, ShadowLog log, int steps) {
        long toAck = 0;
        List<Adoption> held = List.of();
        for (int step = 1; step < steps; step++) {
            lab.step();
            if (toAck > 0) {
                lab.primary.replicationAcked(toAck);
                held = log.adoptions();
            }
            toAck = log.committed();
        }
        return held;
    }
}
