package io.understudy.httpd.files;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileIdentityTest {
    static final Instant T = Instant.parse("1994-11-06T08:49:37.123456789Z");

    @TempDir Path dir;

    Path file(String name, String content, Instant mtime) throws IOException {
        Path p = Files.writeString(dir.resolve(name), content);
        Files.setLastModifiedTime(p, FileTime.from(mtime));
        return p;
    }

    @Test void readsSizeTimeInodeAndDevice() throws IOException {
        Path p = file("a.txt", "hello", T);
        FileIdentity id = FileIdentity.of(p);
        assertThat(id.path()).isEqualTo(p);
        assertThat(id.size()).isEqualTo(5);
        assertThat(id.lastModified()).isEqualTo(Files.getLastModifiedTime(p));
        assertThat(id.inode()).isEqualTo(Files.getAttribute(p, "unix:ino")).isNotZero();
        assertThat(id.device()).isEqualTo(Files.getAttribute(p, "unix:dev"));
        assertThat(id.lastModifiedSecond()).isEqualTo(Instant.parse("1994-11-06T08:49:37Z"));
    }

    @Test void etagIsQuotedHexOfInodeSizeAndMtimeNanos() throws IOException {
        Path p = file("a.txt", "x".repeat(0x4d2), T);
        FileIdentity id = FileIdentity.of(p);
        long nanos = Files.getLastModifiedTime(p).to(java.util.concurrent.TimeUnit.NANOSECONDS);
        assertThat(id.etag())
                .isEqualTo("\"" + Long.toHexString(id.inode()) + "-4d2-" + Long.toHexString(nanos) + "\"")
                .matches("\"[0-9a-f]+-[0-9a-f]+-[0-9a-f]+\"");
        assertThat(EntityTag.parse(id.etag())).hasValueSatisfying(t -> assertThat(t.weak()).isFalse());
    }

    @Test void mtimeKeepsSubSecondPrecision() throws IOException {
        FileIdentity id = FileIdentity.of(file("a.txt", "x", T));
        // Linux file systems (ext4, tmpfs, xfs, btrfs) keep nanoseconds; this is what makes two
        // writes within one second get different ETags.
        assertThat(id.lastModifiedNanos() % 1_000_000_000L).isEqualTo(123_456_789L);
    }

    @Test void etagIsStable() throws IOException {
        Path p = file("a.txt", "hello", T);
        assertThat(FileIdentity.of(p).etag()).isEqualTo(FileIdentity.of(p).etag());
        assertThat(FileIdentity.of(p)).isEqualTo(FileIdentity.of(p));
    }

    @Test void etagChangesWithMtime() throws IOException {
        Path p = file("a.txt", "hello", T);
        String before = FileIdentity.of(p).etag();
        Files.setLastModifiedTime(p, FileTime.from(T.plusNanos(1_000)));
        String after = FileIdentity.of(p).etag();
        assertThat(after).isNotEqualTo(before);
        Files.setLastModifiedTime(p, FileTime.from(T));
        assertThat(FileIdentity.of(p).etag()).as("same inode, size and mtime: same tag (touch -r blind spot)").isEqualTo(before);
    }

    @Test void etagChangesWithSizeEvenIfMtimeIsRestored() throws IOException {
        Path p = file("a.txt", "hello", T);
        String before = FileIdentity.of(p).etag();
        Files.writeString(p, "hello, world");
        Files.setLastModifiedTime(p, FileTime.from(T));
        assertThat(FileIdentity.of(p).etag()).isNotEqualTo(before);
    }

    @Test void etagChangesWhenTheFileIsReplacedByRename() throws IOException {
        Path p = file("a.txt", "hello", T);
        String before = FileIdentity.of(p).etag();
        Path fresh = file("a.txt.new", "jello", T); // same size, same mtime, new inode
        Files.move(fresh, p, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        assertThat(FileIdentity.of(p).etag()).isNotEqualTo(before);
    }

    @Test void twoFilesWithTheSameSizeAndMtimeDiffer() throws IOException {
        assertThat(FileIdentity.of(file("a", "1", T)).etag()).isNotEqualTo(FileIdentity.of(file("b", "2", T)).etag());
    }

    @Test void lastModifiedIsAnImfFixdateNeverLaterThanNow() throws IOException {
        FileIdentity id = FileIdentity.of(file("a.txt", "x", T));
        assertThat(id.lastModifiedHttpDate(Instant.parse("2025-01-01T00:00:00Z"))).isEqualTo("Sun, 06 Nov 1994 08:49:37 GMT");
        assertThat(id.lastModifiedHttpDate()).isEqualTo("Sun, 06 Nov 1994 08:49:37 GMT");
        assertThat(id.lastModifiedHttpDate(Instant.parse("1990-01-01T00:00:00.5Z"))).isEqualTo("Mon, 01 Jan 1990 00:00:00 GMT");
    }

    @Test void preEpochAndFarFutureTimesStillFormat() throws IOException {
        // (built directly: JDK 17's setLastModifiedTime stores 1970-01-01 for a negative time with a fraction)
        FileIdentity old = new FileIdentity(dir, 1, FileTime.from(Instant.parse("1969-12-31T23:59:59.250Z")), 0x1f, 1);
        assertThat(old.lastModifiedSecond()).isEqualTo(Instant.parse("1969-12-31T23:59:59Z"));
        assertThat(old.lastModifiedHttpDate()).isEqualTo("Wed, 31 Dec 1969 23:59:59 GMT");
        assertThat(old.etag()).isEqualTo("\"1f-1-ffffffffd34be880\""); // two's complement of -750 000 000 ns
        FileIdentity future = new FileIdentity(dir, 0, FileTime.from(Instant.parse("+20000-01-01T00:00:00Z")), 1, 1);
        Instant now = Instant.parse("2025-01-01T00:00:00Z");
        assertThat(future.lastModifiedHttpDate(now)).isEqualTo("Wed, 01 Jan 2025 00:00:00 GMT");
    }

    @Test void followsSymlinks() throws IOException {
        Path target = file("target", "abc", T);
        Path link = Files.createSymbolicLink(dir.resolve("link"), target);
        FileIdentity viaLink = FileIdentity.of(link);
        assertThat(viaLink.inode()).isEqualTo(FileIdentity.of(target).inode());
        assertThat(viaLink.size()).isEqualTo(3);
    }
}
