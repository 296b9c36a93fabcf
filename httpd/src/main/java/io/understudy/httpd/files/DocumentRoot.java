package io.understudy.httpd.files;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;

/**
 * Maps the path of a request-target (origin-form, the query already split off) to a file under
 * a root directory, and never to anything outside it.
 *
 * <h2>Steps</h2>
 * <ol>
 *   <li><b>Check and percent-decode</b> (RFC 3986 §2.1) the whole path into bytes. {@link
 *       BadRequest} (400) when it does not start with {@code /}, has a {@code %} not followed by
 *       two hex digits, a control character (raw), a NUL (raw or {@code %00}), or decodes to
 *       bytes that are not UTF-8. Characters of the raw path above 0x7F are read as the
 *       ISO-8859-1 bytes of the request line (0x100 and up → 400).
 *   <li><b>Split on {@code /} after decoding</b>, so {@code %2F} is a separator like {@code /}
 *       (a file name cannot contain a slash anyway; nginx does the same). A backslash is an
 *       ordinary character: {@code /a\b} names the file {@code a\b}.
 *   <li><b>Normalize lexically</b> (RFC 3986 §5.2.4): empty segments ({@code //}) and {@code .}
 *       are dropped, {@code ..} removes the previous segment. A {@code ..} with nothing left to
 *       remove — climbing above the root, even if a later segment would come back down — is
 *       {@link Forbidden} (403). Since this runs after decoding, {@code %2e%2e}, {@code %2E.}
 *       and {@code .%2e} are {@code ..} too; {@code %252e%252e} is the literal name {@code
 *       %2e%2e}. A trailing slash, {@code /.} or {@code /..} asks for a directory.
 *   <li><b>Resolve symbolic links</b> with {@link Path#toRealPath} and require the result to be
 *       under the real root ({@link Path#startsWith}, element-wise, so {@code /srv/www2} is not
 *       under {@code /srv/www}). Links that stay inside the root are followed; one that leaves
 *       it is {@link Forbidden}. So is the {@code index.html} of a directory, checked the same
 *       way.
 *   <li><b>Classify</b>: a regular file is {@link Found} (a directory form of a regular file,
 *       {@code /a.html/}, is {@link NotFound}); a directory asked for as a directory gives its
 *       {@code index.html} ({@link NotFound} if it has none: there is no listing); a directory
 *       asked for without the slash is a {@link Redirect} (301) to the slash form, as nginx
 *       does; anything else (FIFO, socket, device) is {@link Forbidden}, and so is a file the
 *       server cannot read.
 * </ol>
 *
 * <h2>Choices</h2>
 * <ul>
 *   <li>Hidden files (names starting with a dot) get no special rule: whatever is in the root
 *       is published, {@code .well-known/} included. Do not put {@code .git} or secrets there.
 *   <li>A file that does not exist, a path through a non-directory, a name too long: {@link
 *       NotFound}. Permission denied by the file system: {@link Forbidden}.
 *   <li>The redirect location is rebuilt from the normalized segments, percent-encoded where
 *       needed: {@code /a/../docs} → {@code /docs/}. It always starts with a single {@code /},
 *       so it can never become a protocol-relative {@code //host} redirect. The server appends
 *       {@code ?query} when the request had one.
 *   <li>{@link Found#path()} is the real path (all links resolved). Between this check and
 *       the open, the tree could change; opening it with {@code LinkOption.NOFOLLOW_LINKS}
 *       keeps a last-moment symlink swap of the final element from being followed.
 * </ul>
 *
 * <p>Instances are immutable and thread-safe; {@link #resolve} does blocking file-system
 * calls ({@code realpath}, {@code stat}, {@code access}) every time. A server that resolves the
 * same paths again and again keeps a {@link ResolutionCache} in front of it, which checks a
 * remembered {@link Found} with one {@code stat}.
 */
public final class DocumentRoot {

    /** What a path resolves to; {@link #status()} is the response status it leads to. */
    public sealed interface Resolution permits Found, Redirect, NotFound, Forbidden, BadRequest {
        int status();
    }

    /** A regular, readable file under the root: serve it. */
    public record Found(FileIdentity file) implements Resolution {
        /** The real path of the file. */
        public Path path() {
            return file.path();
        }

        @Override public int status() {
            return 200;
        }
    }

