package io.understudy.httpd.files;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ContentTypesTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
        index.html     | text/html; charset=utf-8
        old.htm        | text/html; charset=utf-8
        site.css       | text/css; charset=utf-8
        app.js         | text/javascript; charset=utf-8
        mod.mjs        | text/javascript; charset=utf-8
        data.json      | application/json
        notes.txt      | text/plain; charset=utf-8
        feed.xml       | application/xml
        logo.svg       | image/svg+xml
        a.png          | image/png
        a.jpg          | image/jpeg
        a.jpeg         | image/jpeg
        a.gif          | image/gif
        a.webp         | image/webp
        favicon.ico    | image/vnd.microsoft.icon
        app.wasm       | application/wasm
        doc.pdf        | application/pdf
        a.zip          | application/zip
        a.gz           | application/gzip
        a.tar          | application/x-tar
        a.tar.gz       | application/gzip
        v.mp4          | video/mp4
        v.webm         | video/webm
        f.woff         | font/woff
        f.woff2        | font/woff2
        f.ttf          | font/ttf
        t.csv          | text/csv; charset=utf-8
        README.md      | text/markdown; charset=utf-8
        INDEX.HTML     | text/html; charset=utf-8
        App.Min.Js     | text/javascript; charset=utf-8
        Makefile       | application/octet-stream
        .profile       | application/octet-stream
        .hidden.html   | text/html; charset=utf-8
        trailing.      | application/octet-stream
        archive.7z     | application/octet-stream
        x.exe          | application/octet-stream
        a.html.bak     | application/octet-stream
        """)
    void byExtension(String name, String type) {
        assertThat(ContentTypes.forFileName(name)).isEqualTo(type);
        assertThat(ContentTypes.of(Path.of("/srv/www/sub.dir", name))).isEqualTo(type);
    }

    @Test void directoryDotsDoNotCount() {
        assertThat(ContentTypes.of(Path.of("/srv/v1.html/README"))).isEqualTo(ContentTypes.DEFAULT);
        assertThat(ContentTypes.of(Path.of("/"))).isEqualTo(ContentTypes.DEFAULT);
    }
}
