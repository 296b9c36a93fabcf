package io.understudy.httpd;

/** The protocol versions the decoder accepts (RFC 9112 §2.3); any other is answered with 505. */
public enum HttpVersion {
    /** HTTP/1.0: persistent only with {@code Connection: keep-alive}; no Transfer-Encoding. */
    HTTP_1_0("HTTP/1.0"),
    /** HTTP/1.1: persistent unless {@code Connection: close}; Host required. */
    HTTP_1_1("HTTP/1.1");

    private final String text;

    HttpVersion(String text) {
        this.text = text;
    }

    /** As it appears on the wire, e.g. {@code HTTP/1.1}. */
    public String text() {
        return text;
    }
}
