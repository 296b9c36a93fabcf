package io.understudy.httpd;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * A complete request: its head and its content.
 *
 * @param head       the request line and header section
 * @param body       the content, when the decoder buffered it; empty when there was none or when it
 *                   was streamed to a {@link BodySink}. The array is handed over, not copied.
 * @param bodyLength how many content bytes the request carried (buffered or streamed)
 */
public record Request(RequestHead head, byte[] body, long bodyLength) {
    /** Checks the components are present. */
    public Request {
        Objects.requireNonNull(head, "head");
        Objects.requireNonNull(body, "body");
    }

    /** The method token. */
    public String method() {
        return head.method();
    }

    /** The request-target as sent. */
    public String target() {
        return head.target();
    }

    /** The protocol version. */
    public HttpVersion version() {
        return head.version();
    }

    /** The header section. */
    public Headers headers() {
        return head.headers();
    }

    /** Whether the connection stays open after the response. */
    public boolean keepAlive() {
        return head.keepAlive();
    }

    /** Whether content went to a {@link BodySink}: {@link #body()} is empty though {@link #bodyLength()} is not. */
    public boolean bodyStreamed() {
        return body.length != bodyLength;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Request r && r.head.equals(head) && Arrays.equals(r.body, body) && r.bodyLength == bodyLength;
    }

    @Override
    public int hashCode() {
        return Objects.hash(head, Arrays.hashCode(body), bodyLength);
    }

    @Override
    public String toString() {
        String shown = body.length <= 64 ? new String(body, StandardCharsets.ISO_8859_1)
                                          : new String(body, 0, 64, StandardCharsets.ISO_8859_1) + "...";
        return "Request[" + head + ", body=" + bodyLength + " bytes \"" + shown + "\"]";
    }
}
