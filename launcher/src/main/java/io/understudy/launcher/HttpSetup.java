package io.understudy.launcher;

import java.nio.file.Path;

/**
 * The HTTP server of a {@code serve}: its port and document root.
 *
 * @param port    the TCP port it listens on
 * @param docroot the directory it serves, or null for the bundled {@link SampleSite}
 */
record HttpSetup(int port, Path docroot) {
    /** The default port. */
    static final int DEFAULT_PORT = 80;
}
