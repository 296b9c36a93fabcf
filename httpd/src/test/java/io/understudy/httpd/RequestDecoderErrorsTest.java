package io.understudy.httpd;

import static io.understudy.httpd.Decoding.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.understudy.httpd.Decoding.Outcome;
import io.understudy.httpd.RequestDecoder.Status;
import java.nio.ByteBuffer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Malformed requests and request-smuggling vectors are refused with the right status, whole or split. */
class RequestDecoderErrorsTest {
    private static final String H = "Host: h\r\n";

    private static String post(String framing) {
        return "POST / HTTP/1.1\r\n" + H + framing + "\r\n";
    }

    static Stream<Arguments> smuggling() {
        return Stream.of(
                arguments("Content-Length and Transfer-Encoding",
                          post("Content-Length: 5\r\nTransfer-Encoding: chunked\r\n") + "0\r\n\r\n"),
                arguments("Transfer-Encoding and Content-Length",
                          post("Transfer-Encoding: chunked\r\nContent-Length: 5\r\n") + "0\r\n\r\n"),
                arguments("duplicate Content-Length, different values", post("Content-Length: 5\r\nContent-Length: 6\r\n")),
                arguments("duplicate Content-Length, same values (refused to be safe)",
                          post("Content-Length: 5\r\nContent-Length: 5\r\n") + "hello"),
                arguments("Content-Length list of identical values (refused to be safe)",
                          post("Content-Length: 5, 5\r\n") + "hello"),
                arguments("Content-Length list of different values", post("Content-Length: 5,6\r\n")),
                arguments("Content-Length with plus sign", post("Content-Length: +5\r\n") + "hello"),
                arguments("Content-Length negative", post("Content-Length: -5\r\n")),
                arguments("Content-Length with inner space", post("Content-Length: 1 0\r\n")),
                arguments("Content-Length hex", post("Content-Length: 0x5\r\n")),
                arguments("Content-Length with a decimal point", post("Content-Length: 5.0\r\n")),
                arguments("Content-Length empty", post("Content-Length:\r\n")),
                arguments("Content-Length not a number", post("Content-Length: five\r\n")),
                arguments("Content-Length overflowing a long", post("Content-Length: 99999999999999999999\r\n")),
                arguments("Content-Length just past Long.MAX_VALUE", post("Content-Length: 9223372036854775808\r\n")),
                arguments("Content-Length with a non-ASCII digit", post("Content-Length: 5\u00b9\r\n")),
                arguments("obs-fold continuation line", post("Content-Length: 5\r\nX-Folded: a\r\n b\r\n") + "hello"),
                arguments("obs-fold with HTAB", post("X-Folded: a\r\n\tb\r\n")),
                arguments("whitespace before the first field line",
                          "GET / HTTP/1.1\r\n Host: h\r\n\r\n"),
                arguments("space between field name and colon", post("Content-Length : 5\r\n") + "hello"),
                arguments("HTAB between field name and colon", post("Transfer-Encoding\t: chunked\r\n")),
                arguments("space inside a field name", post("Content Length: 5\r\n")),
                arguments("bare LF ending a header line", "GET / HTTP/1.1\r\nHost: h\nX: y\r\n\r\n"),
                arguments("bare LF ending the request line", "GET / HTTP/1.1\nHost: h\r\n\r\n"),
                arguments("bare LF ending the header section", "GET / HTTP/1.1\r\nHost: h\r\n\n"),
                arguments("bare CR in a field value", "GET / HTTP/1.1\r\nHost: h\r\nX: a\rb\r\n\r\n"),
                arguments("bare CR in the request line", "GET /\r HTTP/1.1\r\nHost: h\r\n\r\n"),
                arguments("bare CR ending a line", "GET / HTTP/1.1\r\nHost: h\r\r\n\r\n"),
                arguments("bare LF ending a chunk-size line", post("Transfer-Encoding: chunked\r\n") + "5\nhello\r\n0\r\n\r\n"),
                arguments("bare LF after chunk data", post("Transfer-Encoding: chunked\r\n") + "5\r\nhello\n0\r\n\r\n"),
                arguments("bare LF ending the last chunk", post("Transfer-Encoding: chunked\r\n") + "0\n\r\n"),
                arguments("bare LF ending the trailer section", post("Transfer-Encoding: chunked\r\n") + "0\r\n\n"),
                arguments("bare CR in a chunk-size line", post("Transfer-Encoding: chunked\r\n") + "5\r;x\r\nhello\r\n0\r\n\r\n"),
                arguments("Transfer-Encoding in HTTP/1.0",
                          "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
                arguments("chunked given twice on one line", post("Transfer-Encoding: chunked, chunked\r\n") + "0\r\n\r\n"),
                arguments("chunked given twice on two lines",
                          post("Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n") + "0\r\n\r\n"),
                arguments("chunked with a parameter", post("Transfer-Encoding: chunked;q=1\r\n") + "0\r\n\r\n"),
                arguments("Transfer-Encoding with an empty element", post("Transfer-Encoding: , chunked\r\n") + "0\r\n\r\n"),
                arguments("Transfer-Encoding empty", post("Transfer-Encoding:\r\n")),
                arguments("Transfer-Encoding not a token", post("Transfer-Encoding: \"chunked\"\r\n")),
                arguments("Transfer-Encoding with a vertical tab", post("Transfer-Encoding: \u000bchunked\r\n")),
                arguments("Transfer-Encoding with a form feed", post("Transfer-Encoding: chunked\u000c\r\n")),
                arguments("NUL in a field value", "GET / HTTP/1.1\r\nHost: h\r\nX: a\u0000b\r\n\r\n"),
                arguments("NUL in a field name", "GET / HTTP/1.1\r\nHost: h\r\nX\u0000: a\r\n\r\n"),
                arguments("NUL in the request line", "GET /\u0000 HTTP/1.1\r\nHost: h\r\n\r\n"),
                arguments("NUL in a chunk extension", post("Transfer-Encoding: chunked\r\n") + "0;a\u0000\r\n\r\n"),
                arguments("NUL in a trailer", post("Transfer-Encoding: chunked\r\n") + "0\r\nT: \u0000\r\n\r\n"),
                arguments("control byte in a field value", "GET / HTTP/1.1\r\nHost: h\r\nX: a\u0001b\r\n\r\n"),
                arguments("DEL in a field value", "GET / HTTP/1.1\r\nHost: h\r\nX: a\u007fb\r\n\r\n"),
                arguments("escape in a field value", "GET / HTTP/1.1\r\nHost: h\r\nX: \u001b[31m\r\n\r\n"),
                arguments("non-token byte in a field name", "GET / HTTP/1.1\r\nHost: h\r\nX(y): a\r\n\r\n"),
                arguments("non-ASCII byte in a field name", "GET / HTTP/1.1\r\nHost: h\r\nX\u00e9: a\r\n\r\n"),
                arguments("missing Host in HTTP/1.1", "GET / HTTP/1.1\r\n\r\n"),
                arguments("duplicate Host", "GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n"),
                arguments("duplicate Host differing in case", "GET / HTTP/1.1\r\nHost: a\r\nhost: b\r\n\r\n"),
                arguments("duplicate Host in HTTP/1.0", "GET / HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n"),
                arguments("Host with userinfo", "GET / HTTP/1.1\r\nHost: user@h\r\n\r\n"),
                arguments("Host with a path", "GET / HTTP/1.1\r\nHost: h/x\r\n\r\n"),
                arguments("Host with a space", "GET / HTTP/1.1\r\nHost: h x\r\n\r\n"),
                arguments("Host list", "GET / HTTP/1.1\r\nHost: a, b\r\n\r\n"));
    }

    @ParameterizedTest(name = "{0}") @MethodSource("smuggling")
    void smugglingVectorsAreRefusedWith400(String name, String request) {
        assertThat(refused(request)).isEqualTo(400);
    }

    static Stream<Arguments> malformed() {
        return Stream.of(
                arguments("empty method", " / HTTP/1.1\r\n" + H + "\r\n", 400),
                arguments("method with a non-token byte", "GE(T / HTTP/1.1\r\n" + H + "\r\n", 400),
                arguments("two spaces after the method", "GET  / HTTP/1.1\r\n" + H + "\r\n", 400),
                arguments("two spaces before the version", "GET /  HTTP/1.1\r\n" + H + "\r\n", 400),
                arguments("tab as separator", "GET\t/ HTTP/1.1\r\n" + H + "\r\n", 400),
                arguments("space in the target", "GET /a b HTTP/1.1\r\n" + H + "\r\n", 400),
                arguments("trailing space after the version", "GET / HTTP/1.1 \r\n" + H + "\r\n", 400),
                arguments("no target or version", "GET\r\n" + H + "\r\n", 400),
                arguments("fragment in the target", "GET /a#b HTTP/1.1\r\n" + H + "\r\n", 400),
                arguments("bad percent-encoding", "GET /a%zz HTTP/1.1\r\n" + H + "\r\n", 400),
                arguments("truncated percent-encoding", "GET /a% HTTP/1.1\r\n" + H + "\r\n", 400),
                arguments("non-ASCII in the target", "GET /caf\u00e9 HTTP/1.1\r\n" + H + "\r\n", 400),
                arguments("angle bracket in the target", "GET /<script> HTTP/1.1\r\n" + H + "\r\n", 400),
                arguments("asterisk-form with GET", "GET * HTTP/1.1\r\n" + H + "\r\n", 400),
                arguments("authority-form with GET", "GET h:80 HTTP/1.1\r\n" + H + "\r\n", 400),
                arguments("target in no form", "GET index.html HTTP/1.1\r\n" + H + "\r\n", 400),
                arguments("CONNECT with origin-form", "CONNECT / HTTP/1.1\r\n" + H + "\r\n", 400),
                arguments("CONNECT without a port", "CONNECT h HTTP/1.1\r\n" + H + "\r\n", 400),
                arguments("CONNECT with userinfo", "CONNECT u@h:443 HTTP/1.1\r\n" + H + "\r\n", 400),
                arguments("lowercase protocol name", "GET / http/1.1\r\n" + H + "\r\n", 400),
                arguments("two-digit minor version", "GET / HTTP/1.10\r\n" + H + "\r\n", 400),
                arguments("version without a minor", "GET / HTTP/1\r\n" + H + "\r\n", 400),
                arguments("version with letters", "GET / HTTP/x.y\r\n" + H + "\r\n", 400),
                arguments("not HTTP at all", "\u0016\u0003\u0001\u0002\u0000\u0001\u0000\u0001\u00fc\u0003\u0003", 400),
                arguments("field line without a colon", "GET / HTTP/1.1\r\n" + H + "NoColon\r\n\r\n", 400),
                arguments("field line with an empty name", "GET / HTTP/1.1\r\n" + H + ": v\r\n\r\n", 400),
                arguments("HTTP/2.0", "GET / HTTP/2.0\r\n" + H + "\r\n", 505),
                arguments("HTTP/1.2", "GET / HTTP/1.2\r\n" + H + "\r\n", 505),
                arguments("HTTP/0.9 version", "GET / HTTP/0.9\r\n\r\n", 505),
                arguments("HTTP/0.9-style request line", "GET /index.html\r\n", 505),
                arguments("HTTP/2 connection preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 505),
                arguments("HTTP/9.9", "GET / HTTP/9.9\r\n" + H + "\r\n", 505),
                arguments("unknown transfer coding", post("Transfer-Encoding: gzip\r\n"), 501),
                arguments("chunked not last", post("Transfer-Encoding: chunked, gzip\r\n"), 501),
                arguments("chunked after another coding", post("Transfer-Encoding: gzip, chunked\r\n"), 501),
                arguments("identity coding", post("Transfer-Encoding: identity\r\n"), 501),
                arguments("unknown coding on a second line",
                          post("Transfer-Encoding: chunked\r\nTransfer-Encoding: x-custom\r\n"), 501),
                arguments("unknown coding with parameters", post("Transfer-Encoding: foo;a=b\r\n"), 501));
    }

    @ParameterizedTest(name = "{0} is {2}") @MethodSource("malformed")
    void malformedRequestsAreRefusedWithTheirStatus(String name, String request, int status) {
        assertThat(refused(request)).isEqualTo(status);
    }

    @Test void anHttp10RequestNeedsNoHost() {
        assertThat(Decoding.whole("GET / HTTP/1.0\r\n\r\n").only().version()).isEqualTo(HttpVersion.HTTP_1_0);
    }

    @Test void anErrorIsStickyAndConsumesNothingMore() {
        RequestDecoder d = new RequestDecoder();
        ByteBuffer bad = ByteBuffer.wrap(bytes("GET / HTTP/1.1\r\nHost: h\r\nContent-Length: -1\r\n\r\nGET / HTTP/1.1\r\n"));
        assertThat(d.decode(bad)).isEqualTo(Status.ERROR);
        DecodeError first = d.error();
        assertThat(first.status()).isEqualTo(400);
        int stoppedAt = bad.position();
        assertThat(d.decode(bad)).isEqualTo(Status.ERROR);
        assertThat(bad.position()).isEqualTo(stoppedAt);

        d.next();
        ByteBuffer good = ByteBuffer.wrap(bytes("GET / HTTP/1.1\r\nHost: h\r\n\r\n"));
        assertThat(d.feed(good)).isZero();
        assertThat(d.status()).isEqualTo(Status.ERROR);
        assertThat(d.error()).isSameAs(first);
        assertThat(d.midMessage()).isFalse();
        org.assertj.core.api.Assertions.assertThatIllegalStateException().isThrownBy(d::request);
        org.assertj.core.api.Assertions.assertThatIllegalStateException().isThrownBy(d::head);
    }

    @Test void anErrorInALaterPipelinedRequestKeepsTheEarlierOnes() {
        Outcome o = Decoding.whole("GET /1 HTTP/1.1\r\nHost: h\r\n\r\nGET /2 HTTP/1.1\r\n\r\nGET /3 HTTP/1.1\r\nHost: h\r\n\r\n");
        assertThat(o.requests()).extracting(Request::target).containsExactly("/1");
        assertThat(o.status()).isEqualTo(400);
    }

    @Test void errorsNeverEchoRequestBytesInTheirReason() {
        RequestDecoder d = new RequestDecoder();
        d.decode(ByteBuffer.wrap(bytes("GET /secret HTTP/7.7\r\n")));
        assertThat(d.error().reason()).doesNotContain("secret");
    }

    /** The status a request is refused with; it must be the same whole and one byte at a time. */
    private static int refused(String request) {
        Outcome whole = Decoding.whole(bytes(request));
        assertThat(whole.requests()).as("nothing decoded before the refusal").isEmpty();
        assertThat(Decoding.byteByByte(Limits.DEFAULT, bytes(request))).as("one byte at a time").isEqualTo(whole);
        return whole.status();
    }
}
