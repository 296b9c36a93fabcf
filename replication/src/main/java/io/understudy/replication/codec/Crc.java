package io.understudy.replication.codec;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/** CRC32C over an absolute range of a buffer, without moving its position for good and without allocating. */
final class Crc {
    private final CRC32C crc = new CRC32C();

    int of(ByteBuffer buf, int from, int length) {
        crc.reset();
        if (buf.hasArray()) {
            crc.update(buf.array(), buf.arrayOffset() + from, length);
        } else {
            int position = buf.position(), limit = buf.limit();
            buf.limit(from + length).position(from);
            crc.update(buf);
            buf.limit(limit).position(position);
        }
        return (int) crc.getValue();
    }
}
