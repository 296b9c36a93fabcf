package io.understudy.httpd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HttpDateTest {
    static final Instant T = Instant.parse("1994-11-06T08:49:37Z");
    static final Instant NOW = Instant.parse("2025-06-01T12:00:00Z");

    @Test void formatsImfFixdate() {
        assertThat(HttpDate.format(T)).isEqualTo("Sun, 06 Nov 1994 08:49:37 GMT");
        assertThat(HttpDate.format(T.plusNanos(999_999_999))).isEqualTo("Sun, 06 Nov 1994 08:49:37 GMT");
        assertThat(HttpDate.format(Instant.EPOCH)).isEqualTo("Thu, 01 Jan 1970 00:00:00 GMT");
        assertThat(HttpDate.format(Instant.parse("2000-02-29T23:59:59Z"))).isEqualTo("Tue, 29 Feb 2000 23:59:59 GMT");
        assertThat(HttpDate.format(Instant.parse("0001-01-01T00:00:00Z"))).isEqualTo("Mon, 01 Jan 0001 00:00:00 GMT");
        assertThat(HttpDate.format(Instant.parse("1969-12-31T23:59:59.5Z"))).isEqualTo("Wed, 31 Dec 1969 23:59:59 GMT");
        assertThatThrownBy(() -> HttpDate.format(Instant.parse("+10000-01-01T00:00:00Z")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test void parsesAllThreeForms() {
        assertThat(HttpDate.parse("Sun, 06 Nov 1994 08:49:37 GMT", NOW)).contains(T);
        assertThat(HttpDate.parse("Sunday, 06-Nov-94 08:49:37 GMT", NOW)).contains(T);
        assertThat(HttpDate.parse("Sun Nov  6 08:49:37 1994", NOW)).contains(T);
        assertThat(HttpDate.parse("Wed Nov 16 08:49:37 1994", NOW)).contains(T.plusSeconds(10 * 86_400));
        assertThat(HttpDate.parse("Wednesday, 16-Nov-94 08:49:37 GMT", NOW)).contains(T.plusSeconds(10 * 86_400));
        assertThat(HttpDate.parse(" \tSun, 06 Nov 1994 08:49:37 GMT \t", NOW)).contains(T);
        assertThat(HttpDate.parse("Sun, 06 Nov 1994 08:49:37 GMT")).contains(T);
    }

    @Test void rfc850TwoDigitYearIsNeverMoreThanFiftyYearsAhead() {
        assertThat(HttpDate.parse("Thursday, 01-Jan-30 00:00:00 GMT", NOW)).contains(Instant.parse("2030-01-01T00:00:00Z"));
        assertThat(HttpDate.parse("Sunday, 01-Jan-75 00:00:00 GMT", NOW)).contains(Instant.parse("2075-01-01T00:00:00Z"));
        assertThat(HttpDate.parse("Thursday, 01-Jan-76 00:00:00 GMT", NOW)).contains(Instant.parse("1976-01-01T00:00:00Z"));
        assertThat(HttpDate.parse("Saturday, 01-Jan-00 00:00:00 GMT", NOW)).contains(Instant.parse("2000-01-01T00:00:00Z"));
        assertThat(HttpDate.parse("Friday, 01-Jan-99 00:00:00 GMT", NOW)).contains(Instant.parse("1999-01-01T00:00:00Z"));
    }

    @Test void weekdayIsNotCheckedAgainstTheDate() {
        assertThat(HttpDate.parse("Mon, 06 Nov 1994 08:49:37 GMT", NOW)).contains(T);
    }

    @Test void leapSecondIsTheNextSecond() {
        assertThat(HttpDate.parse("Sat, 31 Dec 2016 23:59:60 GMT", NOW)).contains(Instant.parse("2017-01-01T00:00:00Z"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "", "garbage", "0", "Sun, 06 Nov 1994 08:49:37", "Sun, 06 Nov 1994 08:49:37 UTC", "Sun, 06 Nov 1994 08:49:37 gmt",
        "sun, 06 Nov 1994 08:49:37 GMT", "Sun, 06 nov 1994 08:49:37 GMT", "Foo, 06 Nov 1994 08:49:37 GMT",
        "Sun, 6 Nov 1994 08:49:37 GMT", "Sun, 06 Nov 94 08:49:37 GMT", "Sun,  06 Nov 1994 08:49:37 GMT",
        "Sun, 31 Feb 1994 08:49:37 GMT", "Sun, 00 Nov 1994 08:49:37 GMT", "Sun, 06 Nov 1994 24:00:00 GMT",
        "Sun, 06 Nov 1994 08:60:00 GMT", "Sun, 06 Nov 1994 08:49:61 GMT", "Sun, 06 Nov 1994 08-49-37 GMT",
        "Sun, 06 Nov 1994 +8:49:37 GMT", "Sun, 06 Xyz 1994 08:49:37 GMT",
        "Sun, 06-Nov-94 08:49:37 GMT", "Sunday, 06-Nov-1994 08:49:37 GMT", "Sunday, 06 Nov 94 08:49:37 GMT",
        "Sunny, 06-Nov-94 08:49:37 GMT", "Sunday, 6-Nov-94 08:49:37 GMT",
        "Sun Nov 6 08:49:37 1994", "Sun Nov  6 08:49:37 94", "Sun Nov 06 08:49:37 1994 GMT", "Sun Nov  6 08:49:37  1994",
        "1994-11-06T08:49:37Z", "784111777"})
    void rejectsAnythingElse(String s) {
        assertThat(HttpDate.parse(s, NOW)).isEmpty();
    }

    @Test void nullIsEmpty() {
        assertThat(HttpDate.parse(null, NOW)).isEmpty();
    }

    @Test void formatThenParseIsIdentityToTheSecond() {
        Random r = new Random(42);
        for (int i = 0; i < 10_000; i++) {
            Instant t = Instant.ofEpochSecond(r.nextLong(-62_135_596_800L, 253_402_300_799L), r.nextInt(1_000_000_000));
            assertThat(HttpDate.parse(HttpDate.format(t), NOW)).as("%s", t).contains(Instant.ofEpochSecond(t.getEpochSecond()));
        }
    }
}
