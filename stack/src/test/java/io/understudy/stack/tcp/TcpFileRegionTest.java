package io.understudy.stack.tcp;

import static io.understudy.stack.tcp.TcpHarness.LOCAL;
import static io.understudy.stack.tcp.TcpHarness.REMOTE;
import static io.understudy.stack.tcp.TcpHarness.seg;
import static io.understudy.stack.wire.TcpHeader.ACK;
import static io.understudy.stack.wire.TcpHeader.RST;
import static org.assertj.core.api.Assertions.assertThat;

import io.understudy.stack.Counter;
import io.understudy.stack.Counters;
import io.understudy.stack.wire.Ipv4Address;
import io.understudy.stack.wire.TcpHeader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link TcpConnection#writeFile}: file regions on the wire, the abort when a file changed, one open
 * file shared by the connections of a stack, a 64 MiB transfer.
 */
class TcpFileRegionTest {
    private static final long MS = 1_000_000L;

    @TempDir Path dir;

    Path file(String name, int n, long seed) throws IOException {
        byte[] data = new byte[n];
        new Random(seed).nextBytes(data);
        Path p = dir.resolve(name);
        Files.write(p, data);
        return p;
    }

    /** The payload of the data segments sent, in sequence order from {@code from}, retransmissions folded in. */
    static byte[] stream(List<Seg> segs, int from) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Seg s : segs) {
            if (s.len() > 0) {
                assertThat(s.seq()).as("segments in order").isEqualTo(from + out.size());
                out.write(s.payload(), 0, s.len());
            }
        }
        return out.toByteArray();
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.write(p, 0, p.length);
        }
        return out.toByteArray();
    }

    @Test void headersAFileRegionAndMoreHeadersGoOutAsOneStream() throws IOException {
        Path f = file("body.bin", 6000, 1);
        FileRegion region = FileRegion.of(f, 1000, 4000);
        var h = TcpHarness.established();
        byte[] head = "HTTP/1.1 200 OK\r\nContent-Length: 4000\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);
        byte[] next = "HTTP/1.1 304 Not Modified\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);
        int writableBefore = h.c.writable();
        h.c.write(head, 0, head.length);
        assertThat(h.c.writeFile(region)).isTrue();
        assertThat(h.c.writable()).as("a region takes no room of writable()").isEqualTo(writableBefore - head.length);
        h.c.write(next, 0, next.length);
        h.flush();
        byte[] expected = concat(head, Arrays.copyOfRange(Files.readAllBytes(f), 1000, 5000), next);
        List<Seg> sent = h.drain();
        assertThat(stream(sent, LOCAL + 1)).isEqualTo(expected);
        assertThat(sent.get(0).len()).as("a full segment spans the literal head and the file").isEqualTo(1448);
        assertThat(h.c.snd.buffer.channelsOpened()).isEqualTo(1);

        // Retransmission timeout: the region is read again through the same channel.
        h.advanceTo(TcpHarness.at(200));
        List<Seg> again = h.drain();
        assertThat(again).isNotEmpty();
        assertThat(again.get(0).seq()).isEqualTo(LOCAL + 1);
        assertThat(again.get(0).payload()).isEqualTo(Arrays.copyOfRange(expected, 0, again.get(0).len()));
        assertThat(h.c.snd.buffer.channelsOpened()).isEqualTo(1);

        h.receive(seg().flags(ACK).seq(REMOTE + 1).ack(LOCAL + 1 + expected.length));
        assertThat(h.c.snd.buffer.length()).isZero();
        assertThat(h.c.snd.buffer.channelsOpen()).as("closed once acknowledged").isZero();
        assertThat(h.counter(Counter.TCP_FILE_REGION_ERRORS)).isZero();
    }

    @Test void aFileChangedBeforeItIsSentAbortsTheConnection() throws IOException {
        Path f = file("body.bin", 3000, 2);
        var h = TcpHarness.established();
        h.c.write(new byte[] {'x'}, 0, 1);
        assertThat(h.c.writeFile(FileRegion.of(f))).isTrue();
        Files.write(f, new byte[] {1}, StandardOpenOption.APPEND); // the file grew: not the file queued
        h.flush();
        List<Seg> sent = h.drain();
        assertThat(sent).hasSize(1);
        Seg rst = sent.get(0);
        assertThat(rst.has(RST | ACK)).isTrue();
        assertThat(rst.seq()).as("nothing was sent: SND.NXT").isEqualTo(LOCAL + 1);
        assertThat(rst.len()).isZero();
        assertThat(h.c.state()).isEqualTo(TcpState.CLOSED);
        assertThat(h.counter(Counter.TCP_FILE_REGION_ERRORS)).isEqualTo(1);
        assertThat(h.counter(Counter.TCP_RESETS_SENT)).isEqualTo(1);
        assertThat(h.events).containsExactly("onClosed(ABORTED)", "closed");
        assertThat(h.c.nextDeadline()).isEqualTo(TcpConnection.NO_DEADLINE);
        h.flush();
        h.expectNothing();
    }

    @Test void aFileTruncatedMidTransferAbortsAfterTheGoodBytes() throws IOException {
        Path f = file("body.bin", 200_000, 3);
        byte[] data = Files.readAllBytes(f);
        var h = TcpHarness.established();
        assertThat(h.c.writeFile(FileRegion.of(f))).isTrue();
        h.flush();
        List<Seg> first = h.drain();
        byte[] got = stream(first, LOCAL + 1);
        assertThat(got).isEqualTo(Arrays.copyOf(data, got.length));
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
            raf.setLength(got.length + 1000); // what was sent is intact; the file now ends early
        }
        int sndMax = h.c.sndNxt();
        h.receive(seg().flags(ACK).seq(REMOTE + 1).ack(sndMax));
        List<Seg> after = h.drain();
        Seg last = after.get(after.size() - 1);
        assertThat(last.has(RST | ACK)).isTrue();
        assertThat(last.seq()).isEqualTo(h.c.sndNxt());
        byte[] more = stream(after.subList(0, after.size() - 1), sndMax);
        assertThat(more).as("only bytes that were in the file").hasSizeLessThanOrEqualTo(1000)
                .isEqualTo(Arrays.copyOfRange(data, got.length, got.length + more.length));
        assertThat(h.c.state()).isEqualTo(TcpState.CLOSED);
        assertThat(h.counter(Counter.TCP_FILE_REGION_ERRORS)).isEqualTo(1);
        assertThat(h.events).containsSubsequence("onClosed(ABORTED)", "closed");
        assertThat(h.c.snd.buffer.channelsOpen()).as("the connection's files are closed").isZero();
    }

    @Test void writeFileFollowsTheRulesOfWrite() throws IOException {
        Path f = file("body.bin", 100, 4);
        FileRegion region = FileRegion.of(f);
        var h = TcpHarness.established();
        h.appShutdown();
        assertThat(h.c.writeFile(region)).isFalse();
        assertThat(h.c.write(new byte[1], 0, 1)).isZero();
        assertThat(h.c.snd.buffer.length()).isZero();

        var fresh = new TcpConnection(h.ctx, TcpHarness.TUPLE, h);
        assertThat(fresh.writeFile(region)).as("not opened").isFalse();
    }

    @Test void aFullDescriptorTableRefusesRegionsUntilAcknowledgmentsDrainIt() throws IOException {
        Path f = file("body.bin", 100, 5);
        FileRegion region = FileRegion.of(f, 10, 5);
        byte[] data = Files.readAllBytes(f);
        var h = TcpHarness.established();
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        for (int i = 0; i < SendBuffer.MAX_DESCRIPTORS / 2; i++) {
            assertThat(h.c.write(new byte[] {(byte) i}, 0, 1)).isEqualTo(1);
            expected.write(i);
            assertThat(h.c.writeFile(region)).isTrue();
            expected.write(data, 10, 5);
        }
        assertThat(h.c.writeFile(region)).isFalse();
        assertThat(h.c.writable()).as("a byte would need a descriptor").isZero();
        h.flush();
        byte[] sent = stream(h.drain(), LOCAL + 1);
        assertThat(sent).as("segments span hundreds of descriptors").isEqualTo(expected.toByteArray());
        assertThat(h.c.snd.buffer.channelsOpened()).as("each region takes a channel").isEqualTo(512);
        h.events.clear();
        h.receive(seg().flags(ACK).seq(REMOTE + 1).ack(LOCAL + 1 + sent.length));
        assertThat(h.events).contains("onWritable");
        assertThat(h.c.snd.buffer.channelsOpen()).isZero();
        assertThat(h.c.writeFile(region)).isTrue();
    }

    // ------------------------------------------------------------------ the stack's shared file channels

    /** A context whose file cache keeps every file written by the test (see {@link FileChannelCacheTest#LATER}). */
    private static TcpContext contextKeepingFiles() {
        TcpContext ctx = new TcpContext(TcpHarness.defaultConfig(), new Counters(), 1000, 42);
        ctx.files(new FileChannelCache(FileChannelCache.DEFAULT_MAX_IDLE, FileChannelCacheTest.LATER));
        return ctx;
    }

    /** {@code h} sends {@code region} whole and the peer acknowledges it; returns the payload sent. */
    private static byte[] respond(TcpHarness h, FileRegion region) {
        int from = h.c.snd.buffer.endSeq();
        assertThat(h.c.writeFile(region)).isTrue();
        h.flush();
        byte[] sent = stream(h.drain(), from);
        h.receive(seg().flags(ACK).seq(REMOTE + 1).ack(from + sent.length));
        assertThat(h.c.snd.buffer.length()).isZero();
        return sent;
    }

    @Test void responsesOnTwoConnectionsOfOneStackOpenTheFileOnce() throws IOException {
        Path f = file("page.html", 1024, 6);
        FileRegion region = FileRegion.of(f);
        TcpContext ctx = contextKeepingFiles();
        var first = TcpHarness.fixture().context(ctx).established();
        var second = TcpHarness.fixture().context(ctx).established();
        assertThat(respond(first, region)).isEqualTo(Files.readAllBytes(f));
        assertThat(respond(second, region)).isEqualTo(Files.readAllBytes(f));
        assertThat(respond(first, region)).isEqualTo(Files.readAllBytes(f));
        assertThat(ctx.files().opened()).isEqualTo(1);
        assertThat(ctx.files().reused()).isEqualTo(2);
        assertThat(ctx.files().idleChannels()).as("kept for the next response").isEqualTo(1);
        assertThat(first.c.snd.buffer.channelsOpen() + second.c.snd.buffer.channelsOpen()).isZero();
        ctx.files().close();
    }

    @Test void aFileReplacedBetweenTwoResponsesAbortsTheSecondAsBefore() throws IOException {
        Path f = file("page.html", 1024, 7);
        FileRegion region = FileRegion.of(f);
        TcpContext ctx = contextKeepingFiles();
        var first = TcpHarness.fixture().context(ctx).established();
        respond(first, region);
        // A rename deploy of the same bytes and mtime: only the inode tells.
        Path tmp = file("page.html.new", 1024, 7);
        Files.setLastModifiedTime(tmp, Files.getLastModifiedTime(f));
        Files.move(tmp, f, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);

        var second = TcpHarness.fixture().context(ctx).established();
        assertThat(second.c.writeFile(region)).isTrue(); // the old version, as a stale response would
        second.flush();
        List<Seg> sent = second.drain();
        assertThat(sent).hasSize(1);
        assertThat(sent.get(0).has(RST | ACK)).isTrue();
        assertThat(sent.get(0).len()).isZero();
        assertThat(second.counter(Counter.TCP_FILE_REGION_ERRORS)).isEqualTo(1);
        assertThat(ctx.files().openChannels()).as("the channel on the replaced file is closed").isZero();

        var third = TcpHarness.fixture().context(ctx).established();
        assertThat(respond(third, FileRegion.of(f))).isEqualTo(Files.readAllBytes(f));
        assertThat(ctx.files().opened()).isEqualTo(2);
        ctx.files().close();
    }

    // ------------------------------------------------------------------ 64 MiB through two TCBs

    private static final int IP_A = Ipv4Address.parse("10.201.0.1");
    private static final int IP_B = Ipv4Address.parse("10.201.0.2");
    private final PriorityQueue<Packet> network = new PriorityQueue<>();
    private final Random random = new Random(64);
    private long now;
    private long order;

    private record Packet(long at, long order, Side to, byte[] bytes) implements Comparable<Packet> {
        @Override
        public int compareTo(Packet o) {
            int c = Long.compare(at, o.at);
            return c != 0 ? c : Long.compare(order, o.order);
        }
    }

    /** One end: B (the server) writes a response of headers, a file region and a trailer; A reads and digests. */
    private final class Side implements TcpConnection.Owner, TcpHandler, SegmentSink {
        final TcpConnection c;
        final int localIp;
        final int remoteIp;
        final ByteBuffer out = ByteBuffer.allocate(2048);
        final MessageDigest digest;
        final byte[] readBuffer = new byte[65536];
        Side peer;
        long received;
        boolean ownerClosed;
        boolean peerClosed;
        CloseReason reason;
        int resetsSent;
        Runnable onConnected = () -> { };

        Side(TcpContext ctx, TcpTuple tuple) throws NoSuchAlgorithmException {
            this.c = new TcpConnection(ctx, tuple, this);
            this.localIp = tuple.localIp();
            this.remoteIp = tuple.remoteIp();
            this.digest = MessageDigest.getInstance("SHA-256");
            c.handler(this);
        }

        @Override public void established(TcpConnection conn) { }

        @Override public void wantsOutput(TcpConnection conn) { }

        @Override public void closed(TcpConnection conn) {
            ownerClosed = true;
        }

        @Override public void onConnected(TcpConnection conn) {
            onConnected.run();
        }

        @Override public void onReadable(TcpConnection conn) {
            int n;
            while ((n = conn.read(readBuffer, 0, readBuffer.length)) > 0) {
                digest.update(readBuffer, 0, n);
                received += n;
            }
        }

        @Override public void onPeerClosed(TcpConnection conn) {
            peerClosed = true;
            conn.close();
        }

        @Override public void onClosed(TcpConnection conn, CloseReason r) {
            reason = r;
        }

        @Override public ByteBuffer segmentBuffer() {
            return out;
        }

        @Override public int segmentOffset() {
            return 0;
        }

        @Override public int maxSegmentLength() {
            return 1480;
        }

        @Override public void send(long when, TcpTuple tuple, int length) {
            TcpHeader h = new TcpHeader().wrap(out, 0, length).writeChecksum(localIp, remoteIp);
            if (h.hasFlag(TcpHeader.RST)) {
                resetsSent++;
            }
            if (random.nextInt(1000) == 0) {
                return; // 0.1% loss: retransmissions read the file again
            }
            byte[] bytes = new byte[length];
            out.get(0, bytes);
            network.add(new Packet(when + MS, order++, peer, bytes));
        }
    }

    @Test void aSixtyFourMebibyteRegionArrivesByteExact() throws Exception {
        int regionLength = 64 << 20;
        int regionOffset = 4093;
        Path big = dir.resolve("big.bin");
        try (OutputStream o = Files.newOutputStream(big)) {
            byte[] chunk = new byte[1 << 20];
            Random r = new Random(99);
            for (int i = 0; i < 65; i++) {
                r.nextBytes(chunk);
                o.write(chunk);
            }
        }
        FileRegion region = FileRegion.of(big, regionOffset, regionLength);
        byte[] head = "HTTP/1.1 200 OK\r\nContent-Length: 67108864\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);
        byte[] tail = "and the next response's headers".getBytes(StandardCharsets.ISO_8859_1);

        // The reference: the same bytes read from the file independently.
        MessageDigest expected = MessageDigest.getInstance("SHA-256");
        expected.update(head);
        try (FileChannel ch = FileChannel.open(big)) {
            ByteBuffer buf = ByteBuffer.allocate(1 << 20);
            long pos = regionOffset;
            long end = regionOffset + (long) regionLength;
            while (pos < end) {
                buf.clear().limit((int) Math.min(buf.capacity(), end - pos));
                int n = ch.read(buf, pos);
                expected.update(buf.array(), 0, n);
                pos += n;
            }
        }
        expected.update(tail);

        TcpConfig config = TcpConfig.defaults(1500).withMsl(1000 * MS).withBuffers(1 << 20, 1 << 16);
        Counters counters = new Counters();
        Side a = new Side(new TcpContext(config, counters, 1000, 1), new TcpTuple(IP_A, 40000, IP_B, 80));
        Side b = new Side(new TcpContext(config, counters, 1000, 2), new TcpTuple(IP_B, 80, IP_A, 40000));
        a.peer = b;
        b.peer = a;
        b.onConnected = () -> {
            assertThat(b.c.write(head, 0, head.length)).isEqualTo(head.length);
            assertThat(b.c.writeFile(region)).isTrue();
            assertThat(b.c.write(tail, 0, tail.length)).isEqualTo(tail.length);
            b.c.shutdownOutput();
        };
        a.c.openActive(now, 0xFFFF_F000, 1);
        a.c.output(now, a);
        boolean bOpened = false;
        while (!(a.ownerClosed && b.ownerClosed) && now < 3_600_000 * MS) {
            long next = Math.min(deadline(a), deadline(b));
            Packet p = network.peek();
            if (p != null && p.at() <= next) {
                network.poll();
                now = Math.max(now, p.at());
                TcpHeader h = new TcpHeader().wrap(ByteBuffer.wrap(p.bytes()), 0, p.bytes().length);
                assertThat(h.validate(p.to().remoteIp, p.to().localIp)).isEqualTo(TcpHeader.Problem.NONE);
                TcpSegment seg = new TcpSegment().from(h);
                if (p.to() == b && !bOpened) {
                    if (!seg.has(TcpHeader.SYN) || seg.has(TcpHeader.ACK)) {
                        continue;
                    }
                    bOpened = true;
                    b.c.openPassive(now, 0xFFFF_FFF0, 7, seg);
                } else {
                    p.to().c.onSegment(now, seg);
                }
            } else if (next != Long.MAX_VALUE) {
                now = Math.max(now, next);
                fire(a);
                fire(b);
            } else {
                break;
            }
            a.c.output(now, a);
            b.c.output(now, b);
        }
        assertThat(a.received).isEqualTo(head.length + (long) regionLength + tail.length);
        assertThat(a.digest.digest()).as("byte-exact").isEqualTo(expected.digest());
        assertThat(a.reason).isEqualTo(CloseReason.NORMAL);
        assertThat(b.reason).isEqualTo(CloseReason.NORMAL);
        assertThat(a.resetsSent + b.resetsSent).isZero();
        assertThat(counters.get(Counter.TCP_FILE_REGION_ERRORS)).isZero();
        assertThat(counters.get(Counter.TCP_RETRANSMITS)).as("losses were repaired from the file").isPositive();
        assertThat(b.c.snd.buffer.channelsOpened()).as("the file opened once").isEqualTo(1);
        assertThat(b.c.snd.buffer.channelsOpen()).isZero();
        assertThat(b.c.bytesSent()).isEqualTo(head.length + (long) regionLength + tail.length);
    }

    private long deadline(Side s) {
        long d = s.c.nextDeadline();
        return d == TcpConnection.NO_DEADLINE ? Long.MAX_VALUE : d;
    }

    private void fire(Side s) {
        long d = s.c.nextDeadline();
        if (d != TcpConnection.NO_DEADLINE && d <= now) {
            s.c.onTimer(now);
        }
    }
}
