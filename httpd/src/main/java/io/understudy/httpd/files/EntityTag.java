package io.understudy.httpd.files;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * An entity-tag (RFC 9110 §8.8.3): {@code [W/] DQUOTE *etagc DQUOTE}, where etagc is any
 * visible ASCII character but {@code "} (and obs-text, bytes 0x80–0xFF).
 *
 * @param opaque the opaque-tag, quotes included (comparisons are on it, character by character)
 * @param weak   whether it carried the {@code W/} prefix
 */
public record EntityTag(String opaque, boolean weak) {

    public EntityTag {
        Objects.requireNonNull(opaque, "opaque");
        if (!isOpaqueTag(opaque, 0, opaque.length())) {
            throw new IllegalArgumentException("not an opaque-tag: " + opaque);
        }
    }

    /** Parses one entity-tag such as {@code "abc"} or {@code W/"abc"}; surrounding OWS is allowed. */
    public static Optional<EntityTag> parse(String value) {
        if (value == null) {
            return Optional.empty();
        }
        int a = skipOws(value, 0), b = value.length();
        while (b > a && isOws(value.charAt(b - 1))) {
            b--;
        }
        return parse(value, a, b);
    }

    private static Optional<EntityTag> parse(String s, int a, int b) {
        boolean weak = b - a >= 2 && s.charAt(a) == 'W' && s.charAt(a + 1) == '/';
        int o = weak ? a + 2 : a;
        return isOpaqueTag(s, o, b) ? Optional.of(new EntityTag(s.substring(o, b), weak)) : Optional.empty();
    }

    /**
     * A field value of the form {@code "*" / #entity-tag} (If-Match, If-None-Match). Returns
     * empty when the value is syntactically invalid anywhere (the caller decides what an
     * invalid value means); {@link #isAny} is true for {@code *}. Empty list elements ({@code
     * "a", , "b"}) are allowed, as RFC 9110 §5.6.1 asks of recipients. Combined field lines
     * ({@code "a", "b"} from two lines) are just a longer list.
     */
    public static Optional<FieldValue> parseList(String value) {
        if (value == null) {
            return Optional.empty();
        }
        int n = value.length();
        int i = skipOws(value, 0);
        int end = n;
        while (end > i && isOws(value.charAt(end - 1))) {
            end--;
        }
        if (end - i == 1 && value.charAt(i) == '*') {
            return Optional.of(new FieldValue(true, List.of()));
        }
        List<EntityTag> tags = new ArrayList<>();
        while (i < end) {
            if (value.charAt(i) == ',') {
                i = skipOws(value, i + 1);
                continue;
            }
            // one entity-tag: [W/] " ... "
            int start = i;
            if (value.startsWith("W/", i)) {
                i += 2;
            }
            if (i >= end || value.charAt(i) != '"') {
                return Optional.empty();
            }
            int close = value.indexOf('"', i + 1);
            if (close < 0 || close >= end) {
                return Optional.empty();
            }
            Optional<EntityTag> tag = parse(value, start, close + 1);
            if (tag.isEmpty()) {
                return Optional.empty();
            }
            tags.add(tag.get());
            i = skipOws(value, close + 1);
            if (i < end && value.charAt(i) != ',') {
                return Optional.empty();
            }
        }
        return Optional.of(new FieldValue(false, List.copyOf(tags)));
    }

    /** A parsed {@code "*" / #entity-tag} value. */
    public record FieldValue(boolean isAny, List<EntityTag> tags) {
        /** Weak comparison against {@code current} (If-None-Match): {@code *} matches anything. */
        public boolean matchesWeak(EntityTag current) {
            return isAny || tags.stream().anyMatch(t -> t.weakEquals(current));
        }

        /** Strong comparison against {@code current} (If-Match): {@code *} matches anything. */
        public boolean matchesStrong(EntityTag current) {
            return isAny || tags.stream().anyMatch(t -> t.strongEquals(current));
        }
    }

    /** Strong comparison (RFC 9110 §8.8.3.2): neither is weak and the opaque-tags are equal. */
    public boolean strongEquals(EntityTag other) {
        return !weak && !other.weak && opaque.equals(other.opaque);
    }

    /** Weak comparison: the opaque-tags are equal, whatever the W/ prefixes. */
    public boolean weakEquals(EntityTag other) {
        return opaque.equals(other.opaque);
    }

    /** The field form: {@code W/"x"} or {@code "x"}. */
    @Override public String toString() {
        return weak ? "W/" + opaque : opaque;
    }

    private static boolean isOpaqueTag(String s, int a, int b) {
        if (b - a < 2 || s.charAt(a) != '"' || s.charAt(b - 1) != '"') {
            return false;
        }
        for (int i = a + 1; i < b - 1; i++) {
            char c = s.charAt(i);
            if (!(c == 0x21 || (c >= 0x23 && c <= 0x7E) || (c >= 0x80 && c <= 0xFF))) {
                return false;
            }
        }
        return true;
    }

    private static int skipOws(String s, int i) {
        while (i < s.length() && isOws(s.charAt(i))) {
            i++;
        }
        return i;
    }

    private static boolean isOws(char c) {
        return c == ' ' || c == '\t';
    }
}
