package io.understudy.stack.replication;

import io.understudy.stack.EchoClient;
import static org.assertj.core.api.Assertions.assertThat;

import io.understudy.stack.Counter;
import io.understudy.stack.services.ClassicServices;
import io.understudy.stack.tcp.CloseReason;
import io.understudy.stack.tcp.TcpTuple;
import io.understudy.stack.wire.Seq;
import io.understudy.stack.wire.TcpHeader;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Output commit, deterministically: a primary replicates into an in-memory standby whose acks
 * the test delivers at random moments, and every frame the primary puts on the wire is checked
 * against what the standby had acknowledged at that moment — no frame may reveal state the
 * standby does not hold.
 */
class OutputCommitTest {
    /** What the standby held as of its last ack: each connection's image. */
    private final Map<TcpTuple, TcbImage> acked = new HashMap<>();
    private final List<String> violations = new ArrayList<>();
    private int checkedSegments;

    private void ack(ReplicationLab lab, ShadowLog log) {
        acked.clear();
        log.shadows().forEach((t, s) -> {
            if (s.hasImage) {
                acked.put(t, new TcbImage().set(s.image()));
            }
        });
        lab.primary.replicationAcked(log.committed());
    }

    /** Checks one frame the primary transmits against {@link #acked}. */
    private void check(byte[] f) {
        ByteBuffer b = ByteBuffer.wrap(f);
        if ((b.getShort(12) & 0xFFFF) != 0x0800 || f[14 + 9] != 6) {
            return;
        }
        int ihl = (f[14] & 0x0F) * 4;
        int total = b.getShort(14 + 2) & 0xFFFF;
        int at = 14 + ihl;
        TcpHeader h = new TcpHeader().wrap(b, at, total - ihl);
        int payload = total - ihl - h.headerLength();
        int dst = b.getInt(14 + 16);
        TcpTuple t = new TcpTuple(ReplicationLab.SERVICE_IP, h.srcPort(), dst, h.dstPort());
        checkedSegments++;
        if (h.hasFlag(TcpHeader.RST)) {
            return;
        }
        TcbImage im = acked.get(t);
        if (im == null) {
            violations.add("segment for a connection the standby does not know: " + t);
            return;
        }
        if (h.hasFlag(TcpHeader.SYN) && h.seq() != im.iss) {
            violations.add("SYN-ACK with ISS the standby does not hold");
        }
        if (h.hasFlag(TcpHeader.ACK) && Seq.gt(h.ack(), im.rcvNxt)) {
            violations.add("ACK " + Integer.toUnsignedString(h.ack()) + " beyond the standby's RCV.NXT "
                    + Integer.toUnsignedString(im.rcvNxt));
        }
        int end = h.seq() + (h.hasFlag(TcpHeader.SYN) ? 1 : 0) + payload;
        if (payload > 0 && Seq.gt(end, im.sndEnd)) {
            violations.add("payload up to " + Integer.toUnsignedString(end) + " beyond the standby's send queue end "
                    + Integer.toUnsignedString(im.sndEnd));
        }
        if (h.hasFlag(TcpHeader.FIN) && !im.has(TcbImage.FIN_QUEUED)) {
            violations.add("FIN the standby does not know of");
        }
    }

    @Test
    void noFrameLeavesBeforeTheRecordOfWhatItRevealsIsAcknowledged() {
        for (long seed = 1; seed <= 5; seed++) {
            acked.clear();
            ReplicationLab lab = new ReplicationLab();
            ClassicServices.install(lab.primary.tcp());
            ShadowLog log = new ShadowLog();
            lab.primary.attachReplication(lab.now, log);
            lab.primaryWire.inspector = this::check;
            Random random = new Random(seed);
            byte[] data = new byte[200_000 + random.nextInt(100_000)];
            random.nextBytes(data);
            EchoClient client = new EchoClient(data);
            lab.connect(ClassicServices.ECHO_PORT, client);
            for (int i = 0; i < 20_000 && client.reason == null; i++) {
                lab.step();
                if (random.nextInt(4) == 0) {
                    ack(lab, log);
                }
            }
            assertThat(violations).as("seed %d", seed).isEmpty();
            assertThat(client.reason).as("seed %d", seed).isEqualTo(CloseReason.NORMAL);
            assertThat(client.got.toByteArray()).as("seed %d", seed).isEqualTo(data);
            assertThat(lab.primary.counters().get(Counter.REPLICATION_FRAMES_HELD)).isPositive();
        }
        assertThat(checkedSegments).isGreaterThan(100);
    }

    @Test
    void withoutAnAckTheSynAckWaitsAndTheAckReleasesIt() {
        ReplicationLab lab = new ReplicationLab();
        ClassicServices.install(lab.primary.tcp());
        ShadowLog log = new ShadowLog();
        lab.primary.attachReplication(lab.now, log);
        EchoClient client = new EchoClient(new byte[10]);
        lab.connect(ClassicServices.ECHO_PORT, client);
        lab.steps(20); // ARP both ways, the SYN in; the SYN-ACK waits
        assertThat(lab.primary.counters().get(Counter.TCP_PASSIVE_OPENS)).isEqualTo(1);
        assertThat(lab.primary.outputCommit().waitingFrames()).isEqualTo(1);
        assertThat(lab.client.counters().get(Counter.TCP_SEGMENTS_RECEIVED)).isZero();
        lab.primary.replicationAcked(log.committed());
        lab.steps(1);
        assertThat(lab.client.counters().get(Counter.TCP_SEGMENTS_RECEIVED)).isEqualTo(1);
        assertThat(lab.primary.outputCommit().waitingFrames()).isZero();
    }

    @Test
    void detachingReleasesEverythingAndHaltingSendsNothing() {
        ReplicationLab lab = new ReplicationLab();
        ClassicServices.install(lab.primary.tcp());
        lab.primary.attachReplication(lab.now, new ShadowLog());
        lab.connect(ClassicServices.ECHO_PORT, new EchoClient(new byte[10]));
        lab.steps(20);
        assertThat(lab.primary.outputCommit().waitingFrames()).isEqualTo(1);
        lab.primary.detachReplication();
        lab.steps(1);
        assertThat(lab.client.counters().get(Counter.TCP_SEGMENTS_RECEIVED)).isEqualTo(1);

        ReplicationLab halted = new ReplicationLab();
        ClassicServices.install(halted.primary.tcp());
        halted.primary.attachReplication(halted.now, new ShadowLog());
        halted.connect(ClassicServices.ECHO_PORT, new EchoClient(new byte[10]));
        halted.steps(20);
        halted.primary.haltOutput();
        long sentBefore = halted.primary.counters().get(Counter.TX_FRAMES);
        halted.steps(2000); // SYN retransmissions, ARP: nothing leaves
        assertThat(halted.primary.counters().get(Counter.TX_FRAMES)).isEqualTo(sentBefore);
        assertThat(halted.client.counters().get(Counter.TCP_SEGMENTS_RECEIVED)).isZero();
        assertThat(halted.primary.counters().get(Counter.DROP_REPLICATION_HALTED)).isPositive();
    }
}
