package io.understudy.launcher;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Runs a primary and a standby as two OS processes ({@code understudy serve --role …}) on two
 * TAP devices and keeps the pair protected: when the primary dies, the standby takes over on
 * its own (it sees the replication link close) and the supervisor starts a fresh standby on the
 * TAP the dead primary freed, which joins the new primary; when the standby dies, a fresh one
 * replaces it. Writes {@code primary.pid} and {@code standby.pid} into the run directory and
 * each node's output into {@code node-N-TAP.log} there, echoing it with a prefix.
 *
 * <p>Processes are only ever signalled by the PIDs it started.
 */
final class Supervisor implements AutoCloseable {
    /** How long a node may take to print its "ready" line. */
    private static final long START_TIMEOUT_SECONDS = 30;
    /** Pause before replacing a node that died, so a node that dies at once does not spin. */
    private static final long RESTART_PAUSE_MILLIS = 200;

    /** One node process. */
    final class Node {
        final int number;
        final String tap;
        final Process process;
        final Path logFile;
        final CountDownLatch ready = new CountDownLatch(1);
        volatile String role;

        Node(int number, String tap, String role, Process process, Path logFile) {
            this.number = number;
            this.tap = tap;
            this.role = role;
            this.process = process;
            this.logFile = logFile;
        }

        long pid() {
            return process.pid();
        }

        @Override
        public String toString() {
            return role + " (pid " + pid() + ", " + tap + ")";
        }
    }

    private final Path runDir;
    private final Function<NodeSpec, List<String>> command;
    private final PrintStream out;
    private final Object lock = new Object();
    private Node primary, standby;
    private int nodes;
    private volatile boolean closing;
    private int takeovers;

    /** What a node is started as. */
    record NodeSpec(String tap, String role) {}

    /**
     * @param command the command line of a node: {@code serve … --tap TAP --role ROLE}
     */
    Supervisor(Path runDir, Function<NodeSpec, List<String>> command, PrintStream out) {
        this.runDir = runDir;
        this.command = command;
        this.out = out;
    }

    /** Starts the primary on {@code primaryTap}, waits until it serves, then the standby on {@code standbyTap}. */
    void start(String primaryTap, String standbyTap) throws IOException, InterruptedException {
        Files.createDirectories(runDir);
        Node p = launch(primaryTap, "primary");
        awaitReady(p);
        synchronized (lock) {
            primary = p;
        }
        writePid("primary.pid", p);
        Node s = launch(standbyTap, "standby");
        synchronized (lock) {
            standby = s;
        }
        writePid("standby.pid", s);
        awaitReady(s);
        watch(p);
        watch(s);
    }

    /** The current primary and standby (either may be null for a moment after a failure). */
    Node primary() {
        synchronized (lock) {
            return primary;
        }
    }

    Node standby() {
        synchronized (lock) {
            return standby;
        }
    }

    int takeovers() {
        synchronized (lock) {
            return takeovers;
        }
    }

    private void watch(Node node) {
        node.process.onExit().thenRun(() -> onExit(node));
    }

    private void onExit(Node node) {
        if (closing) {
            return;
        }
        int code = node.process.exitValue();
        String how = code > 128 ? "killed by signal " + (code - 128) : "exited with status " + code;
        String freedTap;
        synchronized (lock) {
            if (node == primary) {
                primary = null;
                if (standby != null) {
                    primary = standby;
                    primary.role = "primary";
                    standby = null;
                    takeovers++;
                    say("the primary (pid " + node.pid() + ", " + node.tap + ") " + how + "; the standby (pid "
                            + primary.pid() + ", " + primary.tap + ") takes over");
                    writePidQuietly("primary.pid", primary);
                    deleteQuietly("standby.pid");
                } else {
                    say("the primary (pid " + node.pid() + ") " + how + " with no standby: the service is down");
                    deleteQuietly("primary.pid");
                    return;
                }
            } else if (node == standby) {
                standby = null;
                deleteQuietly("standby.pid");
                say("the standby (pid " + node.pid() + ", " + node.tap + ") " + how + "; the primary goes on alone");
            } else {
                return;
            }
            freedTap = node.tap;
        }
        replaceStandby(freedTap);
    }

