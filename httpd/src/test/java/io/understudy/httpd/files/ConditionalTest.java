package io.understudy.httpd.files;

import static io.understudy.httpd.files.Conditional.Outcome.NOT_MODIFIED;
import static io.understudy.httpd.files.Conditional.Outcome.PRECONDITION_FAILED;
import static io.understudy.httpd.files.Conditional.Outcome.PROCEED;
import static org.assertj.core.api.Assertions.assertThat;

import io.understudy.httpd.HttpDate;
import io.understudy.httpd.files.Conditional.Outcome;
import io.understudy.httpd.files.Conditional.Request;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConditionalTest {
    static final String ETAG = "\"abc\"";
    static final Instant LM = Instant.parse("2024-01-01T00:00:00.900Z"); // sub-second part is ignored
    static final Instant NOW = Instant.parse("2025-01-01T00:00:00Z");
    static final String AT = "Mon, 01 Jan 2024 00:00:00 GMT";      // == Last-Modified
    static final String AFTER = "Mon, 01 Jan 2024 00:00:01 GMT";   // client's copy is newer than the file: not modified
    static final String BEFORE = "Sun, 31 Dec 2023 23:59:59 GMT";  // file modified since
    static final String FUTURE = "Thu, 01 Jan 2026 00:00:00 GMT";  // after NOW

    static String v(String s) {
        if (s == null) {
            return null;
        }
        return switch (s) {
            case "AT" -> AT;
            case "AFTER" -> AFTER;
            case "BEFORE" -> BEFORE;
            case "FUTURE" -> FUTURE;
            case "AT850" -> "Monday, 01-Jan-24 00:00:00 GMT";
            case "ATASC" -> "Mon Jan  1 00:00:00 2024";
            default -> s;
        };
    }

    /** method | If-Match | If-None-Match | If-Modified-Since | If-Unmodified-Since | outcome (empty cell = absent). */
    @ParameterizedTest(name = "{0} IM={1} INM={2} IMS={3} IUS={4} -> {5}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', textBlock = """
        GET  |              |                    |         |        | PROCEED
        # If-None-Match: weak comparison, *, lists; 304 for GET/HEAD, 412 otherwise
        GET  |              | "abc"              |         |        | NOT_MODIFIED
        HEAD |              | "abc"              |         |        | NOT_MODIFIED
        POST |              | "abc"              |         |        | PRECONDITION_FAILED
        GET  |              | W/"abc"            |         |        | NOT_MODIFIED
        GET  |              | "xyz"              |         |        | PROCEED
        GET  |              | "xyz", "abc"       |         |        | NOT_MODIFIED
        GET  |              | "xyz",W/"abc"      |         |        | NOT_MODIFIED
        GET  |              | "xyz" , , "uvw"    |         |        | PROCEED
        GET  |              | *                  |         |        | NOT_MODIFIED
        PUT  |              | *                  |         |        | PRECONDITION_FAILED
        GET  |              | abc                |         |        | PROCEED
        GET  |              | "ABC"              |         |        | PROCEED
        # If-Modified-Since: second resolution, invalid and future dates ignored, GET/HEAD only
        GET  |              |                    | AT      |        | NOT_MODIFIED
        HEAD |              |                    | AT      |        | NOT_MODIFIED
        GET  |              |                    | AT850   |        | NOT_MODIFIED
        GET  |              |                    | ATASC   |        | NOT_MODIFIED
        GET  |              |                    | AFTER   |        | NOT_MODIFIED
        GET  |              |                    | BEFORE  |        | PROCEED
        GET  |              |                    | FUTURE  |        | PROCEED
        GET  |              |                    | garbage |        | PROCEED
        GET  |              |                    | '2024-01-01T00:00:00Z' | | PROCEED
        POST |              |                    | AT      |        | PROCEED
        # If-None-Match present: If-Modified-Since ignored (RFC 9110 §13.2.2 step 4)
        GET  |              | "xyz"              | AT      |        | PROCEED
        GET  |              | "abc"              | BEFORE  |        | NOT_MODIFIED
        GET  |              | garbage            | AT      |        | PROCEED
        # If-Match: strong comparison; false -> 412 whatever the method
        GET  | "abc"        |                    |         |        | PROCEED
        GET  | W/"abc"      |                    |         |        | PRECONDITION_FAILED
        GET  | "xyz"        |                    |         |        | PRECONDITION_FAILED
        GET  | "xyz", "abc" |                    |         |        | PROCEED
        GET  | *            |                    |         |        | PROCEED
        PUT  | "xyz"        |                    |         |        | PRECONDITION_FAILED
        GET  | garbage      |                    |         |        | PRECONDITION_FAILED
        # If-Unmodified-Since: only without If-Match
        GET  |              |                    |         | AT     | PROCEED
        GET  |              |                    |         | AFTER  | PROCEED
        GET  |              |                    |         | BEFORE | PRECONDITION_FAILED
        GET  |              |                    |         | junk   | PROCEED
        GET  | "abc"        |                    |         | BEFORE | PROCEED
        GET  | "xyz"        |                    |         | AT     | PRECONDITION_FAILED
        # order: If-Match / If-Unmodified-Since before If-None-Match / If-Modified-Since
        GET  | "xyz"        | "abc"              |         |        | PRECONDITION_FAILED
        GET  | "abc"        | "abc"              |         |        | NOT_MODIFIED
        GET  | "abc"        | "xyz"              | AT      |        | PROCEED
        GET  |              | "abc"              |         | BEFORE | PRECONDITION_FAILED
        GET  |              |                    | AT      | BEFORE | PRECONDITION_FAILED
        GET  |              |                    | AT      | AT     | NOT_MODIFIED
        """)
    void matrix(String method, String ifMatch, String ifNoneMatch, String ims, String ius, Outcome expected) {
        Request r = new Request(method, ifMatch, ifNoneMatch, v(ims), v(ius));
        assertThat(Conditional.evaluate(r, ETAG, LM, NOW)).isEqualTo(expected);
    }

    @Test void outcomesMapToStatuses() {
        assertThat(PROCEED.status()).isEqualTo(200);
        assertThat(NOT_MODIFIED.status()).isEqualTo(304);
        assertThat(PRECONDITION_FAILED.status()).isEqualTo(412);
    }

    @Test void againstARealFile(@TempDir Path dir) throws IOException {
        Path p = Files.writeString(dir.resolve("f.txt"), "content");
        Files.setLastModifiedTime(p, FileTime.from(LM));
        FileIdentity id = FileIdentity.of(p);

        // what a browser sends back after a first 200
        assertThat(Conditional.evaluate(Request.revalidation("GET", id.etag(), id.lastModifiedHttpDate()), id)).isEqualTo(NOT_MODIFIED);
        assertThat(Conditional.evaluate(Request.revalidation("GET", null, id.lastModifiedHttpDate()), id)).isEqualTo(NOT_MODIFIED);

        String oldTag = id.etag();
        String oldDate = id.lastModifiedHttpDate();
        Files.setLastModifiedTime(p, FileTime.from(LM.plusSeconds(5)));
        FileIdentity changed = FileIdentity.of(p);
        assertThat(Conditional.evaluate(Request.revalidation("GET", oldTag, oldDate), changed)).isEqualTo(PROCEED);
        assertThat(Conditional.evaluate(Request.revalidation("GET", null, oldDate), changed)).isEqualTo(PROCEED);

        // a change within the same second: the date cannot see it, the ETag can
        Files.setLastModifiedTime(p, FileTime.from(LM.plusSeconds(5).plusMillis(1)));
        FileIdentity again = FileIdentity.of(p);
        assertThat(Conditional.evaluate(Request.revalidation("GET", changed.etag(), null), again)).isEqualTo(PROCEED);
        assertThat(Conditional.evaluate(Request.revalidation("GET", null, HttpDate.format(changed.lastModifiedSecond())), again))
                .isEqualTo(NOT_MODIFIED);
    }
}
