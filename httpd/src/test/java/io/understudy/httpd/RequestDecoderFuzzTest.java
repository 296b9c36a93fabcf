package io.understudy.httpd;

import static io.understudy.httpd.Decoding.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import io.understudy.httpd.Decoding.Outcome;
import io.understudy.httpd.RequestDecoder.Status;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Random bytes, and valid requests with random damage, under default and tiny limits. Nothing may
 * throw; the only failure is ERROR with one of the documented statuses; and the outcome must not
 * depend on how the bytes are cut or whether the content is buffered or streamed.
 */
class RequestDecoderFuzzTest {
    private static final int CASES = 30_000;
    private static final Set<Integer> STATUSES = Set.of(400, 413, 414, 431, 501, 505);
    private static final Limits TINY = new Limits(40, 80, 4, 24, 12);

    private static final String[] CORPUS = {
        "GET / HTTP/1.1\r\nHost: h\r\n\r\n",
        "GET /a/b?c=d HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
        "OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n",
        "CONNECT h:443 HTTP/1.1\r\nHost: h:443\r\n\r\n",
        "GET http://h/x HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n",
        "POST /p HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello",
        "POST /p HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 12\r\n\r\nhello world!",
        "PUT /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n3;x=y\r\nabc\r\n0\r\nT: v\r\n\r\n",
        "POST /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 30\r\n\r\n" + "b".repeat(30),
        "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n14\r\n" + "c".repeat(20) + "\r\n8\r\n12345678\r\n0\r\n\r\n",
        "GET /1 HTTP/1.1\r\nHost: h\r\n\r\nPOST /2 HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\nok\r\nGET /3 HTTP/1.1\r\nHost: h\r\n\r\n",
    };

    private static final String[] INSERTS = {
        "\r", "\n", "\r\n", "\u0000", " ", "\t", ":", ",", ";", "0", "1", "f", "\u007f", "\u00ff", "\r\n\r\n",
        "chunked", "Content-Length: 3\r\n", "Transfer-Encoding: chunked\r\n", "Transfer-Encoding: gzip\r\n",
        "Host: x\r\n", " HTTP/1.1", "HTTP/2.0", "HTTP/1.0", "ffffffffffffffffffff", "99999999999999999999",
        "Connection: close\r\n", "\r\n ", "Content-Length: 100\r\n", "40\r\n", "X: " + "y".repeat(90) + "\r\n",
    };

    private final Random random = new Random(0x5EED_4774L);
    private final Map<String, Integer> reached = new TreeMap<>();

    @Test void randomAndDamagedRequestsNeverThrowAndDecodeTheSameHoweverTheyAreFed() {
        for (int n = 0; n < CASES; n++) {
            byte[] in = switch (random.nextInt(8)) {
                case 0 -> randomBytes();
                case 1 -> randomText();
                default -> damage(bytes(CORPUS[random.nextInt(CORPUS.length)]));
            };
            Limits limits = random.nextInt(3) == 0 ? TINY : Limits.DEFAULT;
            try {
                check(limits, in);
            } catch (RuntimeException | AssertionError e) {
                throw new AssertionError("case " + n + " limits " + limits + ": " + HexFormat.of().formatHex(in), e);
            }
        }
        for (String outcome : new String[] {"request", "400", "413", "414", "431", "501", "505"}) {
            assertThat(reached.getOrDefault(outcome, 0)).as("the fuzz reached %s: %s", outcome, reached).isGreaterThan(10);
        }
    }

    private void check(Limits limits, byte[] in) {
        Outcome whole = Decoding.whole(limits, in);
        if (whole.error() != null) {
            assertThat(STATUSES).contains(whole.status());
            reached.merge(String.valueOf(whole.status()), 1, Integer::sum);
        }
        for (Request r : whole.requests()) {
            reached.merge("request", 1, Integer::sum);
            assertThat(r.headers().size()).isLessThanOrEqualTo(limits.maxHeaderFields());
            assertThat(r.bodyLength()).isLessThanOrEqualTo(limits.maxBody()).isEqualTo(r.body().length);
            if (r.head().framing() == BodyFraming.CONTENT_LENGTH) {
                assertThat(r.bodyLength()).isEqualTo(r.head().contentLength());
            }
        }
        assertThat(Decoding.randomPieces(limits, in, random, 1 + random.nextInt(16))).as("random pieces").isEqualTo(whole);
        if (in.length <= 300) {
            assertThat(Decoding.byteByByte(limits, in)).as("one byte at a time").isEqualTo(whole);
        }
        assertThat(streamed(limits, in)).as("content streamed to a sink").isEqualTo(whole);
    }

