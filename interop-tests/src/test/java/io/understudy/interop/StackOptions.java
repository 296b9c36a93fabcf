package io.understudy.interop;

import java.util.Arrays;
import java.util.List;

/**
 * Extra options for every stack the interop tests start, from the system property
 * {@code understudy.interop.stackOptions} (space-separated): the build runs the suite once with
 * the defaults (TAP offloads) and once with {@code --no-offload} (plain frames).
 */
final class StackOptions {
    private StackOptions() {}

    static List<String> extra() {
        String v = System.getProperty("understudy.interop.stackOptions", "").trim();
        return v.isEmpty() ? List.of() : Arrays.asList(v.split("\\s+"));
    }
}
