package io.understudy.httpd;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Optional;

/**
 * HTTP-date (RFC 9110 §5.6.7): formats the preferred IMF-fixdate and parses all three forms a
 * recipient must accept.
 *
 * <pre>
 *   IMF-fixdate   Sun, 06 Nov 1994 08:49:37 GMT
 *   rfc850-date   Sunday, 06-Nov-94 08:49:37 GMT
 *   asctime-date  Sun Nov  6 08:49:37 1994
 * </pre>
 *
 * <p>Parsing is strict about the layout (fixed field widths, single spaces, {@code GMT} in the
 * two forms that carry it, case-sensitive names as in the grammar) and about the calendar (no
 * 30 February, hours 0–23, minutes 0–59, seconds 0–60 where 60 is a leap second and is read
 * as the first second of the next minute). The day-name must be one of the seven, but is not
 * checked against the date: servers do not check it either, and a mismatch says nothing about
 * which part is wrong. Surrounding optional whitespace (SP, HTAB) is ignored. Anything else is
 * "not a valid HTTP-date", which callers treat as an absent field (RFC 9110 §13.1.3, §13.1.4).
 */
public final class HttpDate {
    private HttpDate() {}

    private static final String[] DAYS = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
    private static final String[] LONG_DAYS = {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"};
    private static final String[] MONTHS = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

    /** The IMF-fixdate of {@code t}, truncated to the second: {@code Sun, 06 Nov 1994 08:49:37 GMT}. */
    public static String format(Instant t) {
        ZonedDateTime z = t.atZone(ZoneOffset.UTC);
        int year = z.getYear();
        if (year < 0 || year > 9999) {
            throw new IllegalArgumentException("year outside 0000-9999 has no IMF-fixdate: " + t);
        }
        StringBuilder b = new StringBuilder(29);
        b.append(DAYS[z.getDayOfWeek().getValue() - 1]).append(", ");
        two(b, z.getDayOfMonth()).append(' ').append(MONTHS[z.getMonthValue() - 1]).append(' ');
        two(b, year / 100);
        two(b, year % 100).append(' ');
        two(b, z.getHour()).append(':');
        two(b, z.getMinute()).append(':');
        two(b, z.getSecond()).append(" GMT");
        return b.toString();
    }

    private static StringBuilder two(StringBuilder b, int v) {
        return b.append((char) ('0' + v / 10)).append((char) ('0' + v % 10));
    }

    /** Parses any of the three forms; an RFC 850 two-digit year is resolved against the current time. */
    public static Optional<Instant> parse(String value) {
        return parse(value, Instant.now());
    }

    /**
     * Parses any of the three forms. An rfc850-date's two-digit year is read, as RFC 9110
     * §5.6.7 requires, as the year with those last two digits that is not more than 50 years
     * after {@code now}.
     */
    public static Optional<Instant> parse(String value, Instant now) {
        if (value == null) {
            return Optional.empty();
        }
        String s = trimOws(value);
        try {
            if (s.length() == 29 && s.charAt(3) == ',') {
                return imfFixdate(s);
            }
            if (s.length() == 24 && s.charAt(3) == ' ') {
                return asctime(s);
            }
            int comma = s.indexOf(',');
            if (comma > 0) {
                return rfc850(s, comma, now);
            }
        } catch (DateTimeException | NumberFormatException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    // Sun, 06 Nov 1994 08:49:37 GMT
    // 0123456789012345678901234567
    private static Optional<Instant> imfFixdate(String s) {
        if (index(DAYS, s.substring(0, 3)) < 0 || s.charAt(4) != ' ' || s.charAt(7) != ' '
                || s.charAt(11) != ' ' || s.charAt(16) != ' ' || !s.endsWith(" GMT")) {
            return Optional.empty();
        }
        int day = digits(s, 5, 2);
        int month = index(MONTHS, s.substring(8, 11)) + 1;
        int year = digits(s, 12, 4);
        return at(year, month, day, s, 17);
    }

    // Sun Nov  6 08:49:37 1994
    // 012345678901234567890123
    private static Optional<Instant> asctime(String s) {
        if (index(DAYS, s.substring(0, 3)) < 0 || s.charAt(7) != ' ' || s.charAt(10) != ' ' || s.charAt(19) != ' ') {
            return Optional.empty();
        }
        int month = index(MONTHS, s.substring(4, 7)) + 1;
        int day = s.charAt(8) == ' ' ? digits(s, 9, 1) : digits(s, 8, 2);
        int year = digits(s, 20, 4);
        return at(year, month, day, s, 11);
    }

    // Sunday, 06-Nov-94 08:49:37 GMT
    //         012345678901234567890   (offsets after ", ")
    private static Optional<Instant> rfc850(String s, int comma, Instant now) {
        if (index(LONG_DAYS, s.substring(0, comma)) < 0) {
            return Optional.empty();
        }
        int p = comma + 2;
        if (s.length() != p + 22 || s.charAt(comma + 1) != ' ' || s.charAt(p + 2) != '-' || s.charAt(p + 6) != '-'
                || s.charAt(p + 9) != ' ' || !s.endsWith(" GMT")) {
            return Optional.empty();
        }
        int day = digits(s, p, 2);
        int month = index(MONTHS, s.substring(p + 3, p + 6)) + 1;
        int yy = digits(s, p + 7, 2);
        int nowYear = now.atZone(ZoneOffset.UTC).getYear();
        int year = nowYear - Math.floorMod(nowYear, 100) + yy;
        if (year > nowYear + 50) {
            year -= 100;
        }
        return at(year, month, day, s, p + 10);
    }

    /** Builds the instant from the date and the {@code HH:MM:SS} at {@code t}. */
    private static Optional<Instant> at(int year, int month, int day, String s, int t) {
        if (month < 1 || s.charAt(t + 2) != ':' || s.charAt(t + 5) != ':') {
            return Optional.empty();
        }
        int h = digits(s, t, 2), m = digits(s, t + 3, 2), sec = digits(s, t + 6, 2);
        if (h > 23 || m > 59 || sec > 60) {
            return Optional.empty();
        }
        long epochDay = LocalDate.of(year, month, day).toEpochDay(); // throws on 30 February
        return Optional.of(Instant.ofEpochSecond(epochDay * 86_400 + h * 3_600L + m * 60L + sec));
    }

    private static int digits(String s, int from, int count) {
        int v = 0;
        for (int i = from; i < from + count; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                throw new NumberFormatException(s);
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }

    private static int index(String[] names, String name) {
        for (int i = 0; i < names.length; i++) {
            if (names[i].equals(name)) {
                return i;
            }
        }
        return -1;
    }

    private static String trimOws(String s) {
        int a = 0, b = s.length();
        while (a < b && (s.charAt(a) == ' ' || s.charAt(a) == '\t')) {
            a++;
        }
        while (b > a && (s.charAt(b - 1) == ' ' || s.charAt(b - 1) == '\t')) {
            b--;
        }
        return s.substring(a, b);
    }
}
