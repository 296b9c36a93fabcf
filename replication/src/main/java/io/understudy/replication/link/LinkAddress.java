package io.understudy.replication.link;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Where a replication link listens or connects: {@code unix:/path/to.sock} (same host) or
 * {@code tcp:HOST:PORT} (two hosts; an IPv6 host is written in brackets, {@code tcp:[::1]:7000}).
 */
public sealed interface LinkAddress permits LinkAddress.Unix, LinkAddress.Tcp {

    /** Longest socket path the kernel accepts (sun_path is 108 bytes including the NUL). */
    int MAX_UNIX_PATH_BYTES = 107;

    /** Parses {@code unix:/path} or {@code tcp:HOST:PORT}; throws IllegalArgumentException naming the bad part. */
    static LinkAddress parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("empty link address (expected unix:/path or tcp:HOST:PORT)");
        }
        int colon = text.indexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("link address '" + text + "' has no scheme (expected unix:/path or tcp:HOST:PORT)");
        }
        String scheme = text.substring(0, colon);
        String rest = text.substring(colon + 1);
        switch (scheme) {
            case "unix":
                if (rest.isEmpty()) {
                    throw new IllegalArgumentException("link address '" + text + "': missing socket path after 'unix:'");
                }
                return new Unix(Path.of(rest));
            case "tcp":
                return parseTcp(text, rest);
            default:
                throw new IllegalArgumentException("link address '" + text + "': unknown scheme '" + scheme
                        + "' (expected 'unix' or 'tcp')");
        }
    }

    private static Tcp parseTcp(String text, String rest) {
        String host;
        String port;
        if (rest.startsWith("[")) {
            int close = rest.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("link address '" + text + "': unterminated '[' in IPv6 host");
            }
            host = rest.substring(1, close);
            String after = rest.substring(close + 1);
            if (!after.startsWith(":")) {
                throw new IllegalArgumentException("link address '" + text + "': missing port after host '" + host + "'");
            }
            port = after.substring(1);
        } else {
            int last = rest.lastIndexOf(':');
            if (last < 0) {
                throw new IllegalArgumentException("link address '" + text + "': missing port (expected tcp:HOST:PORT)");
            }
            host = rest.substring(0, last);
            port = rest.substring(last + 1);
            if (host.contains(":")) {
                throw new IllegalArgumentException("link address '" + text + "': host '" + host
                        + "' contains ':' (write IPv6 hosts in brackets, tcp:[::1]:PORT)");
            }
        }
        if (host.isEmpty()) {
            throw new IllegalArgumentException("link address '" + text + "': missing host");
        }
        if (port.isEmpty()) {
            throw new IllegalArgumentException("link address '" + text + "': missing port");
        }
        int p;
        try {
            p = Integer.parseInt(port);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("link address '" + text + "': port '" + port + "' is not a number");
        }
        if (p < 0 || p > 65535 || !port.chars().allMatch(Character::isDigit)) {
            throw new IllegalArgumentException("link address '" + text + "': port '" + port + "' is out of range 0..65535");
        }
        return new Tcp(host, p);
    }

    /** A Unix-domain stream socket at {@code path}. */
    record Unix(Path path) implements LinkAddress {
        public Unix {
            Objects.requireNonNull(path, "path");
            int len = path.toString().getBytes(StandardCharsets.UTF_8).length;
            if (len > MAX_UNIX_PATH_BYTES) {
                throw new IllegalArgumentException("unix socket path '" + path + "' is " + len
                        + " bytes; the limit is " + MAX_UNIX_PATH_BYTES);
            }
        }

        @Override
        public String toString() {
            return "unix:" + path;
        }
    }

    /** A TCP endpoint; port 0 is allowed only for listening (an ephemeral port is chosen). */
    record Tcp(String host, int port) implements LinkAddress {
        public Tcp {
            Objects.requireNonNull(host, "host");
            if (host.isEmpty()) {
                throw new IllegalArgumentException("empty TCP host");
            }
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("TCP port " + port + " is out of range 0..65535");
            }
        }

        @Override
        public String toString() {
            return host.contains(":") ? "tcp:[" + host + "]:" + port : "tcp:" + host + ":" + port;
        }
    }
}
