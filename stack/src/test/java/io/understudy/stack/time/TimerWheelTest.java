package io.understudy.stack.time;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TimerWheelTest {
    private static final long MS = 1_000_000L;
    private final List<String> fired = new ArrayList<>();

    private final class Named extends TimerWheel.Timer {
        final String name;
        long firedAt = -1;

        Named(String name) {
            this.name = name;
        }

        @Override
        protected void onExpiry(long now) {
            firedAt = now;
            fired.add(name);
        }
    }

    @Test
    void firesAtTheDeadlineAndNeverBefore() {
        var wheel = new TimerWheel(MS, 64, 0);
        var a = new Named("a");
        wheel.schedule(a, 10 * MS + 5);
        assertThat(wheel.advance(10 * MS + 4)).isZero();
        assertThat(a.isScheduled()).isTrue();
        assertThat(wheel.advance(10 * MS + 5)).isEqualTo(1);
        assertThat(a.isScheduled()).isFalse();
        assertThat(wheel.size()).isZero();
    }

    @Test
    void deadlinesBeyondOneTurnWaitForTheirRound() {
        var wheel = new TimerWheel(MS, 8, 0);
        var far = new Named("far");
        wheel.schedule(far, 20 * MS);
        for (long t = 0; t < 20 * MS; t += MS) {
            wheel.advance(t);
        }
        assertThat(fired).isEmpty();
        wheel.advance(20 * MS);
        assertThat(fired).containsExactly("far");
    }

    @Test
    void aLongJumpFiresEverythingDue() {
        var wheel = new TimerWheel(MS, 8, 0);
        var a = new Named("a");
        var b = new Named("b");
        var c = new Named("c");
        wheel.schedule(a, 3 * MS);
        wheel.schedule(b, 300 * MS);
        wheel.schedule(c, 900 * MS);
        wheel.advance(500 * MS);
        assertThat(fired).containsExactlyInAnyOrder("a", "b");
        assertThat(c.isScheduled()).isTrue();
    }

    @Test
    void rescheduleMovesAndCancelRemoves() {
        var wheel = new TimerWheel(MS, 64, 0);
        var a = new Named("a");
        var b = new Named("b");
        wheel.schedule(a, 5 * MS);
        wheel.schedule(a, 50 * MS);
        wheel.schedule(b, 5 * MS);
        wheel.cancel(b);
        wheel.cancel(b);
        wheel.advance(10 * MS);
        assertThat(fired).isEmpty();
        assertThat(wheel.size()).isEqualTo(1);
        wheel.advance(50 * MS);
        assertThat(fired).containsExactly("a");
    }

    @Test
    void aPastDeadlineFiresOnTheNextAdvance() {
        var wheel = new TimerWheel(MS, 64, 100 * MS);
        var a = new Named("a");
        wheel.schedule(a, 1 * MS);
        wheel.advance(100 * MS);
        assertThat(fired).containsExactly("a");
    }

    @Test
    void callbacksMayRearmThemselvesAndCancelOthersThatAreDue() {
        var wheel = new TimerWheel(MS, 64, 0);
        var victim = new Named("victim");
        var periodic = new TimerWheel.Timer() {
            int count;

            @Override
            protected void onExpiry(long now) {
                count++;
                wheel.cancel(victim);
                wheel.schedule(this, now + 10 * MS);
            }
        };
        wheel.schedule(periodic, 10 * MS);
        wheel.schedule(victim, 10 * MS);
        for (long t = 0; t <= 100 * MS; t += MS) {
            wheel.advance(t);
        }
        assertThat(periodic.count).isEqualTo(10);
        // The periodic timer may fire first (cancelling the victim) or second; either way each fires at most once.
        assertThat(fired.size()).isLessThanOrEqualTo(1);
        assertThat(wheel.size()).isEqualTo(1);
    }

    @Test
    void negativeClockOriginsWork() {
        var wheel = new TimerWheel(MS, 16, -1_000 * MS);
        var a = new Named("a");
        wheel.schedule(a, -995 * MS);
        wheel.advance(-996 * MS);
        assertThat(fired).isEmpty();
        wheel.advance(-995 * MS);
        assertThat(fired).containsExactly("a");
    }

    @Test
    void randomScheduleFiresEachTimerExactlyOnceNoEarlierThanItsDeadline() {
        var random = new Random(42);
        var wheel = new TimerWheel(MS, 32, 0);
        var timers = new ArrayList<Named>();
        for (int i = 0; i < 2_000; i++) {
            var t = new Named("t" + i);
            timers.add(t);
            wheel.schedule(t, random.nextInt(500) * MS + random.nextInt((int) MS));
        }
        long now = 0;
        while (now < 600 * MS) {
            now += random.nextInt(3 * (int) MS);
            wheel.advance(now);
            for (var t : timers) {
                if (!t.isScheduled() && t.firedAt < 0) {
                    throw new AssertionError(t.name + " vanished without firing");
                }
            }
        }
        assertThat(fired).hasSize(2_000).doesNotHaveDuplicates();
        for (var t : timers) {
            assertThat(t.firedAt - t.deadline()).isGreaterThanOrEqualTo(0);
        }
    }
}
