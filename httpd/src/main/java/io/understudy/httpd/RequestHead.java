package io.understudy.httpd;

/**
 * A validated request line and header section: everything about a request but its content.
 *
 * @param method         the method token, case-sensitive as sent (RFC 9110 §9.1)
 * @param target         the request-target exactly as sent
 * @param targetForm     which of the four forms {@code target} takes
 * @param version        HTTP/1.0 or HTTP/1.1
 * @param headers        the header section, in received order
 * @param framing        how the content is delimited
 * @param contentLength  the Content-Length for {@link BodyFraming#CONTENT_LENGTH}, 0 for
 *                       {@link BodyFraming#NONE}, -1 for {@link BodyFraming#CHUNKED}
 * @param keepAlive      whether the connection stays open after the response (RFC 9112 §9.3):
 *                       HTTP/1.1 unless {@code Connection: close}; HTTP/1.0 only with
 *                       {@code Connection: keep-alive} and without {@code close}
 * @param expectContinue whether an HTTP/1.1 client sent {@code Expect: 100-continue} (RFC 9110
 *                       §10.1.1) and may wait for a 100 (Continue) before sending the content;
 *                       always false for HTTP/1.0, which must ignore the expectation
 */
public record RequestHead(String method, String target, TargetForm targetForm, HttpVersion version, Headers headers,
                          BodyFraming framing, long contentLength, boolean keepAlive, boolean expectContinue) {
    /** Whether content follows the header section. */
    public boolean hasBody() {
        return framing != BodyFraming.NONE;
    }
}
