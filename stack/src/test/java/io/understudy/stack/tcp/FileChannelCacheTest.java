package io.understudy.stack.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.understudy.stack.FileTimestamps;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stack's shared file channels: reuse after one {@code stat}, every kind of change seen on the
 * next open, sharing between users, the idle bound, failed reads, closing everything.
 */
class FileChannelCacheTest {
    static final int ISS = 7_000;
    /**
     * An hour ahead of the system clock: every file a test writes is then old enough to be kept
     * ({@link FileChannelCache#RACY_NANOS}), which is what most tests need.
     */
    static final InstantSource LATER = InstantSource.offset(InstantSource.system(), Duration.ofHours(1));

    @TempDir Path dir;
    FileChannelCache cache = new FileChannelCache(FileChannelCache.DEFAULT_MAX_IDLE, LATER);

    @AfterEach void closeAll() {
        cache.close();
    }

    Path file(String name, int n, long seed) throws IOException {
        byte[] data = new byte[n];
        new Random(seed).nextBytes(data);
        return Files.write(dir.resolve(name), data);
    }

    /** Replaces {@code p} by a file of the same bytes, size and mtime, but another inode: a rename deploy. */
    Path replaceByRename(Path p) throws IOException {
        Path tmp = dir.resolve(p.getFileName() + ".new");
        Files.write(tmp, Files.readAllBytes(p));
        Files.setLastModifiedTime(tmp, Files.getLastModifiedTime(p));
        return Files.move(tmp, p, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    static byte[] read(FileChannel c, long position, int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n);
        while (b.hasRemaining() && c.read(b, position + b.position()) > 0) {
            // positional reads, as the send queue does
        }
        return Arrays.copyOf(b.array(), b.position());
    }

    /** A send queue holding {@code region} on {@code cache}, its bytes copied once (so it holds a channel). */
    static SendBuffer sending(FileChannelCache cache, FileRegion region) {
        var sb = new SendBuffer(1 << 12, cache);
        sb.reset(ISS);
        assertThat(sb.appendFile(region)).isTrue();
        ByteBuffer frame = ByteBuffer.allocate(1500);
        assertThat(sb.copy(ISS, frame, 0, (int) Math.min(1460, region.length()))).isPositive();
        return sb;
    }

    @Test void aKeptChannelIsHandedOutAgainWithoutOpeningTheFile() throws IOException {
        Path f = file("f.bin", 5000, 1);
        FileRegion whole = FileRegion.of(f);
        FileRegion tail = FileRegion.of(f, 4000, 1000);
        FileChannel c = cache.open(whole);
        assertThat(cache.open(tail)).as("another region of the same file version").isSameAs(c);
        assertThat(read(c, 4000, 1000)).isEqualTo(Arrays.copyOfRange(Files.readAllBytes(f), 4000, 5000));
        cache.release(c, false);
        cache.release(c, false);
        assertThat(c.isOpen()).as("kept idle").isTrue();
        assertThat(cache.idleChannels()).isEqualTo(1);
        assertThat(cache.open(whole)).isSameAs(c);
        cache.release(c, false);
        assertThat(cache.opened()).isEqualTo(1);
        assertThat(cache.reused()).isEqualTo(2);
        assertThat(cache.openChannels()).isEqualTo(1);
    }

    @Test void twoQueuesShareOneChannelAndItStaysOpenWhileEitherHoldsIt() throws IOException {
        Path f = file("f.bin", 3000, 2);
        byte[] data = Files.readAllBytes(f);
        FileRegion region = FileRegion.of(f);
        SendBuffer a = sending(cache, region);
        SendBuffer b = sending(cache, region);
        assertThat(cache.opened()).as("one open for two responses on two connections").isEqualTo(1);
        assertThat(a.channelsOpen() + b.channelsOpen()).isEqualTo(2);

        a.acknowledge(a.endSeq());
        assertThat(cache.idleChannels()).as("b still uses it").isZero();
        assertThat(SendBufferFileTest.copyLoop(b, ISS, 3000)).as("b reads on through the shared channel").isEqualTo(data);
        b.acknowledge(b.endSeq());
        assertThat(cache.idleChannels()).isEqualTo(1);
        assertThat(cache.openChannels()).isEqualTo(1);

        SendBuffer c = sending(cache, region);
        assertThat(cache.opened()).isEqualTo(1);
        assertThat(SendBufferFileTest.copyLoop(c, ISS, 3000)).isEqualTo(data);
        c.reset(0);
        assertThat(cache.idleChannels()).as("reset releases").isEqualTo(1);
    }

    @Test void aFileReplacedByRenameIsSeenOnTheNextOpen() throws IOException {
        Path f = file("f.bin", 3000, 3);
        FileRegion before = FileRegion.of(f);
        byte[] oldBytes = Files.readAllBytes(f);
        FileChannel old = cache.open(before);
        cache.release(old, false);

        replaceByRename(f);
        assertThatThrownBy(() -> cache.open(before)).isInstanceOf(FileRegionChangedException.class)
                .hasMessageContaining("changed since it was queued");
        assertThat(old.isOpen()).as("the idle channel on the old file is dropped").isFalse();
        assertThat(cache.openChannels()).isZero();

        FileChannel now = cache.open(FileRegion.of(f));
        assertThat(now).isNotSameAs(old);
        assertThat(read(now, 0, 3000)).isEqualTo(oldBytes);
        cache.release(now, false);
        assertThat(cache.opened()).isEqualTo(2);
    }

    @Test void aRegionBeingSentKeepsReadingTheFileItWasOpenedOnAfterARename() throws IOException {
        Path f = file("f.bin", 3000, 4);
        byte[] oldBytes = Files.readAllBytes(f);
        FileRegion before = FileRegion.of(f);
        SendBuffer inFlight = sending(cache, before);
        Files.write(dir.resolve("next.bin"), new byte[3000]);
        Files.move(dir.resolve("next.bin"), f, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);

        FileChannel fresh = cache.open(FileRegion.of(f));
        assertThat(read(fresh, 0, 3000)).isEqualTo(new byte[3000]);
        assertThat(SendBufferFileTest.copyLoop(inFlight, ISS, 3000)).as("a retransmission: the bytes queued")
                .isEqualTo(oldBytes);
        assertThat(cache.openChannels()).isEqualTo(2);
        inFlight.acknowledge(inFlight.endSeq());
        assertThat(cache.openChannels()).as("the old file's channel closes with its last user").isEqualTo(1);
        cache.release(fresh, false);
    }

    @Test void aFileWrittenInPlaceIsSeenOnTheNextOpen() throws IOException {
        Path f = file("f.bin", 3000, 5);
        FileRegion before = FileRegion.of(f);
        FileChannel c = cache.open(before);
        cache.release(c, false);
        Files.write(f, new byte[] {1}, StandardOpenOption.APPEND);
        assertThatThrownBy(() -> cache.open(before)).isInstanceOf(FileRegionChangedException.class);
        assertThat(c.isOpen()).isFalse();

        // A write that keeps size and mtime (touch -r): the region's identity holds, as it always
        // has, but the ctime moved, so the file is opened again rather than trusted.
        FileRegion grown = FileRegion.of(f);
        FileChannel d = cache.open(grown);
        cache.release(d, false);
        FileTimestamps.awaitNextTimestamp(dir, f);
        FileTime mtime = Files.getLastModifiedTime(f);
        try (FileChannel w = FileChannel.open(f, StandardOpenOption.WRITE)) {
            w.write(ByteBuffer.wrap(new byte[] {42}), 0);
        }
        Files.setLastModifiedTime(f, mtime);
        FileChannel e = cache.open(grown);
        assertThat(e).isNotSameAs(d);
        assertThat(d.isOpen()).isFalse();
        assertThat(read(e, 0, 1)).containsExactly(42);
        cache.release(e, false);
        assertThat(cache.opened()).isEqualTo(3);
    }

    @Test void aChmodIsSeenOnTheNextOpen() throws IOException {
        Path f = file("f.bin", 3000, 6);
        FileRegion region = FileRegion.of(f);
        FileChannel c = cache.open(region);
        cache.release(c, false);
        FileTimestamps.awaitNextTimestamp(dir, f);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("---------"));
        if ("root".equals(System.getProperty("user.name"))) {
            // root opens anything: the file is opened again (what every region did before the
            // cache), not read through the channel opened under the old permissions.
            FileChannel again = cache.open(region);
            assertThat(again).isNotSameAs(c);
            cache.release(again, false);
            assertThat(cache.opened()).isEqualTo(2);
        } else {
            assertThatThrownBy(() -> cache.open(region)).isInstanceOf(AccessDeniedException.class);
            assertThat(cache.openChannels()).isZero();
        }
        assertThat(c.isOpen()).isFalse();
    }

