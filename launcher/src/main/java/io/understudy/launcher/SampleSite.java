package io.understudy.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The small site bundled in the jar ({@code /site/...}), served when {@code serve} has no
 * {@code --docroot}: {@link #extract()} copies it to a fresh temporary directory (the document
 * root must be a real directory), {@link #close()} deletes that directory again.
 */
final class SampleSite implements AutoCloseable {
    /** The files under {@code /site/} in the jar. */
    static final List<String> FILES = List.of("index.html", "style.css", "about.txt");

    private final Path dir;

    private SampleSite(Path dir) {
        this.dir = dir;
    }

    /** Copies the bundled files to a new temporary directory. */
    static SampleSite extract() throws IOException {
        Path dir = Files.createTempDirectory("understudy-site");
        SampleSite site = new SampleSite(dir);
        try {
            copyFiles(dir);
            return site;
        } catch (IOException | RuntimeException e) {
            site.close();
            throw e;
        }
    }

    /**
     * Copies the bundled files into {@code dir} (created if needed; files already there are kept,
     * so two nodes serving it see the same files) and returns {@code dir}.
     */
    static Path copyTo(Path dir) throws IOException {
        Files.createDirectories(dir);
        copyFiles(dir);
        return dir;
    }

    private static void copyFiles(Path dir) throws IOException {
        for (String name : FILES) {
            Path target = dir.resolve(name);
            if (Files.exists(target)) {
                continue;
            }
            try (InputStream in = SampleSite.class.getResourceAsStream("/site/" + name)) {
                if (in == null) {
                    throw new IOException("the bundled sample site lacks " + name);
                }
                Files.copy(in, target);
            }
        }
    }

    /** The directory holding the extracted files. */
    Path dir() {
        return dir;
    }

    /** Deletes the directory and everything in it. Idempotent. */
    @Override
    public void close() {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("deleting the sample site " + dir, e);
        }
    }
}
