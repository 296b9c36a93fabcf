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
import io.understudy.stack.FileTimestamps;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.InstantSource;
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
 *
 * <p>The last part checks {@link ResolutionCache} in front of the same tree: the same answers,
 * kept resolutions confirmed with one stat, and every change seen on the next request.
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

    // ---------------------------------------------------------------- ResolutionCache

    /**
     * An hour ahead of the system clock: every file a test writes is then old enough for its
     * resolution to be kept ({@link ResolutionCache#RACY_NANOS}).
     */
    static final InstantSource LATER = InstantSource.offset(InstantSource.system(), Duration.ofHours(1));

    ResolutionCache cache() {
        return new ResolutionCache(root, ResolutionCache.DEFAULT_ENTRIES, LATER);
    }

    /** Replaces {@code p} (under the root) by a new file of {@code content}: a rename deploy. */
    void deploy(String p, String content) throws IOException {
        Path tmpFile = tmp.resolve("deploy.tmp");
        Files.writeString(tmpFile, content);
        Files.move(tmpFile, www.resolve(p), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Re-points the link {@code name} (under the root) to {@code target}. */
    void repoint(String name, String target) throws IOException {
        Files.delete(www.resolve(name));
        Files.createSymbolicLink(www.resolve(name), Path.of(target));
    }

    @Test void aKeptResolutionIsTheSameFoundAfterOneStat() {
        ResolutionCache cache = cache();
        for (String path : List.of("/a.html", "/docs/", "/link-in", "/link-dir-in/page.html", "/")) {
            Resolution first = cache.resolve(path);
            assertThat(first).as(path).isInstanceOf(Found.class).isEqualTo(root.resolve(path));
            Resolution again = cache.resolve(path);
            assertThat(again).as(path).isSameAs(first);
            assertThat(((Found) again).file()).as("the same identity object").isSameAs(((Found) first).file());
        }
        assertThat(cache.misses()).isEqualTo(5);
        assertThat(cache.hits()).isEqualTo(5);
        assertThat(cache.size()).isEqualTo(5);
    }

    @Test void onlyFilesFoundAreKept() {
        ResolutionCache cache = cache();
        for (String path : List.of("/docs", "/missing.html", "/link-out", "/../x", "/%zz", "/a.html/")) {
            Resolution first = cache.resolve(path);
            assertThat(cache.resolve(path)).as(path).isEqualTo(first).isEqualTo(root.resolve(path));
        }
        assertThat(cache.size()).isZero();
        assertThat(cache.hits()).isZero();
        assertThat(cache.resolve(null)).isInstanceOf(BadRequest.class);
    }

    @Test void aFileChangedMomentsAgoIsResolvedInFullEveryTime() {
        ResolutionCache now = new ResolutionCache(root, ResolutionCache.DEFAULT_ENTRIES, InstantSource.system());
        Resolution first = now.resolve("/a.html");
        assertThat(now.resolve("/a.html")).isEqualTo(first).isNotSameAs(first);
        assertThat(now.size()).isZero();
        assertThat(now.hits()).isZero();
    }

    @Test void theLeastRecentlyUsedPathIsDroppedBeyondTheBound() {
        ResolutionCache two = new ResolutionCache(root, 2, LATER);
        Resolution a = two.resolve("/a.html");
        two.resolve("/x");
        assertThat(two.resolve("/a.html")).isSameAs(a); // /x is now the least recently used
        two.resolve("/.hidden");
        assertThat(two.size()).isEqualTo(2);
        assertThat(two.resolve("/a.html")).isSameAs(a);
        two.resolve("/x");
        assertThat(two.misses()).isEqualTo(4);
    }

    @Test void aFileReplacedByRenameIsANewIdentity() throws IOException {
        ResolutionCache cache = cache();
        Found before = (Found) cache.resolve("/a.html");
        deploy("a.html", "content of a.html"); // the same bytes: only the inode (and times) tell
        Found after = (Found) cache.resolve("/a.html");
        assertThat(after.file().inode()).isNotEqualTo(before.file().inode());
        assertThat(after).isEqualTo(root.resolve("/a.html"));
        assertThat(cache.resolve("/a.html")).as("kept again").isSameAs(after);
    }

    @Test void aFileWrittenInPlaceIsANewIdentity() throws IOException {
        ResolutionCache cache = cache();
        Found before = (Found) cache.resolve("/a.html");
        Files.writeString(www.resolve("a.html"), "longer content of a.html");
        Found after = (Found) cache.resolve("/a.html");
        assertThat(after.file().size()).isEqualTo("longer content of a.html".length());
        assertThat(after.file().inode()).isEqualTo(before.file().inode());

        // A write that keeps the size and the mtime (touch -r): only the ctime tells. The
        // identity is equal, as it always was for such a write, but it was read again.
        FileTimestamps.awaitNextTimestamp(tmp, www.resolve("a.html"));
        FileTime mtime = Files.getLastModifiedTime(www.resolve("a.html"));
        try (FileChannel w = FileChannel.open(www.resolve("a.html"), StandardOpenOption.WRITE)) {
            w.write(ByteBuffer.wrap(new byte[] {'L'}), 0);
        }
        Files.setLastModifiedTime(www.resolve("a.html"), mtime);
        Found rewritten = (Found) cache.resolve("/a.html");
        assertThat(rewritten).isEqualTo(after).isNotSameAs(after);
    }

    @Test void aChmodIsSeenOnTheNextRequest() throws IOException {
        ResolutionCache cache = cache();
        Found before = (Found) cache.resolve("/a.html");
        FileTimestamps.awaitNextTimestamp(tmp, www.resolve("a.html"));
        Files.setPosixFilePermissions(www.resolve("a.html"), PosixFilePermissions.fromString("---------"));
        Resolution after = cache.resolve("/a.html");
        if ("root".equals(System.getProperty("user.name"))) {
            // root reads everything, so the file is still found; what matters is that it was
            // resolved (and its readability checked) again, not answered from what was kept.
            assertThat(after).isEqualTo(before).isNotSameAs(before);
        } else {
            assertThat(after).isInstanceOf(Forbidden.class);
        }
        assertThat(cache.hits()).isZero();
    }

    @Test void aDeletedFileIsNotFoundOnTheNextRequest() throws IOException {
        ResolutionCache cache = cache();
        cache.resolve("/docs/page.html");
        cache.resolve("/docs/");
        Files.delete(www.resolve("docs/page.html"));
        Files.delete(www.resolve("docs/index.html"));
        assertThat(cache.resolve("/docs/page.html")).isInstanceOf(NotFound.class);
        assertThat(cache.resolve("/docs/")).isInstanceOf(NotFound.class);
        assertThat(cache.size()).isZero();
    }

    @Test void aLinkRepointedOutOfTheRootIsForbiddenOnTheNextRequest() throws IOException {
        Files.writeString(tmp.resolve("outside/page.html"), "SECRET");
        Files.createSymbolicLink(www.resolve("swing"), Path.of("docs/page.html"));
        Files.createSymbolicLink(www.resolve("swing-dir"), Path.of("docs"));
        ResolutionCache cache = cache();
        assertThat(describe(cache.resolve("/swing"))).isEqualTo("200 docs/page.html");
        assertThat(describe(cache.resolve("/swing-dir/page.html"))).isEqualTo("200 docs/page.html");
        assertThat(describe(cache.resolve("/swing-dir/"))).isEqualTo("200 docs/index.html");

        repoint("swing", "../secret.txt");
        repoint("swing-dir", "../outside");
        assertThat(cache.resolve("/swing")).isInstanceOf(Forbidden.class);
        assertThat(cache.resolve("/swing-dir/page.html")).isInstanceOf(Forbidden.class);
        assertThat(cache.resolve("/swing-dir/")).isInstanceOf(Forbidden.class);
        assertThat(cache.hits()).isZero();
    }

    @Test void aLinkRepointedToAnotherFileInsideIsThatFileOnTheNextRequest() throws IOException {
        Files.createSymbolicLink(www.resolve("swing"), Path.of("docs/page.html"));
        ResolutionCache cache = cache();
        Found before = (Found) cache.resolve("/swing");
        repoint("swing", "a.html");
        Found after = (Found) cache.resolve("/swing");
        assertThat(describe(after)).isEqualTo("200 a.html");
        assertThat(after.file().inode()).isNotEqualTo(before.file().inode());
    }

    @Test void aDirectoryRenamedUnderALinkIsFoundAtItsNewRealPath() throws IOException {
        ResolutionCache cache = cache();
        assertThat(describe(cache.resolve("/link-dir-in/page.html"))).isEqualTo("200 docs/page.html");
        // The file's inode and ctime do not change; the link still leads to it, its old real path does not.
        Files.move(www.resolve("docs"), www.resolve("docs2"));
        repoint("link-dir-in", "docs2");
        assertThat(describe(cache.resolve("/link-dir-in/page.html"))).isEqualTo("200 docs2/page.html");
        assertThat(cache.resolve("/link-dir-in/page.html")).as("kept again").isEqualTo(root.resolve("/link-dir-in/page.html"));
        assertThat(cache.hits()).isEqualTo(1);
    }

    /**
     * The one re-pointing the cache does not see, by design: a link re-pointed to another name of
     * the same inode. The file is the one the root published (it is still read from its real path
     * inside the root), so nothing outside becomes visible; see {@link ResolutionCache}.
     */
    @Test void aLinkRepointedToAnotherNameOfTheSameFileKeepsItsResolution() throws IOException {
        Files.createLink(tmp.resolve("hard.html"), www.resolve("docs/page.html")); // before: a link moves the ctime
        Files.createSymbolicLink(www.resolve("swing"), Path.of("docs/page.html"));
        ResolutionCache cache = cache();
        Found before = (Found) cache.resolve("/swing");
        repoint("swing", "../hard.html");
        assertThat(root.resolve("/swing")).as("resolved in full: the link leads out").isInstanceOf(Forbidden.class);
        assertThat(cache.resolve("/swing")).isSameAs(before);
        assertThat(before.path()).isEqualTo(www.toRealPath().resolve("docs/page.html"));
    }

    /** The random paths of {@link #fuzzNeverLeavesTheRoot}, twice: the cache answers as the root does. */
    @Test void fuzzTheCacheAnswersAsTheRootDoes() {
        String[] tokens = {"/", "/", "..", ".", "%2e", "%2f", "a", "docs", "link-in", "link-out", "link-dir-out",
            "link-dir-in", "secret.txt", "a.html", "page.html", "index.html", "x"};
        ResolutionCache cache = new ResolutionCache(root, 64, LATER);
        for (int pass = 0; pass < 2; pass++) {
            Random r = new Random(2);
            for (int i = 0; i < 5_000; i++) {
                StringBuilder b = new StringBuilder("/");
                int n = 1 + r.nextInt(6);
                for (int k = 0; k < n; k++) {
                    b.append(tokens[r.nextInt(tokens.length)]);
                }
                String path = b.toString();
                assertThat(describe(cache.resolve(path))).as(path).isEqualTo(describe(root.resolve(path)));
            }
        }
        assertThat(cache.hits()).isPositive();
    }
}
