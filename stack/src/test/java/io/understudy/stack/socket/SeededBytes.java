package io.understudy.stack.socket;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.function.IntSupplier;
import java.util.function.LongConsumer;

/**
 * A stream of pseudo-random bytes where the byte at each position depends only on the seed and
 * the position, so a writer and a reader can make the same bytes in chunks of any size and a
 * mismatch names its offset.
 */
final class SeededBytes {
    private final long seed;

    SeededBytes(long seed) {
        this.seed = seed;
    }

    /** The byte at {@code position}: one of the eight bytes of a SplitMix64 output. */
    byte at(long position) {
        long z = seed + (position >>> 3) * 0x9E37_79B9_7F4A_7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58_476D_1CE4_E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D0_49BB_1331_11EBL;
        z ^= z >>> 31;
        return (byte) (z >>> ((position & 7) * 8));
    }

    /** Fills {@code b[off, off+len)} with the bytes from {@code position}. */
    void fill(long position, byte[] b, int off, int len) {
        for (int i = 0; i < len; i++) {
            b[off + i] = at(position + i);
        }
    }

    /**
     * Writes the first {@code total} bytes in writes of {@code chunk}; after each write returns,
     * reports the bytes accepted so far to {@code progress}.
     */
    void writeTo(OutputStream out, long total, int chunk, LongConsumer progress) throws IOException {
        byte[] buf = new byte[chunk];
        for (long done = 0; done < total; ) {
            int n = (int) Math.min(chunk, total - done);
            fill(done, buf, 0, n);
            out.write(buf, 0, n);
            done += n;
            progress.accept(done);
        }
    }

    /**
     * Reads to the end of the stream, asking {@code chunk} for the size of each read and
     * checking every byte against this stream; before each read, reports the bytes read so
     * far to {@code progress}.
     *
     * @return the number of bytes read before the end
     * @throws AssertionError at the first wrong byte, or when more than {@code limit} bytes come
     */
    long readFrom(InputStream in, long limit, IntSupplier chunk, LongConsumer progress) throws IOException {
        byte[] buf = new byte[64 * 1024];
        byte[] expected = new byte[buf.length];
        long done = 0;
        while (true) {
            progress.accept(done);
            int n = in.read(buf, 0, Math.min(buf.length, chunk.getAsInt()));
            if (n < 0) {
                return done;
            }
            if (done + n > limit) {
                throw new AssertionError("more than the " + limit + " bytes sent arrived");
            }
            fill(done, expected, 0, n);
            int wrong = Arrays.mismatch(buf, 0, n, expected, 0, n);
            if (wrong >= 0) {
                throw new AssertionError("wrong byte at offset " + (done + wrong) + ": got " + buf[wrong]
                        + ", expected " + expected[wrong]);
            }
            done += n;
        }
    }
}
