package io.understudy.httpd.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.understudy.httpd.files.DocumentRoot.BadRequest;
import io.understudy.httpd.files.DocumentRoot.Forbidden;
import io.understudy.httpd.files.DocumentRoot.Found;
import io.understudy.httpd.files.DocumentRoot.NotFound;
import io.understudy.httpd.files.DocumentRoot.Redirect;
import io.understudy.httpd.files.DocumentRoot.Resolution;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The tree under test ({@code tmp} is the {@code @TempDir}):
 *
 * <pre>
 * tmp/secret.txt                     outside the root
 * tmp/outside/secret.txt             outside the root
 * tmp/www2/x.html                    outside, sharing the root's name as a prefix
 * tmp/www/                           the root
 *   index.html  a.html  x  .hidden  hello world.txt  café.txt  back\slash  %2e%2e
 *   etc/passwd                       (so //etc/passwd has something to find, inside)
 *   a/b.html                         directory without index.html
 *   docs/index.html  docs/page.html
 *   sp ace/index.html
 *   idxdir/index.html/               index.html that is a directory
 *   link-in      -> docs/page.html       inside: followed
 *   link-dir-in  -> docs                 inside: followed
 *   link-out     -> ../secret.txt        outside: refused
 *   link-abs-out -> /etc/passwd          outside: refused
 *   link-dir-out -> ../outside           outside: refused
 *   link-sibling -> ../www2/x.html       outside (prefix trap): refused
 *   link-loop    -> link-loop
 *   ixout/index.html -> ../../secret.txt index leading outside: refused
 * </pre>
 */
class DocumentRootTest {
    @TempDir Path tmp;
    Path www;
    DocumentRoot root;

    @BeforeEach void tree() throws IOException {
        Files.writeString(tmp.resolve("secret.txt"), "SECRET");
        Files.createDirectories(tmp.resolve("outside"));
        Files.writeString(tmp.resolve("outside/secret.txt"), "SECRET");
        Files.createDirectories(tmp.resolve("www2"));
        Files.writeString(tmp.resolve("www2/x.html"), "SIBLING");

        www = Files.createDirectories(tmp.resolve("www"));
        for (String f : List.of("index.html", "a.html", "x", ".hidden", "hello world.txt", "caf\u00e9.txt", "back\\slash",
                "%2e%2e", "etc/passwd", "a/b.html", "docs/index.html", "docs/page.html", "sp ace/index.html")) {
            Path p = www.resolve(f);
            Files.createDirectories(p.getParent());
            Files.writeString(p, "content of " + f);
        }
        Files.createDirectories(www.resolve("idxdir/index.html"));
        Files.createSymbolicLink(www.resolve("link-in"), Path.of("docs/page.html"));
        Files.createSymbolicLink(www.resolve("link-dir-in"), Path.of("docs"));
        Files.createSymbolicLink(www.resolve("link-out"), Path.of("../secret.txt"));
        Files.createSymbolicLink(www.resolve("link-abs-out"), Path.of("/etc/passwd"));
        Files.createSymbolicLink(www.resolve("link-dir-out"), Path.of("../outside"));
        Files.createSymbolicLink(www.resolve("link-sibling"), Path.of("../www2/x.html"));
        Files.createSymbolicLink(www.resolve("link-loop"), Path.of("link-loop"));
        Files.createDirectories(www.resolve("ixout"));
        Files.createSymbolicLink(www.resolve("ixout/index.html"), Path.of("../../secret.txt"));
        root = DocumentRoot.of(www);
    }

    /** "200 relative/path", "301 location", "403", "404" or "400". */
    String describe(Resolution r) {
        if (r instanceof Found f) {
            assertThat(f.path()).startsWith(root.root());
            assertThat(f.path().isAbsolute()).isTrue();
            return "200 " + root.root().relativize(f.path()).toString();
        }
        if (r instanceof Redirect d) {
            return "301 " + d.location();
        }
        return Integer.toString(r.status());
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', textBlock = """
        # climbing above the root, literally or encoded, in any case mix
        /../etc/passwd               | 403
        /..                          | 403
        /../                         | 403
        /../www/a.html               | 403
        /a/../../x                   | 403
        /a/b/../../../x              | 403
        /%2e%2e/%2e%2e/etc/passwd    | 403
        /%2E%2e/                     | 403
        /%2E./x                      | 403
        /.%2e/x                      | 403
        /.%2E                        | 403
        /%2e%2E/etc/passwd           | 403
        /./../x                      | 403
        # encoded slashes are separators after decoding
        /..%2f..%2fetc               | 403
        /..%2F..%2Fetc%2Fpasswd      | 403
        /a%2f..%2f..%2fx             | 403
        /a%2F..%2Fa.html             | 200 a.html
        # NUL and bad encodings
        /%00                         | 400
        /a%00.html                   | 400
        /a.html%00.txt               | 400
        /%                           | 400
        /a%2                         | 400
        /%zz                         | 400
        /%2g                         | 400
        /%%32%65                     | 400
        /%C0%AE%C0%AE/x              | 400
        /%FF                         | 400
        /%e9                         | 400
        # not origin-form
        ''                           | 400
        a.html                       | 400
        *                            | 400
        ../x                         | 400
        %2Fa.html                    | 400
        # empty segments collapse: never an absolute path out of the root
        //etc/passwd                 | 200 etc/passwd
        ///etc//passwd               | 200 etc/passwd
        //a.html                     | 200 a.html
        # backslashes are ordinary characters
        /\\..\\..\\x                 | 404
        /..\\..\\x                   | 404
        /%5C..%5C..%5Cx              | 404
        /back\\slash                 | 200 back\\slash
        /back%5cslash                | 200 back\\slash
        # double encoding is one decoding: a literal name
        /%252e%252e                  | 200 %2e%2e
        /%252e%252e/x                | 404
        # dot segments that stay inside
        /a/../a.html                 | 200 a.html
        /./a.html                    | 200 a.html
        /a/./b.html                  | 200 a/b.html
        /a/%2e%2e/x                  | 200 x
        /docs/../docs/page.html      | 200 docs/page.html
        /...                         | 404
        /a.html/..                   | 200 index.html
        # ordinary files
        /                            | 200 index.html
        /index.html                  | 200 index.html
        /a.html                      | 200 a.html
        /a/b.html                    | 200 a/b.html
        /hello%20world.txt           | 200 hello world.txt
        /caf%C3%A9.txt               | 200 caf\u00e9.txt
        /caf%c3%a9.txt               | 200 caf\u00e9.txt
        /.hidden                     | 200 .hidden
        /missing.html                | 404
        /a.html/                     | 404
        /a.html/x                    | 404
        /docs/index.html/            | 404
        """)
    void table(String path, String expected) {
        // (the text block turns \\ into one backslash and \u00e9 into é)
        assertThat(describe(root.resolve(path == null ? "" : path))).isEqualTo(expected);
    }

    @Test void rawControlCharactersAndWideCharactersAreBadRequests() {
        assertThat(root.resolve("/a\u0000.html")).isInstanceOf(BadRequest.class);
        assertThat(root.resolve("/a\nb")).isInstanceOf(BadRequest.class);
        assertThat(root.resolve("/a\u007f")).isInstanceOf(BadRequest.class);
        assertThat(root.resolve("/caf\u0100")).isInstanceOf(BadRequest.class);
        assertThat(root.resolve(null)).isInstanceOf(BadRequest.class);
    }

    @Test void namesTooLongForTheFileSystemAreNotFound() {
        assertThat(root.resolve("/" + "a".repeat(300))).isInstanceOf(NotFound.class);
        assertThat(root.resolve("/a" + "/b".repeat(3000))).isInstanceOf(NotFound.class);
    }

    @Test void rawLatin1CharactersAreTheBytesOfTheRequestLine() {
        // "café" sent unencoded in UTF-8 arrives, read as ISO-8859-1, as "cafÃ©"
        assertThat(describe(root.resolve("/caf\u00c3\u00a9.txt"))).isEqualTo("200 caf\u00e9.txt");
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
        /docs                 | 301 /docs/
        /docs/                | 200 docs/index.html
        /docs/.               | 200 docs/index.html
        /docs/%2e             | 200 docs/index.html
        /docs/page.html/..    | 200 docs/index.html
        /docs%2F              | 200 docs/index.html
        /a/../docs            | 301 /docs/
        //docs                | 301 /docs/
        /a                    | 301 /a/
        /a/                   | 404
        /sp%20ace             | 301 /sp%20ace/
        /sp%20ace/            | 200 sp ace/index.html
        /etc                  | 301 /etc/
        /idxdir/              | 404
        /idxdir               | 301 /idxdir/
        """)
    void directories(String path, String expected) {
        assertThat(describe(root.resolve(path))).isEqualTo(expected);
    }

    @Test void redirectLocationIsReencodedAndNeverProtocolRelative() throws IOException {
        Files.createDirectories(www.resolve("evil.example"));
        Files.createDirectories(www.resolve("caf\u00e9 & <x>?#"));
        assertThat(root.resolve("//evil.example")).isEqualTo(new Redirect("/evil.example/"));
        assertThat(root.resolve("/%2Fevil.example")).isEqualTo(new Redirect("/evil.example/"));
        assertThat(root.resolve("/caf%C3%A9%20&%20%3Cx%3E%3F%23"))
                .isEqualTo(new Redirect("/caf%C3%A9%20&%20%3Cx%3E%3F%23/"));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
        /link-in                  | 200 docs/page.html
        /link-dir-in              | 301 /link-dir-in/
        /link-dir-in/             | 200 docs/index.html
        /link-dir-in/page.html    | 200 docs/page.html
        /link-out                 | 403
        /link-abs-out             | 403
        /link-dir-out             | 403
        /link-dir-out/            | 403
        /link-dir-out/secret.txt  | 403
        /link-sibling             | 403
        /ixout/                   | 403
        /ixout/index.html         | 403
        /link-loop                | 404
        """)
    void symlinks(String path, String expected) {
        assertThat(describe(root.resolve(path))).isEqualTo(expected);
    }

    @Test void linkToAMissingFileOutsideIsNotFound() throws IOException {
        Files.createSymbolicLink(www.resolve("dangling"), Path.of("../nowhere"));
        assertThat(root.resolve("/dangling")).isInstanceOf(NotFound.class);
    }

    @Test void specialFilesAreForbidden() throws IOException {
        Path sock = www.resolve("s");
        try (ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.bind(UnixDomainSocketAddress.of(sock));
            assertThat(root.resolve("/s")).isInstanceOf(Forbidden.class);
        }
        Files.createSymbolicLink(www.resolve("null"), Path.of("/dev/null"));
        assertThat(root.resolve("/null")).isInstanceOf(Forbidden.class);
    }

    @Test void unreadableFilesAreForbidden() throws IOException {
        assumeTrue(!"root".equals(System.getProperty("user.name")), "root reads everything");
        Path p = Files.writeString(www.resolve("locked.html"), "x");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("---------"));
        assertThat(root.resolve("/locked.html")).isInstanceOf(Forbidden.class);
        Path d = Files.createDirectories(www.resolve("lockeddir"));
        Files.writeString(d.resolve("f.html"), "x");
        Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("---------"));
        assertThat(root.resolve("/lockeddir/f.html")).isInstanceOf(Forbidden.class);
        Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwx------"));
    }

    @Test void foundCarriesTheIdentityOfTheRealFile() throws IOException {
        Found f = (Found) root.resolve("/link-in");
        assertThat(f.path()).isEqualTo(www.toRealPath().resolve("docs/page.html"));
        assertThat(f.file()).isEqualTo(FileIdentity.of(www.toRealPath().resolve("docs/page.html")));
        assertThat(f.file().size()).isEqualTo("content of docs/page.html".length());
        assertThat(f.status()).isEqualTo(200);
        assertThat(ContentTypes.of(f.path())).isEqualTo("text/html; charset=utf-8");
    }

    @Test void statuses() {
        assertThat(root.resolve("/docs").status()).isEqualTo(301);
        assertThat(root.resolve("/nope").status()).isEqualTo(404);
        assertThat(root.resolve("/../x").status()).isEqualTo(403);
        assertThat(root.resolve("/%zz").status()).isEqualTo(400);
    }

    @Test void rootReachedThroughALink() throws IOException {
        Path alias = Files.createSymbolicLink(tmp.resolve("alias"), Path.of("www"));
        DocumentRoot viaAlias = DocumentRoot.of(alias);
        assertThat(viaAlias.root()).isEqualTo(www.toRealPath());
        assertThat(viaAlias.resolve("/a.html")).isInstanceOf(Found.class);
        assertThat(viaAlias.resolve("/link-out")).isInstanceOf(Forbidden.class);
    }

    @Test void rootMustBeADirectory() {
        assertThatThrownBy(() -> DocumentRoot.of(tmp.resolve("secret.txt"))).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> DocumentRoot.of(tmp.resolve("missing"))).isInstanceOf(IOException.class);
    }

    /** Random paths built from traversal material never resolve outside the root. */
    @Test void fuzzNeverLeavesTheRoot() {
        String[] tokens = {"/", "/", "..", ".", "%2e", "%2E", "%2f", "%2F", "%5c", "\\", "a", "docs", "link-out",
            "link-dir-out", "link-dir-in", "secret.txt", "www", "www2", "etc", "passwd", "%00", "%", "%25", "outside", "index.html"};
        Random r = new Random(1);
        Path real = root.root();
        for (int i = 0; i < 20_000; i++) {
            StringBuilder b = new StringBuilder("/");
            int n = 1 + r.nextInt(12);
            for (int k = 0; k < n; k++) {
                b.append(tokens[r.nextInt(tokens.length)]);
            }
            String path = b.toString();
            Resolution res = root.resolve(path);
            if (res instanceof Found f) {
                assertThat(f.path()).as(path).startsWith(real);
                assertThat(f.path().toString()).as(path).doesNotContain("secret", "www2");
            } else if (res instanceof Redirect d) {
                assertThat(d.location()).as(path).startsWith("/").doesNotStartWith("//").endsWith("/");
                assertThat(root.resolve(d.location())).as(path).isNotInstanceOf(Redirect.class);
            }
        }
    }
}