    @Test void aDeletedFileIsSeenOnTheNextOpen() throws IOException {
        Path f = file("f.bin", 3000, 7);
        FileRegion region = FileRegion.of(f);
        FileChannel c = cache.open(region);
        cache.release(c, false);
        Files.delete(f);
        assertThatThrownBy(() -> cache.open(region)).isInstanceOf(NoSuchFileException.class);
        assertThat(c.isOpen()).isFalse();
        assertThat(cache.openChannels()).isZero();
        // Through a send queue, as before: FileRegionChangedException with the cause.
        file("f.bin", 3000, 7);
        FileRegion back = FileRegion.of(f);
        cache.release(cache.open(back), false);
        Files.delete(f);
        var sb = new SendBuffer(1 << 12, cache);
        sb.reset(ISS);
        sb.appendFile(back);
        assertThatThrownBy(() -> sb.copy(ISS, ByteBuffer.allocate(100), 0, 100))
                .isInstanceOf(FileRegionChangedException.class).hasCauseInstanceOf(NoSuchFileException.class);
    }

    @Test void aRepointedLinkIsSeenOnTheNextOpen() throws IOException {
        Path a = file("a.bin", 3000, 8);
        Path b = file("b.bin", 3000, 9);
        Files.setLastModifiedTime(b, Files.getLastModifiedTime(a));
        Path link = Files.createSymbolicLink(dir.resolve("link"), a.getFileName());
        FileRegion viaLink = FileRegion.of(link);
        FileChannel c = cache.open(viaLink);
        cache.release(c, false);
        Files.delete(link);
        Files.createSymbolicLink(link, b.getFileName());
        assertThatThrownBy(() -> cache.open(viaLink)).isInstanceOf(FileRegionChangedException.class);
        FileChannel d = cache.open(FileRegion.of(link));
        assertThat(read(d, 0, 3000)).isEqualTo(Files.readAllBytes(b));
        cache.release(d, false);
    }

