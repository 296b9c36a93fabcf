package io.understudy.interop;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Interop tests need root, {@code /dev/net/tun}, network namespaces and a few tools. Where
 * they are missing the tests are skipped with a message saying why — except under
 * {@code CI=true}, where a skip would hide a broken pipeline, so it fails instead.
 */
final class Prerequisites {
    private Prerequisites() {}

    /** Skips (or, in CI, fails) the calling test unless everything the lab needs is here. */
    static void requireLab(String... tools) {
        List<String> missing = new ArrayList<>();
        if (!"root".equals(System.getProperty("user.name"))) {
            missing.add("root (running as " + System.getProperty("user.name") + ")");
        }
        if (!Files.exists(Path.of("/dev/net/tun"))) {
            missing.add("/dev/net/tun");
        }
        List<String> all = new ArrayList<>(List.of("ip"));
        all.addAll(List.of(tools));
        for (String tool : all) {
            if (!onPath(tool)) {
                missing.add("the '" + tool + "' command");
            }
        }
        Path jar = Path.of(System.getProperty("understudy.jar", "launcher/target/understudy.jar"));
        if (!Files.isRegularFile(jar)) {
            missing.add(jar + " (run mvn package)");
        }
        if (missing.isEmpty()) {
            return;
        }
        String why = "interop test needs " + String.join(", ", missing);
        if ("true".equals(System.getenv("CI"))) {
            Assertions.fail(why + " — CI=true, so this is a failure, not a skip (.ci/run installs the tools)");
        }
        Assumptions.abort(why + " — skipped");
    }

    static boolean onPath(String tool) {
        String path = System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        for (String dir : path.split(":")) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }
}
