package io.understudy.tap;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.ffi.types.u_int64_t;

/**
 * Reads an interface's checksum and TSO offload state with the {@code SIOCETHTOOL} ioctl,
 * so the tests need no ethtool binary.
 */
final class EthtoolProbe {
    private static final long SIOCETHTOOL = 0x8946;
    private static final int ETHTOOL_GTXCSUM = 0x16;
    private static final int ETHTOOL_GTSO = 0x1e;
    private static final int AF_INET = 2;
    private static final int SOCK_DGRAM = 2;

    private static final Sockets libc = LibraryLoader.create(Sockets.class).load("c");
    private static final Runtime runtime = Runtime.getRuntime(libc);

    private EthtoolProbe() {}

    /** Public only so that jnr-ffi, in its own class loader, can implement it. */
    public interface Sockets {
        int socket(int domain, int type, int protocol);

        int ioctl(int fd, @u_int64_t long request, Pointer arg);

        int close(int fd);
    }

    static boolean txChecksumming(String name) {
        return get(name, ETHTOOL_GTXCSUM);
    }

    static boolean tcpSegmentation(String name) {
        return get(name, ETHTOOL_GTSO);
    }

    private static boolean get(String name, int command) {
        Pointer value = Memory.allocateDirect(runtime, 8); // struct ethtool_value { u32 cmd; u32 data; }
        value.putInt(0, command);
        Pointer ifreq = Memory.allocateDirect(runtime, IfReq.SIZE);
        ifreq.put(0, IfReq.encode(name, (short) 0), 0, IfReq.SIZE);
        ifreq.putPointer(IfReq.FLAGS_OFFSET, value); // ifr_data shares the union at offset 16
        int socket = libc.socket(AF_INET, SOCK_DGRAM, 0);
        try {
            if (libc.ioctl(socket, SIOCETHTOOL, ifreq) < 0) {
                throw new IllegalStateException("SIOCETHTOOL on " + name + " failed, errno " + runtime.getLastError());
            }
            return value.getInt(4) != 0;
        } finally {
            libc.close(socket);
        }
    }
}
