package io.understudy.tap;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Encodes the part of Linux's {@code struct ifreq} that {@code TUNSETIFF} uses: the
 * NUL-terminated interface name in the first {@value #NAME_SIZE} bytes and the
 * {@code short ifr_flags} at offset {@value #FLAGS_OFFSET}, in a {@value #SIZE}-byte struct.
 */
final class IfReq {
    static final int SIZE = 40;
    static final int NAME_SIZE = 16;
    static final int FLAGS_OFFSET = 16;

    private IfReq() {}

    /** The ifreq bytes for {@code name} (at most 15 bytes of UTF-8) and {@code flags}. */
    static byte[] encode(String name, short flags) {
        byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
        if (nameBytes.length >= NAME_SIZE) {
            throw new IllegalArgumentException("interface name longer than " + (NAME_SIZE - 1) + " bytes: " + name);
        }
        byte[] ifreq = new byte[SIZE];
        System.arraycopy(nameBytes, 0, ifreq, 0, nameBytes.length);
        ByteBuffer.wrap(ifreq).order(ByteOrder.nativeOrder()).putShort(FLAGS_OFFSET, flags);
        return ifreq;
    }

    /** The interface name in {@code ifreq}: the bytes before the first NUL of its name field. */
    static String decodeName(byte[] ifreq) {
        int length = 0;
        while (length < NAME_SIZE && ifreq[length] != 0) {
            length++;
        }
        return new String(ifreq, 0, length, StandardCharsets.UTF_8);
    }
}
