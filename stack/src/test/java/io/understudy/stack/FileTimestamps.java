package io.understudy.stack;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.concurrent.TimeUnit;

/** File status-change times for tests of caches that revalidate files by their {@code ctime}. */
public final class FileTimestamps {
    private FileTimestamps() {}

    /** The {@code unix:ctime} of {@code p}, in nanoseconds. */
    public static long ctime(Path p) throws IOException {
        return ((FileTime) Files.getAttribute(p, "unix:ctime")).to(TimeUnit.NANOSECONDS);
    }

    /**
     * Returns once the file system stamps a later ctime than {@code p} has now, so that the next
     * change to {@code p} moves its ctime. The kernel's timestamps come from a coarse clock (a
     * tick of a few milliseconds); a test that changes a file right after reading it must wait
     * for the next tick to see the change in the ctime. Polls a probe file in {@code dir}, never
     * sleeps.
     */
    public static void awaitNextTimestamp(Path dir, Path p) throws IOException {
        long before = ctime(p);
        Path probe = dir.resolve(".tick");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            Files.write(probe, new byte[] {1});
            if (ctime(probe) > before) {
                Files.delete(probe);
                return;
            }
        }
        fail("the file system clock did not advance in 10 s");
    }
}
