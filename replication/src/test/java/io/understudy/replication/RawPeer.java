package io.understudy.replication;

import io.understudy.replication.codec.Frame;
import io.understudy.replication.codec.FrameReader;
import io.understudy.replication.link.ReplicationLink;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** A hand-driven end of a replication link: sends whatever bytes a test makes, keeps what arrives. */
final class RawPeer implements ReplicationLink.Listener, AutoCloseable {
    final ReplicationLink link;
    private final ByteArrayOutputStream got = new ByteArrayOutputStream();
    final CompletableFuture<Void> closed = new CompletableFuture<>();

    RawPeer(ReplicationLink link) {
        this.link = link;
        link.start(this);
    }

    void send(byte[] bytes) throws IOException {
        link.send(ByteBuffer.wrap(bytes));
    }

    void send(ByteBuffer b, int length) throws IOException {
        link.send(b.duplicate().position(0).limit(length));
    }

    @Override
    public synchronized void onBytes(ByteBuffer chunk) {
        byte[] b = new byte[chunk.remaining()];
        chunk.get(b);
        got.write(b, 0, b.length);
    }

    @Override
    public void onClosed(Throwable cause) {
        closed.complete(null);
    }

    synchronized byte[] received() {
        return got.toByteArray();
    }

    /** Waits (bounded) until the other end closes the link. */
    void awaitClosed() throws Exception {
        closed.get(10, TimeUnit.SECONDS);
    }

    /** The frames received so far, each as "TYPE" (plus a detail for some), in order. */
    java.util.List<String> frames() {
        FrameReader r = new FrameReader(PeerLink.MAX_FRAME);
        r.append(ByteBuffer.wrap(received()));
        java.util.List<String> out = new java.util.ArrayList<>();
        while (r.poll() == FrameReader.Status.FRAME) {
            Frame f = r.frame();
            out.add(switch (f.type()) {
                case HELLO_REJECT -> "HELLO_REJECT " + new io.understudy.replication.codec.HelloReject().wrap(f).text();
                case RECORD -> "RECORD " + f.sequence() + " flags " + f.flags();
                default -> f.type().name();
            });
        }
        return out;
    }

    @Override
    public void close() {
        link.close();
    }
}