    @Test void aFileChangedMomentsAgoIsOpenedForEachRegion() throws IOException {
        var now = new FileChannelCache(FileChannelCache.DEFAULT_MAX_IDLE, InstantSource.system());
        Path f = file("f.bin", 3000, 10);
        FileRegion region = FileRegion.of(f);
        FileChannel c = now.open(region);
        assertThat(now.open(region)).as("not kept: a change in the same clock tick would not show").isNotSameAs(c);
        now.release(c, false);
        assertThat(c.isOpen()).isFalse();
        assertThat(now.idleChannels()).isZero();
        assertThat(now.opened()).isEqualTo(2);
        now.close();
    }

    @Test void idleChannelsBeyondTheBoundAreClosedLeastRecentlyReleasedFirst() throws IOException {
        cache = new FileChannelCache(2, LATER);
        FileRegion a = FileRegion.of(file("a", 10, 1));
        FileRegion b = FileRegion.of(file("b", 10, 2));
        FileRegion c = FileRegion.of(file("c", 10, 3));
        FileRegion d = FileRegion.of(file("d", 10, 4));
        FileChannel ca = cache.open(a);
        FileChannel cb = cache.open(b);
        FileChannel cc = cache.open(c);
        cache.release(ca, false);
        cache.release(cb, false);
        assertThat(ca.isOpen() && cb.isOpen()).isTrue();
        cache.release(cc, false);
        assertThat(ca.isOpen()).as("least recently released").isFalse();
        assertThat(cache.idleChannels()).isEqualTo(2);

        assertThat(cache.open(b)).isSameAs(cb); // b becomes the most recently released
        cache.release(cb, false);
        FileChannel cd = cache.open(d);
        cache.release(cd, false);
        assertThat(cc.isOpen()).isFalse();
        assertThat(cb.isOpen() && cd.isOpen()).isTrue();
        assertThat(cache.openChannels()).isEqualTo(2);

        // Channels in use are not bounded by maxIdle (the send queues bound them) and never closed.
        var none = new FileChannelCache(0, LATER);
        FileChannel x = none.open(a);
        FileChannel y = none.open(c);
        assertThat(x.isOpen() && y.isOpen()).isTrue();
        none.release(x, false);
        assertThat(x.isOpen()).isFalse();
        assertThat(y.isOpen()).isTrue();
        none.release(y, false);
        assertThat(none.openChannels()).isZero();
    }

