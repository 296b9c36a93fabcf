package io.understudy.replication;

import static org.assertj.core.api.Assertions.assertThat;

import io.understudy.replication.codec.Ack;
import io.understudy.replication.codec.Frame;
import io.understudy.replication.codec.FrameCodec;
import io.understudy.replication.codec.FrameReader;
import io.understudy.replication.codec.Heartbeat;
import io.understudy.replication.codec.MessageType;
import io.understudy.replication.link.ReplicationLink;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link PeerLink}'s two ways of sending — directly from the producer's thread, and through the
 * writer thread — against a link whose non-blocking send takes a random part of each frame (as a
 * socket with a filling buffer does), while the writer sends heartbeats and ACKs of its own: every
 * frame must arrive whole, the producer's in order, none interleaved with another.
 */
class PeerLinkSendTest {

    /** A link that records the byte stream; trySend takes 0..all of the bytes at random. */
    static final class PartialLink implements ReplicationLink {
        final ByteArrayOutputStream wire = new ByteArrayOutputStream();
        final Random random = new Random(42);
        final boolean direct;
        int partial;

        PartialLink(boolean direct) {
            this.direct = direct;
        }

        @Override public void start(Listener listener) { }

        @Override
        public synchronized void send(ByteBuffer bytes) {
            while (bytes.hasRemaining()) wire.write(bytes.get());
        }

        @Override
        public synchronized int trySend(ByteBuffer bytes) {
            if (!direct) return -1;
            int r = bytes.remaining();
            int n = switch (random.nextInt(4)) {
                case 0 -> 0;
                case 1 -> random.nextInt(r + 1);
                default -> r;
            };
            if (n > 0 && n < r) partial++;
            for (int i = 0; i < n; i++) wire.write(bytes.get());
            return n;
        }

        synchronized byte[] bytes() {
            return wire.toByteArray();
        }

        @Override public boolean isOpen() { return true; }
        @Override public String describe() { return "partial"; }
        @Override public void close() { }
    }

    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void stop() {
        timers.shutdownNow();
    }

    /** Acknowledges the number in each heartbeat it receives, as a standby acks the records it applied. */
    private static final PeerLink.Handler ACKER = new PeerLink.Handler() {
        private final Heartbeat hb = new Heartbeat();

        @Override
        public void onFrame(PeerLink link, Frame frame) {
            if (frame.type() == MessageType.HEARTBEAT) link.ack(hb.wrap(frame).monotonicNanos());
        }

        @Override public void onEnded(PeerLink link, PeerLink.End end) { }
    };

    @Test
    void framesArriveWholeAndInOrderWhateverPartTheSocketTakes() throws Exception {
        PartialLink link = new PartialLink(true);
        List<Long> acked = run(link);
        assertThat(link.partial).as("some direct sends were cut in the middle of a frame").isGreaterThan(10);
        assertThat(acked).isSorted();
    }

    @Test
    void aLinkThatCannotSendWithoutBlockingGoesThroughTheWriter() throws Exception {
        PartialLink link = new PartialLink(false);
        run(link);
    }

    /** Submits 2,000 frames (heartbeat-shaped, numbered) while another thread acks; checks the stream; returns the ACKs seen. */
    private List<Long> run(PartialLink link) throws Exception {
        // a heartbeat every millisecond from the writer, numbered -1 so they are told apart
        PeerLink peer = new PeerLink(link, ACKER, timers, () -> -1, Duration.ofMillis(1), Duration.ofSeconds(60), 64);
        peer.startStreaming(() -> 0, () -> 0);
        FrameCodec codec = new FrameCodec();
        int frames = 2000;
        // the "receive thread": frames come in and are acked from it (the direct ACK path), while
        // the test thread submits; the first acks go through the writer (another thread's)
        peer.ack(0);
        Thread acker = new Thread(() -> {
            FrameCodec in = new FrameCodec();
            ByteBuffer chunk = ByteBuffer.allocate(64);
            for (long a = 1; a <= 500; a++) {
                int n = in.heartbeat(chunk.clear(), 0, 0, a, 0, 0);
                peer.onBytes(chunk.limit(n).position(0));
            }
        });
        acker.start();
        int sent = 0;
        while (sent < frames) {
            ByteBuffer b = peer.acquire();
            if (b == null) { // the pool is out: the writer is behind
                Thread.sleep(1);
                continue;
            }
            int n = codec.heartbeat(b, 0, 0, sent, 0, 0);
            assertThat(peer.submit(b.limit(n).position(0))).isTrue();
            sent++;
        }
        acker.join();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        List<Long> numbers;
        List<Long> acks;
        while (true) {
            numbers = new ArrayList<>();
            acks = new ArrayList<>();
            parse(link.bytes(), numbers, acks);
            if (numbers.size() == frames && acks.contains(500L) || System.nanoTime() > deadline) break;
            Thread.sleep(5);
        }
        peer.end(PeerLink.EndKind.LOCAL, "test over");
        List<Long> expected = new ArrayList<>();
        for (long i = 0; i < frames; i++) expected.add(i);
        assertThat(numbers).isEqualTo(expected);
        assertThat(acks).contains(500L);
        if (link.direct) {
            assertThat(peer.directFrames()).isGreaterThan(0);
        } else {
            assertThat(peer.directFrames()).isZero();
        }
        return acks;
    }

    /** Parses the whole stream: every frame must be intact (a torn or interleaved one fails its CRC or length). */
    private static void parse(byte[] stream, List<Long> numbers, List<Long> acks) {
        FrameReader reader = new FrameReader(PeerLink.MAX_FRAME - 4);
        ByteBuffer in = ByteBuffer.wrap(stream);
        Heartbeat hb = new Heartbeat();
        Ack ack = new Ack();
        while (in.hasRemaining()) {
            reader.append(in);
            FrameReader.Status s;
            while ((s = reader.poll()) == FrameReader.Status.FRAME) {
                Frame f = reader.frame();
                if (f.type() == MessageType.HEARTBEAT) {
                    long n = hb.wrap(f).monotonicNanos();
                    if (n >= 0) numbers.add(n);
                } else if (f.type() == MessageType.ACK) {
                    acks.add(ack.wrap(f).acknowledged());
                }
            }
            assertThat(s).as("stream broken after %d frames: %s", numbers.size(), reader.reject())
                    .isNotEqualTo(FrameReader.Status.REJECTED);
        }
    }
}
