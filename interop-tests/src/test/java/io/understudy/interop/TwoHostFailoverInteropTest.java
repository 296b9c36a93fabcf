package io.understudy.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A pair on "two hosts": the primary runs in namespace ust-host-a, the standby in ust-host-b,
 * joined by a veth pair that carries the replication link over kernel TCP; each opens its TAP on
 * the lab's one bridge. curl's download survives a SIGKILL of the primary as on one host.
 */
class TwoHostFailoverInteropTest {
    private static final LabFixture lab = new LabFixture();
    private static final String HOST_A = "ust-host-a", HOST_B = "ust-host-b";
    private static final String ADDR_A = "10.203.0.1", ADDR_B = "10.203.0.2";
    private static final long SIZE = Long.getLong("understudy.interop.failover.bytes", 256L << 20);

    @TempDir
    static Path docroot;
    private static String sha;

    @BeforeAll
    static void setUp() throws Exception {
        Prerequisites.requireLab("curl");
        sha = FailoverInteropTest.writeRandom(docroot.resolve("big.bin"), SIZE, 3);
        lab.up();
        removeHosts();
        Cmd.run(10, "ip", "netns", "add", HOST_A).requireSuccess();
        Cmd.run(10, "ip", "netns", "add", HOST_B).requireSuccess();
        Cmd.run(10, "ip", "link", "add", "ust-ha", "netns", HOST_A, "type", "veth", "peer", "name", "ust-hb", "netns",
                HOST_B).requireSuccess();
        Cmd.inNetns(HOST_A, 10, "ip", "addr", "add", ADDR_A + "/24", "dev", "ust-ha").requireSuccess();
        Cmd.inNetns(HOST_B, 10, "ip", "addr", "add", ADDR_B + "/24", "dev", "ust-hb").requireSuccess();
        for (String[] h : new String[][] {{HOST_A, "ust-ha"}, {HOST_B, "ust-hb"}}) {
            Cmd.inNetns(h[0], 10, "ip", "link", "set", h[1], "up").requireSuccess();
            Cmd.inNetns(h[0], 10, "ip", "link", "set", "lo", "up").requireSuccess();
        }
    }

    @AfterAll
    static void tearDown() {
        removeHosts();
        lab.down();
        assertThat(Cmd.run(10, "ip", "netns", "list").output()).doesNotContain(HOST_A, HOST_B);
    }

    private static void removeHosts() {
        Cmd.run(10, "ip", "netns", "del", HOST_A);
        Cmd.run(10, "ip", "netns", "del", HOST_B);
    }

    @Test
    void aPairOverKernelTcpSurvivesAPrimaryKill(@TempDir Path out) throws Exception {
        String peer = "tcp:" + ADDR_A + ":7400";
        try (StackProcess primary = StackProcess.serveIn(HOST_A, "ready", "--lab", "--tap", "us-tap0", "--role",
                "primary", "--peer", peer, "--docroot", docroot.toString());
             StackProcess standby = StackProcess.serveIn(HOST_B, PairProcess.IN_SYNC, "--lab", "--tap", "us-tap1",
                     "--role", "standby", "--peer", peer, "--listen", "tcp:" + ADDR_B + ":7400", "--docroot",
                     docroot.toString())) {
            Path file = out.resolve("big.bin");
            Process curl = new ProcessBuilder("ip", "netns", "exec", LabFixture.LAB.clientNs(), "curl", "-sS",
                    "--max-time", "120", "--limit-rate", "100M", "-o", file.toString(),
                    "http://" + LabFixture.SERVICE_IP + "/big.bin").redirectErrorStream(true).start();
            boolean killed = false;
            while (curl.isAlive()) {
                if (!killed && Files.exists(file) && Files.size(file) >= SIZE / 2) {
                    ProcessHandle.of(primary.pid()).ifPresent(ProcessHandle::destroyForcibly);
                    killed = true;
                }
                Thread.sleep(1);
            }
            assertThat(curl.waitFor(10, TimeUnit.SECONDS)).isTrue();
            String curlOut = new String(curl.getInputStream().readAllBytes());
            assertThat(killed).as("the kill happened mid-download").isTrue();
            assertThat(curl.exitValue()).as("curl: %s\nstandby:\n%s", curlOut, standby.output()).isZero();
            assertThat(FailoverInteropTest.sha256(file)).isEqualTo(sha);
            assertThat(standby.output()).contains("takeover: primary lost");
        }
    }
}
