package io.understudy.replication.link;

import java.io.IOException;
import java.nio.ByteBuffer;
import jnr.constants.platform.Errno;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Runtime;
import jnr.ffi.annotations.In;
import jnr.ffi.types.size_t;
import jnr.ffi.types.ssize_t;

/**
 * {@code send(2)} with {@code MSG_DONTWAIT}: one write to a socket that never blocks, whatever the
 * socket's mode, so the stack thread can put a replication frame on a unix link itself instead of
 * waking a writer thread for it (a thread hand-off costs tens of microseconds on a small VM, and a
 * replicated request waits for a whole round trip of them), and fall back to the writer thread
 * only when the socket's buffer is full.
 */
final class NonBlockingSend {
    /** Linux: return {@code EAGAIN} rather than block; no {@code SIGPIPE} on a closed peer. */
    private static final int MSG_DONTWAIT = 0x40;
    private static final int MSG_NOSIGNAL = 0x4000;

    /** The libc calls used; public only because jnr-ffi implements it in a class loader of its own. */
    public interface LibC {
        /** For a heap buffer jnr-ffi copies from its position; for a direct one it passes address + position. */
        @ssize_t long send(int fd, @In ByteBuffer buf, @size_t long len, int flags);
    }

    private static final LibC libc;
    private static final Runtime runtime;
    /** False where libc could not be bound (then links send from their writer thread only). */
    static final boolean AVAILABLE;

    static {
        LibC l = null;
        Runtime r = null;
        try {
            l = LibraryLoader.create(LibC.class).load("c");
            r = Runtime.getRuntime(l);
        } catch (RuntimeException | LinkageError e) {
            l = null;
        }
        libc = l;
        runtime = r;
        AVAILABLE = l != null;
    }

    private NonBlockingSend() {}

    /**
     * Writes what {@code fd} takes now of {@code bytes} (position to limit) and advances the
     * position by it; 0 when the socket's buffer is full.
     *
     * @throws IOException when the socket failed (e.g. {@code EPIPE}: the peer is gone)
     */
    static int send(int fd, ByteBuffer bytes) throws IOException {
        int remaining = bytes.remaining();
        if (remaining == 0) {
            return 0;
        }
        long n = libc.send(fd, bytes, remaining, MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n >= 0) {
            bytes.position(bytes.position() + (int) n);
            return (int) n;
        }
        int errno = runtime.getLastError();
        if (errno == Errno.EAGAIN.intValue() || errno == Errno.EWOULDBLOCK.intValue() || errno == Errno.EINTR.intValue()) {
            return 0;
        }
        Errno e = Errno.valueOf(errno);
        throw new IOException("send: " + (e == null ? "errno " + errno : e.description() + " (" + e.name() + ")"));
    }
}
