package io.understudy.stack.wire;

import java.nio.ByteBuffer;

/**
 * The TCP options of one segment, as a reusable value: {@link #parse} clears and refills the
 * same instance, allocating nothing.
 *
 * <p>Malformed input never throws. As Linux's {@code tcp_parse_options} does, a framing
 * error (a length byte below 2, or an option running past the region) stops parsing and
 * keeps what was recorded before it, while a well-framed known option with the wrong length
 * for its kind is ignored and parsing goes on. Either way {@link #parse} returns false and
 * {@link #problem()} names the first problem; the segment itself is still processed with the
 * options recorded. Whether an option counts in context (MSS and window scale only on a SYN,
 * SACK blocks only when SACK was negotiated) is for the caller to decide.
 */
public final class TcpOptions {
    /** Option kinds (IANA). */
    public static final int KIND_EOL = 0, KIND_NOP = 1, KIND_MSS = 2, KIND_WINDOW_SCALE = 3, KIND_SACK_PERMITTED = 4,
                            KIND_SACK = 5, KIND_TIMESTAMPS = 8;
    /** Option lengths, kind and length bytes included. */
    public static final int LENGTH_MSS = 4, LENGTH_WINDOW_SCALE = 3, LENGTH_SACK_PERMITTED = 2, LENGTH_TIMESTAMPS = 10,
                            LENGTH_SACK_BASE = 2, LENGTH_SACK_BLOCK = 8;
    /** Most SACK blocks an option can carry in a 40-byte option region. */
    public static final int MAX_SACK_BLOCKS = 4;
    /** Largest window shift allowed (RFC 7323 §2.3); larger values are clamped to it. */
    public static final int MAX_WINDOW_SCALE = 14;

    private static final int KIND_AND_LENGTH = 2;

    /** Why {@link #parse} returned false. */
    public enum Problem {
        /** Well formed. */
        NONE,
        /** A multi-byte option with length byte 0 or 1; parsing stopped there. */
        BAD_OPTION_LENGTH,
        /** An option (or its length byte) runs past the option region; parsing stopped there. */
        OPTION_PAST_END,
        /** MSS, window scale, SACK-permitted or timestamps with the wrong length; that option was ignored. */
        BAD_FIXED_LENGTH,
        /** A SACK option whose length is not 2 + 8n with 1 ≤ n ≤ 4; that option was ignored. */
        BAD_SACK_LENGTH
    }

    private final int[] sackLeft = new int[MAX_SACK_BLOCKS];
    private final int[] sackRight = new int[MAX_SACK_BLOCKS];
    private boolean hasMss;
    private int mss;
    private boolean hasWindowScale;
    private int windowScale;
    private boolean windowScaleClamped;
    private boolean sackPermitted;
    private boolean hasTimestamps;
    private int tsVal;
    private int tsEcr;
    private int sackBlockCount;
    private Problem problem = Problem.NONE;

    /** Forgets every option. */
    public void clear() {
        hasMss = false;
        mss = 0;
        hasWindowScale = false;
        windowScale = 0;
        windowScaleClamped = false;
        sackPermitted = false;
        hasTimestamps = false;
        tsVal = 0;
        tsEcr = 0;
        sackBlockCount = 0;
        problem = Problem.NONE;
    }

    /**
     * Clears, then records the options in the {@code length} bytes at absolute index {@code at};
     * an EOL ends the list, NOPs and unknown kinds are skipped. Returns false on malformed input.
     */
    public boolean parse(ByteBuffer buf, int at, int length) {
        clear();
        int i = at;
        int end = at + length;
        while (i < end) {
            int kind = buf.get(i) & 0xFF;
            if (kind == KIND_EOL) {
                break;
            }
            if (kind == KIND_NOP) {
                i++;
                continue;
            }
            if (end - i < KIND_AND_LENGTH) {
                return fail(Problem.OPTION_PAST_END);
            }
            int len = buf.get(i + 1) & 0xFF;
            if (len < KIND_AND_LENGTH) {
                return fail(Problem.BAD_OPTION_LENGTH);
            }
            if (len > end - i) {
                return fail(Problem.OPTION_PAST_END);
            }
            Problem ignored = record(buf, i, kind, len);
            if (ignored != Problem.NONE) {
                fail(ignored);
            }
            i += len;
        }
        return problem == Problem.NONE;
    }

