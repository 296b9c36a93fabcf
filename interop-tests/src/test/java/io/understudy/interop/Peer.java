package io.understudy.interop;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The kernel-side peers (python scripts in the test resources) and their one-line JSON reports. */
final class Peer {
    private static final Pattern FIELD = Pattern.compile("\"([a-z_0-9]+)\":\\s*(\"[^\"]*\"|[-0-9.]+|true|false)");

    private Peer() {}

    static String script(String name) {
        try {
            return Path.of(Peer.class.getResource("/" + name).toURI()).toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The last JSON line of {@code output} as a flat map of strings. */
    static Map<String, String> report(String output) {
        String line = output.lines().filter(l -> l.startsWith("{")).reduce((a, b) -> b)
                .orElseThrow(() -> new AssertionError("no JSON report in:\n" + output));
        Map<String, String> fields = new HashMap<>();
        Matcher m = FIELD.matcher(line);
        while (m.find()) {
            fields.put(m.group(1), m.group(2).replace("\"", ""));
        }
        if (fields.containsKey("error")) {
            throw new AssertionError("peer failed: " + fields.get("error") + "\n" + output);
        }
        return fields;
    }
}
