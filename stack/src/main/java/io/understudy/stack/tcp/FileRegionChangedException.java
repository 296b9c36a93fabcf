package io.understudy.stack.tcp;

/**
 * The bytes of a queued {@link FileRegion} cannot be sent as they were promised: the file
 * is gone, is not the file the region identifies (size, modification time or inode differ
 * when it is opened), ended before the region did, or could not be read. Thrown by
 * {@link SendBuffer#copy} instead of sending other bytes; a connection aborts (RST) when it
 * meets one, counting {@code tcp_file_region_errors}.
 */
public final class FileRegionChangedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The region (not serialized: a {@link java.nio.file.Path} is not serializable). */
    private final transient FileRegion region;

    public FileRegionChangedException(FileRegion region, String message, Throwable cause) {
        super(message, cause);
        this.region = region;
    }

    /** The region whose bytes could not be sent. */
    public FileRegion region() {
        return region;
    }
}
