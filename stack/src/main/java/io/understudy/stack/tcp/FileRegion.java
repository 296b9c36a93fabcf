package io.understudy.stack.tcp;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * A region of a file to send, as one descriptor of a {@link SendBuffer}: {@code length} bytes
 * from byte {@code offset} of the file at {@code path}. The file is identified by what its
 * {@code size}, {@code lastModifiedNanos} and {@code inode} were when the application chose
 * to send it; the bytes are read when they are sent (and again when retransmitted, and by a
 * standby after a takeover), and only from that same file: if the identity differs when the
 * file is opened (or when the path of a channel the stack keeps open is checked again before it
 * is handed to the region, see {@link FileChannelCache}), or the file ends early, the send queue
 * throws {@link FileRegionChangedException} rather than send other bytes.
 *
 * <p>The identity fields are plain values the caller supplies; {@link #of(Path, long, long)}
 * reads them from the file system (size, modification time in nanoseconds and, where the
 * platform has it, the {@code unix:ino} attribute, else 0), the same way the send queue
 * reads them to check the file it opens. Values are compared, never interpreted.
 *
 * @param path              the file
 * @param size              the file's size in bytes
 * @param lastModifiedNanos the file's last-modified time, nanoseconds since the epoch
 * @param inode             the file's inode number (0 where the platform has none)
 * @param offset            the first byte of the region in the file
 * @param length            bytes in the region; {@code offset + length ≤ size}
 */
public record FileRegion(Path path, long size, long lastModifiedNanos, long inode, long offset, long length) {
    public FileRegion {
        Objects.requireNonNull(path, "path");
        if (size < 0 || offset < 0 || length < 0 || offset > size - length) {
            throw new IllegalArgumentException("region [" + offset + ", +" + length + ") not within a file of "
                    + size + " bytes: " + path);
        }
    }

    /** The whole file at {@code path}, as it is now. */
    public static FileRegion of(Path path) throws IOException {
        Identity id = Identity.read(path);
        return new FileRegion(path, id.size(), id.lastModifiedNanos(), id.inode(), 0, id.size());
    }

    /** {@code length} bytes from {@code offset} of the file at {@code path}, identified as it is now. */
    public static FileRegion of(Path path, long offset, long length) throws IOException {
        Identity id = Identity.read(path);
        return new FileRegion(path, id.size(), id.lastModifiedNanos(), id.inode(), offset, length);
    }

    /** True when {@code id} is the identity this region names. */
    boolean identifies(Identity id) {
        return id.size() == size && id.lastModifiedNanos() == lastModifiedNanos && id.inode() == inode;
    }

    /**
     * Throws {@link FileRegionChangedException} unless {@code now}, the identity the path has now,
     * is the identity this region names and {@code openedSize} (the size of a channel opened on
     * the path, or {@code now.size()} when none was opened) is the region's size.
     */
    void checkUnchanged(Identity now, long openedSize) {
        if (!identifies(now) || openedSize != size) {
            throw new FileRegionChangedException(this, "file " + path + " changed since it was queued: "
                    + "size " + size + ", mtime " + lastModifiedNanos + ", inode " + inode
                    + " then; size " + now.size() + " (open: " + openedSize + "), mtime " + now.lastModifiedNanos()
                    + ", inode " + now.inode() + " now", null);
        }
    }

    /**
     * Opens the file for reading and checks that it is the file this region names: the path's
     * size, modification time and inode now, and the size of the opened file, must be the
     * region's. Throws {@link FileRegionChangedException} if not, {@link IOException} if the
     * file cannot be opened or examined. The opener of a {@link SendBuffer} made without the
     * stack's {@link FileChannelCache} (which opens files the same way, through {@link #open}).
     */
    static FileChannel openVerified(FileRegion region) throws IOException {
        return open(region).channel();
    }

    /**
     * As {@link #openVerified}, also returning the identity the path had just after the open
     * (one {@code open}, one {@code stat} of the path, one {@code fstat} of the channel).
     */
    static Opened open(FileRegion region) throws IOException {
        FileChannel channel = FileChannel.open(region.path(), StandardOpenOption.READ);
        try {
            Identity now = Identity.read(region.path());
            region.checkUnchanged(now, channel.size());
            return new Opened(channel, now);
        } catch (IOException | RuntimeException e) {
            try {
                channel.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /** A channel {@link #open} opened and verified, and the identity of its path just after it was opened. */
    record Opened(FileChannel channel, Identity identity) {
    }

    /**
     * What identifies a file: size, last-modified time in nanoseconds, inode (0 where unknown) —
     * what a region names — and, for {@link FileChannelCache}, the device and the status-change
     * time ({@code ctime}), which together say whether an open channel still reads what opening
     * the path again would.
     *
     * @param changeNanos the {@code unix:ctime}, nanoseconds since the epoch: it moves on every
     *                    write, {@code chmod}, {@code chown} and link-count change of the inode
     * @param unix        read through the {@code unix} view; false where the platform has none, and
     *                    {@code inode}, {@code device} and {@code changeNanos} are then 0
     */
    record Identity(long size, long lastModifiedNanos, long inode, long device, long changeNanos, boolean unix) {
        /**
         * Reads the identity of the file at {@code path} (following symbolic links): one
         * {@code stat}.
         */
        static Identity read(Path path) throws IOException {
            try {
                Map<String, Object> a = Files.readAttributes(path, "unix:size,lastModifiedTime,ino,dev,ctime");
                return new Identity((Long) a.get("size"), ((FileTime) a.get("lastModifiedTime")).to(TimeUnit.NANOSECONDS),
                        (Long) a.get("ino"), (Long) a.get("dev"), ((FileTime) a.get("ctime")).to(TimeUnit.NANOSECONDS),
                        true);
            } catch (UnsupportedOperationException | IllegalArgumentException noUnixView) {
                BasicFileAttributes b = Files.readAttributes(path, BasicFileAttributes.class);
                return new Identity(b.size(), b.lastModifiedTime().to(TimeUnit.NANOSECONDS), 0, 0, 0, false);
            }
        }
    }
}
