package io.understudy.stack.wire;

import static io.understudy.stack.wire.TcpOptions.KIND_MSS;
import static io.understudy.stack.wire.TcpOptions.KIND_NOP;
import static io.understudy.stack.wire.TcpOptions.KIND_SACK;
import static io.understudy.stack.wire.TcpOptions.KIND_SACK_PERMITTED;
import static io.understudy.stack.wire.TcpOptions.KIND_TIMESTAMPS;
import static io.understudy.stack.wire.TcpOptions.KIND_WINDOW_SCALE;
import static io.understudy.stack.wire.TcpOptions.LENGTH_MSS;
import static io.understudy.stack.wire.TcpOptions.LENGTH_SACK_BASE;
import static io.understudy.stack.wire.TcpOptions.LENGTH_SACK_BLOCK;
import static io.understudy.stack.wire.TcpOptions.LENGTH_SACK_PERMITTED;
import static io.understudy.stack.wire.TcpOptions.LENGTH_TIMESTAMPS;
import static io.understudy.stack.wire.TcpOptions.LENGTH_WINDOW_SCALE;
import static io.understudy.stack.wire.TcpOptions.MAX_SACK_BLOCKS;

import java.nio.ByteBuffer;

/**
 * Writes TCP options in the layouts Linux uses ({@code tcp_options_write}), NOP-padded to
 * 32-bit words, so every method returns a multiple of 4. Concatenate the results of
 * {@link #writeTimestamps} and {@link #writeSackBlocks} for a data segment carrying both.
 */
public final class TcpOptionsWriter {
    /** Pass as {@code windowScale} to leave the window scale option out. */
    public static final int NO_WINDOW_SCALE = -1;
    /** Bytes {@link #writeTimestamps} writes: NOP NOP TS. */
    public static final int TIMESTAMPS_LENGTH = 12;
    /** Most bytes {@link #writeSyn} writes: MSS, SACK_PERM+TS, NOP WS. */
    public static final int MAX_SYN_LENGTH = 20;

    private static final int WORD = Integer.BYTES;

    private TcpOptionsWriter() {}

    /**
     * Writes SYN options at absolute index {@code at}: MSS; then {@code 04 02 08 0a} + TS when
     * both SACK-permitted and timestamps, {@code 01 01 08 0a} + TS for timestamps alone,
     * {@code 01 01 04 02} for SACK-permitted alone; then {@code 01 03 03 ws}. Returns bytes written.
     */
    public static int writeSyn(ByteBuffer buf, int at, int mss, boolean sackPermitted, int windowScale,
                               boolean timestamps, int tsVal, int tsEcr) {
        int i = at;
        buf.putInt(i, (KIND_MSS << 24) | (LENGTH_MSS << 16) | (mss & 0xFFFF));
        i += WORD;
        if (timestamps) {
            int lead = sackPermitted ? (KIND_SACK_PERMITTED << 8) | LENGTH_SACK_PERMITTED : (KIND_NOP << 8) | KIND_NOP;
            i += putTimestamps(buf, i, lead, tsVal, tsEcr);
        } else if (sackPermitted) {
            buf.putInt(i, word(KIND_NOP, KIND_NOP, KIND_SACK_PERMITTED, LENGTH_SACK_PERMITTED));
            i += WORD;
        }
        if (windowScale != NO_WINDOW_SCALE) {
            buf.putInt(i, word(KIND_NOP, KIND_WINDOW_SCALE, LENGTH_WINDOW_SCALE, windowScale));
            i += WORD;
        }
        return i - at;
    }

    /** Writes NOP NOP TS at absolute index {@code at}; returns {@link #TIMESTAMPS_LENGTH}. */
    public static int writeTimestamps(ByteBuffer buf, int at, int tsVal, int tsEcr) {
        return putTimestamps(buf, at, (KIND_NOP << 8) | KIND_NOP, tsVal, tsEcr);
    }

    /**
     * Writes NOP NOP SACK with the first {@code count} blocks of {@code left}/{@code right} at
     * absolute index {@code at}; returns 4 + 8 × count. At most 3 blocks fit beside timestamps.
     */
    public static int writeSackBlocks(ByteBuffer buf, int at, int[] left, int[] right, int count) {
        if (count < 1 || count > MAX_SACK_BLOCKS) {
            throw new IllegalArgumentException("SACK block count must be 1.." + MAX_SACK_BLOCKS + ", got " + count);
        }
        buf.putInt(at, word(KIND_NOP, KIND_NOP, KIND_SACK, LENGTH_SACK_BASE + count * LENGTH_SACK_BLOCK));
        int i = at + WORD;
        for (int b = 0; b < count; b++) {
            buf.putInt(i, left[b]);
            buf.putInt(i + WORD, right[b]);
            i += LENGTH_SACK_BLOCK;
        }
        return i - at;
    }

    /** Writes a 2-byte {@code lead} (NOP NOP or SACK_PERM) then the timestamps option; returns 12. */
    private static int putTimestamps(ByteBuffer buf, int at, int lead, int tsVal, int tsEcr) {
        buf.putInt(at, (lead << 16) | (KIND_TIMESTAMPS << 8) | LENGTH_TIMESTAMPS);
        buf.putInt(at + WORD, tsVal);
        buf.putInt(at + 2 * WORD, tsEcr);
        return TIMESTAMPS_LENGTH;
    }

    private static int word(int b0, int b1, int b2, int b3) {
        return (b0 << 24) | (b1 << 16) | (b2 << 8) | (b3 & 0xFF);
    }
}
