package io.understudy.stack.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.understudy.stack.wire.Seq;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SynCookiesTest {
    static final TcpSecret KEY = new TcpSecret(0x5EED_0000_1111_2222L, 0x3333_4444_5555_6666L);
    static final int LOCAL = 0xC0A8_0001, REMOTE = 0xC0A8_0064, HTTP = 80, EPHEMERAL = 51234;
    static final long S = 1_000_000_000L, PERIOD = SynCookies.PERIOD_NANOS;
    static final long T0 = 1_700_000_000L * S; // wall-clock nanoseconds, the shared clock in production

    final SynCookies cookies = new SynCookies(KEY);

    SynCookies.Decoded check(SynCookies c, long now, int remoteIsn, int cookie) {
        return c.check(now, LOCAL, HTTP, REMOTE, EPHEMERAL, remoteIsn, cookie, false, 0);
    }

    @Test void everyTableMssRoundTrips() {
        for (int mss : new int[] {536, 1300, 1440, 1460}) {
            int cookie = cookies.cookieIsn(T0, LOCAL, HTTP, REMOTE, EPHEMERAL, 1000, mss);
            var d = check(cookies, T0, 1000, cookie);
            assertThat(d.valid()).as("mss %d", mss).isTrue();
            assertThat(d.mss()).isEqualTo(mss);
        }
    }

    @Test void mssBetweenEntriesRoundsDownToTheLargestEntryNotAbove() {
        int[][] cases = {{1299, 536}, {1300, 1300}, {1439, 1300}, {1440, 1440}, {1459, 1440}, {1460, 1460},
                         {8960, 1460}, {65535, 1460}, {537, 536}};
        for (int[] c : cases) {
            int cookie = cookies.cookieIsn(T0, LOCAL, HTTP, REMOTE, EPHEMERAL, 77, c[0]);
            assertThat(check(cookies, T0, 77, cookie).mss()).as("mss %d", c[0]).isEqualTo(c[1]);
            assertThat(SynCookies.encodableMss(c[0])).isEqualTo(c[1]);
        }
    }

    @Test void mssBelowTheSmallestEntryBecomes536AsOnLinux() {
        int cookie = cookies.cookieIsn(T0, LOCAL, HTTP, REMOTE, EPHEMERAL, 77, 100);
        assertThat(check(cookies, T0, 77, cookie).mss()).isEqualTo(536);
    }

    @Test void aCookieLivesAtLeastOnePeriodAndExpiresAfterTwo() {
        var random = new Random(3);
        for (int i = 0; i < 2000; i++) {
            long issued = T0 + (long) (random.nextDouble() * 100 * PERIOD);
            int isn = random.nextInt();
            int cookie = cookies.cookieIsn(issued, LOCAL, HTTP, REMOTE, EPHEMERAL, isn, 1460);
            long youngerThanAPeriod = issued + (long) (random.nextDouble() * PERIOD);
            assertThat(check(cookies, youngerThanAPeriod, isn, cookie).valid()).isTrue();
            assertThat(check(cookies, issued + 2 * PERIOD, isn, cookie).valid()).as("two periods later").isFalse();
            long older = issued + 2 * PERIOD + (long) (random.nextDouble() * 40 * PERIOD);
            assertThat(check(cookies, older, isn, cookie).valid()).as("%d periods later", (older - issued) / PERIOD).isFalse();
        }
    }

    @Test void validityEndsAtTheSecondPeriodBoundary() {
        long periodStart = Math.floorDiv(T0, PERIOD) * PERIOD;
        int cookie = cookies.cookieIsn(periodStart + PERIOD - 1, LOCAL, HTTP, REMOTE, EPHEMERAL, 5, 1460);
        assertThat(check(cookies, periodStart + PERIOD, 5, cookie).valid()).as("next period").isTrue();
        assertThat(check(cookies, periodStart + 2 * PERIOD - 1, 5, cookie).valid()).as("end of next period").isTrue();
        assertThat(check(cookies, periodStart + 2 * PERIOD, 5, cookie).valid()).as("period after").isFalse();
    }

    @Test void aCookieFromTheFutureIsRejected() {
        int cookie = cookies.cookieIsn(T0, LOCAL, HTTP, REMOTE, EPHEMERAL, 5, 1460);
        assertThat(check(cookies, T0 - PERIOD, 5, cookie).valid()).isFalse();
    }

    @Test void aCookieExactlyThirtyTwoPeriodsOldDoesNotAliasToACurrentOne() {
        int rejected = 0;
        for (int isn = 0; isn < 1000; isn++) {
            int cookie = cookies.cookieIsn(T0, LOCAL, HTTP, REMOTE, EPHEMERAL, isn, 1460);
            rejected += check(cookies, T0 + 32 * PERIOD, isn, cookie).valid() ? 0 : 1;
        }
        assertThat(rejected).isEqualTo(1000);
    }

    @Test void theCounterWrapsFrom31To0() {
        long period31 = Math.floorDiv(T0, 32 * PERIOD) * 32 * PERIOD + 31 * PERIOD;
        int cookie = cookies.cookieIsn(period31 + 5 * S, LOCAL, HTTP, REMOTE, EPHEMERAL, 9, 1440);
        var d = check(cookies, period31 + PERIOD + 5 * S, 9, cookie);
        assertThat(d.valid()).isTrue();
        assertThat(d.mss()).isEqualTo(1440);
    }

    @Test void worksWithANegativeClock() {
        int cookie = cookies.cookieIsn(-5 * S, LOCAL, HTTP, REMOTE, EPHEMERAL, 9, 1300);
        assertThat(check(cookies, 30 * S, 9, cookie).valid()).isTrue();
        assertThat(check(cookies, 3 * PERIOD, 9, cookie).valid()).isFalse();
    }

    @Test void aCookieForAnotherConnectionIsRejected() {
        int isn = 0x1234_5678;
        int cookie = cookies.cookieIsn(T0, LOCAL, HTTP, REMOTE, EPHEMERAL, isn, 1460);
        assertThat(cookies.check(T0, LOCAL + 1, HTTP, REMOTE, EPHEMERAL, isn, cookie, false, 0).valid()).isFalse();
        assertThat(cookies.check(T0, LOCAL, HTTP + 1, REMOTE, EPHEMERAL, isn, cookie, false, 0).valid()).isFalse();
        assertThat(cookies.check(T0, LOCAL, HTTP, REMOTE + 1, EPHEMERAL, isn, cookie, false, 0).valid()).isFalse();
        assertThat(cookies.check(T0, LOCAL, HTTP, REMOTE, EPHEMERAL + 1, isn, cookie, false, 0).valid()).isFalse();
        assertThat(cookies.check(T0, LOCAL, HTTP, REMOTE, EPHEMERAL, isn + 1, cookie, false, 0).valid())
                .as("ACK whose SEG.SEQ is not the SYN's ISN + 1").isFalse();
        assertThat(cookies.check(T0, LOCAL, HTTP, REMOTE, EPHEMERAL, isn, cookie, false, 0).valid()).isTrue();
    }

    @Test void everySingleBitFlipIsRejected() {
        var random = new Random(42);
        int flips = 0;
        for (int i = 0; i < 5000; i++) {
            int rip = random.nextInt(), rport = random.nextInt(65536), isn = random.nextInt();
            long now = T0 + random.nextLong(1000 * PERIOD);
            int mss = new int[] {536, 1300, 1440, 1460}[random.nextInt(4)];
            int cookie = cookies.cookieIsn(now, LOCAL, HTTP, rip, rport, isn, mss);
            assertThat(cookies.check(now, LOCAL, HTTP, rip, rport, isn, cookie, false, 0).valid()).isTrue();
            int bit = 1 << random.nextInt(32);
            assertThat(cookies.check(now, LOCAL, HTTP, rip, rport, isn, cookie ^ bit, false, 0).valid())
                    .as("cookie %08x with bit %08x flipped", cookie, bit).isFalse();
            assertThat(cookies.check(now, LOCAL, HTTP, rip, rport, isn ^ bit, cookie, false, 0).valid())
                    .as("peer ISN with bit %08x flipped", bit).isFalse();
            flips += 2;
        }
        for (int bit = 0; bit < 32; bit++) {
            int cookie = cookies.cookieIsn(T0, LOCAL, HTTP, REMOTE, EPHEMERAL, 1, 1460);
            assertThat(check(cookies, T0, 1, cookie ^ 1 << bit).valid()).as("bit %d", bit).isFalse();
            flips++;
        }
        assertThat(flips).isEqualTo(10_032);
    }

    @Test void randomGuessesAreRejected() {
        var random = new Random(11);
        int accepted = 0;
        for (int i = 0; i < 100_000; i++) {
            accepted += check(cookies, T0, random.nextInt(), random.nextInt()).valid() ? 1 : 0;
        }
        assertThat(accepted).as("expected about 100000 * 2^-25 * 2 periods ≈ 0.006").isZero();
    }

    @Test void theCookieHidesCounterAndMss() {
        // Same time, same MSS, consecutive tuples: the top 7 bits must not be constant.
        int distinctTops = 0;
        int firstTop = cookies.cookieIsn(T0, LOCAL, HTTP, REMOTE, 1, 0, 1460) >>> 25;
        for (int port = 2; port < 200; port++) {
            if (cookies.cookieIsn(T0, LOCAL, HTTP, REMOTE, port, 0, 1460) >>> 25 != firstTop) {
                distinctTops++;
            }
        }
        assertThat(distinctTops).isGreaterThan(190);
    }

    @Test void worksAcrossTheSequenceWrap() {
        // The peer's ISN is 2^32 - 1, so its final ACK has SEG.SEQ = 0 and SEG.SEQ - 1 wraps.
        int remoteIsn = 0xFFFF_FFFF;
        int segSeq = remoteIsn + 1;
        assertThat(segSeq).isZero();
        var random = new Random(5);
        int highCookies = 0;
        for (int i = 0; i < 2000; i++) {
            int rport = random.nextInt(65536);
            int cookie = cookies.cookieIsn(T0, LOCAL, HTTP, REMOTE, rport, remoteIsn, 1440);
            int segAck = cookie + 1;
            highCookies += Seq.lt(segAck, cookie) || cookie < 0 ? 1 : 0;
            var d = cookies.check(T0, LOCAL, HTTP, REMOTE, rport, segSeq - 1, segAck - 1, false, 0);
            assertThat(d.valid()).isTrue();
            assertThat(d.mss()).isEqualTo(1440);
        }
        assertThat(highCookies).as("cookies above 2^31 occur and validate").isGreaterThan(800);
    }

    @Test void windowScaleAndSackRoundTripThroughTheTimestampEcho() {
        var random = new Random(9);
        for (int shift = -1; shift <= 14; shift++) {
            for (boolean sack : new boolean[] {false, true}) {
                int tsNow = random.nextInt();
                int tsVal = SynCookies.encodeTimestamp(tsNow, shift, sack);
                assertThat(Seq.leq(tsVal, tsNow)).as("never later than the clock").isTrue();
                assertThat(tsNow - tsVal).isBetween(0, 63);
                int cookie = cookies.cookieIsn(T0, LOCAL, HTTP, REMOTE, EPHEMERAL, 100, 1460);
                var d = cookies.check(T0 + S, LOCAL, HTTP, REMOTE, EPHEMERAL, 100, cookie, true, tsVal);
                assertThat(d.valid()).isTrue();
                assertThat(d.mss()).isEqualTo(1460);
                assertThat(d.windowScale()).isEqualTo(shift);
                assertThat(d.sackPermitted()).isEqualTo(sack);
            }
        }
    }

    @Test void timestampEncodingStaysBehindTheClockAcrossItsWrap() {
        int tsVal = SynCookies.encodeTimestamp(0x0000_0003, 7, true);
        assertThat(tsVal & 0x3F).isEqualTo(7 | SynCookies.TS_SACK_PERMITTED);
        assertThat(Seq.lt(tsVal, 3)).isTrue();
        assertThat(tsVal).isEqualTo(0xFFFF_FFD7);
        assertThat(SynCookies.encodeTimestamp(0x1000_003F, 14, false)).isEqualTo(0x1000_000E);
    }

    @Test void withoutTimestampsTheOptionsAreLost() {
        int cookie = cookies.cookieIsn(T0, LOCAL, HTTP, REMOTE, EPHEMERAL, 100, 1460);
        var d = cookies.check(T0, LOCAL, HTTP, REMOTE, EPHEMERAL, 100, cookie, false, 0x1F);
        assertThat(d.valid()).isTrue();
        assertThat(d.windowScale()).isEqualTo(-1);
        assertThat(d.sackPermitted()).isFalse();
    }

    @Test void anInvalidResultCarriesNoOptions() {
        int cookie = cookies.cookieIsn(T0, LOCAL, HTTP, REMOTE, EPHEMERAL, 100, 1460);
        var d = cookies.check(T0, LOCAL, HTTP, REMOTE, EPHEMERAL, 100, cookie + 1, true, 0x15);
        assertThat(d.valid()).isFalse();
        assertThat(d.mss()).isZero();
        assertThat(d.windowScale()).isEqualTo(-1);
        assertThat(d.sackPermitted()).isFalse();
    }

    @Test void rejectsImpossibleWindowScales() {
        assertThatThrownBy(() -> SynCookies.encodeTimestamp(0, 15, false)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SynCookies.encodeTimestamp(0, -2, false)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test void aStandbyWithTheSameKeyValidatesThePrimarysCookies() {
        var primary = new SynCookies(KEY);
        var standby = new SynCookies(TcpSecret.fromBytes(KEY.toBytes()));
        var stranger = new SynCookies(new TcpSecret(KEY.k0() + 1, KEY.k1()));
        var random = new Random(21);
        for (int i = 0; i < 1000; i++) {
            int rip = random.nextInt(), rport = random.nextInt(65536), isn = random.nextInt();
            int cookie = primary.cookieIsn(T0, LOCAL, HTTP, rip, rport, isn, 1300);
            int tsVal = SynCookies.encodeTimestamp(random.nextInt(), 8, true);
            long takeover = T0 + 30 * S;
            var d = standby.check(takeover, LOCAL, HTTP, rip, rport, isn, cookie, true, tsVal);
            assertThat(d.valid()).isTrue();
            assertThat(d.mss()).isEqualTo(1300);
            assertThat(d.windowScale()).isEqualTo(8);
            assertThat(d.sackPermitted()).isTrue();
            assertThat(stranger.check(takeover, LOCAL, HTTP, rip, rport, isn, cookie, true, tsVal).valid()).isFalse();
        }
    }

    @Test void issuingAndCheckingDoNotAllocate() {
        long[] sink = new long[1];
        long allocated = Allocations.steadyState(() -> {
            for (int i = 0; i < 100_000; i++) {
                int cookie = cookies.cookieIsn(T0 + i, LOCAL, HTTP, REMOTE, i & 0xFFFF, i, 1460);
                var d = cookies.check(T0 + i, LOCAL, HTTP, REMOTE, i & 0xFFFF, i, cookie, true, i);
                sink[0] += d.mss() + SynCookies.encodeTimestamp(i, 3, true);
            }
        });
        assertThat(allocated).as("bytes allocated by 100k cookies").isLessThan(1024);
        assertThat(sink[0]).isNotZero();
    }
}
