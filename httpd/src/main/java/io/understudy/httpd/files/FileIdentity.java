package io.understudy.httpd.files;

import io.understudy.httpd.HttpDate;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * One version of one file: where it is, which inode on which device, how long, and when it was
 * last modified (to the nanosecond, as the file system keeps it). This is what the server puts
 * in {@code ETag} and {@code Last-Modified}, and what names a file region when a response is
 * replicated.
 *
 * <p>The {@linkplain #etag() ETag} is strong: {@code "<ino>-<size>-<mtime ns>"} in lower-case
 * hex, e.g. {@code "1a2b3-4d2-17a1c2e3f4a5b6c7"}. Any write that changes the size or the
 * modification time changes it, and so does replacing the file by another one (new inode), the
 * usual {@code rename} deploy. A write that restores the old mtime and size ({@code touch -r})
 * is not seen — the same blind spot as nginx's and Apache's ETags. The device number is not in
 * the ETag (it is not stable across reboots or remounts), but is kept in the identity.
 *
 * <p>Note that an ETag with the inode in it differs between two machines holding the same
 * bytes, so after a failover a standby with its own copy of the files answers revalidations
 * with 200 and If-Range with the whole file: correct, only less efficient.
 *
 * @param path         the file (as given to {@link #of}; {@link DocumentRoot} gives its real path)
 * @param size         bytes
 * @param lastModified modification time, full precision
 * @param inode        {@code unix:ino}, 0 where the file system has no unix view
 * @param device       {@code unix:dev}, 0 where the file system has no unix view
 */
public record FileIdentity(Path path, long size, FileTime lastModified, long inode, long device) {

    public FileIdentity {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(lastModified, "lastModified");
        if (size < 0) {
            throw new IllegalArgumentException("negative size " + size);
        }
    }

    /**
     * Reads the identity of {@code file}, following symbolic links. Uses the {@code unix} view
     * ({@code unix:ino}, {@code unix:dev}); on a file system without it, inode and device are 0.
     */
    public static FileIdentity of(Path file) throws IOException {
        try {
            // Only the four attributes used: "unix:*" also looks up owner and group names and
            // builds the permission set, several times the allocation for nothing.
            Map<String, Object> a = Files.readAttributes(file, "unix:size,lastModifiedTime,ino,dev");
            return new FileIdentity(file, (Long) a.get("size"), (FileTime) a.get("lastModifiedTime"),
                    (Long) a.get("ino"), (Long) a.get("dev"));
        } catch (UnsupportedOperationException | IllegalArgumentException noUnixView) {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            return new FileIdentity(file, a.size(), a.lastModifiedTime(), 0, 0);
        }
    }

    /** The modification time in nanoseconds since the epoch (saturating, as {@link FileTime#to} does). */
    public long lastModifiedNanos() {
        return lastModified.to(TimeUnit.NANOSECONDS);
    }

    /** The modification time truncated to the second: what {@code Last-Modified} says and what date validators compare against. */
    public Instant lastModifiedSecond() {
        return lastModified.toInstant().truncatedTo(ChronoUnit.SECONDS);
    }

    /** The strong entity-tag, quotes included: {@code "<ino hex>-<size hex>-<mtime-nanos hex>"}. */
    public String etag() {
        return '"' + Long.toHexString(inode) + '-' + Long.toHexString(size) + '-' + Long.toHexString(lastModifiedNanos()) + '"';
    }

    /** The value for {@code Last-Modified} now: see {@link #lastModifiedHttpDate(Instant)}. */
    public String lastModifiedHttpDate() {
        return lastModifiedHttpDate(Instant.now());
    }

    /**
     * The value for {@code Last-Modified} in a response generated at {@code now}: the
     * modification time as an IMF-fixdate, but never later than {@code now} (RFC 9110
     * §8.8.2.1: an origin server must not send a Last-Modified later than its Date) and never
     * before year 0. Validators are still compared against the real time, so a file dated in
     * the future is simply never reported unmodified until that time has passed.
     */
    public String lastModifiedHttpDate(Instant now) {
        Instant t = lastModifiedSecond();
        if (t.isAfter(now)) {
            t = now;
        }
        if (t.isBefore(YEAR_0)) {
            t = YEAR_0;
        }
        return HttpDate.format(t);
    }

    private static final Instant YEAR_0 = Instant.parse("0000-01-01T00:00:00Z");
}
