package io.understudy.httpd;

/**
 * A minimal streaming JSON writer into a {@link StringBuilder}, for the status page: objects,
 * arrays, strings, numbers, booleans and null. Commas are placed automatically; the caller is
 * responsible for balanced begin/end calls and for writing a name before each value inside an
 * object. Strings are escaped per RFC 8259 §7: {@code "}, {@code \} and the control characters
 * U+0000..U+001F (the short forms {@code \b \f \n \r \t}, {@code \}{@code uXXXX} otherwise); U+2028
 * and U+2029 are escaped too, so the output is also safe as JavaScript. Other characters, including
 * non-ASCII ones and surrogate pairs, are written as they are (the page is sent as UTF-8); a lone
 * surrogate, which UTF-8 cannot encode, is written as a {@code \}{@code uXXXX} escape.
 */
final class JsonWriter {
    private static final char[] HEX = "0123456789abcdef".toCharArray();
    private final StringBuilder out;
    /** Whether the container being written needs a comma before its next element; one bit per depth. */
    private long[] needComma = new long[1];
    private int depth;
    /** A name was just written: the next value follows it without a comma. */
    private boolean afterName;

    JsonWriter(StringBuilder out) {
        this.out = out;
    }

    JsonWriter() {
        this(new StringBuilder(256));
    }

    JsonWriter beginObject() {
        separator();
        out.append('{');
        push();
        return this;
    }

    JsonWriter endObject() {
        depth--;
        out.append('}');
        return this;
    }

    JsonWriter beginArray() {
        separator();
        out.append('[');
        push();
        return this;
    }

    JsonWriter endArray() {
        depth--;
        out.append(']');
        return this;
    }

    /** An object member's name; its value follows. */
    JsonWriter name(String name) {
        separator();
        string(out, name);
        out.append(':');
        afterName = true;
        return this;
    }

    JsonWriter value(String s) {
        separator();
        if (s == null) {
            out.append("null");
        } else {
            string(out, s);
        }
        return this;
    }

    JsonWriter value(long n) {
        separator();
        out.append(n);
        return this;
    }

    JsonWriter value(boolean b) {
        separator();
        out.append(b);
        return this;
    }

    /** A finite double; NaN and infinities (not JSON) as null. */
    JsonWriter value(double d) {
        separator();
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            out.append("null");
        } else {
            out.append(d);
        }
        return this;
    }

    JsonWriter field(String name, String value) {
        return name(name).value(value);
    }

    JsonWriter field(String name, long value) {
        return name(name).value(value);
    }

    JsonWriter field(String name, boolean value) {
        return name(name).value(value);
    }

    JsonWriter field(String name, double value) {
        return name(name).value(value);
    }

    @Override
    public String toString() {
        return out.toString();
    }

    private void push() {
        depth++;
        if ((depth >> 6) >= needComma.length) {
            needComma = java.util.Arrays.copyOf(needComma, needComma.length * 2);
        }
        needComma[depth >> 6] &= ~(1L << depth);
    }

    /** Before a value or a name: a comma unless it is the first in its container or follows a name. */
    private void separator() {
        if (afterName) {
            afterName = false;
            return;
        }
        if (depth == 0) {
            return;
        }
        long bit = 1L << depth;
        if ((needComma[depth >> 6] & bit) != 0) {
            out.append(',');
        } else {
            needComma[depth >> 6] |= bit;
        }
    }

    /** {@code s} as a quoted, escaped JSON string. */
    static String quote(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2);
        string(b, s);
        return b.toString();
    }

    static void string(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (ch < 0x20 || ch == 0x2028 || ch == 0x2029) {
                        unicode(out, ch);
                    } else if (Character.isHighSurrogate(ch) && i + 1 < s.length()
                            && Character.isLowSurrogate(s.charAt(i + 1))) {
                        out.append(ch).append(s.charAt(++i));
                    } else if (Character.isSurrogate(ch)) {
                        unicode(out, ch); // lone surrogate
                    } else {
                        out.append(ch);
                    }
                }
            }
        }
        out.append('"');
    }

    private static void unicode(StringBuilder out, char ch) {
        out.append("\\u").append(HEX[ch >> 12 & 0xF]).append(HEX[ch >> 8 & 0xF]).append(HEX[ch >> 4 & 0xF])
                .append(HEX[ch & 0xF]);
    }
}
