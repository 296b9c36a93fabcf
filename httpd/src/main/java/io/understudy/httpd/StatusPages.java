package io.understudy.httpd;

import java.nio.charset.StandardCharsets;

/**
 * The small HTML bodies the server sends with its own error and redirect responses, so that a
 * browser shows something better than a blank page. Each is a complete, tiny HTML5 document:
 *
 * <pre>
 * &lt;!DOCTYPE html&gt;
 * &lt;html&gt;&lt;head&gt;&lt;title&gt;404 Not Found&lt;/title&gt;&lt;/head&gt;
 * &lt;body&gt;&lt;h1&gt;404 Not Found&lt;/h1&gt;&lt;/body&gt;&lt;/html&gt;
 * </pre>
 *
 * <p>Responses that must not carry content (1xx, 204, 304: RFC 9110 §6.4.1, §15.4.5) get an
 * empty body; {@link #hasBody} says which. The caller still sends the body only for GET, never
 * for HEAD, and sets {@code Content-Type: }{@value #CONTENT_TYPE} and {@code Content-Length}.
 * The pages name no server, path or version, so they leak nothing about the request.
 */
public final class StatusPages {
    private StatusPages() {}

    /** The media type of every non-empty page. */
    public static final String CONTENT_TYPE = "text/html; charset=utf-8";

    private static final byte[] EMPTY = new byte[0];

    /** False for the statuses whose responses never carry content: 1xx, 204 and 304. */
    public static boolean hasBody(int status) {
        return !(status >= 100 && status < 200) && status != 204 && status != 304;
    }

    /** The page for {@code status} (a fresh array; empty where {@link #hasBody} is false). */
    public static byte[] body(int status) {
        return body(status, null);
    }

    /** The page for a redirect ({@code 301}, …): the same page with a link to {@code location}. */
    public static byte[] redirect(int status, String location) {
        return body(status, location);
    }

    private static byte[] body(int status, String location) {
        if (status < 100 || status > 999) {
            throw new IllegalArgumentException("not a status code: " + status);
        }
        if (!hasBody(status)) {
            return EMPTY.clone();
        }
        String phrase = Reasons.phrase(status);
        String title = phrase.isEmpty() ? Integer.toString(status) : status + " " + phrase;
        StringBuilder b = new StringBuilder(160);
        b.append("<!DOCTYPE html>\n<html><head><title>").append(title).append("</title></head>\n<body><h1>")
                .append(title).append("</h1>");
        if (location != null) {
            String escaped = escapeHtml(location);
            b.append("<p><a href=\"").append(escaped).append("\">").append(escaped).append("</a></p>");
        }
        b.append("</body></html>\n");
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Escapes the five HTML-special characters so {@code s} is safe in text and in a quoted attribute. */
    static String escapeHtml(String s) {
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }
}
