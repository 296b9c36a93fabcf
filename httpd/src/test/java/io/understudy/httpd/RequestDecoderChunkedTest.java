package io.understudy.httpd;

import static io.understudy.httpd.Decoding.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import io.understudy.httpd.Decoding.Outcome;
import org.junit.jupiter.api.Test;

/** Chunked request bodies (RFC 9112 §7.1): the edges. */
class RequestDecoderChunkedTest {
    private static final String HEAD = "POST /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n";

    private static Outcome chunked(String body) {
        Outcome whole = Decoding.whole(HEAD + body);
        assertThat(Decoding.byteByByte(Limits.DEFAULT, bytes(HEAD + body))).as("one byte at a time").isEqualTo(whole);
        return whole;
    }

    private static String content(String body) {
        return Decoding.text(chunked(body).only().body());
    }

    @Test void onlyTheZeroSizeLastChunkIsAnEmptyBody() {
        Request r = chunked("0\r\n\r\n").only();
        assertThat(r.body()).isEmpty();
        assertThat(r.bodyLength()).isZero();
    }

    @Test void theLastChunkMayHaveLeadingZerosAndExtensions() {
        assertThat(content("3\r\nabc\r\n000;last=yes\r\n\r\n")).isEqualTo("abc");
    }

    @Test void chunkSizesAreHexInEitherCaseWithLeadingZeros() {
        assertThat(content("a\r\n0123456789\r\nB\r\nabcdefghijk\r\n0001\r\n!\r\n0\r\n\r\n"))
                .isEqualTo("0123456789abcdefghijk!");
    }

    @Test void chunkExtensionsAreIgnored() {
        assertThat(content("2;a\r\nhi\r\n2 ; b=c ;d=\"e;f\"\r\nyo\r\n2;\r\n!!\r\n0\r\n\r\n")).isEqualTo("hiyo!!");
    }

    @Test void trailersAreParsedAndDiscarded() {
        Request r = chunked("2\r\nok\r\n0\r\nExpires: never\r\nContent-Length: 99\r\nX-Sum: 1\r\n\r\n").only();
        assertThat(Decoding.text(r.body())).isEqualTo("ok");
        assertThat(r.headers().contains("Expires")).isFalse();
        assertThat(r.headers().contains("Content-Length")).isFalse();
    }

    @Test void malformedTrailersAreRefusedLikeHeaders() {
        assertThat(chunked("0\r\nNoColon\r\n\r\n").status()).isEqualTo(400);
        assertThat(chunked("0\r\nT: a\r\n folded\r\n\r\n").status()).isEqualTo(400);
        assertThat(chunked("0\r\nT : a\r\n\r\n").status()).isEqualTo(400);
        assertThat(chunked("0\r\nT: a\u0001\r\n\r\n").status()).isEqualTo(400);
    }

    @Test void aChunkSizeOverflowingALongIs400() {
        assertThat(chunked("8000000000000000\r\n").status()).isEqualTo(400);
        assertThat(chunked("fffffffffffffffffffff\r\n").status()).isEqualTo(400);
        assertThat(chunked("10000000000000001\r\nx\r\n0\r\n\r\n").status()).isEqualTo(400);
    }

    @Test void aHugeButRepresentableChunkSizeIsOverTheBodyLimit() {
        assertThat(chunked("7fffffffffffffff\r\n").status()).isEqualTo(413);
        assertThat(chunked("00000000000000000000001\r\nx\r\n0\r\n\r\n").only().bodyLength()).isEqualTo(1);
    }

    @Test void missingCrlfAfterChunkDataIs400() {
        assertThat(chunked("3\r\nabcd\r\n0\r\n\r\n").status()).isEqualTo(400);
        assertThat(chunked("3\r\nabc0\r\n\r\n").status()).isEqualTo(400);
        assertThat(chunked("3\r\nabc\r0\r\n\r\n").status()).isEqualTo(400);
        assertThat(chunked("3\r\nab\r\n0\r\n\r\n").status()).isEqualTo(400);
    }

    @Test void malformedChunkSizeLinesAre400() {
        for (String bad : new String[] {"\r\n", "x\r\n", "-1\r\n", "+1\r\n", "0x1\r\n", " 1\r\n", "1 \r\n", "1\t\r\n",
                                         "1 2\r\n", "1;a\u0001\r\n", "1;a\u007f\r\n", "1,\r\n", "1=2\r\n"}) {
            assertThat(chunked(bad + "z\r\n0\r\n\r\n").status()).as("chunk-size line %s", bad.strip()).isEqualTo(400);
        }
    }

    @Test void aMissingLastChunkLeavesTheRequestIncomplete() {
        Outcome o = chunked("3\r\nabc\r\n");
        assertThat(o.requests()).isEmpty();
        assertThat(o.error()).isNull();
        assertThat(o.midMessage()).isTrue();
        Outcome noEnd = chunked("0\r\nT: 1\r\n");
        assertThat(noEnd.requests()).isEmpty();
        assertThat(noEnd.midMessage()).isTrue();
    }

    @Test void aPipelinedRequestFollowsTheTrailerSection() {
        Outcome o = Decoding.whole(HEAD + "1\r\na\r\n0\r\nT: 1\r\n\r\n" + HEAD + "1\r\nb\r\n0\r\n\r\n");
        assertThat(o.requests()).extracting(r -> Decoding.text(r.body())).containsExactly("a", "b");
    }
}
