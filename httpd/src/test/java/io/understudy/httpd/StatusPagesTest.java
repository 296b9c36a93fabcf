package io.understudy.httpd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class StatusPagesTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
        200 | OK
        206 | Partial Content
        301 | Moved Permanently
        304 | Not Modified
        400 | Bad Request
        403 | Forbidden
        404 | Not Found
        405 | Method Not Allowed
        412 | Precondition Failed
        413 | Content Too Large
        414 | URI Too Long
        416 | Range Not Satisfiable
        431 | Request Header Fields Too Large
        500 | Internal Server Error
        501 | Not Implemented
        505 | HTTP Version Not Supported
        """)
    void reasonPhrases(int status, String phrase) {
        assertThat(Reasons.phrase(status)).isEqualTo(phrase);
    }

    @Test void unknownStatusHasAnEmptyPhrase() {
        assertThat(Reasons.phrase(299)).isEmpty();
        assertThat(Reasons.phrase(418)).isEmpty();
    }

    @ParameterizedTest
    @CsvSource({"400,Bad Request", "403,Forbidden", "404,Not Found", "405,Method Not Allowed", "413,Content Too Large",
        "414,URI Too Long", "416,Range Not Satisfiable", "431,Request Header Fields Too Large",
        "500,Internal Server Error", "501,Not Implemented", "505,HTTP Version Not Supported", "301,Moved Permanently"})
    void errorPagesAreSmallHtmlDocuments(int status, String phrase) {
        String page = new String(StatusPages.body(status), StandardCharsets.UTF_8);
        assertThat(page).startsWith("<!DOCTYPE html>")
                .contains("<title>" + status + " " + phrase + "</title>")
                .contains("<h1>" + status + " " + phrase + "</h1>")
                .endsWith("</html>\n");
        assertThat(page.length()).isLessThan(200);
        assertThat(StatusPages.hasBody(status)).isTrue();
    }

    @Test void noBodyFor304And204And1xx() {
        for (int s : new int[] {100, 101, 204, 304}) {
            assertThat(StatusPages.hasBody(s)).as("%d", s).isFalse();
            assertThat(StatusPages.body(s)).as("%d", s).isEmpty();
        }
    }

    @Test void redirectPageLinksToTheEscapedLocation() {
        String page = new String(StatusPages.redirect(301, "/a\"b<c>&'/"), StandardCharsets.UTF_8);
        assertThat(page).contains("<a href=\"/a&quot;b&lt;c&gt;&amp;&#39;/\">/a&quot;b&lt;c&gt;&amp;&#39;/</a>")
                .doesNotContain("<c>");
    }

    @Test void bodiesAreFreshArrays() {
        byte[] a = StatusPages.body(404);
        a[0] = 'X';
        assertThat(StatusPages.body(404)[0]).isEqualTo((byte) '<');
    }

    @Test void unknownStatusStillGetsAPage() {
        assertThat(new String(StatusPages.body(599), StandardCharsets.UTF_8)).contains("<title>599</title>");
        assertThatThrownBy(() -> StatusPages.body(42)).isInstanceOf(IllegalArgumentException.class);
    }
}
