package io.understudy.httpd;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The field lines of a header section, in the order received, names as sent. Lookups compare
 * names case-insensitively (RFC 9110 §5.1). Values are the field line's value with leading and
 * trailing whitespace removed (RFC 9112 §5); bytes above 0x7F (obs-text) map one-to-one to chars
 * (ISO-8859-1), so nothing is lost. Immutable.
 */
public final class Headers implements Iterable<Headers.Field> {
    /** A section with no fields. */
    public static final Headers EMPTY = new Headers(List.of());

    /**
     * One field line.
     *
     * @param name  the field name as sent (a token)
     * @param value the field value, without surrounding whitespace
     */
    public record Field(String name, String value) { }

    private final List<Field> fields;

    private Headers(List<Field> fields) {
        this.fields = fields;
    }

    /** A section holding a copy of {@code fields}, in order. */
    public static Headers of(List<Field> fields) {
        return fields.isEmpty() ? EMPTY : new Headers(List.copyOf(fields));
    }

    /** Number of field lines. */
    public int size() {
        return fields.size();
    }

    /** The {@code i}-th field line, in received order. */
    public Field get(int i) {
        return fields.get(i);
    }

    /** The value of the first field named {@code name} (any case), or null if there is none. */
    public String first(String name) {
        for (int i = 0; i < fields.size(); i++) { // indexed: no iterator on the hot path
            Field f = fields.get(i);
            if (f.name().equalsIgnoreCase(name)) {
                return f.value();
            }
        }
        return null;
    }

    /** The values of all fields named {@code name} (any case), in received order. */
    public List<String> all(String name) {
        List<String> values = null; // allocated at the first match: most lookups find nothing
        for (int i = 0; i < fields.size(); i++) {
            Field f = fields.get(i);
            if (f.name().equalsIgnoreCase(name)) {
                if (values == null) {
                    values = new ArrayList<>(1);
                }
                values.add(f.value());
            }
        }
        return values == null ? List.of() : values;
    }

    /**
     * The values of all fields named {@code name} (any case) joined with {@code ", "}, as one
     * field value (RFC 9110 §5.3); null if there is none. Allocates only for two or more.
     */
    public String joined(String name) {
        String one = null;
        StringBuilder more = null;
        for (int i = 0; i < fields.size(); i++) {
            Field f = fields.get(i);
            if (f.name().equalsIgnoreCase(name)) {
                if (one == null) {
                    one = f.value();
                } else {
                    if (more == null) {
                        more = new StringBuilder(one);
                    }
                    more.append(", ").append(f.value());
                }
            }
        }
        return more != null ? more.toString() : one;
    }

    /** Whether a field named {@code name} (any case) is present. */
    public boolean contains(String name) {
        return first(name) != null;
    }

    /** All field lines, in received order; unmodifiable. */
    public List<Field> asList() {
        return fields;
    }

    @Override
    public Iterator<Field> iterator() {
        return fields.iterator();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Headers h && h.fields.equals(fields);
    }

    @Override
    public int hashCode() {
        return fields.hashCode();
    }

    @Override
    public String toString() {
        return fields.toString();
    }
}
