package io.understudy.httpd.files;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What one {@code stat} (following links) says about a file, as far as {@link ResolutionCache}
 * needs it: which file it is ({@code dev}, {@code ino}), the version ({@code size}, {@code mtime})
 * and the status-change time ({@code ctime}), which moves on every write, {@code chmod},
 * {@code chown}, ACL change and link or unlink of the inode. Two equal stats of a path, the
 * second later, mean the path still leads to the same inode and nothing about that inode changed
 * in between (up to the timestamps' resolution: see {@link ResolutionCache}).
 *
 * @param device       {@code unix:dev}
 * @param inode        {@code unix:ino}
 * @param size         bytes
 * @param lastModified {@code mtime}, full precision
 * @param changed      {@code ctime}, full precision
 */
record FileStat(long device, long inode, long size, FileTime lastModified, FileTime changed) {
    private static final String ATTRIBUTES = "unix:dev,ino,size,lastModifiedTime,ctime";

    /**
     * Stats {@code file}, following links; null where the file system has no {@code unix} view
     * (no inode, device or ctime to compare).
     */
    static FileStat read(Path file) throws IOException {
        Map<String, Object> a;
        try {
            a = Files.readAttributes(file, ATTRIBUTES);
        } catch (UnsupportedOperationException | IllegalArgumentException noUnixView) {
            return null;
        }
        return new FileStat((Long) a.get("dev"), (Long) a.get("ino"), (Long) a.get("size"),
                (FileTime) a.get("lastModifiedTime"), (FileTime) a.get("ctime"));
    }

    /** The identity of the file at {@code path} this stat describes (what {@link FileIdentity#of} would read). */
    FileIdentity identity(Path path) {
        return new FileIdentity(path, size, lastModified, inode, device);
    }

    /** {@link #changed} in nanoseconds since the epoch. */
    long changedNanos() {
        return changed.to(TimeUnit.NANOSECONDS);
    }
}
