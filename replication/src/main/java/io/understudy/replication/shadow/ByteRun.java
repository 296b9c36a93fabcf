package io.understudy.replication.shadow;

import java.nio.ByteBuffer;
import java.util.Arrays;

/** A growable run of bytes, appended at the back and dropped from the front; copies out on demand. Not thread-safe. */
final class ByteRun {
    private byte[] bytes = new byte[0];
    private int head;
    private int length;

    int length() {
        return length;
    }

    /** Appends {@code n} bytes of {@code src} from absolute index {@code at}. */
    void append(ByteBuffer src, int at, int n) {
        if (head + length + n > bytes.length) {
            if (length + n <= bytes.length && head >= length) {
                System.arraycopy(bytes, head, bytes, 0, length);
            } else {
                byte[] grown = new byte[Math.max(length + n, Math.max(1024, bytes.length * 2))];
                System.arraycopy(bytes, head, grown, 0, length);
                bytes = grown;
            }
            head = 0;
        }
        src.get(at, bytes, head + length, n);
        length += n;
    }

    /** Drops the first {@code n} bytes (all of them if fewer). */
    void dropFront(int n) {
        int k = Math.min(n, length);
        head += k;
        length -= k;
        if (length == 0) head = 0;
    }

    void clear() {
        head = 0;
        length = 0;
    }

    /** A copy of {@code n} bytes from {@code from}, as a buffer positioned at 0. */
    ByteBuffer copy(int from, int n) {
        if (from < 0 || n < 0 || from + n > length) {
            throw new IndexOutOfBoundsException("[" + from + ", +" + n + ") of " + length);
        }
        return ByteBuffer.wrap(Arrays.copyOfRange(bytes, head + from, head + from + n));
    }
}
