package io.understudy.httpd.files;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * The {@code Content-Type} for a file, from its extension (the part after the last dot of the
 * file name, compared case-insensitively). Textual types carry {@code ; charset=utf-8}: a
 * static server cannot know the encoding, UTF-8 is what the web uses, and without the parameter
 * browsers guess. JSON, XML, SVG and the binary types carry no charset (JSON is always UTF-8 by
 * RFC 8259; XML declares its own encoding). Everything else — no extension, an unknown one, a
 * dot file such as {@code .profile} — is {@value #DEFAULT}.
 *
 * <p>{@code .gz}, {@code .tar.gz} are served as {@code application/gzip} with no {@code
 * Content-Encoding}: the client gets the compressed file it asked for, not something to
 * decompress.
 */
public final class ContentTypes {
    private ContentTypes() {}

    /** The type of anything not in the table. */
    public static final String DEFAULT = "application/octet-stream";

    private static final String UTF8 = "; charset=utf-8";

    private static final Map<String, String> TYPES = Map.ofEntries(
            Map.entry("html", "text/html" + UTF8),
            Map.entry("htm", "text/html" + UTF8),
            Map.entry("css", "text/css" + UTF8),
            Map.entry("js", "text/javascript" + UTF8),   // RFC 9239
            Map.entry("mjs", "text/javascript" + UTF8),
            Map.entry("json", "application/json"),
            Map.entry("txt", "text/plain" + UTF8),
            Map.entry("xml", "application/xml"),          // RFC 7303 prefers it to text/xml
            Map.entry("svg", "image/svg+xml"),
            Map.entry("png", "image/png"),
            Map.entry("jpg", "image/jpeg"),
            Map.entry("jpeg", "image/jpeg"),
            Map.entry("gif", "image/gif"),
            Map.entry("webp", "image/webp"),
            Map.entry("ico", "image/vnd.microsoft.icon"), // the IANA name; browsers also know image/x-icon
            Map.entry("wasm", "application/wasm"),        // required for WebAssembly.instantiateStreaming
            Map.entry("pdf", "application/pdf"),
            Map.entry("zip", "application/zip"),
            Map.entry("gz", "application/gzip"),
            Map.entry("tar", "application/x-tar"),
            Map.entry("mp4", "video/mp4"),
            Map.entry("webm", "video/webm"),
            Map.entry("woff", "font/woff"),
            Map.entry("woff2", "font/woff2"),
            Map.entry("ttf", "font/ttf"),
            Map.entry("csv", "text/csv" + UTF8),
            Map.entry("md", "text/markdown" + UTF8));

    /** The type for the file name of {@code file} (its last path element). */
    public static String of(Path file) {
        Path name = file.getFileName();
        return name == null ? DEFAULT : forFileName(name.toString());
    }

    /** The type for a bare file name such as {@code "app.min.JS"}. */
    public static String forFileName(String fileName) {
        int dot = fileName.lastIndexOf('.');
        if (dot <= 0 || dot == fileName.length() - 1) { // no dot, a dot file, or a trailing dot
            return DEFAULT;
        }
        return TYPES.getOrDefault(fileName.substring(dot + 1).toLowerCase(Locale.ROOT), DEFAULT);
    }
}
