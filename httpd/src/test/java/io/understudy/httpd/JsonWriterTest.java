package io.understudy.httpd;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class JsonWriterTest {
    @Test
    void quotesAndBackslashesAreEscaped() {
        assertThat(JsonWriter.quote("a\"b\\c/d")).isEqualTo("\"a\\\"b\\\\c/d\"");
    }

    @Test
    void controlCharactersAreEscaped() {
        assertThat(JsonWriter.quote("\n\r\t\b\f")).isEqualTo("\"\\n\\r\\t\\b\\f\"");
        assertThat(JsonWriter.quote("\u0000\u0001\u001f")).isEqualTo("\"\\u0000\\u0001\\u001f\"");
        assertThat(JsonWriter.quote("\u007f")).isEqualTo("\"\u007f\""); // DEL is not a JSON control character
    }

    @Test
    void unicodeIsKeptExceptLineSeparatorsAndLoneSurrogates() {
        assertThat(JsonWriter.quote("é€😀")).isEqualTo("\"é€😀\"");
        assertThat(JsonWriter.quote("\u2028\u2029")).isEqualTo("\"\\u2028\\u2029\"");
        assertThat(JsonWriter.quote("x\ud800y")).isEqualTo("\"x\\ud800y\"");
        assertThat(JsonWriter.quote("\udc00")).isEqualTo("\"\\udc00\"");
        assertThat(JsonWriter.quote("")).isEqualTo("\"\"");
    }

    @Test
    void commasAreplacedBetweenMembersAndElements() {
        JsonWriter w = new JsonWriter();
        w.beginObject()
                .field("s", "v").field("n", -3).field("b", true).field("d", 1.5)
                .name("empty").beginObject().endObject()
                .name("a").beginArray().value(1).value("x").value((String) null)
                .beginObject().field("k", 0).endObject().beginArray().endArray().endArray()
                .field("nan", Double.NaN)
                .endObject();
        assertThat(w.toString()).isEqualTo(
                "{\"s\":\"v\",\"n\":-3,\"b\":true,\"d\":1.5,\"empty\":{},\"a\":[1,\"x\",null,{\"k\":0},[]],\"nan\":null}");
    }

    @Test
    void namesAreEscapedAndDeepNestingWorks() {
        JsonWriter w = new JsonWriter();
        for (int i = 0; i < 100; i++) {
            w.beginArray().value(i);
        }
        for (int i = 0; i < 100; i++) {
            w.endArray();
        }
        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < 100; i++) {
            expected.append(i == 0 ? "[" : ",[").append(i);
        }
        assertThat(w.toString()).isEqualTo(expected.append("]".repeat(100)).toString());
        assertThat(new JsonWriter().beginObject().field("a\"\n", 1).endObject().toString())
                .isEqualTo("{\"a\\\"\\n\":1}");
    }
}
