package io.understudy.httpd;

import static org.assertj.core.api.Assertions.assertThat;

import io.understudy.stack.socket.BlockingConnection;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** A strict HTTP/1.1 test client over a {@link BlockingConnection}, shared by the server's tests. */
final class HttpTestClient {
    private HttpTestClient() {}

    record Response(int status, Map<String, String> headers, byte[] body) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    static final class Client implements AutoCloseable {
        final BlockingConnection conn;
        final InputStream in;
        final OutputStream out;

        Client(BlockingConnection conn) {
            this.conn = conn;
            this.in = new BufferedInputStream(conn.inputStream(), 64 * 1024);
            this.out = conn.outputStream();
        }

        void send(String s) throws IOException {
            out.write(s.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        }

        /** Reads one response; its body by Content-Length unless {@code headersOnly}. */
        Response response(boolean headersOnly) throws IOException {
            String statusLine = line();
            assertThat(statusLine).startsWith("HTTP/1.1 ");
            int status = Integer.parseInt(statusLine.substring(9, 12));
            Map<String, String> headers = new LinkedHashMap<>();
            for (String l = line(); !l.isEmpty(); l = line()) {
                int colon = l.indexOf(':');
                headers.put(l.substring(0, colon).toLowerCase(Locale.ROOT), l.substring(colon + 1).trim());
            }
            byte[] body = new byte[0];
            String length = headers.get("content-length");
            if (!headersOnly && length != null) {
                body = in.readNBytes(Integer.parseInt(length));
                assertThat(body.length).as("body bytes before the end of stream").isEqualTo(Integer.parseInt(length));
            }
            return new Response(status, headers, body);
        }

        private String line() throws IOException {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            while (true) {
                int ch = in.read();
                if (ch < 0) {
                    throw new IOException("end of stream in a response head: " + b);
                }
                if (ch == '\n') {
                    String s = b.toString(StandardCharsets.ISO_8859_1);
                    assertThat(s).endsWith("\r");
                    return s.substring(0, s.length() - 1);
                }
                b.write(ch);
            }
        }

        @Override
        public void close() {
            conn.close();
        }
    }
}