    /** True when an MSS option was present. */
    public boolean hasMss() {
        return hasMss;
    }

    /** Maximum segment size offered, valid when {@link #hasMss()}. */
    public int mss() {
        return mss;
    }

    /** True when a window scale option was present. */
    public boolean hasWindowScale() {
        return hasWindowScale;
    }

    /** Window shift count, at most {@link #MAX_WINDOW_SCALE}; valid when {@link #hasWindowScale()}. */
    public int windowScale() {
        return windowScale;
    }

    /** True when the peer sent a shift above {@link #MAX_WINDOW_SCALE} and it was clamped. */
    public boolean windowScaleClamped() {
        return windowScaleClamped;
    }

    /** True when a SACK-permitted option was present. */
    public boolean sackPermitted() {
        return sackPermitted;
    }

    /** True when a timestamps option was present. */
    public boolean hasTimestamps() {
        return hasTimestamps;
    }

    /** Timestamp value, valid when {@link #hasTimestamps()}; compare with {@link Seq}. */
    public int tsVal() {
        return tsVal;
    }

    /** Timestamp echo reply, valid when {@link #hasTimestamps()}. */
    public int tsEcr() {
        return tsEcr;
    }

    /** Number of SACK blocks recorded, 0..{@link #MAX_SACK_BLOCKS}. */
    public int sackBlockCount() {
        return sackBlockCount;
    }

    /** Left edge of SACK block {@code i}, for {@code i < sackBlockCount()}. */
    public int sackLeft(int i) {
        return sackLeft[i];
    }

    /** Right edge (first sequence number after) of SACK block {@code i}, for {@code i < sackBlockCount()}. */
    public int sackRight(int i) {
        return sackRight[i];
    }

    /** The first problem met by the last {@link #parse}, or {@link Problem#NONE}. */
    public Problem problem() {
        return problem;
    }

    private boolean fail(Problem why) {
        if (problem == Problem.NONE) {
            problem = why;
        }
        return false;
    }

    /** Records one well-framed option of {@code len} bytes at {@code i}; returns why it was ignored, if it was. */
    private Problem record(ByteBuffer buf, int i, int kind, int len) {
        int value = i + KIND_AND_LENGTH;
        switch (kind) {
            case KIND_MSS:
                if (len != LENGTH_MSS) {
                    return Problem.BAD_FIXED_LENGTH;
                }
                hasMss = true;
                mss = buf.getShort(value) & 0xFFFF;
                return Problem.NONE;
            case KIND_WINDOW_SCALE:
                if (len != LENGTH_WINDOW_SCALE) {
                    return Problem.BAD_FIXED_LENGTH;
                }
                int shift = buf.get(value) & 0xFF;
                hasWindowScale = true;
                windowScaleClamped = shift > MAX_WINDOW_SCALE;
                windowScale = Math.min(shift, MAX_WINDOW_SCALE);
                return Problem.NONE;
            case KIND_SACK_PERMITTED:
                if (len != LENGTH_SACK_PERMITTED) {
                    return Problem.BAD_FIXED_LENGTH;
                }
                sackPermitted = true;
                return Problem.NONE;
            case KIND_TIMESTAMPS:
                if (len != LENGTH_TIMESTAMPS) {
                    return Problem.BAD_FIXED_LENGTH;
                }
                hasTimestamps = true;
                tsVal = buf.getInt(value);
                tsEcr = buf.getInt(value + Integer.BYTES);
                return Problem.NONE;
            case KIND_SACK:
                int blocks = (len - LENGTH_SACK_BASE) / LENGTH_SACK_BLOCK;
                if ((len - LENGTH_SACK_BASE) % LENGTH_SACK_BLOCK != 0 || blocks < 1 || blocks > MAX_SACK_BLOCKS) {
                    return Problem.BAD_SACK_LENGTH;
                }
                for (int b = 0; b < blocks; b++) {
                    int edge = value + b * LENGTH_SACK_BLOCK;
                    sackLeft[b] = buf.getInt(edge);
                    sackRight[b] = buf.getInt(edge + Integer.BYTES);
                }
                sackBlockCount = blocks;
                return Problem.NONE;
            default:
                return Problem.NONE;
        }
    }
}
