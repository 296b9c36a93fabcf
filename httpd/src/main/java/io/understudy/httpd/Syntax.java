package io.understudy.httpd;

import java.util.ArrayList;
import java.util.List;

/**
 * The small grammars of RFC 9110 and RFC 9112 the decoder needs, over byte ranges and strings.
 * Pure functions; nothing here allocates except {@link #listElements}.
 */
final class Syntax {
    static final byte CR = '\r', LF = '\n', SP = ' ', HTAB = '\t', COLON = ':';

    /** tchar (RFC 9110 §5.6.2). */
    private static final boolean[] TCHAR = table("!#$%&'*+-.^_`|~");
    /**
     * Bytes allowed in a request-target: RFC 3986 unreserved, gen-delims except '#' (no fragment in
     * a request-target), sub-delims and '%' (checked to start a pct-encoded triplet separately).
     */
    private static final boolean[] TARGET = table("-._~" + ":/?[]@" + "!$&'()*+,;=" + "%");
    /** Bytes allowed in a Host value or an authority-form target: uri-host and port (RFC 3986 §3.2.2). */
    private static final boolean[] HOST = table("-._~" + "!$&'()*+,;=" + "%" + ":[]");

    private Syntax() { }

    private static boolean[] table(String punctuation) {
        boolean[] t = new boolean[256];
        for (int c = '0'; c <= '9'; c++) {
            t[c] = true;
        }
        for (int c = 'a'; c <= 'z'; c++) {
            t[c] = true;
            t[c - 'a' + 'A'] = true;
        }
        for (char c : punctuation.toCharArray()) {
            t[c] = true;
        }
        return t;
    }

    static boolean isTchar(byte b) {
        return TCHAR[b & 0xFF];
    }

    /** field-vchar / SP / HTAB (RFC 9110 §5.5): every byte but the CTLs other than HTAB, and DEL. */
    static boolean isFieldValueByte(byte b) {
        int c = b & 0xFF;
        return c == HTAB || (c >= 0x20 && c != 0x7F);
    }

    static boolean isOws(byte b) {
        return b == SP || b == HTAB;
    }

    static boolean isOws(char c) {
        return c == SP || c == HTAB;
    }

    /** 1*tchar over {@code b[from, to)}. */
    static boolean isToken(byte[] b, int from, int to) {
        if (from >= to) {
            return false;
        }
        for (int i = from; i < to; i++) {
            if (!isTchar(b[i])) {
                return false;
            }
        }
        return true;
    }

