package io.understudy.httpd;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The access log: one line per response in the Common Log Format,
 * {@code host ident authuser [date] "request line" status bytes}, to the logger
 * {@value #LOGGER_NAME} at INFO. The server builds the line only when that logger is enabled;
 * the launcher's logback.xml sends it through an {@code AsyncAppender} so the stack thread never
 * waits for the console. Turn it off with {@code <logger name="io.understudy.httpd.access" level="OFF"/>}.
 */
final class AccessLog {
    static final String LOGGER_NAME = "io.understudy.httpd.access";
    static final Logger LOG = LoggerFactory.getLogger(LOGGER_NAME);
    private static final DateTimeFormatter DATE =
            DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.US).withZone(ZoneOffset.UTC);

    private AccessLog() {}

    /**
     * One Common Log Format line. {@code requestLine} null (no request was decoded: a 503 or a
     * decoder error) is written as {@code "-"}; {@code bytes} is the body length sent, 0 written as
     * {@code -}. Quotes, backslashes and non-printable characters of the request line are escaped
     * ({@code \"}, {@code \\}, {@code \xHH}) so a line cannot be forged or broken.
     */
    static String format(String host, Instant time, String requestLine, int status, long bytes) {
        StringBuilder b = new StringBuilder(96);
        b.append(host == null ? "-" : host).append(" - - [").append(DATE.format(time)).append("] \"");
        if (requestLine == null) {
            b.append('-');
        } else {
            escape(b, requestLine);
        }
        b.append("\" ").append(status).append(' ');
        if (bytes > 0) {
            b.append(bytes);
        } else {
            b.append('-');
        }
        return b.toString();
    }

    /** The request line of {@code head}: {@code METHOD target HTTP/1.x}. */
    static String requestLine(RequestHead head) {
        return head.method() + " " + head.target() + " " + head.version().text();
    }

    private static void escape(StringBuilder b, String s) {
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch == '"' || ch == '\\') {
                b.append('\\').append(ch);
            } else if (ch < 0x20 || ch >= 0x7f) {
                if (ch > 0xff) {
                    b.append('?');
                } else {
                    b.append("\\x").append(Character.forDigit(ch >> 4, 16)).append(Character.forDigit(ch & 0xF, 16));
                }
            } else {
                b.append(ch);
            }
        }
    }
}
