package io.understudy.httpd;

/** How the length of a request's content is determined (RFC 9112 §6.3). */
public enum BodyFraming {
    /** No content: neither Content-Length nor Transfer-Encoding, or {@code Content-Length: 0}. */
    NONE,
    /** Exactly {@link RequestHead#contentLength()} bytes follow the header section. */
    CONTENT_LENGTH,
    /** The chunked transfer coding (RFC 9112 §7.1); the length is known only at the last chunk. */
    CHUNKED
}
