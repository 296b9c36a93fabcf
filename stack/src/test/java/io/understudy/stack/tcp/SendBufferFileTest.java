package io.understudy.stack.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The send queue's file-region descriptors: mapping, acknowledgment, channels, changed files, limits. */
class SendBufferFileTest {
    static final int ISS = 5_000;

    @TempDir Path dir;

    /** A file of {@code n} pseudo-random bytes. */
    Path file(String name, int n, long seed) throws IOException {
        byte[] data = new byte[n];
        new Random(seed).nextBytes(data);
        Path p = dir.resolve(name);
        Files.write(p, data);
        return p;
    }

    /** The bytes of {@code region}, read independently of the send queue. */
    static byte[] bytesOf(FileRegion region) throws IOException {
        byte[] all = Files.readAllBytes(region.path());
        return Arrays.copyOfRange(all, (int) region.offset(), (int) (region.offset() + region.length()));
    }

    static byte[] literal(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** A send queue whose opener records every channel it opens. */
    static final class Recording implements SendBuffer.FileOpener {
        final List<FileChannel> opened = new ArrayList<>();
        final List<FileRegion> regions = new ArrayList<>();

        @Override
        public FileChannel open(FileRegion region) throws IOException {
            FileChannel c = FileRegion.openVerified(region);
            opened.add(c);
            regions.add(region);
            return c;
        }

        long openNow() {
            return opened.stream().filter(FileChannel::isOpen).count();
        }
    }

    static SendBuffer buffer(int capacity, int startSeq, SendBuffer.FileOpener opener) {
        var sb = new SendBuffer(capacity, opener);
        sb.reset(startSeq);
        return sb;
    }

    /** Copies [seq, seq + len) as a sender does: ask again while the queue gives fewer bytes. */
    static byte[] copyLoop(SendBuffer sb, int seq, int len) {
        ByteBuffer dst = ByteBuffer.allocate(len + 10);
        Arrays.fill(dst.array(), (byte) 0xEE);
        dst.position(3).limit(7 + len);
        int done = 0;
        while (done < len) {
            int n = sb.copy(seq + done, dst, 7 + done, len - done);
            if (n == 0) {
                break;
            }
            done += n;
        }
        assertThat(dst.position()).isEqualTo(3);
        assertThat(dst.limit()).isEqualTo(7 + len);
        assertThat(dst.array()[6]).as("byte before the target untouched").isEqualTo((byte) 0xEE);
        assertThat(dst.array()[7 + done]).as("byte after the copy untouched").isEqualTo((byte) 0xEE);
        return Arrays.copyOfRange(dst.array(), 7, 7 + done);
    }

    /** Headers, a file region, more headers, two regions of one file back to back, a trailer. */
    @Test void mixedLiteralAndFileDescriptorsCopyAsTheConcatenationAtEveryOffset() throws IOException {
        Path a = file("a.bin", 10_000, 1);
        Path b = file("b.bin", 1, 2);
        var opener = new Recording();
        var sb = buffer(1 << 12, 0xFFFF_FF00, opener); // wraps the sequence space
        ByteArrayOutputStream ref = new ByteArrayOutputStream();
        byte[] h1 = literal(37, 3);
        sb.appendBytes(h1, 0, h1.length);
        ref.write(h1);
        FileRegion r1 = FileRegion.of(a, 5, 3000);
        assertThat(sb.appendFile(r1)).isTrue();
        ref.write(bytesOf(r1));
        byte[] h2 = literal(11, 4);
        sb.appendBytes(ByteBuffer.wrap(h2));
        ref.write(h2);
        FileRegion r2 = FileRegion.of(b);
        FileRegion r3 = FileRegion.of(a, 9000, 1000);
        assertThat(sb.appendFile(r2)).isTrue();
        assertThat(sb.appendFile(r3)).isTrue();
        ref.write(bytesOf(r2));
        ref.write(bytesOf(r3));
        byte[] h3 = literal(1, 5);
        byte[] h4 = literal(200, 6);
        sb.appendBytes(h3, 0, 1);
        sb.appendBytes(h4, 0, h4.length);
        ref.write(h3);
        ref.write(h4);
        byte[] expected = ref.toByteArray();

        assertThat(sb.length()).isEqualTo(expected.length);
        assertThat(sb.endSeq()).isEqualTo(0xFFFF_FF00 + expected.length);
        assertThat(sb.descriptorCount()).as("h1, r1, h2, r2, r3, h3+h4 merged").isEqualTo(6);
        assertThat(sb.fileBytes()).isEqualTo(4001);
        assertThat(sb.free()).as("file regions take no ring space").isEqualTo((1 << 12) - 37 - 11 - 201);

        int[] lengths = {1, 2, 7, 536, 1460};
        for (int offset = 0; offset <= expected.length; offset++) {
            for (int len : lengths) {
                int n = Math.min(len, expected.length - offset);
                byte[] got = copyLoop(sb, sb.startSeq() + offset, len);
                assertThat(got).as("offset %d len %d", offset, len)
                        .isEqualTo(Arrays.copyOfRange(expected, offset, offset + n));
            }
        }
        assertThat(copyLoop(sb, sb.startSeq(), expected.length + 50)).isEqualTo(expected);
        // Fills across descriptor boundaries in one call (our documented choice).
        ByteBuffer dst = ByteBuffer.allocate(expected.length);
        assertThat(sb.copy(sb.startSeq() + 30, dst, 0, 3100)).isEqualTo(3100);
        assertThat(opener.opened).as("one channel per region, however many copies").hasSize(3);
        assertThat(opener.regions).containsExactlyInAnyOrder(r1, r2, r3);
    }

    /** Random appends, acknowledgments and copies, checked against the stream and the descriptor listing. */
    @Test void randomInterleavingMatchesTheStream() throws IOException {
        Path f = file("f.bin", 50_000, 7);
        byte[] fileData = Files.readAllBytes(f);
        for (long seed = 1; seed <= 8; seed++) {
            var random = new Random(seed);
            var opener = new Recording();
            int capacity = 1 << (6 + random.nextInt(8));
            int start = random.nextInt();
            var sb = buffer(capacity, start, opener);
            ByteArrayOutputStream stream = new ByteArrayOutputStream();
            long acked = 0;
            int regions = 0;
            for (int op = 0; op < 1500; op++) {
                int held = (int) (stream.size() - acked);
                switch (random.nextInt(5)) {
                    case 0 -> {
                        byte[] b = literal(random.nextInt(capacity + 1), random.nextLong());
                        int n = sb.appendBytes(b, 0, b.length);
                        stream.write(b, 0, n);
                    }
                    case 1 -> {
                        int off = random.nextInt(fileData.length);
                        int len = random.nextInt(Math.min(fileData.length - off, 3000) + 1);
                        FileRegion r = FileRegion.of(f, off, len);
                        assertThat(sb.appendFile(r)).isTrue();
                        stream.write(fileData, off, len);
                        regions += len > 0 ? 1 : 0;
                    }
                    case 2 -> {
                        int ack = random.nextInt(held + 1);
                        assertThat(sb.acknowledge(sb.startSeq() + ack)).isEqualTo(ack);
                        acked += ack;
                    }
                    default -> {
                        int offset = random.nextInt(held + 1);
                        int len = random.nextInt(Math.min(held, 4000) + 10);
                        byte[] all = stream.toByteArray();
                        int from = (int) acked + offset;
                        assertThat(copyLoop(sb, sb.startSeq() + offset, len))
                                .isEqualTo(Arrays.copyOfRange(all, from, from + Math.min(len, held - offset)));
                    }
                }
                assertThat(sb.length()).isEqualTo((int) (stream.size() - acked));
                assertThat(sb.startSeq()).isEqualTo(start + (int) acked);
                assertThat(sb.endSeq()).isEqualTo(start + stream.size());
                if (op % 50 == 0) {
                    checkDescriptors(sb, stream.toByteArray(), acked, fileData);
                }
            }
            checkDescriptors(sb, stream.toByteArray(), acked, fileData);
            assertThat(opener.opened.size()).as("at most one channel per region").isLessThanOrEqualTo(regions);
            assertThat((long) sb.channelsOpen()).isEqualTo(opener.openNow());
            sb.reset(0);
            assertThat(opener.openNow()).as("reset closes every file").isZero();
        }
    }

    /** The descriptors tile [startSeq, endSeq) and hold the stream's bytes. */
    private static void checkDescriptors(SendBuffer sb, byte[] stream, long acked, byte[] fileData) {
        int[] next = {sb.startSeq()};
        int[] count = {0};
        sb.forEachDescriptor(new SendBuffer.DescriptorVisitor() {
            @Override
            public void bytes(int seq, int length) {
                check(seq, length);
                int from = (int) acked + (seq - sb.startSeq());
                assertThat(copyLoop(sb, seq, length)).isEqualTo(Arrays.copyOfRange(stream, from, from + length));
            }

            @Override
            public void file(int seq, int length, FileRegion region, long filePosition) {
                check(seq, length);
                assertThat(filePosition).isBetween(region.offset(), region.offset() + region.length() - length);
                assertThat(filePosition + length).as("a region's tail is never trimmed")
                        .isEqualTo(region.offset() + region.length());
                int from = (int) acked + (seq - sb.startSeq());
                assertThat(Arrays.copyOfRange(fileData, (int) filePosition, (int) filePosition + length))
                        .isEqualTo(Arrays.copyOfRange(stream, from, from + length));
            }

            private void check(int seq, int length) {
                assertThat(seq).isEqualTo(next[0]);
                assertThat(length).isPositive();
                next[0] = seq + length;
                count[0]++;
            }
        });
        assertThat(next[0]).isEqualTo(sb.endSeq());
        assertThat(count[0]).isEqualTo(sb.descriptorCount());
    }

    @Test void acknowledgeDropsWholeDescriptorsAndAdvancesWithinOne() throws IOException {
        Path f = file("f.bin", 4000, 8);
        var opener = new Recording();
        var sb = buffer(64, ISS, opener);
        sb.appendBytes(literal(10, 1), 0, 10);
        FileRegion r = FileRegion.of(f, 100, 1000);
        sb.appendFile(r);
        sb.appendBytes(literal(20, 2), 0, 20);
        assertThat(sb.free()).isEqualTo(34);

        assertThat(sb.acknowledge(ISS + 4)).isEqualTo(4);
        assertThat(sb.free()).isEqualTo(38);
        assertThat(sb.descriptorCount()).isEqualTo(3);
        // Across the literal run into the region.
        assertThat(sb.acknowledge(ISS + 10 + 300)).isEqualTo(306);
        assertThat(sb.descriptorCount()).isEqualTo(2);
        assertThat(sb.free()).isEqualTo(44);
        assertThat(sb.fileBytes()).isEqualTo(700);
        List<String> seen = new ArrayList<>();
        sb.forEachDescriptor(visitor(seen));
        assertThat(seen).containsExactly("file " + (ISS + 310) + " 700 @400", "bytes " + (ISS + 1010) + " 20");
        assertThat(copyLoop(sb, ISS + 310, 10)).isEqualTo(Arrays.copyOfRange(Files.readAllBytes(f), 400, 410));
        assertThat(opener.openNow()).isEqualTo(1);
        // Exactly to the end of the region: its file closes.
        assertThat(sb.acknowledge(ISS + 1010)).isEqualTo(700);
        assertThat(opener.openNow()).isZero();
        assertThat(sb.fileBytes()).isZero();
        assertThat(sb.descriptorCount()).isEqualTo(1);
        assertThat(sb.acknowledge(ISS + 1010)).as("duplicate ACK").isZero();
        assertThat(sb.acknowledge(ISS + 1030)).isEqualTo(20);
        assertThat(sb.descriptorCount()).isZero();
        assertThat(sb.length()).isZero();
        assertThat(sb.free()).isEqualTo(64);
        assertThatThrownBy(() -> sb.acknowledge(ISS + 1031)).isInstanceOf(IllegalArgumentException.class);
    }

    private static SendBuffer.DescriptorVisitor visitor(List<String> seen) {
        return new SendBuffer.DescriptorVisitor() {
            @Override
            public void bytes(int seq, int length) {
                seen.add("bytes " + seq + " " + length);
            }

            @Override
            public void file(int seq, int length, FileRegion region, long filePosition) {
                seen.add("file " + seq + " " + length + " @" + filePosition);
            }
        };
    }

    @Test void aRegionsChannelOpensOnceAndClosesOnFullAckResetOrRelease() throws IOException {
        Path f = file("f.bin", 100_000, 9);
        Path g = file("g.bin", 5_000, 10);
        var opener = new Recording();
        var sb = buffer(1 << 10, ISS, opener);
        sb.appendFile(FileRegion.of(f));
        sb.appendFile(FileRegion.of(g));
        assertThat(opener.opened).as("nothing opened before a copy").isEmpty();
        ByteBuffer frame = ByteBuffer.allocate(1514);
        for (int round = 0; round < 3; round++) { // sends, then retransmits twice
            for (int seq = ISS; seq != ISS + 100_000; ) {
                seq += sb.copy(seq, frame, 54, Math.min(1460, ISS + 100_000 - seq));
            }
        }
        assertThat(opener.opened).hasSize(1);
        assertThat(sb.channelsOpened()).isEqualTo(1);
        sb.acknowledge(ISS + 99_999);
        assertThat(opener.opened.get(0).isOpen()).as("one byte unacknowledged").isTrue();
        sb.acknowledge(ISS + 100_000);
        assertThat(opener.opened.get(0).isOpen()).as("closed on full acknowledgment").isFalse();
        assertThat(sb.channelsOpen()).isZero();

        sb.copy(ISS + 100_000, frame, 54, 1000);
        assertThat(opener.opened).hasSize(2);
        sb.releaseFiles();
        assertThat(opener.opened.get(1).isOpen()).as("closed by releaseFiles").isFalse();
        assertThat(sb.length()).as("the queue is kept").isEqualTo(5_000);
        assertThat(copyLoop(sb, ISS + 100_000, 5_000)).isEqualTo(Files.readAllBytes(g));
        assertThat(opener.opened).as("a copy after releaseFiles opens again").hasSize(3);
        sb.reset(0);
        assertThat(opener.openNow()).as("closed by reset").isZero();
        assertThat(sb.length()).isZero();
        assertThat(sb.descriptorCount()).isZero();
    }

    @Test void aFileChangedAfterAppendIsNeverSent() throws IOException, InterruptedException {
        byte[] frame = new byte[2000];
        ByteBuffer dst = ByteBuffer.wrap(frame);

        // Grown: size differs.
        Path f = file("grown.bin", 3000, 11);
        var sb = buffer(1 << 10, ISS, new Recording());
        sb.appendBytes(literal(5, 1), 0, 5);
        FileRegion grown = FileRegion.of(f, 0, 1000);
        sb.appendFile(grown);
        Files.write(f, new byte[] {1}, java.nio.file.StandardOpenOption.APPEND);
        assertThat(sb.copy(ISS, dst, 0, 5)).as("literal bytes before the region still go").isEqualTo(5);
        assertThatThrownBy(() -> sb.copy(ISS, dst, 0, 100)).isInstanceOf(FileRegionChangedException.class)
                .hasMessageContaining("changed").satisfies(e -> assertThat(((FileRegionChangedException) e).region())
                        .isEqualTo(grown));

        // Touched: same size and inode, another modification time.
        Path t = file("touched.bin", 3000, 12);
        var sb2 = buffer(1 << 10, ISS, new Recording());
        FileRegion touched = FileRegion.of(t);
        sb2.appendFile(touched);
        Files.setLastModifiedTime(t, FileTime.fromMillis(Files.getLastModifiedTime(t).toMillis() - 5000));
        assertThatThrownBy(() -> sb2.copy(ISS, dst, 0, 100)).isInstanceOf(FileRegionChangedException.class);

        // Replaced: same size and contents, another inode (where the platform tells inodes).
        Path r = file("replaced.bin", 3000, 13);
        FileRegion replaced = FileRegion.of(r);
        Path tmp = file("replacement.bin", 3000, 13);
        Files.setLastModifiedTime(tmp, Files.getLastModifiedTime(r));
        Files.move(tmp, r, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        var sb3 = buffer(1 << 10, ISS, new Recording());
        sb3.appendFile(replaced);
        if (replaced.inode() != 0) {
            assertThatThrownBy(() -> sb3.copy(ISS, dst, 0, 100)).isInstanceOf(FileRegionChangedException.class);
        }

        // Deleted.
        Path d = file("deleted.bin", 3000, 14);
        var sb4 = buffer(1 << 10, ISS, new Recording());
        sb4.appendFile(FileRegion.of(d));
        Files.delete(d);
        assertThatThrownBy(() -> sb4.copy(ISS, dst, 0, 100)).isInstanceOf(FileRegionChangedException.class)
                .hasCauseInstanceOf(IOException.class);

        // Truncated while open: the read ends early.
        Path e = file("truncated.bin", 30_000, 15);
        var opener = new Recording();
        var sb5 = buffer(1 << 10, ISS, opener);
        sb5.appendFile(FileRegion.of(e));
        assertThat(sb5.copy(ISS, dst, 0, 1460)).isEqualTo(1460);
        try (RandomAccessFile raf = new RandomAccessFile(e.toFile(), "rw")) {
            raf.setLength(10_000);
        }
        assertThat(sb5.copy(ISS + 1460, dst, 0, 1460)).as("still inside the file").isEqualTo(1460);
        assertThatThrownBy(() -> sb5.copy(ISS + 9_500, dst, 0, 1460)).isInstanceOf(FileRegionChangedException.class)
                .hasMessageContaining("ended at byte 10000");
        assertThat(opener.openNow()).as("the failed region's channel is closed").isZero();
    }

    @Test void limitsOnDescriptorsAndFileBytes() throws IOException {
        Path f = file("f.bin", 100, 16);
        FileRegion small = FileRegion.of(f, 0, 10);
        var sb = buffer(1 << 16, ISS, new Recording());
        // Empty regions are accepted and queue nothing.
        assertThat(sb.appendFile(FileRegion.of(f, 50, 0))).isTrue();
        assertThat(sb.descriptorCount()).isZero();
        assertThat(sb.length()).isZero();
        for (int i = 0; i < SendBuffer.MAX_DESCRIPTORS / 2; i++) {
            assertThat(sb.appendBytes(new byte[] {1}, 0, 1)).isEqualTo(1);
            assertThat(sb.appendFile(small)).isTrue();
        }
        assertThat(sb.descriptorCount()).isEqualTo(SendBuffer.MAX_DESCRIPTORS);
        assertThat(sb.appendFile(small)).as("every descriptor taken").isFalse();
        assertThat(sb.free()).as("a byte would need another descriptor").isZero();
        assertThat(sb.appendBytes(new byte[] {1}, 0, 1)).isZero();
        sb.acknowledge(sb.startSeq() + 1);
        assertThat(sb.free()).isEqualTo((1 << 16) - SendBuffer.MAX_DESCRIPTORS / 2 + 1);
        assertThat(sb.appendBytes(new byte[] {1, 2}, 0, 2)).isEqualTo(2);
        assertThat(sb.appendBytes(new byte[] {3}, 0, 1)).as("merges into the last literal run").isEqualTo(1);
        assertThat(sb.appendFile(small)).isFalse();
        sb.acknowledge(sb.startSeq() + 10);
        assertThat(sb.appendFile(small)).isTrue();

        // File bytes: at most MAX_FILE_BYTES queued (regions are never read here).
        var big = buffer(1 << 10, ISS, new Recording());
        long size = 4L << 30;
        FileRegion half = new FileRegion(f, size, 1, 2, 0, SendBuffer.MAX_FILE_BYTES / 2);
        assertThat(big.appendFile(half)).isTrue();
        assertThat(big.appendFile(half)).isTrue();
        assertThat(big.fileBytes()).isEqualTo(SendBuffer.MAX_FILE_BYTES);
        assertThat(big.appendFile(new FileRegion(f, size, 1, 2, 0, 1))).isFalse();
        assertThat(big.free()).as("literal room is independent").isEqualTo(1 << 10);
        assertThat(big.appendBytes(new byte[100], 0, 100)).isEqualTo(100);
        assertThat(big.length()).isEqualTo(SendBuffer.MAX_FILE_BYTES + 100);
        assertThatThrownBy(() -> big.appendFile(new FileRegion(f, size, 1, 2, 0, SendBuffer.MAX_FILE_BYTES + 1L)))
                .isInstanceOf(IllegalArgumentException.class);
        big.acknowledge(big.startSeq() + SendBuffer.MAX_FILE_BYTES / 2);
        assertThat(big.appendFile(new FileRegion(f, size, 1, 2, 0, 1))).isTrue();
    }

    @Test void regionsMustLieWithinTheirFile() {
        Path p = dir.resolve("x");
        assertThatThrownBy(() -> new FileRegion(p, 10, 0, 0, 5, 6)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new FileRegion(p, 10, 0, 0, -1, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new FileRegion(p, 10, 0, 0, 0, -1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new FileRegion(p, 10, 0, 0, Long.MAX_VALUE, 10)).isInstanceOf(IllegalArgumentException.class);
        assertThat(new FileRegion(p, 10, 0, 0, 10, 0).length()).isZero();
    }

    /** Copies of file bytes allocate nothing per segment once the region's channel is open. */
    @Test void fileCopiesAllocateNothingPerSegment() throws IOException {
        Path f = file("f.bin", 1 << 20, 17);
        var sb = buffer(1 << 16, ISS, FileRegion::openVerified);
        sb.appendBytes(literal(300, 1), 0, 300);
        sb.appendFile(FileRegion.of(f));
        sb.appendBytes(literal(300, 2), 0, 300);
        ByteBuffer frame = ByteBuffer.allocate(1514);
        long[] sink = new long[1];
        long allocated = Allocations.steadyState(() -> {
            for (int round = 0; round < 4; round++) {
                for (int seq = sb.startSeq(); seq != sb.endSeq(); ) {
                    seq += sb.copy(seq, frame, 54, Math.min(1460, sb.endSeq() - seq));
                    sink[0] += frame.get(60);
                }
            }
        });
        assertThat(sb.channelsOpened()).isEqualTo(1);
        assertThat(allocated).as("bytes allocated by ~2900 copies from a file").isLessThan(1024);

        // A whole region's life (append, open, copy, acknowledge, close) allocates a bounded amount.
        long perRegion = Allocations.steadyState(() -> {
            for (int i = 0; i < 10; i++) {
                try {
                    sb.appendFile(FileRegion.of(f, 0, 64 * 1460));
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
                for (int seq = sb.startSeq(); seq != sb.endSeq(); ) {
                    seq += sb.copy(seq, frame, 54, Math.min(1460, sb.endSeq() - seq));
                }
                sb.acknowledge(sb.endSeq());
            }
        }) / 10;
        assertThat(perRegion).as("bytes allocated per 64-segment region, including opening its file").isLessThan(16_384);
    }
}
