package io.understudy.replication;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Whether a process on this host is dying, from {@code /proc}: a process killed with SIGKILL
 * first tears down its memory — tens of milliseconds for a large JVM — and only then closes its
 * sockets. Two earlier signs: the kernel queues the SIGKILL for the process at once (it shows as
 * pending in {@code /proc/PID/status} until a thread of it acts on it, which on a busy machine
 * can take a few milliseconds: every thread must be scheduled to die), and marks the process
 * {@code PF_EXITING} once its main thread starts to exit ({@code /proc/PID/stat}). A standby that
 * sees either can take over without waiting for the socket to close. A SIGKILL cannot be caught
 * or ignored, so a pending one is a death already decided.
 *
 * <p>An instance keeps both files open and rereads them (a positional read at 0 makes procfs
 * generate them afresh) into one buffer, so that polling every millisecond costs two small
 * reads and no allocation. One thread at a time.
 */
final class ProcessWatch implements AutoCloseable {
    /** The task flag set as a process starts to exit (include/linux/sched.h). */
    static final long PF_EXITING = 0x4;
    /** SIGKILL's bit in the pending-signal masks of {@code /proc/PID/status} (signal 9: bit 8). */
    static final long SIGKILL_BIT = 1L << 8;
    private static final byte[] SHD_PND = "\nShdPnd:".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SIG_PND = "\nSigPnd:".getBytes(StandardCharsets.US_ASCII);

    private final long pid;
    private final FileChannel stat;
    private final FileChannel status;
    private final ByteBuffer buf = ByteBuffer.allocate(4096);

    private ProcessWatch(long pid, FileChannel stat, FileChannel status) {
        this.pid = pid;
        this.stat = stat;
        this.status = status;
    }

    /** Watches process {@code pid}; null when it cannot be watched (no /proc, or already gone). */
    static ProcessWatch open(long pid) {
        Path dir = Path.of("/proc", Long.toString(pid));
        FileChannel stat = null;
        try {
            stat = FileChannel.open(dir.resolve("stat"), StandardOpenOption.READ);
            FileChannel status = FileChannel.open(dir.resolve("status"), StandardOpenOption.READ);
            return new ProcessWatch(pid, stat, status);
        } catch (IOException | RuntimeException e) {
            if (stat != null) {
                try {
                    stat.close();
                } catch (IOException ignored) {
                    // read-only
                }
            }
            return null;
        }
    }

    long pid() {
        return pid;
    }

    /** True when the process is exiting, has a SIGKILL pending, or is gone; false when it runs (or /proc cannot tell). */
    boolean dying() {
        try {
            return read(stat) < 0 || exiting(buf) || read(status) < 0 || killPending(buf);
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** Rereads {@code file} into {@link #buf} (flipped); -1 when the process is gone (procfs: ESRCH). */
    private int read(FileChannel file) throws IOException {
        buf.clear();
        int n;
        try {
            n = file.read(buf, 0);
        } catch (IOException e) {
            if (isGone(e)) {
                return -1;
            }
            throw e;
        }
        buf.flip();
        return Math.max(n, 0);
    }

    private static boolean isGone(IOException e) {
        String m = e.getMessage();
        return e instanceof NoSuchFileException || (m != null && m.contains("No such process"));
    }

    @Override
    public void close() {
        for (FileChannel c : new FileChannel[] {stat, status}) {
            try {
                c.close();
            } catch (IOException ignored) {
                // read-only
            }
        }
    }

    /** One look, without keeping files open: {@link #dying()} of a fresh watch; true when the process is gone. */
    static boolean exiting(long pid) {
        ProcessWatch w = open(pid);
        if (w == null) {
            return !Path.of("/proc", Long.toString(pid)).toFile().exists();
        }
        try {
            return w.dying();
        } finally {
            w.close();
        }
    }

    /** Parses a {@code /proc/PID/stat} line; see {@link #exiting(ByteBuffer)}. */
    static boolean exiting(String stat) {
        return exiting(ByteBuffer.wrap(stat.getBytes(StandardCharsets.US_ASCII)));
    }

    /**
     * Parses a {@code /proc/PID/stat} line (position to limit): state (field 3) Z, X or x, or
     * the flags word (field 9) with {@link #PF_EXITING}. Fields are counted after the command
     * name, which is in parentheses and may hold spaces and parentheses.
     */
    static boolean exiting(ByteBuffer b) {
        int close = -1;
        for (int i = b.limit() - 1; i >= b.position(); i--) {
            if (b.get(i) == ')') {
                close = i;
                break;
            }
        }
        if (close < 0 || close + 2 >= b.limit()) {
            return false;
        }
        int at = close + 2; // field 3, the state
        char state = (char) b.get(at);
        if (state == 'Z' || state == 'X' || state == 'x') {
            return true;
        }
        for (int field = 3; field < 9; field++) { // skip to field 9
            while (at < b.limit() && b.get(at) != ' ') at++;
            at++;
            if (at >= b.limit()) {
                return false;
            }
        }
        long flags = 0;
        int digits = 0;
        for (; at < b.limit() && b.get(at) >= '0' && b.get(at) <= '9'; at++, digits++) {
            flags = flags * 10 + (b.get(at) - '0');
        }
        return digits > 0 && (flags & PF_EXITING) != 0;
    }

    /** Parses {@code /proc/PID/status} text; see {@link #killPending(ByteBuffer)}. */
    static boolean killPending(String status) {
        return killPending(ByteBuffer.wrap(status.getBytes(StandardCharsets.US_ASCII)));
    }

    /**
     * Parses {@code /proc/PID/status} (position to limit): true when SIGKILL is pending for the
     * process ({@code ShdPnd}, where a signal sent to the process waits) or for its main thread
     * ({@code SigPnd}).
     */
    static boolean killPending(ByteBuffer b) {
        return maskHas(b, SHD_PND, SIGKILL_BIT) || maskHas(b, SIG_PND, SIGKILL_BIT);
    }

    private static boolean maskHas(ByteBuffer b, byte[] field, long bit) {
        int at = indexOf(b, field);
        if (at < 0) {
            return false;
        }
        at += field.length;
        while (at < b.limit() && (b.get(at) == '\t' || b.get(at) == ' ')) at++;
        long mask = 0;
        int digits = 0;
        for (; at < b.limit() && b.get(at) != '\n'; at++, digits++) {
            int d = Character.digit(b.get(at), 16);
            if (d < 0 || digits == 16) {
                return false;
            }
            mask = mask << 4 | d;
        }
        return digits > 0 && (mask & bit) != 0;
    }

    private static int indexOf(ByteBuffer b, byte[] needle) {
        outer:
        for (int i = b.position(); i + needle.length <= b.limit(); i++) {
            for (int k = 0; k < needle.length; k++) {
                if (b.get(i + k) != needle[k]) continue outer;
            }
            return i;
        }
        return -1;
    }
}
