package io.understudy.httpd;

/**
 * Bounds the {@link RequestDecoder} enforces while it scans, byte by byte, so no request can make
 * it hold more than these allow before it answers with an error status.
 *
 * @param maxRequestLine  bytes in the request line, CRLF not counted; one more is 414 (URI Too Long)
 * @param maxHeaderBytes  bytes in the header section after the request line, every field line's CRLF and
 *                        the final empty line included; one more is 431. The trailer section of a chunked
 *                        body gets a fresh budget of the same size.
 * @param maxHeaderFields field lines in the header section (and, separately, in the trailer section);
 *                        one more is 431 (Request Header Fields Too Large)
 * @param maxBody         bytes of content (after chunked decoding); one more is 413 (Content Too Large).
 *                        A buffered body is further bounded by the largest Java array.
 * @param maxChunkLine    bytes in one chunk-size line, extensions included and CRLF not counted;
 *                        one more is 400
 */
public record Limits(int maxRequestLine, int maxHeaderBytes, int maxHeaderFields, long maxBody, int maxChunkLine) {
    /** Request line 8 KiB, header section 16 KiB, 100 fields, body 1 GiB, chunk-size line 4 KiB. */
    public static final Limits DEFAULT = new Limits(8 * 1024, 16 * 1024, 100, 1L << 30, 4 * 1024);

    /** Rejects limits that could not admit the smallest valid request. */
    public Limits {
        if (maxRequestLine < "GET / HTTP/1.1".length()) {
            throw new IllegalArgumentException("maxRequestLine too small: " + maxRequestLine);
        }
        if (maxHeaderBytes < 2) {
            throw new IllegalArgumentException("maxHeaderBytes must leave room for the empty line: " + maxHeaderBytes);
        }
        if (maxHeaderFields < 0 || maxBody < 0) {
            throw new IllegalArgumentException("negative limit: fields " + maxHeaderFields + ", body " + maxBody);
        }
        if (maxChunkLine < 1) {
            throw new IllegalArgumentException("maxChunkLine must admit a chunk size: " + maxChunkLine);
        }
    }

    /** These limits with another body bound. */
    public Limits withMaxBody(long bytes) {
        return new Limits(maxRequestLine, maxHeaderBytes, maxHeaderFields, bytes, maxChunkLine);
    }
}
