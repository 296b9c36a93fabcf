package io.understudy.httpd;

/** The four forms of request-target (RFC 9112 §3.2). */
public enum TargetForm {
    /** {@code /path?query}: the usual form. */
    ORIGIN,
    /** {@code http://host/path}: sent to proxies; servers must accept it too (RFC 9112 §3.2.2). */
    ABSOLUTE,
    /** {@code host:port}: only with CONNECT. */
    AUTHORITY,
    /** {@code *}: only with OPTIONS. */
    ASTERISK
}
