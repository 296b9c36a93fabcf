package io.understudy.benchmarks;

import io.understudy.stack.NetStack;
import io.understudy.stack.StackConfig;
import io.understudy.stack.tcp.TcpConfig;
import io.understudy.stack.tcp.TcpConnection;
import io.understudy.stack.tcp.TcpHandler;
import io.understudy.stack.tcp.TcpSecret;
import io.understudy.stack.tcp.TcpState;
import io.understudy.stack.wire.Ipv4Address;
import io.understudy.stack.wire.MacAddress;
import java.nio.ByteBuffer;

/**
 * Two stacks on a copying wire, used only in {@code @Setup}: a client connects to a server, and
 * frames either one sends are delivered to the other at the next {@link #step}. The benchmarks
 * then take one stack out of the lab and drive it alone with frames made from what the other
 * sent. Like the stack's own tests (ReplicationLab, OffloadTest): fake clock, one thread.
 */
final class TcpLab {
    static final int CLIENT_IP = Ipv4Address.parse("10.77.0.1");
    static final int SERVER_IP = Ipv4Address.parse("10.77.0.2");
    static final long CLIENT_MAC = MacAddress.parse("02:00:00:00:77:01");
    static final long SERVER_MAC = MacAddress.parse("02:00:00:00:77:02");
    static final StackConfig CLIENT = new StackConfig(CLIENT_MAC, CLIENT_IP, 24, 0, 1500);
    static final StackConfig SERVER = new StackConfig(SERVER_MAC, SERVER_IP, 24, 0, 1500);
    static final int PORT = 5001;
    static final long STEP = 100_000L;

    final BenchLink clientLink = new BenchLink(0);
    final BenchLink serverLink;
    final NetStack client;
    final NetStack server;
    long now = 1_000_000_000L;
    TcpConnection clientConn;
    TcpConnection serverConn;

    /** @param serverRxVnet the server's link prefixes received frames with a virtio-net header (checksum verified) */
    TcpLab(TcpConfig tcp, boolean serverRxVnet) {
        TcpSecret secret = new TcpSecret(0x0123456789ABCDEFL, 0x7EDCBA9876543210L);
        serverLink = new BenchLink(serverRxVnet ? io.understudy.stack.link.VnetHeader.LENGTH : 0);
        client = new NetStack(CLIENT, tcp, secret, 64, clientLink, now);
        server = new NetStack(SERVER, tcp, secret, 64, serverLink, now);
    }

    /** Connects the client to a listener on the server and steps until both ends are established. */
    void connect(TcpHandler serverHandler, TcpHandler clientHandler) {
        server.tcp().listen(PORT, 16, c -> {
            serverConn = c;
            return serverHandler;
        });
        connectClient(clientHandler);
    }

    /**
     * Connects the client to whatever listens on {@link #PORT} of the server (installed by the
     * caller) and steps until both ends are established; {@link #serverConn} is the server's end.
     */
    void connectClient(TcpHandler clientHandler) {
        clientConn = client.tcp().connect(now, SERVER_IP, PORT, clientHandler);
        client.onBatchEnd(now);
        for (int i = 0; i < 100 && (serverConn == null || serverConn.state() != TcpState.ESTABLISHED
                || clientConn.state() != TcpState.ESTABLISHED); i++) {
            step();
            if (serverConn == null) {
                server.tcp().forEachConnection(c -> serverConn = c);
            }
        }
        if (serverConn == null || serverConn.state() != TcpState.ESTABLISHED) {
            throw new IllegalStateException("no connection: client " + clientConn + ", server " + serverConn);
        }
        steps(5);
    }

    /** Delivers what each stack sent in the last step to the other, then ends a batch on both. */
    void step() {
        now += STEP;
        for (byte[] f : clientLink.take()) {
            byte[] in = serverLink.receiveHeaderLength() > 0 ? BenchLink.withVnetHeader(f) : f;
            server.onFrame(now, ByteBuffer.wrap(in));
        }
        for (byte[] f : serverLink.take()) {
            client.onFrame(now, ByteBuffer.wrap(f));
        }
        client.onBatchEnd(now);
        server.onBatchEnd(now);
    }

    void steps(int n) {
        for (int i = 0; i < n; i++) {
            step();
        }
    }

    /** A handler that reads everything readable into a scratch array and counts it (a discard service). */
    static final class Discard implements TcpHandler {
        private final byte[] scratch = new byte[64 * 1024];
        long bytes;

        @Override
        public void onReadable(TcpConnection c) {
            int n;
            while ((n = c.read(scratch, 0, scratch.length)) > 0) {
                bytes += n;
            }
        }
    }

    /** {@code frame} copied into a direct buffer, as a TAP ring hands frames to the stack. */
    static ByteBuffer direct(byte[] frame) {
        ByteBuffer b = ByteBuffer.allocateDirect(frame.length);
        b.put(0, frame);
        return b;
    }
}
