package io.understudy.httpd.files;

import io.understudy.httpd.files.DocumentRoot.Found;
import io.understudy.httpd.files.DocumentRoot.Resolution;
import java.io.IOException;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * {@link DocumentRoot#resolve} for a server that asks for the same paths again and again: the
 * {@link Found} of each recent request path is kept with the {@code stat} of its file, and a
 * request for the same path is answered with the same {@code Found} (the same {@link FileIdentity}
 * object, so what the server derives from it is found again too) after <em>one</em>
 * {@code stat} (two for a path through links) — instead of decoding, {@code realpath} (a system
 * call per path element), {@code stat}, {@code access} and another {@code stat}.
 *
 * <h2>The check</h2>
 * A kept entry remembers the <em>unresolved</em> path the file was reached through (the root
 * joined with the normalized segments, plus {@link DocumentRoot#INDEX} for a directory: its
 * links are followed again on every check) and the file's {@link FileStat} from the resolution:
 * device, inode, size, mtime and ctime. A request for the same raw path {@code stat}s that path,
 * following links, and uses the entry only if all five are unchanged; otherwise (or if the
 * {@code stat} fails) the entry is dropped and the path resolved in full, exactly as without a
 * cache. When links were followed on the way (the unresolved path is not the real one), the
 * real path {@link Found#path()} — the one the file's bytes are read from — is {@code stat}ed
 * too and must show the same five: a link still leading to the file does not mean that its old
 * real path does (a directory renamed and the link re-pointed to its new name), and a kept
 * entry must never send the send queue to a path that is gone. So a path without links costs
 * one {@code stat}, a path through links two. What that covers:
 * <ul>
 *   <li>A file replaced (a rename deploy), a directory on the way replaced, a link on the way
 *       (to the file or to a directory) re-pointed to another file, inside the root or out of it:
 *       the path now leads to another inode, so device or inode differ and the full resolution
 *       gives the new file, or 403 for a link out of the root.
 *   <li>A file written, truncated, {@code touch}ed: size, mtime or ctime differ, so a new
 *       {@link FileIdentity} (and ETag) is read.
 *   <li>A file deleted, or a directory on the way gone or closed to us: the {@code stat} fails,
 *       and the full resolution says 404 or 403.
 *   <li>A {@code chmod} or {@code chown} of the file, which may make it unreadable: the ctime
 *       moves, so the full resolution checks readability again. (The {@code stat} kept was taken
 *       before that check, so a change just after the check shows too.)
 * </ul>
 * One re-pointing is not seen, on purpose: a link re-pointed (or a directory on the way
 * replaced by a link) to another name of the <em>same</em> inode, a hard link or the same
 * directory moved, even outside the root. The {@code stat} cannot tell it apart, and it does not
 * need to: the bytes served are still those of the file the full resolution found inside the
 * root and published, read from its real path then, which still leads to that very inode (the
 * second {@code stat}; the send queue checks the file's identity again when it reads it), so
 * nothing else becomes visible. The entry keeps the old real path, and with it the old name's
 * media type.
 *
 * <h2>Timestamps</h2>
 * The kernel stamps ctime and mtime from a coarse clock (a tick of a few milliseconds, a second on
 * some file systems), so a change in the same tick as the change before it leaves them as they
 * were. An entry is therefore kept only when the file's ctime is at least {@link #RACY_NANOS}
 * older than the wall clock read before the resolution (as Git treats an index entry as "racily
 * clean"): any change after the resolution's {@code stat} then stamps a later ctime. A file
 * changed less than that long ago is resolved in full on every request, and kept once it has been
 * left alone. This is not a time to live: a kept entry is checked on every request and never
 * trusted longer because it is old. It assumes the file system's timestamps come from this
 * machine's clock (a local file system).
 *
 * <h2>What is kept</h2>
 * Only {@link Found}s, and only where the file system has the {@code unix} view (inode, device
 * and ctime); redirects, 400, 403 and 404 are resolved in full every time. At most
 * {@code entries} paths, the least recently used dropped first. The key is the raw path as the
 * request gave it, so {@code /a.html} and {@code //a.html} are two entries for one file.
 *
 * <p>Not thread-safe: one per thread that serves requests (the server's is owned by the stack
 * thread). {@link DocumentRoot} itself stays immutable and may be shared. A hit allocates what
 * {@code Files.readAttributes} does, and the {@link FileStat} made of it, once per {@code stat}.
 */
public final class ResolutionCache {
    /** Paths kept by default. */
    public static final int DEFAULT_ENTRIES = 256;
    /**
     * How much older than the wall clock a file's ctime must be for its resolution to be kept: 2 s,
     * well above the tick of the kernel's coarse clock and the 1 s timestamps of coarser file
     * systems.
     */
    static final long RACY_NANOS = 2_000_000_000L;

    /**
     * A resolution kept: the answer, the path to stat again, what that stat said, and whether the
     * real path differs from it (links on the way) and must be stat'ed too.
     */
    private record Entry(Found found, Path statPath, FileStat stat, boolean viaLinks) {
        Entry(Found found, Path statPath, FileStat stat) {
            this(found, statPath, stat, !statPath.equals(found.path()));
        }

        /** True when the paths lead to the file as it was: one stat, two with links on the way. */
        boolean stillValid() {
            return stat.equals(statOrNull(statPath)) && (!viaLinks || stat.equals(statOrNull(found.path())));
        }
    }

    private final DocumentRoot root;
    private final InstantSource wallClock;
    private final Map<String, Entry> entries;
    private long hits;
    private long misses;

    /** A cache of {@link #DEFAULT_ENTRIES} paths in front of {@code root}, timestamps compared with the system clock. */
    public ResolutionCache(DocumentRoot root) {
        this(root, DEFAULT_ENTRIES, InstantSource.system());
    }

    /**
     * @param entries   request paths kept at most (0: none)
     * @param wallClock the clock file timestamps are compared with (see the class comment)
     */
    public ResolutionCache(DocumentRoot root, int entries, InstantSource wallClock) {
        if (entries < 0) {
            throw new IllegalArgumentException("negative cache size " + entries);
        }
        this.root = Objects.requireNonNull(root, "root");
        this.wallClock = Objects.requireNonNull(wallClock, "wallClock");
        this.entries = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
                return size() > entries;
            }
        };
    }

    /** The root resolved against. */
    public DocumentRoot root() {
        return root;
    }

    /** {@link DocumentRoot#resolve} of {@code rawPath}, from the kept entry if a {@code stat} (two through links) confirms it. */
    public Resolution resolve(String rawPath) {
        Entry kept = rawPath == null ? null : entries.get(rawPath);
        if (kept != null) {
            if (kept.stillValid()) {
                hits++;
                return kept.found;
            }
            entries.remove(rawPath);
        }
        misses++;
        long keepIfChangedBefore = wallClock.millis() * 1_000_000L - RACY_NANOS; // before the resolution's stat
        return root.resolve(rawPath, (found, statPath, stat) -> {
            if (stat.changedNanos() <= keepIfChangedBefore) {
                entries.put(rawPath, new Entry(found, statPath, stat));
            }
        });
    }

    /** Requests answered from a kept entry. */
    public long hits() {
        return hits;
    }

    /** Requests resolved in full. */
    public long misses() {
        return misses;
    }

    /** Paths kept now. */
    public int size() {
        return entries.size();
    }

    private static FileStat statOrNull(Path path) {
        try {
            return FileStat.read(path);
        } catch (IOException e) {
            return null; // gone, or closed to us: resolve in full, which says why
        }
    }
}