    /** Decodes in random pieces, streaming every body to a sink and rebuilding the request from it. */
    private Outcome streamed(Limits limits, byte[] in) {
        RequestDecoder d = new RequestDecoder(limits);
        List<Request> requests = new ArrayList<>();
        List<RequestHead> heads = new ArrayList<>();
        ByteArrayOutputStream sunk = new ByteArrayOutputStream();
        int at = 0;
        while (at < in.length) {
            int n = 1 + random.nextInt(Math.min(64, in.length - at));
            ByteBuffer piece = ByteBuffer.wrap(in, at, n);
            at += n;
            while (true) {
                Status s = d.decode(piece);
                if (s == Status.ERROR) {
                    return new Outcome(requests, heads, d.error(), false);
                }
                if (s == Status.NEED_MORE) {
                    break;
                }
                if (s == Status.HEAD_READY) {
                    heads.add(d.head());
                    sunk.reset();
                    d.streamBody(data -> {
                        byte[] b = new byte[data.remaining()];
                        data.get(b);
                        sunk.write(b, 0, b.length);
                    });
                } else {
                    Request r = d.request();
                    byte[] body = r.head().hasBody() ? sunk.toByteArray() : r.body();
                    assertThat(r.body()).isEmpty();
                    assertThat(body.length).isEqualTo(r.bodyLength());
                    requests.add(new Request(r.head(), body, r.bodyLength()));
                    d.next();
                }
            }
        }
        return new Outcome(requests, heads, null, d.midMessage());
    }

    private byte[] randomBytes() {
        byte[] b = new byte[random.nextInt(200)];
        random.nextBytes(b);
        return b;
    }

    /** Printable ASCII with line ends, so the decoder gets past the first byte now and then. */
    private byte[] randomText() {
        String alphabet = "GETPOSHT/1.0 :\r\n\r\nHost:h\r\nContent-Length:Transfer-Encoding:chunked0123456789abcdef;,";
        byte[] b = new byte[random.nextInt(300)];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) alphabet.charAt(random.nextInt(alphabet.length()));
        }
        return b;
    }

    /** One to four random edits of a valid request. */
    private byte[] damage(byte[] valid) {
        byte[] b = valid;
        for (int edits = 1 + random.nextInt(4); edits > 0; edits--) {
            b = edit(b);
        }
        return b;
    }

    private byte[] edit(byte[] b) {
        int at = b.length == 0 ? 0 : random.nextInt(b.length);
        switch (random.nextInt(7)) {
            case 0 -> {
                if (b.length > 0) {
                    b = b.clone();
                    b[at] = (byte) random.nextInt(256);
                }
            }
            case 1, 2 -> b = splice(b, at, 0, bytes(INSERTS[random.nextInt(INSERTS.length)]));
            case 3 -> b = splice(b, at, Math.min(b.length - at, 1 + random.nextInt(4)), new byte[0]);
            case 4 -> b = Arrays.copyOf(b, at);
            case 5 -> {
                int len = Math.min(b.length - at, 1 + random.nextInt(20));
                b = splice(b, at, 0, Arrays.copyOfRange(b, at, at + len));
            }
            default -> {
                if (b.length > 0) {
                    b = b.clone();
                    b[at] = (byte) "\r\n \t:0;".charAt(random.nextInt(7));
                }
            }
        }
        return b;
    }

    private static byte[] splice(byte[] b, int at, int remove, byte[] insert) {
        byte[] out = new byte[b.length - remove + insert.length];
        System.arraycopy(b, 0, out, 0, at);
        System.arraycopy(insert, 0, out, at, insert.length);
        System.arraycopy(b, at + remove, out, at + insert.length, b.length - at - remove);
        return out;
    }
}