    /**
     * A directory asked for without its trailing slash: 301 with {@code Location: location}.
     * {@code location} is an absolute path, percent-encoded, starting with exactly one slash
     * and ending with one; the server appends {@code "?" + query} when the request had a query.
     */
    public record Redirect(String location) implements Resolution {
        @Override public int status() {
            return 301;
        }
    }

    /** 404; {@code reason} is for the log, not for the client. */
    public record NotFound(String reason) implements Resolution {
        @Override public int status() {
            return 404;
        }
    }

    /** 403: traversal above the root, a link out of it, an unreadable or special file; {@code reason} is for the log. */
    public record Forbidden(String reason) implements Resolution {
        @Override public int status() {
            return 403;
        }
    }

    /** 400: a path that cannot be decoded; {@code reason} is for the log. */
    public record BadRequest(String reason) implements Resolution {
        @Override public int status() {
            return 400;
        }
    }

    /** The file a directory maps to. */
    public static final String INDEX = "index.html";

    private final Path realRoot;

    private DocumentRoot(Path realRoot) {
        this.realRoot = realRoot;
    }

    /** A document root at {@code root}, which must be an existing directory (it may be reached through links). */
    public static DocumentRoot of(Path root) throws IOException {
        Path real = root.toRealPath();
        if (!Files.isDirectory(real)) {
            throw new IOException("document root is not a directory: " + root);
        }
        return new DocumentRoot(real);
    }

    /** The real path of the root. */
    public Path root() {
        return realRoot;
    }

    /**
     * Told of each {@link Found} a resolution gives (by {@link #resolve(String, FoundListener)}),
     * with what lets {@link ResolutionCache} check it again with one {@code stat}.
     */
    interface FoundListener {
        /**
         * {@code found} was reached through {@code statPath}: the root joined with the normalized
         * segments (and {@link #INDEX} for a directory), its links not resolved — the path that
         * leads to the file again if nothing changed. {@code stat} is the file's, read before its
         * readability was checked, {@code found.file()} made of it.
         */
        void found(Found found, Path statPath, FileStat stat);
    }

    /** Resolves a request path such as {@code /docs/a%20b.html}; see the class comment. */
    public Resolution resolve(String rawPath) {
        return resolve(rawPath, null);
    }

    /**
     * As {@link #resolve(String)}; a {@link Found} is also told to {@code listener} (if not null)
     * when the file system has the {@code unix} view (without it there is nothing to check a
     * resolution again with, and the listener hears nothing).
     */
    Resolution resolve(String rawPath, FoundListener listener) {
        if (rawPath == null || rawPath.isEmpty() || rawPath.charAt(0) != '/') {
            return new BadRequest("path does not start with /");
        }
        String decoded;
        try {
            decoded = percentDecode(rawPath);
        } catch (IllegalArgumentException e) {
            return new BadRequest(e.getMessage());
        }

        // Lexical normalization: a stack of segments, never popped past the root.
        List<String> segments = new ArrayList<>();
        String[] parts = decoded.split("/", -1);
        boolean directoryForm = false;
        for (int i = 1; i < parts.length; i++) { // parts[0] is the empty string before the leading '/'
            String p = parts[i];
            boolean lastPart = i == parts.length - 1;
            switch (p) {
                case "", "." -> directoryForm = lastPart;
                case ".." -> {
                    if (segments.isEmpty()) {
                        return new Forbidden("path climbs above the root: " + rawPath);
                    }
                    segments.remove(segments.size() - 1);
                    directoryForm = lastPart;
                }
                default -> {
                    segments.add(p);
                    directoryForm = false;
                }
            }
        }
        if (segments.isEmpty()) {
            directoryForm = true; // "/" and everything that normalizes to it
        }

        Path candidate = realRoot;
        try {
            for (String s : segments) {
                candidate = candidate.resolve(s);
            }
        } catch (InvalidPathException e) {
            return new NotFound("no such file name on this file system: " + e.getMessage());
        }

        Lookup target = locate(candidate);
        if (target.refusal != null) {
            return target.refusal;
        }
        if (target.attributes.isRegularFile()) {
            return directoryForm ? new NotFound("a file asked for as a directory")
                    : found(target.real, candidate, listener);
        }
        if (target.attributes.isDirectory()) {
            if (!directoryForm) {
                return new Redirect(encode(segments) + "/");
            }
            Lookup index = locate(target.real.resolve(INDEX));
            if (index.refusal != null) {
                return index.refusal instanceof NotFound ? new NotFound("directory without " + INDEX) : index.refusal;
            }
            if (index.attributes.isRegularFile()) {
                return found(index.real, candidate.resolve(INDEX), listener);
            }
            return index.attributes.isDirectory() ? new NotFound(INDEX + " is a directory")
                    : new Forbidden(INDEX + " is not a regular file");
        }
        return new Forbidden("not a regular file or directory");
    }

