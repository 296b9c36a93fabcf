package io.understudy.stack.tcp;

import java.lang.management.ManagementFactory;

/** Measures what the current thread allocates, robust to one-off JIT and bookkeeping noise. */
public final class Allocations {
    private Allocations() {}

    /**
     * Bytes allocated by {@code work}: the least over several runs after two warm-up runs. A real
     * per-operation allocation shows in every run; a one-off (a compilation, a deoptimization)
     * does not.
     */
    public static long steadyState(Runnable work) {
        var bean = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().getId();
        long least = Long.MAX_VALUE;
        for (int run = 0; run < 7; run++) {
            long before = bean.getThreadAllocatedBytes(tid);
            work.run();
            long allocated = bean.getThreadAllocatedBytes(tid) - before;
            if (run >= 2) {
                least = Math.min(least, allocated);
            }
        }
        return least;
    }
}
