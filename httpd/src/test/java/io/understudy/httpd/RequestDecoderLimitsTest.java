package io.understudy.httpd;

import static io.understudy.httpd.Decoding.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import io.understudy.httpd.Decoding.Outcome;
import io.understudy.httpd.RequestDecoder.Status;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** Every limit at its boundary: at the limit (and one under) decodes, one over is refused with its status. */
class RequestDecoderLimitsTest {
    private static final Limits DEFAULT = Limits.DEFAULT;

    @Test void defaultsAreThoseDocumented() {
        assertThat(DEFAULT).isEqualTo(new Limits(8192, 16384, 100, 1L << 30, 4096));
    }

    @Test void limitsThatCouldNotAdmitAnyRequestAreRejected() {
        assertThatIllegalArgumentException().isThrownBy(() -> new Limits(5, 16384, 100, 0, 4096));
        assertThatIllegalArgumentException().isThrownBy(() -> new Limits(8192, 1, 100, 0, 4096));
        assertThatIllegalArgumentException().isThrownBy(() -> new Limits(8192, 16384, -1, 0, 4096));
        assertThatIllegalArgumentException().isThrownBy(() -> new Limits(8192, 16384, 100, -1, 4096));
        assertThatIllegalArgumentException().isThrownBy(() -> new Limits(8192, 16384, 100, 0, 0));
    }

    // ---- 414: request line (CRLF not counted)

    /** A GET whose request line, CRLF excluded, is exactly {@code length} bytes. */
    private static String requestLineOf(int length) {
        String fixed = "GET / HTTP/1.1";
        return "GET /" + "a".repeat(length - fixed.length()) + " HTTP/1.1\r\nHost: h\r\n\r\n";
    }

    @Test void requestLineAtTheLimitIsAccepted() {
        assertThat(everyWay(DEFAULT, requestLineOf(8191)).only().target().length()).isEqualTo(8191 - "GET  HTTP/1.1".length());
        assertThat(everyWay(DEFAULT, requestLineOf(8192)).only().target().length()).isEqualTo(8192 - "GET  HTTP/1.1".length());
    }

    @Test void requestLineOneOverTheLimitIs414() {
        assertThat(everyWay(DEFAULT, requestLineOf(8193)).status()).isEqualTo(414);
    }

    @Test void requestLineOverTheLimitIs414BeforeItsEndArrives() {
        RequestDecoder d = new RequestDecoder();
        assertThat(d.decode(ByteBuffer.wrap(bytes("GET /" + "a".repeat(8188))))).isEqualTo(Status.ERROR);
        assertThat(d.error().status()).isEqualTo(414);
    }

    @Test void emptyLinesBeforeTheRequestLineAreSkippedUpToTheRequestLineLimit() {
        String get = "GET / HTTP/1.1\r\nHost: h\r\n\r\n";
        assertThat(everyWay(DEFAULT, "\r\n".repeat(4096) + get).only().target()).isEqualTo("/");
        assertThat(everyWay(DEFAULT, "\r\n".repeat(4097) + get).status()).isEqualTo(400);
    }

    // ---- 431: header section bytes (terminators and the final empty line included) and field count

    /** A GET whose header section (after the request line, final CRLF included) is {@code length} bytes. */
    private static String headerSectionOf(int length) {
        String host = "Host: h\r\n";
        String pad = "X-Pad: ";
        int value = length - host.length() - pad.length() - 2 - 2;
        return "GET / HTTP/1.1\r\n" + host + pad + "p".repeat(value) + "\r\n\r\n";
    }

    @Test void headerSectionAtTheLimitIsAccepted() {
        assertThat(everyWay(DEFAULT, headerSectionOf(16383)).only().headers().size()).isEqualTo(2);
        assertThat(everyWay(DEFAULT, headerSectionOf(16384)).only().headers().size()).isEqualTo(2);
    }

    @Test void headerSectionOneOverTheLimitIs431() {
        assertThat(everyWay(DEFAULT, headerSectionOf(16385)).status()).isEqualTo(431);
    }

    @Test void headerSectionOverTheLimitIs431BeforeItsEndArrives() {
        RequestDecoder d = new RequestDecoder();
        assertThat(d.decode(ByteBuffer.wrap(bytes("GET / HTTP/1.1\r\nX: " + "v".repeat(16382))))).isEqualTo(Status.ERROR);
        assertThat(d.error().status()).isEqualTo(431);
    }

    private static String fields(int count) {
        StringBuilder s = new StringBuilder("GET / HTTP/1.1\r\nHost: h\r\n");
        for (int i = 1; i < count; i++) {
            s.append("F").append(i).append(": ").append(i).append("\r\n");
        }
        return s.append("\r\n").toString();
    }

    @Test void headerFieldCountAtTheLimitIsAccepted() {
        assertThat(everyWay(DEFAULT, fields(99)).only().headers().size()).isEqualTo(99);
        assertThat(everyWay(DEFAULT, fields(100)).only().headers().size()).isEqualTo(100);
    }

    @Test void headerFieldCountOneOverTheLimitIs431() {
        assertThat(everyWay(DEFAULT, fields(101)).status()).isEqualTo(431);
    }

