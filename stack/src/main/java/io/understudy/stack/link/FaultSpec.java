package io.understudy.stack.link;

import java.math.BigDecimal;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which faults {@link FaultInjector} puts into the frames crossing the link, written as
 * {@code drop=1%,dup=0.5%,reorder=2%,corrupt=0.1%,depth=3,delay=5ms,direction=both,seed=42}: every
 * part optional, in any order. Rates are in thousandths of a percent ({@link #ALWAYS} is 100%).
 *
 * @param drop chance that a frame is lost
 * @param dup chance that a frame is delivered twice
 * @param reorder chance that a frame is held back until {@code reorderDepth} more frames have come in its
 *     direction (dropped ones included) or {@code delayNanos} have gone by, whichever comes first
 * @param corrupt chance that one bit past the Ethernet header is flipped
 * @param reorderDepth how many later frames overtake a held frame (at least 1; default 3)
 * @param delayNanos the longest a held frame waits (default 2 ms)
 * @param direction which way the faults apply (default both)
 * @param seed seeds the random choices: the same seed and the same traffic give the same faults
 */
public record FaultSpec(int drop, int dup, int reorder, int corrupt, int reorderDepth, long delayNanos,
        Direction direction, long seed) {
    /** A rate of 100%. */
    public static final int ALWAYS = 100_000;
    /** No faults, default settings. */
    public static final FaultSpec NONE = new FaultSpec(0, 0, 0, 0, 3, 2_000_000L, Direction.BOTH, 0);

    private static final Pattern PERCENT = Pattern.compile("(\\d+(?:\\.\\d+)?)%");
    private static final Pattern DURATION = Pattern.compile("(\\d{1,12})(ns|us|ms)");
    private static final Pattern COUNT = Pattern.compile("\\d{1,9}");
    private static final BigDecimal HUNDRED = BigDecimal.valueOf(100);
    private static final int RATE_DECIMALS = 3;
    private static final long NANOS_PER_US = 1_000, NANOS_PER_MS = 1_000_000;

    /** Which frames the faults apply to. */
    public enum Direction {
        /** Frames the stack receives. */
        IN,
        /** Frames the stack sends. */
        OUT,
        /** Both. */
        BOTH;

        /** True when received frames are affected. */
        public boolean inbound() {
            return this != OUT;
        }

        /** True when sent frames are affected. */
        public boolean outbound() {
            return this != IN;
        }
    }

    public FaultSpec {
        for (int rate : new int[] {drop, dup, reorder, corrupt}) {
            if (rate < 0 || rate > ALWAYS) {
                throw new IllegalArgumentException("fault spec: a rate must be 0-" + ALWAYS + " thousandths of a percent, got " + rate);
            }
        }
        if (reorderDepth < 1) {
            throw new IllegalArgumentException("fault spec: the reorder depth must be at least 1, got " + reorderDepth);
        }
        if (delayNanos < 0) {
            throw new IllegalArgumentException("fault spec: the delay must not be negative, got " + delayNanos);
        }
        if (direction == null) {
            throw new IllegalArgumentException("fault spec: no direction");
        }
    }

    /** Parses a spec; throws IllegalArgumentException with one line naming the bad part. */
    public static FaultSpec parse(String text) {
        int drop = 0, dup = 0, reorder = 0, corrupt = 0, depth = NONE.reorderDepth;
        long delay = NONE.delayNanos, seed = NONE.seed;
        Direction direction = NONE.direction;
        Set<String> given = new HashSet<>();
        for (String part : text.split(",", -1)) {
            part = part.strip();
            int eq = part.indexOf('=');
            if (eq < 0) {
                throw bad(part, "expected key=value");
            }
            String key = part.substring(0, eq);
            String value = part.substring(eq + 1);
            switch (key) {
                case "drop" -> drop = percent(part, value);
                case "dup" -> dup = percent(part, value);
                case "reorder" -> reorder = percent(part, value);
                case "corrupt" -> corrupt = percent(part, value);
                case "depth" -> depth = depth(part, value);
                case "delay" -> delay = duration(part, value);
                case "direction" -> direction = direction(part, value);
                case "seed" -> seed = seed(part, value);
                default -> throw bad(part, "unknown fault (drop, dup, reorder, corrupt, depth, delay, direction, seed)");
            }
            if (!given.add(key)) {
                throw bad(part, key + " given twice");
            }
        }
        return new FaultSpec(drop, dup, reorder, corrupt, depth, delay, direction, seed);
    }

    /** True when no fault can fire: every rate is zero. */
    public boolean isNone() {
        return drop == 0 && dup == 0 && reorder == 0 && corrupt == 0;
    }

    /** Every setting, in the form {@link #parse} reads. */
    @Override
    public String toString() {
        return "drop=" + percent(drop) + ",dup=" + percent(dup) + ",reorder=" + percent(reorder)
                + ",corrupt=" + percent(corrupt) + ",depth=" + reorderDepth + ",delay=" + duration(delayNanos)
                + ",direction=" + direction.name().toLowerCase(Locale.ROOT) + ",seed=" + seed;
    }

    private static int percent(String part, String value) {
        Matcher m = PERCENT.matcher(value);
        if (!m.matches()) {
            throw bad(part, "not a percentage");
        }
        BigDecimal percent = new BigDecimal(m.group(1));
        if (percent.scale() > RATE_DECIMALS) {
            throw bad(part, "more than " + RATE_DECIMALS + " decimals");
        }
        if (percent.compareTo(HUNDRED) > 0) {
            throw bad(part, "more than 100%");
        }
        return percent.movePointRight(RATE_DECIMALS).intValueExact();
    }

    private static int depth(String part, String value) {
        if (!COUNT.matcher(value).matches() || Integer.parseInt(value) == 0) {
            throw bad(part, "not a positive whole number");
        }
        return Integer.parseInt(value);
    }

    private static long duration(String part, String value) {
        Matcher m = DURATION.matcher(value);
        if (!m.matches()) {
            throw bad(part, "not a duration (e.g. 5ms, 500us, 100ns)");
        }
        long unit = switch (m.group(2)) {
            case "ms" -> NANOS_PER_MS;
            case "us" -> NANOS_PER_US;
            default -> 1;
        };
        return Long.parseLong(m.group(1)) * unit;
    }

    private static Direction direction(String part, String value) {
        return switch (value) {
            case "in" -> Direction.IN;
            case "out" -> Direction.OUT;
            case "both" -> Direction.BOTH;
            default -> throw bad(part, "not in, out or both");
        };
    }

    private static long seed(String part, String value) {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw bad(part, "not a whole number");
        }
    }

    private static String percent(int rate) {
        return BigDecimal.valueOf(rate, RATE_DECIMALS).stripTrailingZeros().toPlainString() + "%";
    }

    private static String duration(long nanos) {
        if (nanos % NANOS_PER_MS == 0) {
            return nanos / NANOS_PER_MS + "ms";
        }
        return nanos % NANOS_PER_US == 0 ? nanos / NANOS_PER_US + "us" : nanos + "ns";
    }

    private static IllegalArgumentException bad(String part, String why) {
        return new IllegalArgumentException("fault spec: '" + part + "': " + why);
    }
}