    private void replaceStandby(String tap) {
        try {
            Thread.sleep(RESTART_PAUSE_MILLIS);
            if (closing) {
                return;
            }
            Node s = launch(tap, "standby");
            boolean tooLate;
            synchronized (lock) { // close() sets closing under the lock: either it sees this node or we see closing
                tooLate = closing;
                if (!tooLate) {
                    standby = s;
                }
            }
            if (tooLate) {
                stop(s);
                return;
            }
            writePid("standby.pid", s);
            watch(s);
            say("started a new standby (pid " + s.pid() + ", " + tap + "); it joins the primary");
        } catch (IOException e) {
            say("could not start a new standby on " + tap + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private Node launch(String tap, String role) throws IOException {
        int n;
        synchronized (lock) {
            n = ++nodes;
        }
        Path logFile = runDir.resolve("node-" + n + "-" + tap + ".log");
        List<String> argv = command.apply(new NodeSpec(tap, role));
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        Node node = new Node(n, tap, role, p, logFile);
        Thread pump = new Thread(() -> pump(node), "pair-node-" + n);
        pump.setDaemon(true);
        pump.start();
        return node;
    }

    /** Copies a node's output to its log file and, prefixed, to ours; notes its "ready" line. */
    private void pump(Node node) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(node.process.getInputStream(), StandardCharsets.UTF_8));
             Writer log = Files.newBufferedWriter(node.logFile, StandardCharsets.UTF_8)) {
            String line;
            while ((line = in.readLine()) != null) {
                log.write(line);
                log.write('\n');
                log.flush();
                if (line.contains("ready:")) {
                    node.ready.countDown();
                }
                out.println("[" + node.role + " " + node.pid() + " " + node.tap + "] " + line);
            }
        } catch (IOException e) {
            // the node is gone; onExit reports it
        }
    }

    private void awaitReady(Node node) throws InterruptedException, IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(START_TIMEOUT_SECONDS);
        while (!node.ready.await(50, TimeUnit.MILLISECONDS)) {
            if (!node.process.isAlive()) {
                throw new IllegalStateException("the " + node.role + " on " + node.tap + " exited during start-up (status "
                        + node.process.exitValue() + "); see " + node.logFile);
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("the " + node.role + " on " + node.tap + " did not get ready in "
                        + START_TIMEOUT_SECONDS + " s; see " + node.logFile);
            }
        }
    }

    private void writePid(String name, Node node) throws IOException {
        Path tmp = runDir.resolve(name + ".tmp");
        Files.writeString(tmp, node.pid() + "\n");
        Files.move(tmp, runDir.resolve(name), java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    private void writePidQuietly(String name, Node node) {
        try {
            writePid(name, node);
        } catch (IOException e) {
            say("could not write " + name + ": " + e.getMessage());
        }
    }

    private void deleteQuietly(String name) {
        try {
            Files.deleteIfExists(runDir.resolve(name));
        } catch (IOException e) {
            say("could not delete " + name + ": " + e.getMessage());
        }
    }

    private void say(String line) {
        out.println("pair: " + line);
    }

    /** Stops both nodes (SIGTERM, then SIGKILL after 5 s) by their PIDs and removes the PID files. */
    @Override
    public void close() {
        List<Node> all = new ArrayList<>();
        synchronized (lock) {
            closing = true;
            if (primary != null) {
                all.add(primary);
            }
            if (standby != null) {
                all.add(standby);
            }
        }
        // The standby first, so the primary's policy does not matter on the way down.
        for (int i = all.size() - 1; i >= 0; i--) {
            stop(all.get(i));
        }
        deleteQuietly("primary.pid");
        deleteQuietly("standby.pid");
    }

    private static void stop(Node node) {
        node.process.destroy();
        try {
            if (!node.process.waitFor(5, TimeUnit.SECONDS)) {
                node.process.destroyForcibly();
                node.process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            node.process.destroyForcibly();
        }
    }
}