    // ---- 413: content

    private static final Limits SMALL_BODY = DEFAULT.withMaxBody(1000);

    private static String post(int contentLength) {
        return "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: " + contentLength + "\r\n\r\n" + "b".repeat(contentLength);
    }

    @Test void contentLengthAtTheLimitIsAccepted() {
        assertThat(everyWay(SMALL_BODY, post(999)).only().body()).hasSize(999);
        assertThat(everyWay(SMALL_BODY, post(1000)).only().body()).hasSize(1000);
    }

    @Test void contentLengthOneOverTheLimitIs413AsSoonAsTheHeadIsComplete() {
        assertThat(everyWay(SMALL_BODY, post(1001)).status()).isEqualTo(413);
        RequestDecoder d = new RequestDecoder(SMALL_BODY);
        assertThat(d.decode(ByteBuffer.wrap(bytes("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1001\r\n\r\n"))))
                .isEqualTo(Status.ERROR);
        assertThat(d.error().status()).isEqualTo(413);
    }

    @Test void contentLengthBeyondAnyArrayIs413WhenBufferingButStreamsThroughASink() {
        Limits huge = DEFAULT.withMaxBody(Long.MAX_VALUE);
        String head = "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3000000000\r\n\r\n";
        RequestDecoder buffering = new RequestDecoder(huge);
        assertThat(buffering.decode(ByteBuffer.wrap(bytes(head)))).isEqualTo(Status.HEAD_READY);
        assertThat(buffering.decode(ByteBuffer.wrap(bytes("x")))).isEqualTo(Status.ERROR);
        assertThat(buffering.error().status()).isEqualTo(413);

        RequestDecoder streaming = new RequestDecoder(huge);
        assertThat(streaming.decode(ByteBuffer.wrap(bytes(head)))).isEqualTo(Status.HEAD_READY);
        streaming.streamBody(data -> { });
        assertThat(streaming.decode(ByteBuffer.wrap(bytes("x")))).isEqualTo(Status.NEED_MORE);
    }

    private static String chunked(int... sizes) {
        StringBuilder s = new StringBuilder("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n");
        for (int size : sizes) {
            s.append(Integer.toHexString(size)).append("\r\n").append("c".repeat(size)).append("\r\n");
        }
        return s.append("0\r\n\r\n").toString();
    }

    @Test void chunkedContentAtTheLimitIsAccepted() {
        assertThat(everyWay(SMALL_BODY, chunked(500, 499)).only().body()).hasSize(999);
        assertThat(everyWay(SMALL_BODY, chunked(500, 500)).only().body()).hasSize(1000);
    }

    @Test void chunkedContentOneOverTheLimitIs413AtTheChunkSizeLine() {
        assertThat(everyWay(SMALL_BODY, chunked(500, 501)).status()).isEqualTo(413);
        assertThat(everyWay(SMALL_BODY, chunked(1001)).status()).isEqualTo(413);
    }

    // ---- trailer section: the same limits, fresh budget

    private static String trailerSectionOf(int length) {
        String pad = "T: ";
        return "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n"
                + pad + "t".repeat(length - pad.length() - 4) + "\r\n\r\n";
    }

    @Test void trailerSectionAtTheLimitIsAcceptedAndOneOverIs431() {
        assertThat(everyWay(DEFAULT, trailerSectionOf(16384)).only().body()).hasSize(1);
        assertThat(everyWay(DEFAULT, trailerSectionOf(16385)).status()).isEqualTo(431);
    }

    private static String trailerFields(int count) {
        StringBuilder s = new StringBuilder("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n");
        for (int i = 0; i < count; i++) {
            s.append("T").append(i).append(": ").append(i).append("\r\n");
        }
        return s.append("\r\n").toString();
    }

    @Test void trailerFieldCountAtTheLimitIsAcceptedAndOneOverIs431() {
        assertThat(everyWay(DEFAULT, trailerFields(100)).only().bodyLength()).isZero();
        assertThat(everyWay(DEFAULT, trailerFields(101)).status()).isEqualTo(431);
    }

    // ---- chunk-size line (extensions included): 400 when over

    private static String chunkLineOf(int length) {
        return "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "1;e=" + "x".repeat(length - 4) + "\r\nz\r\n0\r\n\r\n";
    }

    @Test void chunkSizeLineAtTheLimitIsAcceptedAndOneOverIs400() {
        assertThat(everyWay(DEFAULT, chunkLineOf(4095)).only().body()).hasSize(1);
        assertThat(everyWay(DEFAULT, chunkLineOf(4096)).only().body()).hasSize(1);
        assertThat(everyWay(DEFAULT, chunkLineOf(4097)).status()).isEqualTo(400);
    }

    /** Decodes whole and one byte at a time; both must agree. */
    static Outcome everyWay(Limits limits, String request) {
        Outcome whole = Decoding.whole(limits, bytes(request));
        assertThat(Decoding.byteByByte(limits, bytes(request))).as("one byte at a time").isEqualTo(whole);
        return whole;
    }
}
