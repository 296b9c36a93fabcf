package io.understudy.httpd;

import static io.understudy.httpd.Decoding.bytes;
import static io.understudy.httpd.Decoding.text;
import static org.assertj.core.api.Assertions.assertThat;

import io.understudy.httpd.Decoding.Outcome;
import io.understudy.httpd.RequestDecoder.Status;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A request arrives split at any byte; it must decode the same wherever the cuts fall. */
class RequestDecoderSplitTest {
    static final String POST = "POST /upload?x=1 HTTP/1.1\r\n"
            + "Host: example.com:8080\r\n"
            + "User-Agent: test/1.0\r\n"
            + "X-Odd:  spaced\tvalue \t\r\n"
            + "content-length: 11\r\n"
            + "\r\n"
            + "hello world";

    static final String CHUNKED = "PUT /c HTTP/1.1\r\n"
            + "Host: h\r\n"
            + "Transfer-Encoding: chunked\r\n"
            + "Expect: 100-continue\r\n"
            + "\r\n"
            + "5\r\nhello\r\n"
            + "1;name=value;q=\"x y\"\r\n \r\n"
            + "A\r\n0123456789\r\n"
            + "0\r\n"
            + "Trailer-One: 1\r\n"
            + "\r\n";

    static final String GET = "GET /index.html HTTP/1.1\r\nHost: h\r\n\r\n";

    @Test void decodesAContentLengthRequestInFull() {
        Request r = Decoding.whole(POST).only();
        assertThat(r.method()).isEqualTo("POST");
        assertThat(r.target()).isEqualTo("/upload?x=1");
        assertThat(r.head().targetForm()).isEqualTo(TargetForm.ORIGIN);
        assertThat(r.version()).isEqualTo(HttpVersion.HTTP_1_1);
        assertThat(r.headers().asList()).containsExactly(
                new Headers.Field("Host", "example.com:8080"),
                new Headers.Field("User-Agent", "test/1.0"),
                new Headers.Field("X-Odd", "spaced\tvalue"),
                new Headers.Field("content-length", "11"));
        assertThat(r.headers().first("CONTENT-LENGTH")).isEqualTo("11");
        assertThat(r.head().framing()).isEqualTo(BodyFraming.CONTENT_LENGTH);
        assertThat(r.head().contentLength()).isEqualTo(11);
        assertThat(text(r.body())).isEqualTo("hello world");
        assertThat(r.bodyLength()).isEqualTo(11);
        assertThat(r.keepAlive()).isTrue();
        assertThat(r.head().expectContinue()).isFalse();
    }

    @Test void decodesAChunkedRequestInFull() {
        Outcome o = Decoding.whole(CHUNKED);
        Request r = o.only();
        assertThat(o.heads()).containsExactly(r.head());
        assertThat(r.head().framing()).isEqualTo(BodyFraming.CHUNKED);
        assertThat(r.head().contentLength()).isEqualTo(-1);
        assertThat(r.head().expectContinue()).isTrue();
        assertThat(text(r.body())).isEqualTo("hello 0123456789");
        assertThat(r.headers().contains("Trailer-One")).as("trailers are discarded").isFalse();
    }

    @Test void contentLengthRequestSplitAtEveryPositionDecodesIdentically() {
        everySplitMatchesWhole(bytes(POST));
    }

    @Test void chunkedRequestSplitAtEveryPositionDecodesIdentically() {
        everySplitMatchesWhole(bytes(CHUNKED));
    }

    @Test void chunkedRequestSplitAtEveryPairOfPositionsDecodesIdentically() {
        byte[] in = bytes(CHUNKED);
        Outcome whole = Decoding.whole(Limits.DEFAULT, in);
        for (int i = 1; i < in.length; i++) {
            for (int j = i; j < in.length; j++) {
                assertThat(Decoding.pieces(Limits.DEFAULT, in, i, j)).as("cut at %d and %d", i, j).isEqualTo(whole);
            }
        }
    }

    @Test void pipelinedRequestsSplitAtEveryPositionDecodeIdentically() {
        byte[] in = bytes(GET + POST + CHUNKED + "\r\n" + GET);
        Outcome whole = Decoding.whole(Limits.DEFAULT, in);
        assertThat(whole.error()).isNull();
        assertThat(whole.requests()).extracting(Request::method).containsExactly("GET", "POST", "PUT", "GET");
        assertThat(whole.midMessage()).isFalse();
        everySplitMatchesWhole(in);
    }