    @Test void aFailedReadDropsTheChannelOnceItsOtherUsersAreDone() throws IOException {
        Path f = file("f.bin", 3000, 11);
        FileRegion region = FileRegion.of(f);
        FileChannel c = cache.open(region);
        assertThat(cache.open(region)).isSameAs(c);
        cache.release(c, true);
        assertThat(c.isOpen()).as("another user still reads it").isTrue();
        FileChannel d = cache.open(region);
        assertThat(d).as("never handed out again").isNotSameAs(c);
        cache.release(c, false);
        assertThat(c.isOpen()).isFalse();
        cache.release(d, false);
        assertThat(cache.openChannels()).isEqualTo(1);

        // Through a send queue: a file truncated under a kept channel.
        Path t = file("t.bin", 30_000, 12);
        FileRegion whole = FileRegion.of(t);
        SendBuffer sb = sending(cache, whole);
        try (FileChannel w = FileChannel.open(t, StandardOpenOption.WRITE)) {
            w.truncate(10_000);
        }
        assertThatThrownBy(() -> SendBufferFileTest.copyLoop(sb, ISS, 30_000))
                .isInstanceOf(FileRegionChangedException.class).hasMessageContaining("ended at byte 10000");
        assertThat(sb.channelsOpen()).isZero();
        assertThat(cache.openChannels()).as("only f's").isEqualTo(1);
    }

    @Test void closeClosesEveryChannelIdleOrNot() throws IOException {
        FileRegion a = FileRegion.of(file("a", 10, 1));
        FileRegion b = FileRegion.of(file("b", 10, 2));
        FileChannel ca = cache.open(a);
        FileChannel cb = cache.open(b);
        cache.release(ca, false);
        cache.close();
        assertThat(ca.isOpen() || cb.isOpen()).isFalse();
        assertThat(cache.openChannels()).isZero();
        assertThat(cache.idleChannels()).isZero();
        cache.release(cb, false); // a late release is harmless
        FileChannel again = cache.open(a);
        assertThat(again.isOpen()).isTrue();
        cache.release(again, false);
    }

    @Test void aHitAllocatesNoMoreThanTheStatItself() throws IOException {
        Path f = file("f.bin", 1024, 13);
        FileRegion region = FileRegion.of(f);
        cache.release(cache.open(region), false);
        int n = 200;
        long stat = Allocations.steadyState(() -> {
            for (int i = 0; i < n; i++) {
                try {
                    FileRegion.Identity.read(f);
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
            }
        }) / n;
        long hit = Allocations.steadyState(() -> {
            for (int i = 0; i < n; i++) {
                try {
                    cache.release(cache.open(region), false);
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
            }
        }) / n;
        assertThat(cache.opened()).isEqualTo(1);
        assertThat(hit).as("bytes per hit, against %d per stat", stat).isLessThanOrEqualTo(stat + 16);
    }
}
