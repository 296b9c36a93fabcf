package io.understudy.httpd;

import static org.assertj.core.api.Assertions.assertThat;

import io.understudy.stack.MemoryLink;
import io.understudy.stack.NetStack;
import io.understudy.stack.StackConfig;
import io.understudy.stack.tcp.TcpConfig;
import io.understudy.stack.tcp.TcpConnection;
import io.understudy.stack.tcp.TcpHandler;
import io.understudy.stack.tcp.TcpLayer;
import io.understudy.stack.tcp.TcpSecret;
import io.understudy.stack.wire.Ipv4Address;
import io.understudy.stack.wire.MacAddress;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * A client stack and a server stack joined by an in-memory wire, on a fake clock, stepped by the
 * test on its own thread: everything is deterministic, so a run can be repeated and stopped at
 * any step. Each {@link #step()} carries frames from the server to the client and from the
 * client to the server (all that wait, or at most {@code framesPerBatch} each way, the rest
 * waiting in order for the next step, so a run passes through many more states), ends a batch on
 * each side and moves the clock on. The server can be replaced (a standby taking over: same MAC
 * and address); frames in flight towards or from the old one are lost.
 */
final class Wire {
    static final long MS = 1_000_000L;
    static final long SECOND = 1_000 * MS;
    static final int SERVER_IP = Ipv4Address.parse("192.0.2.1");
    static final int CLIENT_IP = Ipv4Address.parse("192.0.2.2");
    static final StackConfig SERVER = new StackConfig(MacAddress.parse("02:00:00:00:0a:01"), SERVER_IP, 24, 0,
            StackConfig.DEFAULT_MTU);
    static final StackConfig CLIENT = new StackConfig(MacAddress.parse("02:00:00:00:0b:02"), CLIENT_IP, 24, 0,
            StackConfig.DEFAULT_MTU);
    /** Primary and standby share their ISN and SYN-cookie key. */
    static final TcpSecret SERVER_SECRET = new TcpSecret(0x5eed_0001L, 0x5eed_0002L);
    /** A step that moved frames takes a tenth of a millisecond (the round trip); an idle one a millisecond. */
    private static final long BUSY_STEP = MS / 10;
    private static final long IDLE_STEP = MS;
    /** Bound on the steps of one {@link #runUntil}: simulated time, not wall-clock time. */
    private static final int MAX_STEPS = 400_000;

    private final int framesPerBatch;
    private final ArrayDeque<byte[]> toClient = new ArrayDeque<>();
    private final ArrayDeque<byte[]> toServer = new ArrayDeque<>();
    private final MemoryLink clientLink = new MemoryLink();
    private final NetStack client;
    private MemoryLink serverLink = new MemoryLink();
    private NetStack server;
    private long now = 1_000 * SECOND;
    private int steps;
    private Runnable afterServerBatch = () -> { };

    /** Every waiting frame is delivered at each step. */
    Wire() {
        this(Integer.MAX_VALUE);
    }

    /** At most {@code framesPerBatch} frames are delivered each way at each step. */
    Wire(int framesPerBatch) {
        this.framesPerBatch = framesPerBatch;
        client = new NetStack(CLIENT, TcpConfig.defaults(CLIENT.mtu()), new TcpSecret(7, 8),
                TcpLayer.DEFAULT_MAX_CONNECTIONS, clientLink, now);
        server = newServerStack(serverLink);
    }

    private NetStack newServerStack(MemoryLink link) {
        return new NetStack(SERVER, TcpConfig.defaults(SERVER.mtu()), SERVER_SECRET, TcpLayer.DEFAULT_MAX_CONNECTIONS,
                link, now);
    }

    long now() {
        return now;
    }

    int steps() {
        return steps;
    }

    NetStack client() {
        return client;
    }

    NetStack server() {
        return server;
    }

    /** Called after each of the server's batches (a replication test acks its records there). */
    void afterServerBatch(Runnable action) {
        afterServerBatch = action;
    }

    /**
     * The server dies: it receives and sends nothing more, and what it sent that the client did
     * not receive yet is lost. Returns a new, empty server stack with the same configuration and
     * secret, now on the wire (what the client sends reaches it).
     */
    NetStack replaceServer() {
        serverLink.take();
        clientLink.take();
        toClient.clear(); // in flight from the dead server, and towards it: lost
        toServer.clear();
        serverLink = new MemoryLink();
        server = newServerStack(serverLink);
        afterServerBatch = () -> { };
        return server;
    }

    /** Opens a connection from the client to the server's {@code port}; {@code app} hears it. */
    TcpConnection connect(int port, Client app) {
        TcpConnection c = client.tcp().connect(now, SERVER_IP, port, app);
        app.connection = c;
        return c;
    }

    /** One round: server to client, client to server, each side ends a batch; the clock moves on. */
    void step() {
        toClient.addAll(serverLink.take());
        boolean moved = deliver(toClient, client);
        client.onBatchEnd(now);
        toServer.addAll(clientLink.take());
        moved |= deliver(toServer, server);
        server.onBatchEnd(now);
        afterServerBatch.run();
        now += moved ? BUSY_STEP : IDLE_STEP;
        steps++;
    }

    private boolean deliver(ArrayDeque<byte[]> frames, NetStack to) {
        boolean moved = !frames.isEmpty();
        for (int i = 0; i < framesPerBatch && !frames.isEmpty(); i++) {
            to.onFrame(now, ByteBuffer.wrap(frames.pollFirst()));
        }
        return moved;
    }

    /** Steps until {@code done} holds (checked before each step), at most a bounded number of steps. */
    void runUntil(BooleanSupplier done) {
        for (int i = 0; i < MAX_STEPS; i++) {
            if (done.getAsBoolean()) {
                return;
            }
            step();
        }
        assertThat(done.getAsBoolean()).as("condition reached within " + MAX_STEPS + " steps").isTrue();
    }

    /** The server's one connection, or null when it has none (not yet, or no more). */
    TcpConnection serverConnection() {
        List<TcpConnection> all = new ArrayList<>();
        server.tcp().forEachConnection(all::add);
        assertThat(all.size()).as("server connections").isLessThanOrEqualTo(1);
        return all.isEmpty() ? null : all.get(0);
    }

    /** The server's side of the client's connection {@code clientSide}, or null when it has none. */
    TcpConnection serverConnection(TcpConnection clientSide) {
        TcpConnection[] found = new TcpConnection[1];
        server.tcp().forEachConnection(c -> {
            if (c.tuple().remotePort() == clientSide.tuple().localPort()
                    && c.tuple().localPort() == clientSide.tuple().remotePort()) {
                found[0] = c;
            }
        });
        return found[0];
    }

    /**
     * An HTTP client as a bare TCP application: writes {@link #send}'s bytes as the window takes
     * them and keeps everything it receives; reads only up to {@link #readLimit} (so a test can
     * leave the server's responses waiting), closes once the server closed and all was read.
     */
    static final class Client implements TcpHandler {
        private final ByteArrayOutputStream toSend = new ByteArrayOutputStream();
        private final ByteArrayOutputStream received = new ByteArrayOutputStream();
        private byte[] pending = new byte[0];
        private int sendAt;
        private long readLimit = Long.MAX_VALUE;
        private TcpConnection connection;
        private boolean connected;
        private boolean peerClosed;
        private boolean closed;
        private final byte[] scratch = new byte[64 * 1024];

        /** Queues {@code bytes} to send (all of them, as the window allows). */
        Client send(byte[] bytes) {
            toSend.writeBytes(bytes);
            pending = toSend.toByteArray();
            if (connected) {
                push(connection);
            }
            return this;
        }

        Client send(String ascii) {
            return send(ascii.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        }

        /** Reads received bytes up to a total of {@code limit} (more arrive in the receive queue meanwhile). */
        Client readLimit(long limit) {
            readLimit = limit;
            if (connected && !closed) {
                pull(connection);
            }
            return this;
        }

        /** Everything sent so far (the request stream as the server sees it). */
        byte[] sent() {
            return java.util.Arrays.copyOf(pending, sendAt);
        }

        /** Everything received so far. */
        byte[] received() {
            return received.toByteArray();
        }

        int receivedCount() {
            return received.size();
        }

        boolean allSent() {
            return sendAt == pending.length;
        }

        /** The server's FIN arrived (and, the stream being over, this side closed too). */
        boolean peerClosed() {
            return peerClosed;
        }

        boolean closed() {
            return closed;
        }

        @Override
        public void onConnected(TcpConnection c) {
            connected = true;
            push(c);
            pull(c);
        }

        @Override
        public void onReadable(TcpConnection c) {
            pull(c);
        }

        @Override
        public void onWritable(TcpConnection c) {
            push(c);
        }

        @Override
        public void onPeerClosed(TcpConnection c) {
            peerClosed = true;
            pull(c);
        }

        @Override
        public void onClosed(TcpConnection c, io.understudy.stack.tcp.CloseReason reason) {
            closed = true;
        }

        private void push(TcpConnection c) {
            if (sendAt < pending.length) {
                sendAt += c.write(pending, sendAt, pending.length - sendAt);
            }
        }

        private void pull(TcpConnection c) {
            while (received.size() < readLimit && c.readable() > 0) {
                int n = c.read(scratch, 0, (int) Math.min(scratch.length, readLimit - received.size()));
                received.write(scratch, 0, n);
            }
            if (peerClosed && c.readable() == 0 && !closed) {
                c.close();
            }
        }
    }
}
