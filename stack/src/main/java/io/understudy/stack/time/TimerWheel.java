package io.understudy.stack.time;

/**
 * A hashed timing wheel of intrusive timers, owned by the stack thread.
 *
 * <p>Each protocol object (the ARP cache, the reassembler, each TCB) embeds its own
 * {@link Timer} and re-arms it to its next deadline, so scheduling allocates nothing. Time is
 * an argument, in nanoseconds; deadlines are compared by difference ({@code deadline - now}),
 * never by magnitude. A timer fires at the first {@link #advance} whose {@code now} has reached
 * its deadline: the resolution is the tick, and nothing fires early.
 */
public final class TimerWheel {
    /** A schedulable deadline; subclasses say what happens when it expires. */
    public abstract static class Timer {
        private static final int UNSCHEDULED = -1;

        private long deadline;
        private int slot = UNSCHEDULED;
        private Timer prev, next;

        /** The timer's deadline has passed; it is no longer scheduled and may re-arm itself. */
        protected abstract void onExpiry(long now);

        /** True while the timer waits in a wheel. */
        public final boolean isScheduled() {
            return slot != UNSCHEDULED;
        }

        /** The deadline it was last scheduled for. */
        public final long deadline() {
            return deadline;
        }
    }

    private final long tickNanos;
    private final int mask;
    /** Slot lists; the extra last list holds timers found due and about to fire. */
    private final Timer[] heads;
    private final int dueList;
    private long currentTick;
    private int scheduled;

    /**
     * @param tickNanos resolution of the wheel
     * @param slots number of slots, a power of two; one turn of the wheel spans {@code slots * tickNanos}
     * @param now the current time
     */
    public TimerWheel(long tickNanos, int slots, long now) {
        if (tickNanos <= 0 || Integer.bitCount(slots) != 1) {
            throw new IllegalArgumentException("tick must be positive and slots a power of two");
        }
        this.tickNanos = tickNanos;
        this.mask = slots - 1;
        this.heads = new Timer[slots + 1];
        this.dueList = slots;
        this.currentTick = Math.floorDiv(now, tickNanos);
    }

    /** Schedules {@code timer} for {@code deadline}, moving it if it was already scheduled. */
    public void schedule(Timer timer, long deadline) {
        cancel(timer);
        timer.deadline = deadline;
        long tick = Math.max(Math.floorDiv(deadline, tickNanos), currentTick);
        link(timer, (int) (tick & mask));
        scheduled++;
    }

    /** Unschedules {@code timer}; harmless if it is not scheduled. */
    public void cancel(Timer timer) {
        if (timer.slot == Timer.UNSCHEDULED) {
            return;
        }
        if (timer.prev != null) {
            timer.prev.next = timer.next;
        } else {
            heads[timer.slot] = timer.next;
        }
        if (timer.next != null) {
            timer.next.prev = timer.prev;
        }
        timer.prev = timer.next = null;
        timer.slot = Timer.UNSCHEDULED;
        scheduled--;
    }

    /** Number of timers scheduled. */
    public int size() {
        return scheduled;
    }

    /**
     * Fires, in no particular order, every timer whose deadline is at or before {@code now}.
     * A timer may re-arm or cancel any timer from its callback.
     *
     * @return how many timers fired
     */
    public int advance(long now) {
        long nowTick = Math.floorDiv(now, tickNanos);
        if (nowTick - currentTick < 0) {
            return 0;
        }
        // Visit each slot between the last tick and now once; a jump longer than a turn visits all.
        long ticks = Math.min(nowTick - currentTick, mask);
        for (long t = nowTick - ticks; t - nowTick <= 0; t++) {
            collectDue((int) (t & mask), now);
        }
        currentTick = nowTick;
        int fired = 0;
        Timer timer;
        while ((timer = heads[dueList]) != null) {
            cancel(timer);
            timer.onExpiry(now);
            fired++;
        }
        return fired;
    }

    private void collectDue(int slot, long now) {
        Timer timer = heads[slot];
        while (timer != null) {
            Timer next = timer.next;
            if (timer.deadline - now <= 0) {
                cancel(timer);
                link(timer, dueList);
                scheduled++;
            }
            timer = next;
        }
    }

    private void link(Timer timer, int slot) {
        timer.slot = slot;
        timer.prev = null;
        timer.next = heads[slot];
        if (timer.next != null) {
            timer.next.prev = timer;
        }
        heads[slot] = timer;
    }
}
