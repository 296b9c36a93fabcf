package io.understudy.replication;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Whether a process on this host is dying, from {@code /proc/PID/stat}: a process killed with
 * SIGKILL first tears down its memory — tens of milliseconds for a large JVM — and only then
 * closes its sockets, but the kernel marks it {@code PF_EXITING} at once. A standby that sees its
 * primary exiting can take over without waiting for the socket to close.
 */
final class ProcessWatch {
    /** The task flag set as a process starts to exit (include/linux/sched.h). */
    static final long PF_EXITING = 0x4;

    private ProcessWatch() {}

    /** True when process {@code pid} is exiting or gone; false when it runs (or /proc cannot tell). */
    static boolean exiting(long pid) {
        String stat;
        try {
            stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.US_ASCII);
        } catch (NoSuchFileException e) {
            return true; // reaped: gone
        } catch (IOException | RuntimeException e) {
            return false;
        }
        return exiting(stat);
    }

    /**
     * Parses a {@code /proc/PID/stat} line: state (field 3) Z or X, or the flags word (field 9)
     * with {@link #PF_EXITING}. Fields are counted after the command name, which is in parentheses
     * and may hold spaces.
     */
    static boolean exiting(String stat) {
        int close = stat.lastIndexOf(')');
        if (close < 0) {
            return false;
        }
        String[] f = stat.substring(close + 2).trim().split(" ");
        if (f.length < 7) {
            return false;
        }
        char state = f[0].isEmpty() ? '?' : f[0].charAt(0);
        if (state == 'Z' || state == 'X' || state == 'x') {
            return true;
        }
        try {
            return (Long.parseLong(f[6]) & PF_EXITING) != 0;
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
