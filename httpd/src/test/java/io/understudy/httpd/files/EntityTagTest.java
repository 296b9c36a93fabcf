package io.understudy.httpd.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EntityTagTest {
    static EntityTag strong(String s) {
        return new EntityTag("\"" + s + "\"", false);
    }

    static EntityTag weak(String s) {
        return new EntityTag("\"" + s + "\"", true);
    }

    @Test void parsesStrongAndWeak() {
        assertThat(EntityTag.parse("\"xyzzy\"")).contains(strong("xyzzy"));
        assertThat(EntityTag.parse("W/\"xyzzy\"")).contains(weak("xyzzy"));
        assertThat(EntityTag.parse(" \"\" ")).contains(strong(""));
        assertThat(weak("a").toString()).isEqualTo("W/\"a\"");
        assertThat(strong("a").toString()).isEqualTo("\"a\"");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "xyzzy", "\"unterminated", "unopened\"", "w/\"lower-case-w\"", "W/xyzzy", "\"a\"b\"",
        "\"sp ace\"", "\"tab\there\"", "\"a\",\"b\"", "W/ \"a\""})
    void rejectsInvalidTags(String s) {
        assertThat(EntityTag.parse(s)).isEmpty();
    }

    @Test void constructorChecksTheOpaqueTag() {
        assertThatThrownBy(() -> new EntityTag("abc", false)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test void comparisonFunctionsOfRfc9110() {
        // RFC 9110 §8.8.3.2 table
        assertThat(weak("1").strongEquals(weak("1"))).isFalse();
        assertThat(weak("1").weakEquals(weak("1"))).isTrue();
        assertThat(weak("1").strongEquals(weak("2"))).isFalse();
        assertThat(weak("1").weakEquals(weak("2"))).isFalse();
        assertThat(weak("1").strongEquals(strong("1"))).isFalse();
        assertThat(weak("1").weakEquals(strong("1"))).isTrue();
        assertThat(strong("1").strongEquals(strong("1"))).isTrue();
        assertThat(strong("1").weakEquals(strong("1"))).isTrue();
    }

    @Test void parsesLists() {
        assertThat(EntityTag.parseList("*")).hasValueSatisfying(v -> assertThat(v.isAny()).isTrue());
        assertThat(EntityTag.parseList(" * ")).hasValueSatisfying(v -> assertThat(v.isAny()).isTrue());
        assertThat(EntityTag.parseList("\"a\", W/\"b\",\"c\"")).hasValueSatisfying(v ->
                assertThat(v.tags()).containsExactly(strong("a"), weak("b"), strong("c")));
        assertThat(EntityTag.parseList(", \"a\" ,, \t,\"b\",")).hasValueSatisfying(v ->
                assertThat(v.tags()).containsExactly(strong("a"), strong("b")));
        assertThat(EntityTag.parseList("\"a,b\"")).hasValueSatisfying(v ->
                assertThat(v.tags()).containsExactly(strong("a,b")));
        assertThat(EntityTag.parseList("")).hasValueSatisfying(v -> assertThat(v.tags()).isEmpty());
    }

    @ParameterizedTest
    @ValueSource(strings = {"a", "\"a\" \"b\"", "\"a\",b", "*, \"a\"", "\"a\", *", "\"a", "W/", "\"a\"x"})
    void rejectsInvalidLists(String s) {
        assertThat(EntityTag.parseList(s)).isEmpty();
    }

    @Test void listMatching() {
        var list = EntityTag.parseList("\"a\", W/\"b\"").orElseThrow();
        assertThat(list.matchesWeak(strong("a"))).isTrue();
        assertThat(list.matchesWeak(strong("b"))).isTrue();
        assertThat(list.matchesStrong(strong("a"))).isTrue();
        assertThat(list.matchesStrong(strong("b"))).isFalse();
        assertThat(list.matchesWeak(strong("c"))).isFalse();
        var any = EntityTag.parseList("*").orElseThrow();
        assertThat(any.matchesStrong(strong("z"))).isTrue();
        assertThat(new EntityTag.FieldValue(false, List.of()).matchesWeak(strong("z"))).isFalse();
    }
}
