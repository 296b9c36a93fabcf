package io.understudy.replication;

/**
 * Estimates the primary's clock minus ours from the times the primary writes into its frames:
 * each sample {@code primaryNanos - receivedAtNanos} falls short of the true offset by the frame's
 * transit time, so the largest sample of a recent window is the best estimate (short of it by the
 * quickest transit, microseconds on one host). Thread-safe.
 */
final class ClockOffset {
    private static final int WINDOW = 64;
    private final long[] samples = new long[WINDOW];
    private int count;
    private volatile long estimate;

    /** Adds one sample and returns the new estimate. */
    synchronized long sample(long primaryNanos, long localNanos) {
        samples[count++ % WINDOW] = primaryNanos - localNanos;
        long best = Long.MIN_VALUE;
        for (int i = 0, n = Math.min(count, WINDOW); i < n; i++) best = Math.max(best, samples[i]);
        estimate = best;
        return best;
    }

    long estimate() {
        return estimate;
    }
}
