package io.understudy.httpd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Persistence, Expect, target forms and field handling of well-formed requests. */
class RequestDecoderSemanticsTest {
    static Stream<Arguments> persistence() {
        return Stream.of(
                arguments("HTTP/1.1", "", true),
                arguments("HTTP/1.1", "Connection: close\r\n", false),
                arguments("HTTP/1.1", "Connection: CLOSE\r\n", false),
                arguments("HTTP/1.1", "Connection: keep-alive\r\n", true),
                arguments("HTTP/1.1", "Connection: upgrade, close\r\n", false),
                arguments("HTTP/1.1", "Connection: keep-alive\r\nConnection: close\r\n", false),
                arguments("HTTP/1.1", "Connection: closed\r\n", true),
                arguments("HTTP/1.0", "", false),
                arguments("HTTP/1.0", "Connection: keep-alive\r\n", true),
                arguments("HTTP/1.0", "Connection: Keep-Alive\r\n", true),
                arguments("HTTP/1.0", "Connection: foo,  keep-alive \r\n", true),
                arguments("HTTP/1.0", "Connection: keep-alive, close\r\n", false),
                arguments("HTTP/1.0", "Connection: close\r\n", false),
                arguments("HTTP/1.0", "Keep-Alive: timeout=5\r\n", false));
    }

    @ParameterizedTest(name = "{0} with [{1}] keeps alive: {2}") @MethodSource("persistence")
    void persistenceFollowsVersionAndConnection(String version, String fields, boolean keepAlive) {
        Request r = Decoding.whole("GET / " + version + "\r\nHost: h\r\n" + fields + "\r\n").only();
        assertThat(r.keepAlive()).isEqualTo(keepAlive);
    }

    @Test void expectContinueIsExposedForHttp11() {
        RequestHead head = Decoding.whole("POST / HTTP/1.1\r\nHost: h\r\nExpect: 100-Continue\r\nContent-Length: 1\r\n\r\n")
                .heads().get(0);
        assertThat(head.expectContinue()).isTrue();
        assertThat(head.hasBody()).isTrue();
    }

    @Test void expectContinueIsIgnoredForHttp10() {
        Request r = Decoding.whole("POST / HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\nx").only();
        assertThat(r.head().expectContinue()).isFalse();
        assertThat(r.headers().first("expect")).isEqualTo("100-continue");
    }

    @Test void otherExpectationsAreNotContinue() {
        assertThat(Decoding.whole("GET / HTTP/1.1\r\nHost: h\r\nExpect: 200-ok\r\n\r\n").only().head().expectContinue()).isFalse();
    }

    @Test void targetFormsAreRecognisedByMethod() {
        assertThat(form("OPTIONS * HTTP/1.1")).isEqualTo(TargetForm.ASTERISK);
        assertThat(form("OPTIONS /x HTTP/1.1")).isEqualTo(TargetForm.ORIGIN);
        assertThat(form("GET http://example.com/a?b=c HTTP/1.1")).isEqualTo(TargetForm.ABSOLUTE);
        assertThat(form("GET https://[::1]:8443/ HTTP/1.1")).isEqualTo(TargetForm.ABSOLUTE);
        assertThat(form("CONNECT example.com:443 HTTP/1.1")).isEqualTo(TargetForm.AUTHORITY);
        assertThat(form("CONNECT [2001:db8::1]:443 HTTP/1.1")).isEqualTo(TargetForm.AUTHORITY);
        assertThat(form("GET /a%20b/c;p=1?q=%7E&r=s:t@u HTTP/1.1")).isEqualTo(TargetForm.ORIGIN);
    }

    private static TargetForm form(String requestLine) {
        return Decoding.whole(requestLine + "\r\nHost: h\r\n\r\n").only().head().targetForm();
    }

    @Test void absoluteFormStillNeedsHostInHttp11() {
        assertThat(Decoding.whole("GET http://example.com/ HTTP/1.1\r\n\r\n").status()).isEqualTo(400);
    }

    @Test void methodsAreCaseSensitiveTokensAndUnknownOnesPassThrough() {
        assertThat(Decoding.whole("get / HTTP/1.1\r\nHost: h\r\n\r\n").only().method()).isEqualTo("get");
        assertThat(Decoding.whole("M-SEARCH * HTTP/1.1\r\nHost: h\r\n\r\n").status()).isEqualTo(400);
        assertThat(Decoding.whole("PROPFIND /d HTTP/1.1\r\nHost: h\r\n\r\n").only().method()).isEqualTo("PROPFIND");
    }

    @Test void fieldsKeepOrderNamesAndDuplicatesAndLookUpCaseInsensitively() {
        Request r = Decoding.whole("GET / HTTP/1.1\r\nhOsT: h\r\nAccept: a\r\nX-Y:\r\naccept: b\r\n\r\n").only();
        assertThat(r.headers().asList()).extracting(Headers.Field::name).containsExactly("hOsT", "Accept", "X-Y", "accept");
        assertThat(r.headers().all("ACCEPT")).containsExactly("a", "b");
        assertThat(r.headers().first("x-y")).isEmpty();
        assertThat(r.headers().first("missing")).isNull();
        assertThat(r.headers().get(1).value()).isEqualTo("a");
    }

    @Test void fieldValuesMayCarryObsTextAndInnerWhitespace() {
        Request r = Decoding.whole("GET / HTTP/1.1\r\nHost: h\r\nX: caf\u00e9 \t au lait\r\n\r\n").only();
        assertThat(r.headers().first("X")).isEqualTo("caf\u00e9 \t au lait");
    }

    @Test void anEmptyHostIsAllowedAndHttp10NeedsNone() {
        assertThat(Decoding.whole("GET / HTTP/1.1\r\nHost:\r\n\r\n").only().headers().first("Host")).isEmpty();
        assertThat(Decoding.whole("GET / HTTP/1.0\r\n\r\n").only().version()).isEqualTo(HttpVersion.HTTP_1_0);
    }

    @Test void contentLengthWithSurroundingWhitespaceAndLeadingZerosIsAccepted() {
        Request r = Decoding.whole("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: \t007 \r\n\r\n1234567").only();
        assertThat(r.head().contentLength()).isEqualTo(7);
        assertThat(Decoding.text(r.body())).isEqualTo("1234567");
    }

    @Test void contentLengthZeroMeansNoContent() {
        Request r = Decoding.whole("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n").only();
        assertThat(r.head().framing()).isEqualTo(BodyFraming.NONE);
        assertThat(r.body()).isEmpty();
    }

    @Test void aRequestWithoutFramingFieldsHasNoContentEvenIfBytesFollow() {
        Decoding.Outcome o = Decoding.whole("POST / HTTP/1.1\r\nHost: h\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n");
        assertThat(o.requests()).extracting(Request::method).containsExactly("POST", "GET");
    }

    @Test void transferEncodingChunkedIsCaseInsensitiveWithWhitespace() {
        Request r = Decoding.whole("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding:  CHUNKED \r\n\r\n1\r\nz\r\n0\r\n\r\n").only();
        assertThat(r.head().framing()).isEqualTo(BodyFraming.CHUNKED);
        assertThat(Decoding.text(r.body())).isEqualTo("z");
    }

    @Test void truncatedInputLeavesTheDecoderMidMessage() {
        assertThat(Decoding.whole("GET / HTTP/1.1\r\nHost").midMessage()).isTrue();
        assertThat(Decoding.whole("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nab").midMessage()).isTrue();
        assertThat(Decoding.whole("\r\n\r\n").midMessage()).isFalse();
        assertThat(Decoding.whole("").midMessage()).isFalse();
    }
}