    @Test void pipelinedRequestsInOneBufferStopAfterEachRequestAtItsLastByte() {
        ByteBuffer in = ByteBuffer.wrap(bytes(GET + POST + GET));
        RequestDecoder d = new RequestDecoder();
        assertThat(d.decode(in)).isEqualTo(Status.REQUEST_READY);
        assertThat(in.position()).isEqualTo(GET.length());
        assertThat(d.request().target()).isEqualTo("/index.html");
        d.next();
        assertThat(d.decode(in)).isEqualTo(Status.HEAD_READY);
        assertThat(in.position()).isEqualTo(GET.length() + POST.indexOf("hello"));
        assertThat(d.decode(in)).isEqualTo(Status.REQUEST_READY);
        assertThat(in.position()).isEqualTo(GET.length() + POST.length());
        d.next();
        assertThat(d.feed(in)).isEqualTo(GET.length());
        assertThat(d.status()).isEqualTo(Status.REQUEST_READY);
        d.next();
        assertThat(d.decode(in)).isEqualTo(Status.NEED_MORE);
        assertThat(d.midMessage()).isFalse();
    }

    @Test void feedFromAnArrayReportsTheBytesConsumed() {
        byte[] in = bytes("xx" + GET + GET);
        RequestDecoder d = new RequestDecoder();
        assertThat(d.feed(in, 2, 10)).isEqualTo(10);
        assertThat(d.status()).isEqualTo(Status.NEED_MORE);
        assertThat(d.midMessage()).isTrue();
        assertThat(d.feed(in, 12, in.length - 12)).isEqualTo(GET.length() - 10);
        assertThat(d.status()).isEqualTo(Status.REQUEST_READY);
    }

    @Test void decodingAgainBeforeNextIsACallerBug() {
        RequestDecoder d = new RequestDecoder();
        d.decode(ByteBuffer.wrap(bytes(GET)));
        org.assertj.core.api.Assertions.assertThatIllegalStateException()
                .isThrownBy(() -> d.decode(ByteBuffer.wrap(bytes(GET))));
    }

    @Test void nextBeforeTheRequestIsCompleteIsACallerBug() {
        RequestDecoder d = new RequestDecoder();
        d.decode(ByteBuffer.wrap(bytes("GET / HT")));
        org.assertj.core.api.Assertions.assertThatIllegalStateException().isThrownBy(d::next);
    }

    @Test void headReadyComesBeforeTheContentAndLetsTheCallerStreamIt() {
        RequestDecoder d = new RequestDecoder();
        ByteBuffer in = ByteBuffer.wrap(bytes(CHUNKED));
        assertThat(d.decode(in)).isEqualTo(Status.HEAD_READY);
        assertThat(d.head().expectContinue()).isTrue();
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        List<Integer> pieces = new ArrayList<>();
        d.streamBody(data -> {
            assertThat(data.isReadOnly()).isTrue();
            pieces.add(data.remaining());
            byte[] b = new byte[data.remaining()];
            data.get(b);
            got.write(b, 0, b.length);
        });
        assertThat(d.decode(in)).isEqualTo(Status.REQUEST_READY);
        assertThat(got.toString(java.nio.charset.StandardCharsets.ISO_8859_1)).isEqualTo("hello 0123456789");
        assertThat(pieces).containsExactly(5, 1, 10);
        assertThat(d.request().body()).isEmpty();
        assertThat(d.request().bodyLength()).isEqualTo(16);
        assertThat(d.request().bodyStreamed()).isTrue();
    }

    @Test void aRequestWithoutContentNeverReportsHeadReady() {
        assertThat(Decoding.whole(GET + "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n").heads()).isEmpty();
    }

    @Test void streamBodyOutsideHeadReadyIsACallerBug() {
        RequestDecoder d = new RequestDecoder();
        org.assertj.core.api.Assertions.assertThatIllegalStateException().isThrownBy(() -> d.streamBody(b -> { }));
    }

