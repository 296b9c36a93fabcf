package io.understudy.httpd;

import static org.assertj.core.api.Assertions.assertThat;

import io.understudy.stack.TwoStacks;
import io.understudy.stack.socket.BlockingConnection;
import io.understudy.stack.tcp.TcpState;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code /status} and {@code /metrics} of an {@link HttpServer} on stack B of {@link TwoStacks}. */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class IntrospectionTest {
    private static final int PORT = 80;
    private static final long WAIT_MS = 30_000;
    /** name{labels} value: the sample lines we write (integer or decimal values). */
    private static final Pattern SAMPLE = Pattern.compile(
            "([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\\\n]|\\\\[\\\\\"n])*\""
                    + "(?:,[a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\\\n]|\\\\[\\\\\"n])*\")*\\})? (-?[0-9]+(?:\\.[0-9]+)?)");
    private static final Pattern META = Pattern.compile("# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.+)");

    private TwoStacks net;

    @BeforeEach
    void start() {
        net = TwoStacks.start();
        net.b().call(s -> {
            try {
                return HttpServer.install(s.tcp(), PORT, ServerConfig.defaults(null), StatusSource.of(s));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    @AfterEach
    void stop() {
        net.close();
    }

    @Test
    void statusIsJsonWithRoleCountersConnectionsAndHttpFigures() throws Exception {
        try (HttpTestClient.Client c = connect()) {
            c.send("GET /status HTTP/1.1\r\nHost: x\r\n\r\n");
            HttpTestClient.Response r = c.response(false);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("content-type")).isEqualTo("application/json");
            String json = new String(r.body(), StandardCharsets.UTF_8);
            new JsonCheck(json).document();
            String counters = json.substring(json.indexOf("\"counters\":"), json.indexOf("},\"tcp\":"));
            assertThat(counters).doesNotContain(":0,").doesNotEndWith(":0"); // only the non-zero ones
            assertThat(json).startsWith("{\"role\":\"solo\",\"uptime_seconds\":")
                    .containsPattern("\"counters\":\\{\"rx_frames\":[1-9]")
                    .contains("\"connection_count\":1,\"connections\":[{\"tuple\":\"192.0.2.2:80-192.0.2.1:")
                    .contains("\"state\":\"ESTABLISHED\"", "\"cc\":", "\"sack\":", "\"snd_wscale\":")
                    .contains("\"connections_truncated\":0}")
                    .contains("\"http\":{\"active_connections\":1,\"connections\":1,\"responses\":0,\"rejected\":0}");
        }
    }

    @Test
    void theConnectionListIsCapped() throws Exception {
        try (HttpTestClient.Client c = connect()) {
            c.send("GET /status HTTP/1.1\r\nHost: x\r\n\r\n");
            c.response(false);
            String json = net.b().call(s -> StatusJson.render(StatusSource.of(s), 1, new HttpFigures(0, 0, 0, 0), 0));
            new JsonCheck(json).document();
            assertThat(json).contains("\"connection_count\":1,\"connections\":[],\"connections_truncated\":1}");
        }
    }

    @Test
    void metricsAreValidExpositionFormat() throws Exception {
        try (HttpTestClient.Client c = connect()) {
            c.send("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
            HttpTestClient.Response r = c.response(false);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("content-type")).startsWith("text/plain; version=0.0.4");
            String text = new String(r.body(), StandardCharsets.UTF_8);
            assertThat(text).endsWith("\n");

            Set<String> series = new HashSet<>();
            Set<String> helped = new HashSet<>();
            Set<String> typed = new HashSet<>();
            Map<String, String> values = new LinkedHashMap<>();
            for (String line : text.split("\n")) {
                Matcher meta = META.matcher(line);
                if (meta.matches()) {
                    Set<String> seen = meta.group(1).equals("HELP") ? helped : typed;
                    assertThat(seen.add(meta.group(2))).as("one %s for %s", meta.group(1), meta.group(2)).isTrue();
                    if (meta.group(1).equals("TYPE")) {
                        assertThat(meta.group(3)).isIn("counter", "gauge");
                    }
                    continue;
                }
                Matcher m = SAMPLE.matcher(line);
                assertThat(m.matches()).as("sample line %s", line).isTrue();
                String family = m.group(1);
                assertThat(typed).as("TYPE before %s", line).contains(family);
                assertThat(helped).as("HELP before %s", line).contains(family);
                String key = family + (m.group(2) == null ? "" : m.group(2));
                assertThat(series.add(key)).as("duplicate series %s", key).isTrue();
                values.put(key, m.group(3));
            }
            assertThat(Long.parseLong(values.get("understudy_frames_total{direction=\"rx\"}"))).isPositive();
            assertThat(values).containsKey("understudy_frames_total{direction=\"tx\"}")
                    .containsKey("understudy_drops_total{reason=\"ip_bad_checksum\"}")
                    .containsKey("understudy_drops_total{reason=\"udp_no_listener\"}")
                    .containsKey("understudy_tcp_retransmits_total")
                    .containsKey("understudy_tcp_segments_received_total")
                    .containsKey("understudy_http_responses_total")
                    .doesNotContainKey("understudy_rx_frames_total")
                    .doesNotContainKey("understudy_drop_ip_bad_checksum_total");
            for (TcpState s : TcpState.values()) {
                assertThat(values).containsKey("understudy_tcp_connections{state=\"" + s.name() + "\"}");
            }
            assertThat(values.get("understudy_tcp_connections{state=\"ESTABLISHED\"}")).isEqualTo("1");
        }
    }

    @Test
    void headHasTheFieldsWithoutTheBodyAndOtherMethodsAre405() throws Exception {
        try (HttpTestClient.Client c = connect()) {
            for (String path : new String[] {"/status", "/metrics"}) {
                c.send("HEAD " + path + " HTTP/1.1\r\nHost: x\r\n\r\n");
                HttpTestClient.Response head = c.response(true);
                assertThat(head.status()).isEqualTo(200);
                assertThat(Integer.parseInt(head.header("content-length"))).isPositive();
                c.send("POST " + path + " HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi");
                HttpTestClient.Response post = c.response(false);
                assertThat(post.status()).isEqualTo(405);
                assertThat(post.header("allow")).isEqualTo("GET, HEAD");
            }
            c.send("GET /status?x=1 HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(c.response(false).status()).isEqualTo(200);
            c.send("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
            String text = new String(c.response(false).body(), StandardCharsets.UTF_8);
            assertThat(text).contains("\nunderstudy_http_responses_total 5\n");
        }
    }

    @Test
    void withoutAStatusSourceThePathsAreNotServed() throws Exception {
        net.b().call(s -> {
            try {
                return HttpServer.install(s.tcp(), 81, ServerConfig.defaults(null));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        try (HttpTestClient.Client c = new HttpTestClient.Client(BlockingConnection.connect(net.a().executor(), TwoStacks.B_IP, 81, WAIT_MS))) {
            c.send("GET /status HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(c.response(false).status()).isEqualTo(404);
        }
    }

    // ---------------------------------------------------------------- helpers

    private HttpTestClient.Client connect() throws Exception {
        return new HttpTestClient.Client(BlockingConnection.connect(net.a().executor(), TwoStacks.B_IP, PORT, WAIT_MS));
    }

    /** A strict recursive-descent JSON syntax check (RFC 8259), enough to prove the page parses. */
    static final class JsonCheck {
        private final String s;
        private int i;

        JsonCheck(String s) {
            this.s = s;
        }

        void document() {
            value();
            assertThat(i).as("trailing text at %d", i).isEqualTo(s.length());
        }

        private void value() {
            char ch = peek();
            if (ch == '{') {
                i++;
                if (peek() != '}') {
                    do {
                        string();
                        expect(':');
                        value();
                    } while (accept(','));
                }
                expect('}');
            } else if (ch == '[') {
                i++;
                if (peek() != ']') {
                    do {
                        value();
                    } while (accept(','));
                }
                expect(']');
            } else if (ch == '"') {
                string();
            } else if (s.startsWith("true", i) || s.startsWith("null", i)) {
                i += 4;
            } else if (s.startsWith("false", i)) {
                i += 5;
            } else {
                Matcher m = Pattern.compile("-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?").matcher(s).region(i, s.length());
                assertThat(m.lookingAt()).as("value at %d", i).isTrue();
                i = m.end();
            }
        }

        private void string() {
            expect('"');
            while (true) {
                char ch = s.charAt(i++);
                if (ch == '"') {
                    return;
                }
                assertThat(ch).as("raw control character at %d", i).isGreaterThanOrEqualTo(' ');
                if (ch == '\\') {
                    char e = s.charAt(i++);
                    if (e == 'u') {
                        assertThat(s.substring(i, i + 4)).matches("[0-9a-fA-F]{4}");
                        i += 4;
                    } else {
                        assertThat("\"\\/bfnrt").contains(String.valueOf(e));
                    }
                }
            }
        }

        private char peek() {
            assertThat(i).as("unexpected end").isLessThan(s.length());
            return s.charAt(i);
        }

        private boolean accept(char ch) {
            if (i < s.length() && s.charAt(i) == ch) {
                i++;
                return true;
            }
            return false;
        }

        private void expect(char ch) {
            assertThat(accept(ch)).as("'%s' at %d in %s", ch, i, s).isTrue();
        }
    }
}
