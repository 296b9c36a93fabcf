package io.understudy.interop;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * One {@code understudy pair --lab} process (a supervised primary and standby) started from the
 * built jar, with its run directory. Nodes are killed by the PIDs in {@code primary.pid} and
 * {@code standby.pid}; {@link #close()} stops the pair with SIGTERM and then kills, by PID, any
 * node still listed, also when a test fails.
 */
final class PairProcess implements AutoCloseable {
    static final String IN_SYNC = "replication: standby in sync with the primary";

    private final Process process;
    private final Path runDir;
    private final Path log;

    private PairProcess(Process process, Path runDir, Path log) {
        this.process = process;
        this.runDir = runDir;
        this.log = log;
    }

    /** Starts a pair serving {@code docroot} and waits until its standby is in sync. */
    static PairProcess start(Path docroot, String... extra) throws IOException, InterruptedException {
        Path runDir = Files.createTempDirectory("understudy-pair");
        Path log = runDir.resolve("pair.log");
        List<String> argv = new ArrayList<>(List.of("java", "-jar", System.getProperty("understudy.jar"), "pair", "--lab",
                "--docroot", docroot.toString(), "--run-dir", runDir.toString()));
        argv.addAll(List.of(extra));
        StackOptions.extra().forEach(o -> argv.add("--node-option=" + o));
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        PairProcess pair = new PairProcess(p, runDir, log);
        try {
            pair.awaitInSync(1, Duration.ofSeconds(60));
        } catch (AssertionError | RuntimeException e) {
            pair.close();
            throw e;
        }
        return pair;
    }

    Path runDir() {
        return runDir;
    }

    /** The pair's output so far (its own lines and its nodes', prefixed). */
    String output() throws IOException {
        return Files.readString(log, StandardCharsets.UTF_8);
    }

    /** How many times a standby said it is in sync. */
    int syncs() throws IOException {
        return (int) output().lines().filter(l -> l.contains(IN_SYNC)).count();
    }

    /** Waits until {@code n} in-sync lines have appeared (the first standby is 1, each replacement one more). */
    void awaitInSync(int n, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (syncs() < n) {
            if (!process.isAlive()) {
                throw new AssertionError("understudy pair exited " + process.exitValue() + ":\n" + output());
            }
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("no standby in sync (#" + n + ") within " + timeout + ":\n" + output());
            }
            Thread.sleep(20);
        }
    }

    long primaryPid() throws IOException {
        return pid("primary.pid");
    }

    long standbyPid() throws IOException {
        return pid("standby.pid");
    }

    private long pid(String file) throws IOException {
        Path p = runDir.resolve(file);
        if (!Files.exists(p)) {
            return -1;
        }
        String s = Files.readString(p).trim();
        return s.isEmpty() ? -1 : Long.parseLong(s);
    }

    /** SIGKILL to the current primary, by PID; returns the PID. */
    long killPrimary() throws IOException {
        return kill(primaryPid(), "primary");
    }

    /** SIGKILL to the current standby, by PID; returns the PID. */
    long killStandby() throws IOException {
        return kill(standbyPid(), "standby");
    }

    private static long kill(long pid, String what) {
        if (pid <= 0) {
            throw new AssertionError("no " + what + " PID to kill");
        }
        ProcessHandle h = ProcessHandle.of(pid).orElseThrow(() -> new AssertionError("the " + what + " (pid " + pid
                + ") is not running"));
        h.destroyForcibly();
        return pid;
    }

    /** Waits until the node with {@code pid} has exited. */
    static void awaitExit(long pid, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("pid " + pid + " still runs after " + timeout);
            }
            Thread.sleep(5);
        }
    }

    /** The lines of all node logs that contain {@code needle}. */
    List<String> nodeLines(String needle) throws IOException {
        List<String> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(runDir)) {
            for (Path f : files.filter(f -> f.getFileName().toString().startsWith("node-")).sorted().toList()) {
                Files.readAllLines(f).stream().filter(l -> l.contains(needle)).forEach(out::add);
            }
        }
        return out;
    }

    @Override
    public void close() throws IOException, InterruptedException {
        long primary = primaryPid();
        long standby = standbyPid();
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
        for (long pid : new long[] {primary, standby}) {
            if (pid > 0) {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
                awaitExit(pid, Duration.ofSeconds(10));
            }
        }
        if (Boolean.getBoolean("understudy.interop.keepLogs")) {
            return;
        }
        try (Stream<Path> all = Files.walk(runDir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