    /** Either the real path and attributes of a file that exists under the root, or the refusal. */
    private record Lookup(Path real, BasicFileAttributes attributes, Resolution refusal) {
        static Lookup refused(Resolution r) {
            return new Lookup(null, null, r);
        }
    }

    private Lookup locate(Path candidate) {
        Path real;
        try {
            real = candidate.toRealPath();
        } catch (NoSuchFileException e) {
            return Lookup.refused(new NotFound("no such file"));
        } catch (AccessDeniedException e) {
            return Lookup.refused(new Forbidden("permission denied"));
        } catch (IOException e) {
            return Lookup.refused(new NotFound(e.getMessage())); // ENOTDIR, ELOOP, ENAMETOOLONG, ...
        }
        if (!real.startsWith(realRoot)) {
            return Lookup.refused(new Forbidden("link out of the root to " + real));
        }
        try {
            return new Lookup(real, Files.readAttributes(real, BasicFileAttributes.class), null);
        } catch (AccessDeniedException e) {
            return Lookup.refused(new Forbidden("permission denied"));
        } catch (IOException e) {
            return Lookup.refused(new NotFound(e.getMessage()));
        }
    }

    /**
     * A regular file at {@code real}: {@link Found} with its identity if the server may read it.
     * The file is {@code stat}ed before its readability is checked: a {@code chmod} after this
     * {@code stat}, even one before the check, then shows to a {@link ResolutionCache} as a
     * later ctime than the one it keeps.
     */
    private static Resolution found(Path real, Path statPath, FoundListener listener) {
        FileStat stat;
        FileIdentity identity;
        try {
            stat = FileStat.read(real);
            identity = stat != null ? stat.identity(real) : FileIdentity.of(real);
        } catch (AccessDeniedException e) {
            return new Forbidden("permission denied");
        } catch (IOException e) {
            return new NotFound(e.getMessage());
        }
        if (!Files.isReadable(real)) {
            return new Forbidden("not readable");
        }
        Found found = new Found(identity);
        if (stat != null && listener != null) {
            listener.found(found, statPath, stat);
        }
        return found;
    }

    /**
     * Percent-decodes {@code raw} (RFC 3986 §2.1) and decodes the bytes as UTF-8.
     *
     * @throws IllegalArgumentException for a bad escape, a NUL or other control, or bad UTF-8
     */
    static String percentDecode(String raw) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%') {
                int hi = i + 1 < raw.length() ? Character.digit(raw.charAt(i + 1), 16) : -1;
                int lo = i + 2 < raw.length() ? Character.digit(raw.charAt(i + 2), 16) : -1;
                if (hi < 0 || lo < 0 || raw.charAt(i + 1) > 0x7F || raw.charAt(i + 2) > 0x7F) {
                    throw new IllegalArgumentException("invalid percent-encoding at offset " + i);
                }
                int b = hi << 4 | lo;
                if (b == 0) {
                    throw new IllegalArgumentException("%00 in path");
                }
                bytes.write(b);
                i += 2;
            } else if (c < 0x20 || c == 0x7F) {
                throw new IllegalArgumentException("control character in path");
            } else if (c > 0xFF) {
                throw new IllegalArgumentException("character above 0xFF in path");
            } else {
                bytes.write(c);
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray()))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("path is not UTF-8");
        }
    }

    /** {@code /seg/seg} with each segment percent-encoded as a path segment (RFC 3986 pchar). */
    static String encode(List<String> segments) {
        StringBuilder b = new StringBuilder();
        for (String s : segments) {
            b.append('/');
            for (byte x : s.getBytes(StandardCharsets.UTF_8)) {
                int c = x & 0xFF;
                if (isPchar(c)) {
                    b.append((char) c);
                } else {
                    b.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                            .append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
                }
            }
        }
        return b.length() == 0 ? "/" : b.toString();
    }

    /** unreserved / sub-delims / ":" / "@" — but not "%", which must be re-encoded. */
    private static boolean isPchar(int c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || "-._~!$&'()*+,;=:@".indexOf(c) >= 0;
    }
}
