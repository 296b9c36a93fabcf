package io.understudy.stack.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.understudy.stack.Counter;
import io.understudy.stack.MemoryLink;
import io.understudy.stack.NetStack;
import io.understudy.stack.StackConfig;
import io.understudy.stack.wire.Ipv4Address;
import io.understudy.stack.wire.MacAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The RST a connection owes when it goes straight to CLOSED, sent through the {@link TcpLayer}
 * (the {@link TcpHarness} tests call {@code output} themselves): two whole stacks on memory
 * links, stepped on the test thread with a fake clock.
 */
class TcpLayerResetTest {
    private static final long MS = 1_000_000L;
    private static final int PORT = 5001;
    private static final int A_IP = Ipv4Address.parse("192.0.2.1");
    private static final int B_IP = Ipv4Address.parse("192.0.2.2");

    private final MemoryLink linkA = new MemoryLink();
    private final MemoryLink linkB = new MemoryLink();
    private final NetStack a = stack("02:00:00:00:0a:01", A_IP, linkA);
    private final NetStack b = stack("02:00:00:00:0b:02", B_IP, linkB);
    private long now = MS;

    /** Records what its connection is told; reads only when asked to. */
    private static final class Recorder implements TcpHandler {
        final List<String> events = new ArrayList<>();
        TcpConnection connection;

        @Override
        public void onConnected(TcpConnection c) {
            connection = c;
        }

        @Override
        public void onClosed(TcpConnection c, CloseReason reason) {
            events.add("closed " + reason);
        }
    }

    private static NetStack stack(String mac, int ip, MemoryLink link) {
        return new NetStack(new StackConfig(MacAddress.parse(mac), ip, 24, 0, StackConfig.DEFAULT_MTU), link, 0);
    }

    /** Carries frames both ways, a millisecond a round, until both links are quiet. */
    private void settle() {
        for (int round = 0; round < 100; round++) {
            List<byte[]> fromA = linkA.take();
            List<byte[]> fromB = linkB.take();
            if (fromA.isEmpty() && fromB.isEmpty()) {
                return;
            }
            now += MS;
            deliver(fromA, b);
            deliver(fromB, a);
        }
        throw new AssertionError("the stacks never stopped talking");
    }

    private void deliver(List<byte[]> frames, NetStack to) {
        for (byte[] frame : frames) {
            to.onFrame(now, ByteBuffer.wrap(frame));
        }
        to.onBatchEnd(now);
    }

    /** A connection from A to a listener on B, established, with each side's recorder. */
    private Recorder[] connect() {
        Recorder server = new Recorder();
        b.tcp().listen(PORT, 8, c -> server);
        Recorder client = new Recorder();
        a.tcp().connect(now, B_IP, PORT, client);
        a.onBatchEnd(now);
        settle();
        assertThat(client.connection).as("client connected").isNotNull();
        assertThat(server.connection).as("server accepted").isNotNull();
        return new Recorder[] {client, server};
    }

    @Test
    void abortOfAnEstablishedConnectionSendsItsRstAndLeavesTheTable() {
        Recorder[] pair = connect();

        pair[0].connection.abort();
        a.onBatchEnd(now);
        settle();

        assertThat(pair[0].events).containsExactly("closed ABORTED");
        assertThat(pair[1].events).containsExactly("closed RESET_BY_PEER");
        assertThat(a.counters().get(Counter.TCP_RESETS_SENT)).isEqualTo(1);
        assertThat(a.tcp().connectionCount()).isZero();
        assertThat(b.tcp().connectionCount()).isZero();
    }

    @Test
    void closeWithUnreadDataSendsARstInsteadOfAFin() {
        Recorder[] pair = connect();
        pair[1].connection.write(new byte[] {1, 2, 3}, 0, 3);
        b.onBatchEnd(now);
        settle();
        assertThat(pair[0].connection.readable()).isEqualTo(3);

        pair[0].connection.close();
        a.onBatchEnd(now);
        settle();

        assertThat(pair[0].events).containsExactly("closed ABORTED");
        assertThat(pair[1].events).containsExactly("closed RESET_BY_PEER");
        assertThat(a.tcp().connectionCount()).isZero();
        assertThat(b.tcp().connectionCount()).isZero();
    }
}
