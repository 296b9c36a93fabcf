package io.understudy.httpd.files;

import io.understudy.httpd.HttpDate;
import java.time.Instant;
import java.util.Optional;

/**
 * Preconditions on a file that exists (RFC 9110 §13.1), evaluated in the order of §13.2.2:
 *
 * <ol>
 *   <li>{@code If-Match}: strong comparison, {@code *} matches; false → 412.
 *   <li>Only without If-Match, {@code If-Unmodified-Since}: false (modified after the date) → 412.
 *   <li>{@code If-None-Match}: weak comparison, {@code *} matches; a match → 304 for GET/HEAD,
 *       412 for other methods.
 *   <li>Only without If-None-Match and only for GET/HEAD, {@code If-Modified-Since}: not modified
 *       since the date → 304 (a date in the future is ignored).
 *   <li>Otherwise proceed (to {@link RangeRequest}, which handles {@code If-Range}).
 * </ol>
 *
 * <p>Dates are compared at one-second resolution, the resolution of Last-Modified. An invalid
 * date makes its field absent (§13.1.3, §13.1.4). An invalid entity-tag list is treated as
 * matching nothing: If-Match then fails (412, the safe side for a method that would change
 * state) and If-None-Match passes (the full response, never a wrong 304). Several field lines
 * of one of these fields are combined by the caller into one comma-separated value (RFC 9110
 * §5.3); a {@code null} value means the field is absent.
 */
public final class Conditional {
    private Conditional() {}

    /** What to do after the preconditions. */
    public enum Outcome {
        /** No precondition stopped the request: go on to the range and the 200/206. */
        PROCEED(200),
        /** 304 Not Modified: the ETag and Last-Modified fields, no content. */
        NOT_MODIFIED(304),
        /** 412 Precondition Failed. */
        PRECONDITION_FAILED(412);

        private final int status;

        Outcome(int status) {
            this.status = status;
        }

        /** The response status this outcome leads to (200 meaning "carry on"). */
        public int status() {
            return status;
        }
    }

    /**
     * The conditional fields of a request; {@code null} for a field that is absent.
     *
     * @param method            the request method, case-sensitive as in HTTP ({@code "GET"})
     */
    public record Request(String method, String ifMatch, String ifNoneMatch, String ifModifiedSince,
            String ifUnmodifiedSince) {
        /** A GET or HEAD with only the two cache-revalidation fields. */
        public static Request revalidation(String method, String ifNoneMatch, String ifModifiedSince) {
            return new Request(method, null, ifNoneMatch, ifModifiedSince, null);
        }
    }

    /** Evaluates {@code request}'s preconditions against {@code file}, now. */
    public static Outcome evaluate(Request request, FileIdentity file) {
        return evaluate(request, file.etag(), file.lastModifiedSecond(), Instant.now());
    }

    /**
     * Evaluates {@code request}'s preconditions against the current strong {@code etag}
     * (quotes included) and {@code lastModified} (truncated to the second by this method), at
     * time {@code now}: an If-Modified-Since later than {@code now} is ignored (as Apache
     * does), so a client with a clock in the future, or a made-up date, cannot pin a stale
     * copy with 304s; {@code now} also resolves two-digit RFC 850 years.
     */
    public static Outcome evaluate(Request request, String etag, Instant lastModified, Instant now) {
        EntityTag current = EntityTag.parse(etag).orElseThrow(() -> new IllegalArgumentException("bad etag " + etag));
        long modified = lastModified.getEpochSecond();
        boolean getOrHead = "GET".equals(request.method()) || "HEAD".equals(request.method());

        // 1. If-Match, else 2. If-Unmodified-Since
        if (request.ifMatch() != null) {
            boolean match = EntityTag.parseList(request.ifMatch()).map(l -> l.matchesStrong(current)).orElse(false);
            if (!match) {
                return Outcome.PRECONDITION_FAILED;
            }
        } else if (request.ifUnmodifiedSince() != null) {
            Optional<Instant> date = HttpDate.parse(request.ifUnmodifiedSince(), now);
            if (date.isPresent() && modified > date.get().getEpochSecond()) {
                return Outcome.PRECONDITION_FAILED;
            }
        }

        // 3. If-None-Match, else 4. If-Modified-Since
        if (request.ifNoneMatch() != null) {
            boolean match = EntityTag.parseList(request.ifNoneMatch()).map(l -> l.matchesWeak(current)).orElse(false);
            if (match) {
                return getOrHead ? Outcome.NOT_MODIFIED : Outcome.PRECONDITION_FAILED;
            }
        } else if (getOrHead && request.ifModifiedSince() != null) {
            Optional<Instant> date = HttpDate.parse(request.ifModifiedSince(), now);
            if (date.isPresent() && !date.get().isAfter(now) && modified <= date.get().getEpochSecond()) {
                return Outcome.NOT_MODIFIED;
            }
        }
        return Outcome.PROCEED;
    }
}
