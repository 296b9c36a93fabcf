package io.understudy.tap;

import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** Host side of the device tests: prerequisites, unique interface names and the {@code ip} tool. */
final class HostNetwork {
    private static final int CAP_NET_ADMIN = 12;
    private static final AtomicInteger counter = new AtomicInteger();

    private HostNetwork() {}

    /**
     * Skips the calling test when this host cannot create TAP devices; fails it instead when
     * {@code CI=true}, so a CI run never passes by skipping them.
     */
    static void requireTapDevices() {
        List<String> missing = new ArrayList<>();
        if (!hasNetAdmin()) {
            missing.add("root or CAP_NET_ADMIN");
        }
        if (!Files.exists(Path.of(TapDevice.TUN_PATH))) {
            missing.add(TapDevice.TUN_PATH);
        }
        if (run("ip", "-V").exitCode != 0) {
            missing.add("the ip tool (iproute2)");
        }
        if (missing.isEmpty()) {
            return;
        }
        String reason = "TAP device tests need " + String.join(", ", missing);
        if ("true".equals(System.getenv("CI"))) {
            fail(reason + " (CI=true: failing rather than skipping)");
        }
        assumeTrue(false, reason);
    }

    /** A name no other test run on this host uses at the same time, like {@code ustt4242x3}. */
    static String uniqueName() {
        return "ustt" + ProcessHandle.current().pid() % 100_000 + "x" + counter.incrementAndGet();
    }

    /** Runs {@code ip args...}, failing the test unless it succeeds. */
    static void ip(String... args) {
        String[] command = new String[args.length + 1];
        command[0] = "ip";
        System.arraycopy(args, 0, command, 1, args.length);
        Result result = run(command);
        if (result.exitCode != 0) {
            fail(String.join(" ", command) + " failed (" + result.exitCode + "): " + result.output);
        }
    }

    static boolean linkExists(String name) {
        return run("ip", "link", "show", "dev", name).exitCode == 0;
    }

    /** Brings the interface up with IPv6 off, so the kernel sends nothing into it unasked. */
    static void bringUp(String name) throws IOException {
        Path disableIpv6 = Path.of("/proc/sys/net/ipv6/conf", name, "disable_ipv6");
        if (Files.exists(disableIpv6)) {
            Files.writeString(disableIpv6, "1");
        }
        ip("link", "set", "dev", name, "up");
    }

    /** Deletes the interface if it still exists; returns whether it had to. */
    static boolean deleteIfPresent(String name) {
        return linkExists(name) && run("ip", "link", "delete", "dev", name).exitCode == 0;
    }

    private static boolean hasNetAdmin() {
        try {
            return Files.readAllLines(Path.of("/proc/self/status")).stream()
                    .filter(line -> line.startsWith("CapEff:"))
                    .map(line -> Long.parseUnsignedLong(line.substring("CapEff:".length()).trim(), 16))
                    .anyMatch(caps -> (caps & (1L << CAP_NET_ADMIN)) != 0);
        } catch (IOException e) {
            return false;
        }
    }

    private record Result(int exitCode, String output) {}

    private static Result run(String... command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return new Result(-1, "timed out");
            }
            return new Result(process.exitValue(), new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim());
        } catch (IOException e) {
            return new Result(-1, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(-1, "interrupted");
        }
    }
}
