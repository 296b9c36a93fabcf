package io.understudy.tap;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * How to open a TAP device. Validated on construction, before any system call.
 *
 * @param name           the interface name: 1 to {@value #MAX_NAME_BYTES} bytes of UTF-8, not
 *                       {@code .} or {@code ..}, without {@code /}, {@code :}, spaces or control
 *                       characters; a {@code %d} in it lets the kernel pick a free number
 * @param vnetHeader     whether every frame read or written starts with a virtio-net header
 *                       ({@code IFF_VNET_HDR})
 * @param offloads       work the kernel may leave to this side, a combination of
 *                       {@link #TUN_F_CSUM}, {@link #TUN_F_TSO4} and {@link #TUN_F_TSO6}; 0 for
 *                       none. Needs {@code vnetHeader}, and TSO needs {@link #TUN_F_CSUM}
 * @param vnetHeaderSize the virtio-net header size, {@value #VNET_HDR_SIZE} or
 *                       {@value #VNET_HDR_V1_SIZE}; used only with {@code vnetHeader}
 */
public record TapOptions(String name, boolean vnetHeader, int offloads, int vnetHeaderSize) {
    /** Longest interface name in bytes: Linux's {@code IFNAMSIZ} (16) less the NUL. */
    public static final int MAX_NAME_BYTES = 15;
    /** Offload: frames may carry a partial checksum for this side to complete. */
    public static final int TUN_F_CSUM = 0x01;
    /** Offload: TCP over IPv4 segments may exceed the MTU (TSO); needs {@link #TUN_F_CSUM}. */
    public static final int TUN_F_TSO4 = 0x02;
    /** Offload: TCP over IPv6 segments may exceed the MTU (TSO); needs {@link #TUN_F_CSUM}. */
    public static final int TUN_F_TSO6 = 0x04;
    /** Size of {@code struct virtio_net_hdr}. */
    public static final int VNET_HDR_SIZE = 10;
    /** Size of {@code struct virtio_net_hdr_v1} (adds {@code num_buffers}); the default. */
    public static final int VNET_HDR_V1_SIZE = 12;

    private static final int SUPPORTED_OFFLOADS = TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6;

    /** Validates every component; see the class description for the rules. */
    public TapOptions {
        validateName(name);
        if ((offloads & ~SUPPORTED_OFFLOADS) != 0) {
            throw new IllegalArgumentException(String.format(
                    "unsupported offload flags 0x%x; only TUN_F_CSUM, TUN_F_TSO4 and TUN_F_TSO6 are supported", offloads));
        }
        if (offloads != 0 && !vnetHeader) {
            throw new IllegalArgumentException("offloads need the vnet header, which carries the checksum and segmentation details");
        }
        if ((offloads & (TUN_F_TSO4 | TUN_F_TSO6)) != 0 && (offloads & TUN_F_CSUM) == 0) {
            throw new IllegalArgumentException("TSO offloads need TUN_F_CSUM as well");
        }
        if (vnetHeaderSize != VNET_HDR_SIZE && vnetHeaderSize != VNET_HDR_V1_SIZE) {
            throw new IllegalArgumentException("vnet header size must be " + VNET_HDR_SIZE + " or "
                    + VNET_HDR_V1_SIZE + ", not " + vnetHeaderSize);
        }
    }

    /** Plain Ethernet frames: no vnet header, no offloads. */
    public static TapOptions of(String name) {
        return new TapOptions(name, false, 0, VNET_HDR_V1_SIZE);
    }

    /** Frames prefixed by a {@value #VNET_HDR_V1_SIZE}-byte virtio-net header, with {@code offloads}. */
    public static TapOptions withVnetHeader(String name, int offloads) {
        return new TapOptions(name, true, offloads, VNET_HDR_V1_SIZE);
    }

    private static void validateName(String name) {
        Objects.requireNonNull(name, "name");
        if (name.isEmpty()) {
            throw new IllegalArgumentException("TAP name must not be empty");
        }
        int bytes = name.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_NAME_BYTES) {
            throw new IllegalArgumentException(
                    "TAP name '" + name + "' is " + bytes + " bytes; Linux allows at most " + MAX_NAME_BYTES);
        }
        if (name.equals(".") || name.equals("..") || name.chars().anyMatch(TapOptions::forbiddenInName)) {
            throw new IllegalArgumentException("TAP name '" + name
                    + "' is invalid; Linux interface names cannot be '.' or '..' or contain '/', ':', spaces or control characters");
        }
    }

    private static boolean forbiddenInName(int c) {
        return c <= ' ' || c == '/' || c == ':' || c == 0x7f;
    }
}
