package io.understudy.stack.replication;

import io.understudy.stack.NetStack;
import io.understudy.stack.StackConfig;
import io.understudy.stack.link.Link;
import io.understudy.stack.link.SoftwareOffload;
import io.understudy.stack.tcp.TcpConfig;
import io.understudy.stack.tcp.TcpConnection;
import io.understudy.stack.tcp.TcpHandler;
import io.understudy.stack.tcp.TcpSecret;
import io.understudy.stack.tcp.TcpLayer;
import io.understudy.stack.wire.Ipv4Address;
import io.understudy.stack.wire.MacAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * A deterministic lab for replication tests, all on the test thread with a fake clock: a client
 * stack, a primary and a standby with the same service address and secret, on a wire that
 * delivers each frame at the next step. Until {@link #takeover}, the client's frames reach the
 * primary; the standby hears nothing. {@link #kill} stops the primary dead (nothing it sent but
 * had not yet delivered arrives).
 */
final class ReplicationLab {
    static final long STEP = 200_000L;
    static final int CLIENT_IP = Ipv4Address.parse("10.9.0.1");
    static final int SERVICE_IP = Ipv4Address.parse("10.9.0.2");
    static final StackConfig CLIENT = new StackConfig(MacAddress.parse("02:00:00:00:09:01"), CLIENT_IP, 24, 0, 1500);
    static final StackConfig SERVICE = new StackConfig(MacAddress.parse("02:00:00:00:09:02"), SERVICE_IP, 24, 0, 1500);
    static final TcpSecret SECRET = new TcpSecret(0x0123456789ABCDEFL, 0x7EDCBA9876543210L);

    /**
     * A link that keeps what the stack transmits until the next step, and lets a test look at each
     * frame. With offloads it takes partial checksums and large segments and puts on the wire what
     * the kernel would ({@link SoftwareOffload}); {@link #largeFrames} counts the large ones.
     */
    static final class Wire implements Link {
        final List<byte[]> frames = new ArrayList<>();
        Consumer<byte[]> inspector = f -> { };
        boolean offloading;
        int largeFrames;

        @Override
        public int offloads() {
            return offloading ? OFFLOAD_CSUM | OFFLOAD_TSO : 0;
        }

        @Override
        public void transmit(ByteBuffer frame, int csumStart, int csumOffset, int gsoSize, int headerLength) {
            byte[] b = new byte[frame.remaining()];
            frame.duplicate().get(b);
            if (gsoSize == 0) {
                transmit(ByteBuffer.wrap(SoftwareOffload.complete(b)));
                return;
            }
            largeFrames++;
            for (byte[] s : SoftwareOffload.segment(b, gsoSize, headerLength)) {
                transmit(ByteBuffer.wrap(s));
            }
        }

        @Override
        public void transmit(ByteBuffer frame) {
            byte[] b = new byte[frame.remaining()];
            frame.duplicate().get(b);
            inspector.accept(b);
            frames.add(b);
        }

        @Override
        public void flush() {
        }

        List<byte[]> take() {
            List<byte[]> out = new ArrayList<>(frames);
            frames.clear();
            return out;
        }
    }

    final Wire clientWire = new Wire(), primaryWire = new Wire(), standbyWire = new Wire();
    final NetStack client, primary, standby;
    long now = 1_000_000_000L;
    boolean primaryAlive = true, tookOver;
    int adopted;

    ReplicationLab(TcpConfig tcp) {
        this(tcp, false);
    }

    /** With {@code offloads}, the primary's and the standby's links take partial checksums and large segments. */
    ReplicationLab(TcpConfig tcp, boolean offloads) {
        primaryWire.offloading = offloads;
        standbyWire.offloading = offloads;
        client = new NetStack(CLIENT, tcp, TcpSecret.generate(new java.security.SecureRandom()), 1024, clientWire, now);
        primary = new NetStack(SERVICE, tcp, SECRET, 1024, primaryWire, now);
        standby = new NetStack(SERVICE, tcp, SECRET, 1024, standbyWire, now);
    }

    ReplicationLab() {
        this(TcpConfig.defaults(1500));
    }

    /** One step: deliver what was sent in the last one, then end a batch on every live stack. */
    void step() {
        now += STEP;
        List<byte[]> fromClient = clientWire.take();
        List<byte[]> fromPrimary = primaryWire.take();
        List<byte[]> fromStandby = standbyWire.take();
        NetStack server = tookOver ? standby : primaryAlive ? primary : null;
        if (server != null) {
            for (byte[] f : fromClient) {
                server.onFrame(now, ByteBuffer.wrap(f));
            }
        }
        if (primaryAlive) {
            for (byte[] f : fromPrimary) {
                client.onFrame(now, ByteBuffer.wrap(f));
            }
        }
        for (byte[] f : fromStandby) {
            client.onFrame(now, ByteBuffer.wrap(f));
        }
        client.onBatchEnd(now);
        if (primaryAlive) {
            primary.onBatchEnd(now);
        }
        if (tookOver) {
            standby.onBatchEnd(now);
        }
    }

    void steps(int n) {
        for (int i = 0; i < n; i++) {
            step();
        }
    }

    /** SIGKILL: the primary stops, and what it had not yet delivered is lost. */
    void kill() {
        primaryAlive = false;
        primaryWire.take();
    }

    /** The standby adopts {@code adoptions} and answers from now on. */
    void takeover(List<Adoption> adoptions) {
        now += STEP;
        adopted = standby.takeover(now, adoptions);
        standby.onBatchEnd(now);
        tookOver = true;
    }

    TcpConnection connect(int port, TcpHandler handler) {
        TcpLayer tcp = client.tcp();
        TcpConnection c = tcp.connect(now, SERVICE_IP, port, handler);
        client.onBatchEnd(now);
        return c;
    }
}
