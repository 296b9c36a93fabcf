package io.understudy.stack.wire;

import java.nio.ByteBuffer;
import java.util.HexFormat;

/** Test buffers: hex literals placed after a junk prefix, so views are exercised at a non-zero offset. */
final class Bytes {
    /** The filler byte; a field a writer forgot shows up as a5. */
    static final byte JUNK = (byte) 0xA5;
    /** Where test data starts in buffers built here. */
    static final int AT = 3;

    private Bytes() {}

    /** Parses hex, ignoring whitespace. */
    static byte[] hex(String hex) {
        return HexFormat.of().parseHex(hex.replaceAll("\\s+", ""));
    }

    /** A buffer holding {@code data} at {@link #AT}, junk before it, and nothing after it. */
    static ByteBuffer at(byte[] data) {
        ByteBuffer buf = junk(AT + data.length);
        buf.put(AT, data);
        return buf;
    }

    /** A buffer holding the hex bytes at {@link #AT}. */
    static ByteBuffer at(String hex) {
        return at(hex(hex));
    }

    /** A buffer of {@code n} junk bytes. */
    static ByteBuffer junk(int n) {
        ByteBuffer buf = ByteBuffer.allocate(n);
        for (int i = 0; i < n; i++) {
            buf.put(i, JUNK);
        }
        return buf;
    }

    /** The {@code len} bytes at absolute index {@code from}, as hex. */
    static String hexOf(ByteBuffer buf, int from, int len) {
        byte[] out = new byte[len];
        buf.get(from, out);
        return HexFormat.of().formatHex(out);
    }
}
