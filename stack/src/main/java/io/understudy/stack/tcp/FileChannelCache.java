package io.understudy.stack.tcp;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The open files of one stack: read-only channels on the files of {@link FileRegion}s, shared by
 * every {@link SendBuffer} of the stack (the opener {@link TcpContext} gives them), so that a
 * small file served again and again is opened once rather than once per response.
 *
 * <p><b>Revalidation.</b> A channel is kept, by path, with the {@linkplain FileRegion.Identity
 * identity} its path had when it was opened: size, modification time, inode, device and
 * status-change time ({@code ctime}). {@link #open} of a region whose path has a channel
 * {@code stat}s the path once ({@link FileRegion.Identity#read}) and
 * <ul>
 *   <li>if the path's identity now is the channel's in every field and the region's, hands out
 *       that channel: no {@code open}, no {@code fstat};
 *   <li>if the path's identity now is not the region's, throws {@link FileRegionChangedException}
 *       exactly as {@link FileRegion#openVerified} does (and drops the channel if the path's
 *       identity moved away from it too);
 *   <li>otherwise (the region names the file as it is now, the channel an older version) drops
 *       the channel and opens the path again.
 * </ul>
 * Why one {@code stat} is enough: the same device and inode are the same file, so the channel
 * reads exactly what a channel opened now on the path would (a channel reads the inode, not the
 * path); and what opening the path again would check beyond that — that it still may be opened —
 * only changes with {@code chmod}, {@code chown} or an ACL, each of which moves the ctime (as
 * does every write and every link or unlink of the inode). So a file that is replaced (a rename
 * deploy: another inode), written (size, mtime, ctime), truncated, deleted ({@code stat} fails),
 * made unreadable, or reached through a re-pointed link (another inode) is seen on the very next
 * open, as it was when every region opened its file.
 *
 * <p><b>Racy timestamps.</b> The kernel stamps ctime from a coarse clock, so a {@code chmod} in the
 * same tick as the change before it leaves the ctime as it was. A channel is therefore kept for
 * reuse only when its ctime is at least {@link #RACY_NANOS} older than the wall clock read
 * before the {@code stat} that checked it (as Git treats an index entry as "racily clean"): any
 * change after that {@code stat} then stamps a later ctime. A file changed less than that long
 * ago is opened for each region, as before, and becomes reusable once it has been left alone.
 * This assumes the file system's timestamps come from this machine's clock (a local file system);
 * without the {@code unix} attribute view (no inode, device or ctime) nothing is kept.
 *
 * <p><b>Sharing.</b> A channel is used by every descriptor that {@link #open}ed it and has not
 * {@link #release}d it yet, across connections: positional reads leave the channel's position
 * alone, so users do not disturb each other. A channel with users is never closed, not even when
 * it is dropped (the file changed, or a read from it failed): it is closed when its last user
 * releases it. A channel without users is <em>idle</em>; at most {@code maxIdle} are kept, the
 * least recently released closed first, so the stack holds at most {@code maxIdle} file
 * descriptors beyond those of regions being sent. A read that failed on a channel
 * ({@code release(channel, true)}) drops it, so a truncated or broken file is opened afresh by the
 * next region rather than served from a channel that already failed.
 *
 * <p>Owned by the stack thread, like the send queues; not thread-safe. A hit allocates only what
 * {@link FileRegion.Identity#read} does (the attribute map of {@code Files.readAttributes});
 * opening a file allocates the channel and its entry.
 */
final class FileChannelCache implements SendBuffer.FileOpener {
    /** Idle channels kept by default. */
    static final int DEFAULT_MAX_IDLE = 256;
    /**
     * How much older than the wall clock a file's ctime must be for its channel to be reused: 2 s,
     * well above the tick of the kernel's coarse clock and the 1 s timestamps of coarser file
     * systems.
     */
    static final long RACY_NANOS = 2_000_000_000L;

    /** One open channel: the identity its path had when it was opened, its users and its place in the idle list. */
    private static final class Entry {
        final Path path;
        final FileRegion.Identity identity;
        final FileChannel channel;
        /** In {@link #byPath}: handed out again to regions of {@link #path} while the path keeps {@link #identity}. */
        boolean current;
        /** Descriptors holding the channel. */
        int users;
        /** The idle list, least recently released first, while {@code users == 0 && current}. */
        Entry older, newer;

        Entry(Path path, FileRegion.Identity identity, FileChannel channel) {
            this.path = path;
            this.identity = identity;
            this.channel = channel;
        }
    }

    private final int maxIdle;
    private final InstantSource wallClock;
    /** The current channel of each path: the one {@link #open} may hand out again. */
    private final Map<Path, Entry> byPath = new HashMap<>();
    /** Every open channel, current or dropped, to find its entry on release (by identity: allocation-free). */
    private final Map<FileChannel, Entry> byChannel = new IdentityHashMap<>();
    private Entry oldestIdle, newestIdle;
    private int idle;
    /** Files opened, and channels handed out again, so far (for tests and status). */
    private long opened, reused;

    /**
     * @param maxIdle   idle channels kept at most (0: none, every file closed when its last region is done)
     * @param wallClock the clock file system timestamps are compared with (see the class comment)
     */
    FileChannelCache(int maxIdle, InstantSource wallClock) {
        if (maxIdle < 0) {
            throw new IllegalArgumentException("negative idle bound " + maxIdle);
        }
        this.maxIdle = maxIdle;
        this.wallClock = Objects.requireNonNull(wallClock, "wallClock");
    }

    /**
     * A channel on {@code region}'s file, checked to be the file the region names (see the class
     * comment): the cached one after one {@code stat}, or a newly opened one. The caller must
     * {@link #release} it once.
     *
     * @throws FileRegionChangedException if the file is not the one the region names
     * @throws IOException if it cannot be examined or opened (gone, permission denied, …)
     */
    @Override
    public FileChannel open(FileRegion region) throws IOException {
        Entry e = byPath.get(region.path());
        if (e != null) {
            FileRegion.Identity now;
            try {
                now = FileRegion.Identity.read(region.path());
            } catch (IOException gone) {
                drop(e);
                throw gone;
            }
            boolean same = now.equals(e.identity);
            if (!same) {
                drop(e);
            }
            region.checkUnchanged(now, now.size());
            if (same) {
                if (e.users++ == 0) {
                    unlinkIdle(e);
                }
                reused++;
                return e.channel;
            }
        }
        long notAfter = wallClock.millis() * 1_000_000L - RACY_NANOS; // read before the stat: see the class comment
        FileRegion.Opened o = FileRegion.open(region);
        opened++;
        Entry fresh = new Entry(region.path(), o.identity(), o.channel());
        fresh.users = 1;
        byChannel.put(fresh.channel, fresh);
        FileRegion.Identity id = o.identity();
        if (id.unix() && id.changeNanos() <= notAfter) {
            fresh.current = true;
            byPath.put(fresh.path, fresh);
        }
        return fresh.channel;
    }

    /**
     * A user is done with {@code channel}: closes it if it was its last user and the channel is
     * not kept (dropped, or beyond {@code maxIdle} idle channels). {@code failed}: a read from it
     * failed, so it is dropped (no region gets it again).
     */
    @Override
    public void release(FileChannel channel, boolean failed) {
        Entry e = byChannel.get(channel);
        if (e == null) {
            closeQuietly(channel); // not handed out here (or already closed by close())
            return;
        }
        if (failed) {
            drop(e);
        }
        if (--e.users > 0) {
            return;
        }
        if (!e.current) {
            forget(e);
            return;
        }
        linkIdle(e);
        while (idle > maxIdle) {
            Entry eldest = oldestIdle;
            drop(eldest);
        }
    }

    /**
     * Closes every channel, idle or not, and forgets them all: for a stack that is stopping. A
     * channel still held by a send queue is closed too, so queues should release theirs first
     * ({@link TcpLayer#closeFiles}); a queue that copies again opens its file again.
     */
    void close() {
        List<FileChannel> all = new ArrayList<>(byChannel.keySet());
        byPath.clear();
        byChannel.clear();
        oldestIdle = null;
        newestIdle = null;
        idle = 0;
        for (FileChannel c : all) {
            closeQuietly(c);
        }
    }

    /** Channels open now, with users or idle. */
    int openChannels() {
        return byChannel.size();
    }

    /** Idle channels kept now. */
    int idleChannels() {
        return idle;
    }

    /** Files opened so far. */
    long opened() {
        return opened;
    }

    /** Times a kept channel was handed out again, without an open. */
    long reused() {
        return reused;
    }

    /** Stops handing out {@code e}'s channel; closes it now if it has no users. */
    private void drop(Entry e) {
        if (!e.current) {
            return;
        }
        e.current = false;
        byPath.remove(e.path);
        if (e.users == 0) {
            unlinkIdle(e);
            forget(e);
        }
    }

    /** Closes {@code e}'s channel (no users, not current). */
    private void forget(Entry e) {
        byChannel.remove(e.channel);
        closeQuietly(e.channel);
    }

    private void linkIdle(Entry e) {
        e.older = newestIdle;
        e.newer = null;
        if (newestIdle == null) {
            oldestIdle = e;
        } else {
            newestIdle.newer = e;
        }
        newestIdle = e;
        idle++;
    }

    private void unlinkIdle(Entry e) {
        if (e.older == null) {
            oldestIdle = e.newer;
        } else {
            e.older.newer = e.newer;
        }
        if (e.newer == null) {
            newestIdle = e.older;
        } else {
            e.newer.older = e.older;
        }
        e.older = null;
        e.newer = null;
        idle--;
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // a read-only channel: nothing was buffered, nothing is lost
        }
    }
}
