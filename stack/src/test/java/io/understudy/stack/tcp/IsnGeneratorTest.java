package io.understudy.stack.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class IsnGeneratorTest {
    static final TcpSecret KEY = new TcpSecret(0x0123_4567_89AB_CDEFL, 0x0FED_CBA9_8765_4321L);
    static final int LOCAL = 0x0A00_0001, REMOTE = 0x0A00_0002;
    static final long US = 1_000L, S = 1_000_000_000L;

    @Test void advancesOnePerFourMicrosecondsForOneTuple() {
        var isns = new IsnGenerator(KEY);
        long now = 123_456_788_000L; // a multiple of 4 µs
        int base = isns.isn(now, LOCAL, 80, REMOTE, 40000);
        assertThat(isns.isn(now + 3 * US, LOCAL, 80, REMOTE, 40000)).isEqualTo(base);
        assertThat(isns.isn(now + 4 * US, LOCAL, 80, REMOTE, 40000)).isEqualTo(base + 1);
        assertThat(isns.isn(now + 1 * S, LOCAL, 80, REMOTE, 40000)).isEqualTo(base + 250_000);
    }

    @Test void acceptsAnyClockOriginIncludingNegative() {
        var isns = new IsnGenerator(KEY);
        assertThat(isns.isn(0, LOCAL, 80, REMOTE, 1) - isns.isn(-4 * US, LOCAL, 80, REMOTE, 1)).isEqualTo(1);
        assertThat(isns.isn(-1, LOCAL, 80, REMOTE, 1) - isns.isn(-4 * US, LOCAL, 80, REMOTE, 1)).isEqualTo(0);
    }

    @Test void wrapsModulo2To32() {
        var isns = new IsnGenerator(KEY);
        long period = (1L << 32) * IsnGenerator.M_TICK_NANOS;
        assertThat(isns.isn(period + 7 * S, LOCAL, 80, REMOTE, 1)).isEqualTo(isns.isn(7 * S, LOCAL, 80, REMOTE, 1));
    }

    @Test void aStandbyWithTheSameKeyChoosesTheSameIsns() {
        var primary = new IsnGenerator(KEY);
        var standby = new IsnGenerator(new TcpSecret(KEY.k0(), KEY.k1()));
        var other = new IsnGenerator(new TcpSecret(KEY.k0(), KEY.k1() ^ 1));
        var random = new Random(1);
        int differ = 0;
        for (int i = 0; i < 1000; i++) {
            long now = random.nextLong();
            int rip = random.nextInt(), rport = random.nextInt(65536);
            assertThat(standby.isn(now, LOCAL, 443, rip, rport)).isEqualTo(primary.isn(now, LOCAL, 443, rip, rport));
            assertThat(standby.timestampOffset(LOCAL, 443, rip, rport)).isEqualTo(primary.timestampOffset(LOCAL, 443, rip, rport));
            if (other.isn(now, LOCAL, 443, rip, rport) != primary.isn(now, LOCAL, 443, rip, rport)) {
                differ++;
            }
        }
        assertThat(differ).as("another key gives unrelated ISNs").isGreaterThan(995);
    }

    @Test void everyTupleFieldChangesTheIsn() {
        var isns = new IsnGenerator(KEY);
        int base = isns.isn(0, LOCAL, 80, REMOTE, 40000);
        assertThat(isns.isn(0, LOCAL + 1, 80, REMOTE, 40000)).isNotEqualTo(base);
        assertThat(isns.isn(0, LOCAL, 81, REMOTE, 40000)).isNotEqualTo(base);
        assertThat(isns.isn(0, LOCAL, 80, REMOTE + 1, 40000)).isNotEqualTo(base);
        assertThat(isns.isn(0, LOCAL, 80, REMOTE, 40001)).isNotEqualTo(base);
        assertThat(isns.isn(0, REMOTE, 40000, LOCAL, 80)).as("direction matters").isNotEqualTo(base);
    }

    @Test void neighbouringTuplesGetUnrelatedIsns() {
        var isns = new IsnGenerator(KEY);
        Set<Integer> seen = new HashSet<>();
        int highBitSet = 0;
        for (int port = 1024; port < 1024 + 10_000; port++) {
            int isn = isns.isn(0, LOCAL, 80, REMOTE, port);
            seen.add(isn);
            highBitSet += isn >>> 31;
        }
        assertThat(seen).as("no collisions expected among 10k 32-bit values, barely any allowed").hasSizeGreaterThan(9_990);
        assertThat(highBitSet).as("top bit balanced").isBetween(4_700, 5_300);
    }

    @Test void timestampOffsetsDependOnTheTupleOnlyAndDifferFromIsns() {
        var isns = new IsnGenerator(KEY);
        int off = isns.timestampOffset(LOCAL, 80, REMOTE, 40000);
        assertThat(isns.timestampOffset(LOCAL, 80, REMOTE, 40000)).isEqualTo(off);
        assertThat(isns.timestampOffset(LOCAL, 80, REMOTE, 40001)).isNotEqualTo(off);
        assertThat(isns.timestampOffset(LOCAL, 80, REMOTE + 1, 40000)).isNotEqualTo(off);
        int sameAsIsnHash = 0;
        Set<Integer> seen = new HashSet<>();
        for (int port = 1; port <= 1000; port++) {
            int o = isns.timestampOffset(LOCAL, 80, REMOTE, port);
            seen.add(o);
            // isn at now = 0 is F(tuple) alone: the offset must be an independent function.
            if (o == isns.isn(0, LOCAL, 80, REMOTE, port)) {
                sameAsIsnHash++;
            }
        }
        assertThat(seen).hasSizeGreaterThan(995);
        assertThat(sameAsIsnHash).isZero();
    }
}
