package io.understudy.httpd;

import io.understudy.httpd.files.ContentTypes;
import io.understudy.httpd.files.FileIdentity;
import io.understudy.stack.tcp.FileRegion;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a file response says about one version of a file: its {@code ETag}, {@code Content-Type},
 * {@code Last-Modified} and the region of the whole file. Each is a function of the
 * {@link FileIdentity} alone (path, size, modification time, inode, device), so it is computed
 * once per identity rather than once per response.
 *
 * <p>Why the {@link Cache} is safe: the server still checks the file for every request (a full
 * {@link io.understudy.httpd.files.DocumentRoot#resolve}, or one {@code stat} that confirms a
 * kept resolution, see {@link io.understudy.httpd.files.ResolutionCache}); the cache only maps
 * that checked identity to its facts, and an entry is used only when its identity equals the
 * checked one in every field (a kept resolution gives the very same object). A file that was
 * written or replaced has another size, time or inode and gets new facts; the old entry is
 * overwritten. (The blind spot is the identity's own, documented in
 * {@link FileIdentity}: a write that restores size and mtime is not seen.)
 */
final class FileFacts {
    /** Files whose facts the server keeps (least recently used first out). */
    static final int CACHE_ENTRIES = 256;

    private final FileIdentity identity;
    private final String etag;
    private final String contentType;
    private final Instant lastModifiedSecond;
    /** {@code Last-Modified} for any response dated at or after {@link #lastModifiedSecond}. */
    private final String lastModified;
    private final FileRegion wholeFile;

    FileFacts(FileIdentity identity) {
        this.identity = identity;
        this.etag = identity.etag();
        this.contentType = ContentTypes.of(identity.path());
        this.lastModifiedSecond = identity.lastModifiedSecond();
        this.lastModified = identity.lastModifiedHttpDate(lastModifiedSecond);
        this.wholeFile = new FileRegion(identity.path(), identity.size(), identity.lastModifiedNanos(),
                identity.inode(), 0, identity.size());
    }

    FileIdentity identity() {
        return identity;
    }

    /** {@link FileIdentity#etag()}. */
    String etag() {
        return etag;
    }

    /** {@link ContentTypes#of} the file's path. */
    String contentType() {
        return contentType;
    }

    /** {@link FileIdentity#lastModifiedSecond()}. */
    Instant lastModifiedSecond() {
        return lastModifiedSecond;
    }

    /** {@link FileIdentity#lastModifiedHttpDate(Instant)}: the cached text unless the file is dated after {@code now}. */
    String lastModifiedHttpDate(Instant now) {
        return lastModifiedSecond.isAfter(now) ? identity.lastModifiedHttpDate(now) : lastModified;
    }

    /** The whole file as one region (immutable, so every response may queue the same one). */
    FileRegion wholeFile() {
        return wholeFile;
    }

    /** A small LRU of facts by real path, each revalidated against the identity asked for. Not thread-safe (stack thread). */
    static final class Cache {
        private final Map<Path, FileFacts> byPath;

        Cache(int entries) {
            this.byPath = new LinkedHashMap<>(entries * 2, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<Path, FileFacts> eldest) {
                    return size() > entries;
                }
            };
        }

        /** The facts of exactly this version of the file. */
        FileFacts of(FileIdentity file) {
            FileFacts f = byPath.get(file.path());
            if (f == null || (f.identity != file && !f.identity.equals(file))) {
                f = new FileFacts(file);
                byPath.put(file.path(), f);
            }
            return f;
        }
    }
}
