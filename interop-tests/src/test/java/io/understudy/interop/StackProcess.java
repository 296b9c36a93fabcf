package io.understudy.interop;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One {@code understudy serve} process started from the built jar. Always stopped by PID,
 * also when a test fails: use it in try-with-resources.
 */
final class StackProcess implements AutoCloseable {
    private static final Pattern COUNTER = Pattern.compile("([a-z0-9_]+)=(\\d+)");

    private final Process process;
    private final Path log;

    private StackProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /** Starts {@code understudy serve} with {@code args} and waits until it says it is ready. */
    static StackProcess serve(String... args) throws IOException, InterruptedException {
        return serveIn(null, "ready", args);
    }

    /**
     * Starts {@code understudy serve} with {@code args} inside network namespace {@code ns} (null:
     * this one; {@code ip netns exec} execs java, so the PID is java's) and waits for a line
     * containing {@code readyLine}.
     */
    static StackProcess serveIn(String ns, String readyLine, String... args) throws IOException, InterruptedException {
        List<String> argv = new ArrayList<>();
        if (ns != null) {
            argv.addAll(List.of("ip", "netns", "exec", ns));
        }
        argv.addAll(List.of("java", "-jar", System.getProperty("understudy.jar"), "serve"));
        argv.addAll(StackOptions.extra());
        argv.addAll(List.of(args));
        Path log = Files.createTempFile("understudy-serve", ".log");
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        var stack = new StackProcess(p, log);
        try {
            stack.awaitLine(readyLine, Duration.ofSeconds(60));
        } catch (AssertionError e) {
            stack.close();
            throw e;
        }
        return stack;
    }

    long pid() {
        return process.pid();
    }

    /** The process's output so far. */
    String output() throws IOException {
        return Files.readString(log, StandardCharsets.UTF_8);
    }

    void awaitLine(String needle, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!output().contains(needle)) {
            if (!process.isAlive()) {
                throw new AssertionError("understudy serve exited " + process.exitValue() + " before '" + needle
                        + "':\n" + output());
            }
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("understudy serve did not print '" + needle + "' in " + timeout + ":\n"
                        + output());
            }
            Thread.sleep(50);
        }
    }

    /**
     * Stops the process with SIGTERM (a clean shutdown, like Ctrl-C) and returns the counters
     * from its final "counters:" line.
     */
    Map<String, Long> stop() throws IOException, InterruptedException {
        process.destroy();
        if (!process.waitFor(15, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            throw new AssertionError("understudy serve ignored SIGTERM for 15 s:\n" + output());
        }
        String out = output();
        String counters = out.lines().filter(l -> l.contains("counters:")).reduce((a, b) -> b)
                .orElseThrow(() -> new AssertionError("no counters line at shutdown:\n" + out));
        Map<String, Long> result = new HashMap<>();
        Matcher m = COUNTER.matcher(counters.substring(counters.indexOf("counters:")));
        while (m.find()) {
            result.put(m.group(1), Long.parseLong(m.group(2)));
        }
        return result;
    }

    int exitCode() {
        return process.exitValue();
    }

    @Override
    public void close() throws IOException, InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        Files.deleteIfExists(log);
    }
}
