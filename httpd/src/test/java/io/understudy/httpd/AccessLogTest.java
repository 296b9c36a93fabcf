package io.understudy.httpd;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class AccessLogTest {
    private static final Instant T = Instant.parse("2000-10-10T13:55:36Z");

    @Test
    void commonLogFormat() {
        assertThat(AccessLog.format("10.0.0.1", T, "GET /index.html HTTP/1.1", 200, 2326))
                .isEqualTo("10.0.0.1 - - [10/Oct/2000:13:55:36 +0000] \"GET /index.html HTTP/1.1\" 200 2326");
    }

    @Test
    void noBodyAndNoRequestLineAreDashes() {
        assertThat(AccessLog.format("192.0.2.1", T, null, 503, 0))
                .isEqualTo("192.0.2.1 - - [10/Oct/2000:13:55:36 +0000] \"-\" 503 -");
        assertThat(AccessLog.format(null, T, "HEAD / HTTP/1.0", 304, 0))
                .isEqualTo("- - - [10/Oct/2000:13:55:36 +0000] \"HEAD / HTTP/1.0\" 304 -");
    }

    @Test
    void requestLineIsEscaped() {
        assertThat(AccessLog.format("h", T, "GET /a\"b\\c\n\u0001\u00e9\u20ac HTTP/1.1", 404, 5))
                .isEqualTo("h - - [10/Oct/2000:13:55:36 +0000] \"GET /a\\\"b\\\\c\\x0a\\x01\\xe9? HTTP/1.1\" 404 5");
    }

    @Test
    void requestLineOfAHead() {
        RequestHead head = new RequestHead("GET", "/x?y=1", TargetForm.ORIGIN, HttpVersion.HTTP_1_0, null,
                BodyFraming.NONE, 0, false, false);
        assertThat(AccessLog.requestLine(head)).isEqualTo("GET /x?y=1 HTTP/1.0");
    }
}
