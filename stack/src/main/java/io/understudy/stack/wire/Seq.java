package io.understudy.stack.wire;

/**
 * Sequence-number arithmetic modulo 2^32 (RFC 9293 §3.4): {@code a} precedes {@code b} when
 * {@code b - a}, as a signed 32-bit value, is positive. Valid for values less than 2^31 apart.
 */
public final class Seq {
    private Seq() {}

    /** True when {@code a} comes before {@code b}. */
    public static boolean lt(int a, int b) {
        return a - b < 0;
    }

    /** True when {@code a} comes before or equals {@code b}. */
    public static boolean leq(int a, int b) {
        return a - b <= 0;
    }

    /** True when {@code a} comes after {@code b}. */
    public static boolean gt(int a, int b) {
        return a - b > 0;
    }

    /** True when {@code a} comes after or equals {@code b}. */
    public static boolean geq(int a, int b) {
        return a - b >= 0;
    }

    /** True when {@code start ≤ v < start + size}, with {@code size} taken as unsigned. */
    public static boolean inWindow(int v, int start, int size) {
        return Integer.compareUnsigned(v - start, size) < 0;
    }

    /** The later of {@code a} and {@code b}. */
    public static int max(int a, int b) {
        return gt(a, b) ? a : b;
    }

    /** The earlier of {@code a} and {@code b}. */
    public static int min(int a, int b) {
        return lt(a, b) ? a : b;
    }
}
