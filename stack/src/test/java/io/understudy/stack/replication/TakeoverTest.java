package io.understudy.stack.replication;

import io.understudy.stack.EchoClient;
import static org.assertj.core.api.Assertions.assertThat;

import io.understudy.stack.Counter;
import io.understudy.stack.services.ClassicServices;
import io.understudy.stack.tcp.CloseReason;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Takeover, deterministically: an echo transfer from a client through a primary that replicates
 * into an in-memory standby (acks come one step after each record); the primary dies at a given
 * step, the standby adopts what it held — either exactly what it had acknowledged, or every
 * record the primary committed — and the client's transfer must finish byte-exact with a normal
 * close, as if nothing had happened.
 */
class TakeoverTest {
    static final int BYTES = 2_000_000;

    /** Steps 1-8 (ARP and the handshake), then 30 points spread over the transfer and the close. */
    static Stream<Arguments> killPoints() {
        int steps = stepsWithoutFailure();
        return IntStream.concat(IntStream.rangeClosed(1, 8), IntStream.rangeClosed(1, 30).map(i -> 8 + i * (steps - 4) / 30))
                .distinct()
                .boxed()
                .flatMap(k -> Stream.of(Arguments.of(k, true), Arguments.of(k, false)));
    }

    /** How many steps the transfer and both FINs take when nothing fails. */
    private static int stepsWithoutFailure() {
        ReplicationLab lab = new ReplicationLab();
        ClassicServices.install(lab.primary.tcp());
        ShadowLog log = new ShadowLog();
        lab.primary.attachReplication(lab.now, log);
        EchoClient client = new EchoClient(new byte[BYTES]);
        lab.connect(ClassicServices.ECHO_PORT, client);
        int step = 0;
        for (long toAck = 0; client.reason == null && step < 100_000; step++) {
            lab.step();
            if (toAck > 0) {
                lab.primary.replicationAcked(toAck);
            }
            toAck = log.committed();
        }
        return step;
    }

    @ParameterizedTest(name = "kill at step {0}, standby holds only acked records: {1}")
    @MethodSource("killPoints")
    void theClientFinishesByteExactAfterTheStandbyTakesOver(int killStep, boolean onlyAcked) {
        ReplicationLab lab = new ReplicationLab();
        ClassicServices.install(lab.primary.tcp());
        ClassicServices.install(lab.standby.tcp());
        ShadowLog log = new ShadowLog();
        lab.primary.attachReplication(lab.now, log);
        byte[] data = new byte[BYTES];
        new Random(killStep).nextBytes(data);
        EchoClient client = new EchoClient(data);
        lab.connect(ClassicServices.ECHO_PORT, client);

        long toAck = 0;
        List<Adoption> heldAtAck = List.of();
        for (int step = 1; step < killStep; step++) {
            lab.step();
            if (toAck > 0) {
                lab.primary.replicationAcked(toAck);
                if (onlyAcked) {
                    heldAtAck = log.adoptions(); // what the standby held when it sent this ack
                }
            }
            toAck = log.committed();
        }
        lab.kill();
        lab.takeover(onlyAcked ? heldAtAck : log.adoptions());
        for (int i = 0; i < 100_000 && client.reason == null; i++) {
            lab.step();
        }

        assertThat(client.reason).isEqualTo(CloseReason.NORMAL);
        assertThat(client.got.toByteArray()).isEqualTo(data);
        assertThat(lab.client.counters().get(Counter.TCP_RESETS_RECEIVED)).isZero();
        assertThat(lab.standby.counters().get(Counter.TCP_ADOPTION_ABORTED)).isZero();
    }

    @ParameterizedTest(name = "joins at step {0}")
    @org.junit.jupiter.params.provider.ValueSource(ints = {1, 5, 9, 20, 60, 150})
    void aStandbyThatJoinsARunningPrimaryGetsASnapshotAndCanTakeOver(int joinStep) {
        ReplicationLab lab = new ReplicationLab();
        ClassicServices.install(lab.primary.tcp());
        ClassicServices.install(lab.standby.tcp());
        byte[] data = new byte[BYTES];
        new Random(joinStep).nextBytes(data);
        EchoClient client = new EchoClient(data);
        lab.connect(ClassicServices.ECHO_PORT, client);
        lab.steps(joinStep); // solo: nothing waits
        assertThat(lab.primary.counters().get(Counter.REPLICATION_FRAMES_HELD)).isZero();
        ShadowLog log = new ShadowLog(1_000); // numbers go on from an earlier standby's
        lab.primary.attachReplication(lab.now, log);
        long toAck = 0;
        for (int step = 0; step < 15; step++) {
            lab.step();
            if (toAck > 0) {
                lab.primary.replicationAcked(toAck);
            }
            toAck = log.committed();
        }
        lab.kill();
        lab.takeover(log.adoptions());
        for (int i = 0; i < 100_000 && client.reason == null; i++) {
            lab.step();
        }
        assertThat(client.reason).isEqualTo(CloseReason.NORMAL);
        assertThat(client.got.toByteArray()).isEqualTo(data);
        assertThat(lab.client.counters().get(Counter.TCP_RESETS_RECEIVED)).isZero();
    }
}
