package io.understudy.httpd.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.understudy.httpd.files.RangeRequest.Full;
import io.understudy.httpd.files.RangeRequest.Partial;
import io.understudy.httpd.files.RangeRequest.Result;
import io.understudy.httpd.files.RangeRequest.Unsatisfiable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RangeRequestTest {
    static final String ETAG = "\"abc\"";
    static final Instant LM = Instant.parse("2024-01-01T00:00:00Z");

    /** "200", "206 bytes a-b/n" or "416 bytes * /n" */
    static String describe(Result r) {
        if (r instanceof Partial p) {
            return "206 " + p.contentRange();
        }
        if (r instanceof Unsatisfiable u) {
            return "416 " + u.contentRange();
        }
        assertThat(r).isSameAs(Full.FULL);
        return "200";
    }

    /** Range | size | expected; every row is a GET without If-Range. */
    @ParameterizedTest(name = "{0} on {1} bytes -> {2}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', textBlock = """
        bytes=0-0          | 10 | 206 bytes 0-0/10
        bytes=0-           | 10 | 206 bytes 0-9/10
        bytes=-1           | 10 | 206 bytes 9-9/10
        bytes=2-5          | 10 | 206 bytes 2-5/10
        bytes=9-9          | 10 | 206 bytes 9-9/10
        bytes=9-           | 10 | 206 bytes 9-9/10
        bytes=0-9          | 10 | 206 bytes 0-9/10
        # last beyond the end is clamped
        bytes=0-99         | 10 | 206 bytes 0-9/10
        bytes=5-99999999999999999999999 | 10 | 206 bytes 5-9/10
        # suffix larger than the file: the whole file, still 206
        bytes=-10          | 10 | 206 bytes 0-9/10
        bytes=-20          | 10 | 206 bytes 0-9/10
        bytes=-99999999999999999999999  | 10 | 206 bytes 0-9/10
        # unsatisfiable: first at or beyond the end, zero suffix
        bytes=-0           | 10 | 416 bytes */10
        bytes=10-          | 10 | 416 bytes */10
        bytes=10-20        | 10 | 416 bytes */10
        bytes=11-11        | 10 | 416 bytes */10
        bytes=99999999999999999999999- | 10 | 416 bytes */10
        bytes=0-           | 0  | 416 bytes */0
        bytes=0-0          | 0  | 416 bytes */0
        bytes=-0           | 0  | 416 bytes */0
        # a suffix of an empty file cannot be expressed as a 206: the (empty) whole
        bytes=-5           | 0  | 200
        # invalid: ignored (RFC 9110 §14.2 allows ignoring; RFC 7233 required it)
        bytes=5-2          | 10 | 200
        bytes=             | 10 | 200
        'bytes=,'          | 10 | 200
        bytes=-            | 10 | 200
        bytes=--1          | 10 | 200
        bytes=0--1         | 10 | 200
        bytes=a-b          | 10 | 200
        bytes=1-2-3        | 10 | 200
        bytes=0x1-2        | 10 | 200
        bytes=+1-2         | 10 | 200
        'bytes=1 -2'       | 10 | 200
        bytes=1            | 10 | 200
        bytes 0-1          | 10 | 200
        =0-1               | 10 | 200
        # unit: case-insensitive; unknown units ignored
        Bytes=0-1          | 10 | 206 bytes 0-1/10
        BYTES=0-1          | 10 | 206 bytes 0-1/10
        items=0-1          | 10 | 200
        'bytes =0-1'       | 10 | 200
        # several ranges: served whole (no multipart/byteranges)
        'bytes=0-1,3-4'    | 10 | 200
        'bytes=0-1, 3-4'   | 10 | 200
        'bytes=0-0,-1'     | 10 | 200
        'bytes=50-60,70-80' | 10 | 200
        # empty list elements are allowed (RFC 9110 §5.6.1); OWS around elements tolerated
        'bytes=0-1,'       | 10 | 206 bytes 0-1/10
        'bytes=, 0-1 ,,'   | 10 | 206 bytes 0-1/10
        ' bytes=0-1 '      | 10 | 206 bytes 0-1/10
        # large files
        bytes=0-           | 5000000000 | 206 bytes 0-4999999999/5000000000
        bytes=4999999999-  | 5000000000 | 206 bytes 4999999999-4999999999/5000000000
        bytes=-1           | 9223372036854775807 | 206 bytes 9223372036854775806-9223372036854775806/9223372036854775807
        """)
    void table(String range, long size, String expected) {
        assertThat(describe(RangeRequest.evaluate("GET", range, null, size, ETAG, LM))).isEqualTo(expected);
        assertThat(describe(RangeRequest.parse(range, size))).isEqualTo(expected);
    }

    @Test void partialCarriesOffsetAndLength() {
        Partial p = (Partial) RangeRequest.parse("bytes=2-5", 10);
        assertThat(p.offset()).isEqualTo(2);
        assertThat(p.length()).isEqualTo(4);
        assertThat(p.last()).isEqualTo(5);
        assertThat(p.completeLength()).isEqualTo(10);
        assertThat(p.status()).isEqualTo(206);
        assertThat(new Unsatisfiable(10).status()).isEqualTo(416);
        assertThat(Full.FULL.status()).isEqualTo(200);
        assertThatThrownBy(() -> new Partial(5, 6, 10)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Partial(0, 0, 10)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test void noRangeIsFull() {
        assertThat(RangeRequest.evaluate("GET", null, null, 10, ETAG, LM)).isSameAs(Full.FULL);
        assertThat(RangeRequest.evaluate("GET", null, ETAG, 10, ETAG, LM)).as("If-Range without Range").isSameAs(Full.FULL);
    }

    @Test void rangeIsOnlyForGet() {
        assertThat(RangeRequest.evaluate("HEAD", "bytes=0-0", null, 10, ETAG, LM)).isSameAs(Full.FULL);
        assertThat(RangeRequest.evaluate("POST", "bytes=0-0", null, 10, ETAG, LM)).isSameAs(Full.FULL);
        assertThat(RangeRequest.evaluate("get", "bytes=0-0", null, 10, ETAG, LM)).as("methods are case-sensitive").isSameAs(Full.FULL);
    }

    /** If-Range | expected for "bytes=0-0" on 10 bytes with ETag "abc", Last-Modified LM. */
    @ParameterizedTest(name = "If-Range {0} -> {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', textBlock = """
        "abc"                           | 206 bytes 0-0/10
        ' "abc" '                       | 206 bytes 0-0/10
        "xyz"                           | 200
        W/"abc"                         | 200
        "ABC"                           | 200
        abc                             | 200
        Mon, 01 Jan 2024 00:00:00 GMT   | 206 bytes 0-0/10
        Monday, 01-Jan-24 00:00:00 GMT  | 206 bytes 0-0/10
        Mon Jan  1 00:00:00 2024        | 206 bytes 0-0/10
        Mon, 01 Jan 2024 00:00:01 GMT   | 200
        Sun, 31 Dec 2023 23:59:59 GMT   | 200
        yesterday                       | 200
        ''                              | 200
        """)
    void ifRange(String ifRange, String expected) {
        assertThat(describe(RangeRequest.evaluate("GET", "bytes=0-0", ifRange, 10, ETAG, LM))).isEqualTo(expected);
    }

    @Test void ifRangeMismatchTurnsA416IntoA200() {
        assertThat(describe(RangeRequest.evaluate("GET", "bytes=50-", "\"abc\"", 10, ETAG, LM))).isEqualTo("416 bytes */10");
        assertThat(describe(RangeRequest.evaluate("GET", "bytes=50-", "\"old\"", 10, ETAG, LM))).isEqualTo("200");
    }

    @Test void resumingAChangedFile(@TempDir Path dir) throws IOException {
        Path p = Files.writeString(dir.resolve("big.bin"), "0123456789");
        Files.setLastModifiedTime(p, FileTime.from(LM));
        FileIdentity first = FileIdentity.of(p);
        assertThat(describe(RangeRequest.evaluate("GET", "bytes=4-", first.etag(), first))).isEqualTo("206 bytes 4-9/10");
        assertThat(describe(RangeRequest.evaluate("GET", "bytes=4-", first.lastModifiedHttpDate(), first))).isEqualTo("206 bytes 4-9/10");

        Files.writeString(p, "0123456789abcdef");
        Files.setLastModifiedTime(p, FileTime.from(LM.plusSeconds(60)));
        FileIdentity now = FileIdentity.of(p);
        assertThat(describe(RangeRequest.evaluate("GET", "bytes=4-", first.etag(), now))).isEqualTo("200");
        assertThat(describe(RangeRequest.evaluate("GET", "bytes=4-", first.lastModifiedHttpDate(), now))).isEqualTo("200");
        assertThat(describe(RangeRequest.evaluate("GET", "bytes=4-", null, now))).isEqualTo("206 bytes 4-15/16");
    }

    @Test void neverOutsideTheFile() {
        java.util.Random r = new java.util.Random(7);
        String[] parts = {"0", "1", "5", "9", "10", "11", "", "-", ",", " ", "99999999999999999999", "bytes=", "x"};
        for (int i = 0; i < 50_000; i++) {
            StringBuilder b = new StringBuilder("bytes=");
            int n = r.nextInt(5);
            for (int k = 0; k < n; k++) {
                b.append(parts[r.nextInt(parts.length)]);
            }
            long size = r.nextInt(12);
            Result res = RangeRequest.parse(b.toString(), size);
            if (res instanceof Partial p) {
                assertThat(p.offset()).as(b.toString()).isBetween(0L, size - 1);
                assertThat(p.offset() + p.length()).as(b.toString()).isLessThanOrEqualTo(size);
            } else if (res instanceof Unsatisfiable u) {
                assertThat(u.completeLength()).isEqualTo(size);
            }
        }
    }
}
