package io.understudy.httpd.files;

import io.understudy.httpd.HttpDate;
import java.time.Instant;
import java.util.Optional;

/**
 * A single byte range (RFC 9110 §14): what to send once the preconditions have passed.
 *
 * <table>
 *   <caption>How a {@code Range} field is answered</caption>
 *   <tr><th>request</th><th>result</th></tr>
 *   <tr><td>no Range; a method other than GET (HEAD included, §14.2)</td><td>{@link Full} 200</td></tr>
 *   <tr><td>a unit other than {@code bytes} (case-insensitive)</td><td>{@link Full} 200, ignored as §14.2 requires</td></tr>
 *   <tr><td>a syntactically invalid range-set, including {@code first > last} ({@code bytes=5-2})</td>
 *       <td>{@link Full} 200 (§14.2 allows ignoring or 416; RFC 7233 required ignoring)</td></tr>
 *   <tr><td>more than one range</td><td>{@link Full} 200: no multipart/byteranges (a server MAY ignore Range)</td></tr>
 *   <tr><td>If-Range present and not matching (§13.1.5)</td><td>{@link Full} 200</td></tr>
 *   <tr><td>{@code first-last}, {@code first-} with first &lt; size</td>
 *       <td>{@link Partial} 206, last clamped to size − 1</td></tr>
 *   <tr><td>{@code -n}, n &gt; 0</td><td>{@link Partial} 206 of the last min(n, size) bytes;
 *       on an empty file {@link Full} 200 (a 206 of nothing cannot be written)</td></tr>
 *   <tr><td>{@code first ≥ size} (so any int-range on an empty file), {@code -0}</td>
 *       <td>{@link Unsatisfiable} 416 with {@code Content-Range: bytes *}{@code /size}</td></tr>
 * </table>
 *
 * <p>Positions of any length are accepted; those beyond {@code Long.MAX_VALUE} saturate (they
 * are beyond any file anyway). {@code If-Range} holds either a strong entity-tag, compared
 * strongly (a weak one never matches), or an HTTP-date, which matches when it equals the file's
 * Last-Modified to the second — exact equality, as nginx and Apache do; an invalid value never
 * matches. If-Range without Range is ignored.
 */
public final class RangeRequest {
    private RangeRequest() {}

    /** The outcome; {@link #status()} is the response status. */
    public sealed interface Result permits Full, Partial, Unsatisfiable {
        int status();
    }

    /** Send the whole file with 200. */
    public enum Full implements Result {
        FULL;

        @Override public int status() {
            return 200;
        }
    }

    /**
     * Send {@code length} bytes from {@code offset} with 206 and {@link #contentRange()}.
     *
     * @param completeLength the file size
     */
    public record Partial(long offset, long length, long completeLength) implements Result {
        public Partial {
            if (offset < 0 || length <= 0 || offset + length > completeLength) {
                throw new IllegalArgumentException(offset + "+" + length + "/" + completeLength);
            }
        }

        @Override public int status() {
            return 206;
        }

        /** The last byte position, inclusive. */
        public long last() {
            return offset + length - 1;
        }

        /** {@code bytes first-last/size}. */
        public String contentRange() {
            return "bytes " + offset + "-" + last() + "/" + completeLength;
        }
    }

    /** Send 416 with {@link #contentRange()} (and the 416 page). */
    public record Unsatisfiable(long completeLength) implements Result {
        @Override public int status() {
            return 416;
        }

        /** {@code bytes *}{@code /size}. */
        public String contentRange() {
            return "bytes */" + completeLength;
        }
    }

    /** Evaluates {@code Range} and {@code If-Range} ({@code null} when absent) for {@code file}. */
    public static Result evaluate(String method, String range, String ifRange, FileIdentity file) {
        return evaluate(method, range, ifRange, file.size(), file.etag(), file.lastModifiedSecond());
    }

    /**
     * Evaluates {@code Range} and {@code If-Range} ({@code null} when absent) against a
     * representation of {@code size} bytes with the strong {@code etag} (quotes included) and
     * {@code lastModified}.
     */
    public static Result evaluate(String method, String range, String ifRange, long size, String etag,
            Instant lastModified) {
        if (range == null || !"GET".equals(method)) {
            return Full.FULL;
        }
        if (ifRange != null && !ifRangeMatches(ifRange, etag, lastModified)) {
            return Full.FULL;
        }
        return parse(range, size);
    }

    /** The If-Range condition (§13.1.5): true when the client's copy is the current one. */
    static boolean ifRangeMatches(String ifRange, String etag, Instant lastModified) {
        String v = ifRange.strip();
        if (v.startsWith("\"") || v.startsWith("W/")) {
            Optional<EntityTag> theirs = EntityTag.parse(v);
            Optional<EntityTag> ours = EntityTag.parse(etag);
            return theirs.isPresent() && ours.isPresent() && theirs.get().strongEquals(ours.get());
        }
        Optional<Instant> date = HttpDate.parse(v);
        return date.isPresent() && date.get().getEpochSecond() == lastModified.getEpochSecond();
    }

    /** The Range field alone against a representation of {@code size} bytes. */
    public static Result parse(String range, long size) {
        if (size < 0) {
            throw new IllegalArgumentException("negative size " + size);
        }
        String s = range.strip();
        int eq = s.indexOf('=');
        if (eq <= 0 || !s.substring(0, eq).equalsIgnoreCase("bytes")) {
            return Full.FULL; // not a range unit we know (or no unit): ignore
        }
        // range-set = 1#range-spec: exactly one non-empty element accepted
        String spec = null;
        for (String element : s.substring(eq + 1).split(",", -1)) {
            String e = trimOws(element);
            if (e.isEmpty()) {
                continue;
            }
            if (spec != null) {
                return Full.FULL; // several ranges: served whole
            }
            spec = e;
        }
        if (spec == null) {
            return Full.FULL; // "bytes=" or "bytes=,": invalid, ignored
        }
        int dash = spec.indexOf('-');
        if (dash < 0) {
            return Full.FULL;
        }
        if (dash == 0) { // suffix-range
            long n = digits(spec, 1, spec.length());
            if (n < 0) {
                return Full.FULL;
            }
            if (n == 0) {
                return new Unsatisfiable(size);
            }
            if (size == 0) {
                return Full.FULL;
            }
            long len = Math.min(n, size);
            return new Partial(size - len, len, size);
        }
        long first = digits(spec, 0, dash);
        if (first < 0) {
            return Full.FULL;
        }
        long last;
        if (dash == spec.length() - 1) {
            last = Long.MAX_VALUE;
        } else {
            last = digits(spec, dash + 1, spec.length());
            if (last < 0 || last < first) {
                return Full.FULL; // invalid: ignored
            }
        }
        if (first >= size) {
            return new Unsatisfiable(size);
        }
        last = Math.min(last, size - 1);
        return new Partial(first, last - first + 1, size);
    }

    /** 1*DIGIT between {@code from} and {@code to}, saturating at Long.MAX_VALUE; -1 if not. */
    private static long digits(String s, int from, int to) {
        if (from >= to) {
            return -1;
        }
        long v = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            int d = c - '0';
            v = v > (Long.MAX_VALUE - d) / 10 ? Long.MAX_VALUE : v * 10 + d;
        }
        return v;
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
