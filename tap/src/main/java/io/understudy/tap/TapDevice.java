package io.understudy.tap;

import static io.understudy.tap.Native.libc;
import static io.understudy.tap.Native.runtime;

import io.understudy.tap.Native.LibC;
import java.nio.ByteBuffer;
import jnr.constants.platform.Errno;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Linux TAP device: an Ethernet interface whose other end is this object. Each
 * {@link #read} returns one frame the kernel sent out of the interface, and each
 * {@link #write} hands one frame to the kernel as if it had arrived on the wire. With
 * {@link TapOptions#vnetHeader()} every frame, in both directions, starts with a virtio-net
 * header of {@link TapOptions#vnetHeaderSize()} bytes.
 *
 * <p>The descriptor is non-blocking: wait with {@link #awaitReadable}. Frames move directly
 * between the kernel and the caller's direct buffers, and {@code read}, {@code write} and
 * {@code awaitReadable} allocate nothing. One thread may read (and await) while another
 * writes; call {@link #close} only after both have stopped.
 *
 * <p>An interface this class creates is not persistent: it disappears when the device is
 * closed. A persistent one made beforehand (e.g. with {@code ip tuntap add}) stays.
 */
public final class TapDevice implements AutoCloseable {
    static final String TUN_PATH = "/dev/net/tun";

    // ioctl requests, _IOW('T', nr, int) as encoded on x86-64 and aarch64.
    private static final long TUNSETIFF = 0x400454caL;
    private static final long TUNSETOFFLOAD = 0x400454d0L;
    private static final long TUNSETVNETHDRSZ = 0x400454d8L;
    private static final short IFF_TAP = 0x0002;
    private static final short IFF_NO_PI = 0x1000;
    private static final short IFF_VNET_HDR = 0x4000;

    private static final int POLLFD_SIZE = 8;
    private static final int POLLFD_EVENTS_OFFSET = 4;
    private static final int WRITE_WAIT_MILLIS = 100;
    private static final int IOVEC_SIZE = 16;

    private static final int EAGAIN = Errno.EAGAIN.intValue();
    private static final int EINTR = Errno.EINTR.intValue();

    private static final Logger log = LoggerFactory.getLogger(TapDevice.class);

    private final String name;
    private final TapOptions options;
    private final Pointer readPollFd;
    private final Pointer writePollFd;
    /** Two {@code struct iovec}s for {@link #write(ByteBuffer, ByteBuffer)}; the writer thread's. */
    private final Pointer iov = Memory.allocateDirect(runtime, 2 * IOVEC_SIZE);
    /** The native addresses of the last buffers written with a header (saves a lookup per frame). */
    private ByteBuffer lastHeader, lastFrame;
    private long lastHeaderAddress, lastFrameAddress;
    private volatile int fd;

    private TapDevice(int fd, String name, TapOptions options) {
        this.fd = fd;
        this.name = name;
        this.options = options;
        this.readPollFd = pollFd(fd, LibC.POLLIN);
        this.writePollFd = pollFd(fd, LibC.POLLOUT);
    }

    /**
     * Creates the TAP interface {@code options.name()}, or attaches to it if it exists as a
     * persistent TAP device, and sets its vnet header and offloads. Offloads are always set,
     * to 0 when none are asked for, so none linger from an earlier user of a persistent
     * device. A new interface starts down.
     *
     * @throws TapException with the cause and fix, e.g. no {@code /dev/net/tun}, no
     *                      {@code CAP_NET_ADMIN}, or the device busy in another process
     */
    public static TapDevice open(TapOptions options) throws TapException {
        int fd = libc.open(TUN_PATH, LibC.O_RDWR | LibC.O_CLOEXEC);
        if (fd < 0) {
            throw failure(TapErrors.OPEN, options.name(), runtime.getLastError());
        }
        try {
            String name = attach(fd, options);
            configure(fd, name, options);
            log.info("opened TAP {} (vnet_hdr={}, offloads=0x{})", name,
                    options.vnetHeader() ? options.vnetHeaderSize() : "no", Integer.toHexString(options.offloads()));
            return new TapDevice(fd, name, options);
        } catch (TapException e) {
            libc.close(fd);
            throw e;
        }
    }

    /** Binds {@code fd} to the interface with TUNSETIFF and returns the name the kernel gave it. */
    private static String attach(int fd, TapOptions options) throws TapException {
        short flags = (short) (IFF_TAP | IFF_NO_PI | (options.vnetHeader() ? IFF_VNET_HDR : 0));
        Pointer ifreq = Memory.allocateDirect(runtime, IfReq.SIZE);
        ifreq.put(0, IfReq.encode(options.name(), flags), 0, IfReq.SIZE);
        if (libc.ioctl(fd, TUNSETIFF, ifreq) < 0) {
            throw failure(TapErrors.TUNSETIFF, options.name(), runtime.getLastError());
        }
        byte[] result = new byte[IfReq.SIZE];
        ifreq.get(0, result, 0, IfReq.SIZE);
        return IfReq.decodeName(result);
    }

    private static void configure(int fd, String name, TapOptions options) throws TapException {
        if (options.vnetHeader()) {
            Pointer size = Memory.allocateDirect(runtime, Integer.BYTES);
            size.putInt(0, options.vnetHeaderSize());
            if (libc.ioctl(fd, TUNSETVNETHDRSZ, size) < 0) {
                throw failure(TapErrors.TUNSETVNETHDRSZ, name, runtime.getLastError());
            }
        }
        if (libc.ioctl(fd, TUNSETOFFLOAD, options.offloads()) < 0) {
            throw failure(TapErrors.TUNSETOFFLOAD, name, runtime.getLastError());
        }
        int status = libc.fcntl(fd, LibC.F_GETFL, 0);
        if (status < 0 || libc.fcntl(fd, LibC.F_SETFL, status | LibC.O_NONBLOCK) < 0) {
            throw failure(TapErrors.FCNTL, name, runtime.getLastError());
        }
    }

    private static Pointer pollFd(int fd, short events) {
        Pointer pollFd = Memory.allocateDirect(runtime, POLLFD_SIZE);
        pollFd.putInt(0, fd);
        pollFd.putShort(POLLFD_EVENTS_OFFSET, events);
        return pollFd;
    }

    /** The interface name the kernel gave the device (differs from the requested one only if that had {@code %d}). */
    public String name() {
        return name;
    }

    /** The options the device was opened with. */
    public TapOptions options() {
        return options;
    }

    /**
     * Reads one frame, if one is waiting, into {@code dst} from its position on. The frame
     * then occupies {@code [dst.position(), dst.position() + n)}; neither the position nor
     * the limit moves, so set the limit to {@code position + n} to consume it. The space up
     * to the limit must hold a whole frame, or the kernel truncates it to fit: the MTU plus
     * the 14-byte Ethernet header and any vnet header, or about 64 KiB with TSO offloads.
     *
     * @param dst a direct, writable buffer
     * @return the frame's length in bytes, or 0 if no frame is waiting
     * @throws TapException if the device is closed or the read fails
     */
    public int read(ByteBuffer dst) throws TapException {
        requireDirect(dst);
        if (dst.isReadOnly()) {
            throw new IllegalArgumentException("TAP read needs a writable buffer");
        }
        int fd = openFd();
        long n = libc.read(fd, dst, dst.remaining());
        if (n >= 0) {
            return (int) n;
        }
        int errno = runtime.getLastError();
        if (retryable(errno)) {
            return 0;
        }
        throw failure(TapErrors.READ, name, errno);
    }

    /**
     * Writes the bytes between {@code src}'s position and limit as one frame; neither moves.
     * If the device cannot take the frame at once, waits up to 100 ms for it to, then
     * tries once more.
     *
     * @param src a direct buffer
     * @return the number of bytes written, {@code src.remaining()}; or 0 if the device still
     *         could not take the frame, which is then dropped
     * @throws TapException if the device is closed or the write fails (e.g. {@code EIO}
     *                      while the interface is down)
     */
    public int write(ByteBuffer src) throws TapException {
        requireDirect(src);
        int fd = openFd();
        long n = libc.write(fd, src, src.remaining());
        if (n < 0 && retryable(runtime.getLastError())) {
            poll(writePollFd, WRITE_WAIT_MILLIS);
            n = libc.write(fd, src, src.remaining());
        }
        if (n >= 0) {
            return (int) n;
        }
        int errno = runtime.getLastError();
        if (retryable(errno)) {
            return 0;
        }
        throw failure(TapErrors.WRITE, name, errno);
    }

    /**
     * Writes {@code header} (a virtio-net header, position to limit) followed by {@code frame}
     * (position to limit) as one frame, with one {@code writev(2)}: the caller keeps the frame
     * without room for the header in front. Otherwise as {@link #write(ByteBuffer)}.
     *
     * @param header a direct buffer, the vnet header
     * @param frame a direct buffer, the Ethernet frame
     * @return the number of bytes written (header included), or 0 if the frame was dropped
     */
    public int write(ByteBuffer header, ByteBuffer frame) throws TapException {
        requireDirect(header);
        requireDirect(frame);
        if (header != lastHeader) {
            lastHeaderAddress = baseAddress(header);
            lastHeader = header;
        }
        if (frame != lastFrame) {
            lastFrameAddress = baseAddress(frame);
            lastFrame = frame;
        }
        iov.putAddress(0, lastHeaderAddress + header.position());
        iov.putLong(8, header.remaining());
        iov.putAddress(IOVEC_SIZE, lastFrameAddress + frame.position());
        iov.putLong(IOVEC_SIZE + 8, frame.remaining());
        int fd = openFd();
        long n = libc.writev(fd, iov, 2);
        if (n < 0 && retryable(runtime.getLastError())) {
            poll(writePollFd, WRITE_WAIT_MILLIS);
            n = libc.writev(fd, iov, 2);
        }
        if (n >= 0) {
            return (int) n;
        }
        int errno = runtime.getLastError();
        if (retryable(errno)) {
            return 0;
        }
        throw failure(TapErrors.WRITE, name, errno);
    }

    /** The native address of index 0 of a direct buffer (jnr's pointer to a buffer starts at its position). */
    private static long baseAddress(ByteBuffer buffer) {
        return runtime.getMemoryManager().newPointer(buffer.duplicate().clear()).address();
    }

    /**
     * Waits until a frame can be read, or the device has failed (the next {@link #read}
     * then reports why), or the timeout passes.
     *
     * @param timeoutMillis how long to wait: 0 does not wait, negative waits indefinitely
     * @return true if {@link #read} should be called; false on timeout or an interrupting signal
     * @throws TapException if the device is closed or poll fails
     */
    public boolean awaitReadable(int timeoutMillis) throws TapException {
        openFd();
        return poll(readPollFd, timeoutMillis);
    }

    /** Closes the device, which removes the interface unless it is persistent. Does nothing if already closed. */
    @Override
    public synchronized void close() {
        int fd = this.fd;
        if (fd >= 0) {
            this.fd = -1;
            libc.close(fd);
        }
    }

    /** Polls one prepared pollfd; true if any event (including an error) is pending. */
    private boolean poll(Pointer pollFd, int timeoutMillis) throws TapException {
        int ready = libc.poll(pollFd, 1, timeoutMillis);
        if (ready >= 0) {
            return ready > 0;
        }
        int errno = runtime.getLastError();
        if (errno == EINTR) {
            return false;
        }
        throw failure(TapErrors.POLL, name, errno);
    }

    private int openFd() throws TapException {
        int fd = this.fd;
        if (fd < 0) {
            throw new TapException("TAP device '" + name + "' is closed", 0);
        }
        return fd;
    }

    private static boolean retryable(int errno) {
        return errno == EAGAIN || errno == EINTR;
    }

    private static void requireDirect(ByteBuffer buffer) {
        if (!buffer.isDirect()) {
            throw new IllegalArgumentException("TAP I/O needs a direct ByteBuffer");
        }
    }

    private static TapException failure(String op, String name, int errno) {
        return new TapException(TapErrors.describe(op, name, errno), errno);
    }
}