    @Test @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void a64MiBPostStreamsThroughASinkWithoutBeingHeld() {
        int size = 64 << 20;
        RequestDecoder d = new RequestDecoder();
        ByteBuffer head = ByteBuffer.wrap(bytes("POST /echo HTTP/1.1\r\nHost: h\r\nContent-Length: " + size + "\r\n\r\n"));
        assertThat(d.decode(head)).isEqualTo(Status.HEAD_READY);
        long[] sum = new long[2];
        d.streamBody(data -> {
            while (data.hasRemaining()) {
                sum[0] += data.get() & 0xFF;
                sum[1]++;
            }
        });
        ByteBuffer piece = ByteBuffer.allocate(65536);
        for (int i = 0; i < piece.capacity(); i++) {
            piece.put(i, (byte) i);
        }
        Status s = Status.NEED_MORE;
        for (int sent = 0; sent < size; sent += piece.capacity()) {
            piece.clear();
            s = d.decode(piece);
            assertThat(piece.hasRemaining()).isFalse();
        }
        assertThat(s).isEqualTo(Status.REQUEST_READY);
        assertThat(sum[1]).isEqualTo(size);
        assertThat(sum[0]).isEqualTo((long) (size / 256) * (255 * 256 / 2));
        assertThat(d.request().body()).isEmpty();
        assertThat(d.request().bodyLength()).isEqualTo(size);
    }

    @Test @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void a64MiBPostIsBufferedWholeByDefault() {
        int size = 64 << 20;
        byte[] head = bytes("POST /echo HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n");
        RequestDecoder d = new RequestDecoder();
        assertThat(d.decode(ByteBuffer.wrap(head))).isEqualTo(Status.HEAD_READY);
        byte[] chunk = new byte[1 << 20];
        for (int i = 0; i < chunk.length; i++) {
            chunk[i] = (byte) (i * 31);
        }
        ByteBuffer sizeLine = ByteBuffer.wrap(bytes(Integer.toHexString(chunk.length) + "\r\n"));
        for (int sent = 0; sent < size; sent += chunk.length) {
            assertThat(d.decode(sizeLine.clear())).isEqualTo(Status.NEED_MORE);
            assertThat(d.decode(ByteBuffer.wrap(chunk))).isEqualTo(Status.NEED_MORE);
            assertThat(d.decode(ByteBuffer.wrap(bytes("\r\n")))).isEqualTo(Status.NEED_MORE);
        }
        assertThat(d.decode(ByteBuffer.wrap(bytes("0\r\n\r\n")))).isEqualTo(Status.REQUEST_READY);
        byte[] body = d.request().body();
        assertThat(body).hasSize(size);
        assertThat(java.util.Arrays.equals(body, size - chunk.length, size, chunk, 0, chunk.length)).isTrue();
    }

    @Test @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void aLargeRequestFedOneByteAtATimeCostsLinearTime() {
        StringBuilder s = new StringBuilder("POST /" + "p".repeat(8000) + " HTTP/1.1\r\nHost: h\r\n");
        for (int i = 0; i < 98; i++) {
            s.append("X-").append(i).append(": ").append("v".repeat(150)).append("\r\n");
        }
        int body = 2 << 20;
        s.append("Content-Length: ").append(body).append("\r\n\r\n");
        byte[] in = java.util.Arrays.copyOf(bytes(s.toString()), s.length() + body);
        java.util.Arrays.fill(in, s.length(), in.length, (byte) 'b');
        RequestDecoder d = new RequestDecoder();
        ByteBuffer one = ByteBuffer.wrap(in);
        List<Request> requests = new ArrayList<>();
        for (int i = 0; i < in.length; i++) {
            one.limit(i + 1).position(i);
            Decoding.feed(d, one, requests, new ArrayList<>());
        }
        assertThat(requests).hasSize(1);
        assertThat(requests.get(0).bodyLength()).isEqualTo(body);
        assertThat(requests.get(0).headers().size()).isEqualTo(100);
    }

    private static void everySplitMatchesWhole(byte[] in) {
        Outcome whole = Decoding.whole(Limits.DEFAULT, in);
        assertThat(whole.error()).isNull();
        assertThat(whole.requests()).isNotEmpty();
        for (int i = 0; i <= in.length; i++) {
            assertThat(Decoding.pieces(Limits.DEFAULT, in, i)).as("cut at %d", i).isEqualTo(whole);
        }
        assertThat(Decoding.byteByByte(Limits.DEFAULT, in)).as("one byte at a time").isEqualTo(whole);
    }
}
