package io.understudy.stack.link;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The virtio-net header ({@code struct virtio_net_hdr_v1}, 12 bytes, little-endian as a TAP
 * device uses it on little-endian hosts) that precedes every frame on a TAP device opened with
 * {@code IFF_VNET_HDR}: {@code flags u8 | gso_type u8 | hdr_len u16 | gso_size u16 |
 * csum_start u16 | csum_offset u16 | num_buffers u16}.
 */
public final class VnetHeader {
    public static final int LENGTH = 12;
    /** flags: the checksum at csum_start + csum_offset is partial (the pseudo-header sum only). */
    public static final int F_NEEDS_CSUM = 1;
    /** flags: the checksums were verified by the sender (the kernel). */
    public static final int F_DATA_VALID = 2;
    public static final int GSO_NONE = 0, GSO_TCPV4 = 1, GSO_ECN = 0x80;
    static final int FLAGS = 0, GSO_TYPE = 1, HDR_LEN = 2, GSO_SIZE = 4, CSUM_START = 6, CSUM_OFFSET = 8,
            NUM_BUFFERS = 10;

    private VnetHeader() {}

    /** The flags of the header at {@code at}. */
    public static int flags(ByteBuffer b, int at) {
        return b.get(at + FLAGS) & 0xFF;
    }

    /** The GSO type of the header at {@code at} ({@link #GSO_NONE} for a single frame). */
    public static int gsoType(ByteBuffer b, int at) {
        return b.get(at + GSO_TYPE) & 0xFF;
    }

    /** True when the transport checksum of the frame after the header need not (cannot) be checked. */
    public static boolean checksumTrusted(ByteBuffer b, int at) {
        return (flags(b, at) & (F_NEEDS_CSUM | F_DATA_VALID)) != 0;
    }

    /** Writes a header at {@code at}: a partial checksum when {@code csumStart > 0}, TCPv4 segmentation when {@code gsoSize > 0}. */
    public static void write(ByteBuffer b, int at, int csumStart, int csumOffset, int gsoSize, int headerLength) {
        ByteBuffer le = b.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        le.put(at + FLAGS, (byte) (csumStart > 0 ? F_NEEDS_CSUM : 0));
        le.put(at + GSO_TYPE, (byte) (gsoSize > 0 ? GSO_TCPV4 : GSO_NONE));
        le.putShort(at + HDR_LEN, (short) (gsoSize > 0 ? headerLength : 0));
        le.putShort(at + GSO_SIZE, (short) gsoSize);
        le.putShort(at + CSUM_START, (short) csumStart);
        le.putShort(at + CSUM_OFFSET, (short) csumOffset);
        le.putShort(at + NUM_BUFFERS, (short) 0);
    }

    /** The gso_size field of the header at {@code at}. */
    public static int gsoSize(ByteBuffer b, int at) {
        return Short.toUnsignedInt(Short.reverseBytes(b.getShort(at + GSO_SIZE)));
    }

    /** The csum_start field of the header at {@code at}. */
    public static int csumStart(ByteBuffer b, int at) {
        return Short.toUnsignedInt(Short.reverseBytes(b.getShort(at + CSUM_START)));
    }

    /** The csum_offset field of the header at {@code at}. */
    public static int csumOffset(ByteBuffer b, int at) {
        return Short.toUnsignedInt(Short.reverseBytes(b.getShort(at + CSUM_OFFSET)));
    }

    /** The hdr_len field of the header at {@code at}. */
    public static int headerLength(ByteBuffer b, int at) {
        return Short.toUnsignedInt(Short.reverseBytes(b.getShort(at + HDR_LEN)));
    }
}
