package io.understudy.stack;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The stack's counters. Written by the stack thread only (a plain read-increment-ordered-write,
 * no atomic read-modify-write), readable from any thread.
 */
public final class Counters {
    private static final Counter[] ALL = Counter.values();
    private final AtomicLongArray values = new AtomicLongArray(ALL.length);

    /** Adds one; stack thread only. */
    public void increment(Counter counter) {
        add(counter, 1);
    }

    /** Adds {@code n}; stack thread only. */
    public void add(Counter counter, long n) {
        int i = counter.ordinal();
        values.lazySet(i, values.get(i) + n);
    }

    /** The current value. */
    public long get(Counter counter) {
        return values.get(counter.ordinal());
    }

    /** Every non-zero counter as {@code name=value}, space-separated, in declaration order. */
    public String summary() {
        StringBuilder out = new StringBuilder();
        for (Counter c : ALL) {
            long v = get(c);
            if (v != 0) {
                out.append(out.isEmpty() ? "" : " ").append(c.metricName()).append('=').append(v);
            }
        }
        return out.toString();
    }
}
