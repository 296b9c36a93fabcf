package io.understudy.tap;

import java.nio.ByteBuffer;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.ffi.types.size_t;
import jnr.ffi.types.ssize_t;
import jnr.ffi.types.u_int64_t;

/** The libc binding, loaded once. */
final class Native {
    static final LibC libc = LibraryLoader.create(LibC.class).load("c");
    /** jnr-ffi saves {@code errno} after every call; read it with {@code runtime.getLastError()}. */
    static final Runtime runtime = Runtime.getRuntime(libc);

    private Native() {}

    /**
     * The few libc calls a TAP device needs (constants as on Linux x86-64 and aarch64). Public
     * only because jnr-ffi implements it in a class loader of its own; the package-private
     * enclosing class keeps it out of the module's API.
     *
     * <p>Zero-copy: for a direct {@link ByteBuffer} argument jnr-ffi passes the native address
     * of the buffer plus its position (jnr's {@code BufferParameterStrategy.address}), so the
     * kernel reads and writes the caller's memory in place, and neither the buffer's position
     * nor its limit changes. (A heap buffer would be copied; callers pass only direct ones.)
     */
    public interface LibC {
        int O_RDWR = 0x2;
        int O_NONBLOCK = 0x800;
        int O_CLOEXEC = 0x80000;
        int F_GETFL = 3;
        int F_SETFL = 4;
        short POLLIN = 0x1;
        short POLLOUT = 0x4;

        int open(String path, int flags);

        /** {@code ioctl} whose argument points to a struct or an int. */
        int ioctl(int fd, @u_int64_t long request, Pointer arg);

        /** {@code ioctl} whose argument is passed by value, like {@code TUNSETOFFLOAD}'s flags. */
        int ioctl(int fd, @u_int64_t long request, @u_int64_t long arg);

        int fcntl(int fd, int cmd, int arg);

        @ssize_t long read(int fd, @Out ByteBuffer buf, @size_t long count);

        @ssize_t long write(int fd, @In ByteBuffer buf, @size_t long count);

        /** {@code iov} points to {@code iovcnt} × {@code struct iovec { void *base; size_t len; }}. */
        @ssize_t long writev(int fd, Pointer iov, int iovcnt);

        /** {@code fds} points to {@code struct pollfd { int fd; short events; short revents; }}. */
        int poll(Pointer fds, @u_int64_t long nfds, int timeoutMillis);

        int close(int fd);
    }
}
