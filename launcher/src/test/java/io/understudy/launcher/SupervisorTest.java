package io.understudy.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pair's supervisor with stand-in nodes (bash saying "ready:", then a sleep named after the
 * test's directory and the node's number, so the test finds them by name); no TAP, no root.
 */
class SupervisorTest {
    @TempDir
    Path dir;

    /** The name every stand-in of this test carries, in its command line before and after its exec. */
    private String marker(int n) {
        return "understudy-standin " + dir + " " + n + ";";
    }

    /** Live processes whose /proc/PID/cmdline (argv[0] included, which Java's ProcessHandle.Info omits) has the marker. */
    private List<ProcessHandle> running(int n) {
        String m = marker(n);
        return ProcessHandle.allProcesses()
                .filter(p -> {
                    try {
                        byte[] cmd = java.nio.file.Files.readAllBytes(Path.of("/proc", Long.toString(p.pid()), "cmdline"));
                        return new String(cmd, StandardCharsets.UTF_8).contains(m);
                    } catch (java.io.IOException | RuntimeException gone) {
                        return false;
                    }
                })
                .filter(ProcessHandle::isAlive)
                .toList();
    }

    @AfterEach
    void killStandIns() {
        for (int n = 1; n <= 3; n++) {
            running(n).forEach(ProcessHandle::destroyForcibly); // by PID, found by this test's own marker
        }
    }

    /**
     * A standby started to replace a dead node while the supervisor is being closed is stopped
     * too: closing must not leave a node behind with nobody to stop it (it keeps its TAP open,
     * and the next pair on that TAP fails to start; seen in the interop suite).
     */
    @Test
    void aStandbyStartedWhileClosingIsStoppedToo() throws Exception {
        AtomicInteger launched = new AtomicInteger();
        AtomicReference<Supervisor> sup = new AtomicReference<>();
        PrintStream out = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        Supervisor s = new Supervisor(dir, spec -> {
            int n = launched.incrementAndGet();
            if (n == 3) {
                // The replacement of the killed primary: the supervisor is closed right now, as
                // if Ctrl-C came while its new standby was being started.
                Thread closer = new Thread(() -> sup.get().close());
                closer.start();
                try {
                    closer.join(20_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return List.of("bash", "-c", "echo 'ready: stand-in'; exec -a '" + marker(n) + "' sleep 60");
        }, out);
        sup.set(s);
        s.start("tap-a", "tap-b");
        assertThat(running(1)).hasSize(1);
        assertThat(running(2)).hasSize(1);
        ProcessHandle.of(s.primary().pid()).ifPresent(ProcessHandle::destroyForcibly);

        long deadline = System.nanoTime() + 20_000_000_000L;
        while (launched.get() < 3) {
            assertThat(System.nanoTime() - deadline).as("the replacement standby launched").isNegative();
            Thread.sleep(10);
        }
        // Whatever state the replacement got to (started, or stopped at once), within a few
        // seconds nothing of this pair may run any more.
        while ((!running(3).isEmpty() || !running(2).isEmpty()) && System.nanoTime() - deadline < 0) {
            Thread.sleep(20);
        }
        assertThat(running(3)).as("the standby started while closing").isEmpty();
        assertThat(running(2)).as("the primary").isEmpty();
        assertThat(running(1)).as("the killed primary").isEmpty();
        assertThat(s.standby()).isNull();
    }
}