    /** 1*tchar. */
    static boolean isToken(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c > 0xFF || !TCHAR[c]) {
                return false;
            }
        }
        return true;
    }

    /** The value of a hex digit, or -1. */
    static int hexValue(int c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }

    private static boolean isDigit(int c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isAlpha(int c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    /**
     * HTTP-version (RFC 9112 §2.3) over {@code b[from, to)}: {@code "HTTP/" DIGIT "." DIGIT}, name
     * case-sensitive. Returns major * 10 + minor, or -1 if the bytes are not a version at all.
     */
    static int version(byte[] b, int from, int to) {
        if (to - from != 8 || b[from] != 'H' || b[from + 1] != 'T' || b[from + 2] != 'T' || b[from + 3] != 'P'
                || b[from + 4] != '/' || !isDigit(b[from + 5]) || b[from + 6] != '.' || !isDigit(b[from + 7])) {
            return -1;
        }
        return (b[from + 5] - '0') * 10 + (b[from + 7] - '0');
    }

    /** Whether every byte of {@code b[from, to)} may appear in a request-target and every '%' starts %HH. */
    static boolean isTargetChars(byte[] b, int from, int to, boolean[] table) {
        for (int i = from; i < to; i++) {
            int c = b[i] & 0xFF;
            if (!table[c]) {
                return false;
            }
            if (c == '%' && (i + 2 >= to || hexValue(b[i + 1]) < 0 || hexValue(b[i + 2]) < 0)) {
                return false;
            }
        }
        return true;
    }

    /** A target any of whose forms could accept: non-empty, URI characters only. */
    static boolean isTarget(byte[] b, int from, int to) {
        return from < to && isTargetChars(b, from, to, TARGET);
    }

    /**
     * absolute-form with an authority (RFC 9112 §3.2.2, RFC 3986 §3): {@code scheme "://"}, where
     * scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ). Authority-less URIs such as
     * {@code host:80} (grammatically scheme "host") are not accepted as absolute-form, so
     * authority-form cannot pass for it.
     */
    static boolean isAbsoluteForm(byte[] b, int from, int to) {
        if (from >= to || !isAlpha(b[from])) {
            return false;
        }
        for (int i = from + 1; i < to; i++) {
            int c = b[i];
            if (c == ':') {
                return i + 2 < to && b[i + 1] == '/' && b[i + 2] == '/';
            }
            if (!isAlpha(c) && !isDigit(c) && c != '+' && c != '-' && c != '.') {
                return false;
            }
        }
        return false;
    }

    /** authority-form (RFC 9112 §3.2.3): {@code uri-host ":" port}, host non-empty, port 1*DIGIT. */
    static boolean isAuthorityForm(byte[] b, int from, int to) {
        int colon = -1;
        for (int i = to - 1; i >= from; i--) {
            if (b[i] == ':') {
                colon = i;
                break;
            }
        }
        if (colon <= from || colon == to - 1 || !isTargetChars(b, from, colon, HOST)) {
            return false;
        }
        for (int i = colon + 1; i < to; i++) {
            if (!isDigit(b[i])) {
                return false;
            }
        }
        return true;
    }

    /** A Host field value (RFC 9110 §7.2): {@code uri-host [ ":" port ]}, possibly empty. */
    static boolean isHostValue(String v) {
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c > 0xFF || !HOST[c]) {
                return false;
            }
            if (c == '%' && (i + 2 >= v.length() || hexValue(v.charAt(i + 1)) < 0 || hexValue(v.charAt(i + 2)) < 0)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Content-Length = 1*DIGIT (RFC 9110 §8.6), nothing else: no sign, no inner whitespace, no
     * comma list. Returns the value, or -1 if malformed or beyond {@code Long.MAX_VALUE}.
     */
    static long contentLength(String v) {
        if (v.isEmpty()) {
            return -1;
        }
        long n = 0;
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (!isDigit(c)) {
                return -1;
            }
            int d = c - '0';
            if (n > (Long.MAX_VALUE - d) / 10) {
                return -1;
            }
            n = n * 10 + d;
        }
        return n;
    }

    /**
     * A chunk-size line (RFC 9112 §7.1) of {@code len} bytes, CRLF removed:
     * {@code 1*HEXDIG [ BWS ";" ext-bytes ]}. Extensions are ignored but must not hold CTLs other
     * than HTAB (or DEL). Returns the size, or -1 if malformed or beyond {@code Long.MAX_VALUE}.
     */
    static long chunkSize(byte[] b, int len) {
        long n = 0;
        int i = 0;
        for (; i < len; i++) {
            int d = hexValue(b[i]);
            if (d < 0) {
                break;
            }
            if (n > (Long.MAX_VALUE >>> 4)) {
                return -1;
            }
            n = (n << 4) | d;
        }
        if (i == 0) {
            return -1;
        }
        if (i == len) {
            return n;
        }
        while (i < len && isOws(b[i])) {
            i++;
        }
        if (i == len || b[i] != ';') {
            return -1;
        }
        for (; i < len; i++) {
            if (!isFieldValueByte(b[i])) {
                return -1;
            }
        }
        return n;
    }

    /**
     * The elements of a comma-separated list field (RFC 9110 §5.6.1), over all its field lines,
     * each trimmed of OWS. Empty elements are kept (as "") so callers can refuse them.
     */
    static List<String> listElements(List<String> values) {
        List<String> elements = new ArrayList<>();
        for (String v : values) {
            int start = 0;
            while (true) {
                int comma = v.indexOf(',', start);
                int end = comma < 0 ? v.length() : comma;
                elements.add(trimOws(v, start, end));
                if (comma < 0) {
                    break;
                }
                start = comma + 1;
            }
        }
        return elements;
    }

    /** Whether a list field holds {@code token} as an element, case-insensitively. */
    static boolean listContains(List<String> values, String token) {
        for (int i = 0; i < values.size(); i++) {
            if (listContains(values.get(i), token)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether one field value, a comma-separated list, holds {@code token} as an element
     * (trimmed of OWS, compared case-insensitively): {@link #listElements} without building the
     * list, matched in place.
     */
    static boolean listContains(String value, String token) {
        int start = 0;
        while (true) {
            int comma = value.indexOf(',', start);
            int end = comma < 0 ? value.length() : comma;
            int from = start;
            int to = end;
            while (from < to && isOws(value.charAt(from))) {
                from++;
            }
            while (to > from && isOws(value.charAt(to - 1))) {
                to--;
            }
            if (to - from == token.length() && value.regionMatches(true, from, token, 0, token.length())) {
                return true;
            }
            if (comma < 0) {
                return false;
            }
            start = comma + 1;
        }
    }

    static String trimOws(String s, int from, int to) {
        while (from < to && isOws(s.charAt(from))) {
            from++;
        }
        while (to > from && isOws(s.charAt(to - 1))) {
            to--;
        }
        return s.substring(from, to);
    }
}
