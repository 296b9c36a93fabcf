package io.understudy.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The promise of the project, against kernel TCP clients in us-client: a primary and a standby
 * ({@code understudy pair --lab}) serve HTTP; the primary gets SIGKILL mid-download,
 * mid-upload, mid-handshake, with requests pending or pipelined, with many connections open; every
 * client finishes with exactly the right bytes — curl exits 0, the SHA-256 matches — and the
 * supervisor re-protects the pair so that further failures are survived too.
 */
class FailoverInteropTest {
    /** Bytes of the big file; -Dunderstudy.interop.failover.bytes=N (256 MiB by default). */
    static final long BIG = Long.getLong("understudy.interop.failover.bytes", 256L << 20);
    /** Random kill points; -Dunderstudy.interop.failover.kills=N (20 by default, more for a longer run). */
    static final int KILLS = Integer.getInteger("understudy.interop.failover.kills", 20);
    private static final LabFixture lab = new LabFixture();
    private static final String CLIENT = LabFixture.LAB.clientNs();
    private static final String BASE = "http://" + LabFixture.SERVICE_IP;

    @TempDir
    static Path docroot;
    private static String bigSha;

    @BeforeAll
    static void labUp() throws Exception {
        Prerequisites.requireLab("python3", "curl", "nft");
        bigSha = writeRandom(docroot.resolve("big.bin"), BIG, 42);
        Random sizes = new Random(7);
        for (int i = 0; i < 10; i++) {
            writeRandom(docroot.resolve("f" + i + ".bin"), 1 + sizes.nextInt(300_000), 100 + i);
        }
        lab.up();
    }

    @AfterAll
    static void labDown() throws Exception {
        Cmd.inNetns(CLIENT, 10, "nft", "delete", "table", "inet", "us_failover");
        lab.down();
    }

    // ---------------------------------------------------------------- downloads

    @Test
    void curlDownloadsSurviveTwentyRandomPrimaryKills(@TempDir Path out) throws Exception {
        Random random = new Random(Long.getLong("understudy.interop.failover.seed", System.nanoTime()));
        List<String> report = new ArrayList<>();
        try (PairProcess pair = PairProcess.start(docroot)) {
            for (int k = 0; k < KILLS; k++) {
                double at = 0.05 + 0.9 * random.nextDouble();
                boolean generated = k % 2 == 1;
                long seed = random.nextInt(1000);
                String url = generated ? BASE + "/bytes/" + BIG + "?seed=" + seed : BASE + "/big.bin";
                String expected = generated ? seededSha(seed, BIG) : bigSha;
                Download d = download(pair, out.resolve("d" + k), url, BIG, new double[] {at}, List.of());
                report.add(String.format("kill %d at %.0f%% of %s: curl %d, pause %.1f ms", k + 1, at * 100,
                        generated ? "/bytes" : "big.bin", d.exit, d.longestPauseMillis));
                assertThat(d.exit).as("curl's exit status, kill %d (%s)\n%s", k + 1, report, pair.output()).isZero();
                assertThat(d.sha).as("sha256 after kill %d", k + 1).isEqualTo(expected);
                pair.awaitInSync(k + 2, Duration.ofSeconds(60));
            }
            assertThat(pair.nodeLines("takeover: primary lost")).hasSizeGreaterThanOrEqualTo(KILLS);
        }
        Files.writeString(Path.of(System.getProperty("understudy.root", "."), "interop-tests/target/failover-kills.txt"),
                String.join("\n", report) + "\n");
    }

    @Test
    void threeSuccessiveKillsDuringOneGibibyteDownload(@TempDir Path out) throws Exception {
        long size = Long.getLong("understudy.interop.failover.repeated.bytes", 1L << 30);
        try (PairProcess pair = PairProcess.start(docroot)) {
            Download d = download(pair, out.resolve("big"), BASE + "/bytes/" + size + "?seed=9", size,
                    new double[] {0.25, 0.5, 0.75}, List.of("--limit-rate", "60M")); // time to re-protect in between
            assertThat(d.exit).as("curl's exit status\n%s", pair.output()).isZero();
            assertThat(d.sha).isEqualTo(seededSha(9, size));
            assertThat(pair.nodeLines("takeover: primary lost")).hasSize(3);
        }
    }

    @Test
    void killingTheStandbyDoesNotTouchClientsAndANewStandbyProtectsThem(@TempDir Path out) throws Exception {
        try (PairProcess pair = PairProcess.start(docroot)) {
            long[] standby = {0};
            Download d = download(pair, out.resolve("big"), BASE + "/big.bin", BIG, new double[] {0.3, 0.7},
                    List.of("--limit-rate", "30M"), (i, p) -> {
                        if (i == 0) {
                            standby[0] = p.killStandby();
                            p.awaitInSync(2, Duration.ofSeconds(60)); // a new standby joined the primary
                        } else {
                            p.killPrimary();
                        }
                    });
            assertThat(d.exit).as("curl's exit status\n%s", pair.output()).isZero();
            assertThat(d.sha).isEqualTo(bigSha);
            assertThat(pair.output()).contains("the standby (pid " + standby[0]);
            assertThat(pair.nodeLines("takeover: primary lost")).hasSize(1);
        }
    }

    @Test
    void lossOnTheWireDuringTheKill(@TempDir Path out) throws Exception {
        try (PairProcess pair = PairProcess.start(docroot)) {
            nft("add table inet us_failover",
                    "add chain inet us_failover in { type filter hook input priority 0; }",
                    "add rule inet us_failover in tcp sport 80 numgen random mod 100 < 2 drop");
            try {
                Download d = download(pair, out.resolve("big"), BASE + "/big.bin", BIG, new double[] {0.5}, List.of());
                assertThat(d.exit).as("curl's exit status\n%s", pair.output()).isZero();
                assertThat(d.sha).isEqualTo(bigSha);
            } finally {
                nft("delete table inet us_failover");
            }
        }
    }

    @Test
    void aLargeUploadToEchoSurvivesAKill(@TempDir Path out) throws Exception {
        Path upload = out.resolve("upload.bin");
        String sha = writeRandom(upload, 64 << 20, 5);
        Path answer = out.resolve("answer.bin");
        try (PairProcess pair = PairProcess.start(docroot)) {
            Process curl = new ProcessBuilder("ip", "netns", "exec", CLIENT, "curl", "-sS", "--max-time", "120",
                    "--limit-rate", "40M", "-H", "Expect:", "--data-binary", "@" + upload, "-o", answer.toString(),
                    BASE + "/echo").redirectErrorStream(true).start();
            Thread.sleep(600 + new Random().nextInt(600)); // mid-upload: 64 MiB at 40 MB/s takes 1.6 s
            pair.killPrimary();
            assertThat(curl.waitFor(150, TimeUnit.SECONDS)).isTrue();
            String curlOut = new String(curl.getInputStream().readAllBytes());
            assertThat(curl.exitValue()).as("curl: %s\n%s", curlOut, pair.output()).isZero();
            assertThat(sha256(answer)).isEqualTo(sha);
        }
    }

    @Test
    void aBadPeerIsRefusedWithAClearLineAndThePairStaysProtected(@TempDir Path out) throws Exception {
        try (PairProcess pair = PairProcess.start(docroot)) {
            long primary = pair.primaryPid();
            Cmd.Result r = Cmd.run(60, "python3", Peer.script("bad_peer.py"),
                    pair.runDir().resolve("replication.sock").toString()).requireSuccess();
            assertThat(r.output()).contains("garbage:", "truncated:", "wrong-version:");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (pair.output().lines().filter(l -> l.contains("replication: refused standby")).count() < 3
                    && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            List<String> refusals = pair.output().lines().filter(l -> l.contains("replication: refused standby")).toList();
            assertThat(refusals).as(pair.output()).hasSize(3);
            assertThat(String.join("\n", refusals)).contains("version");
            assertThat(pair.primaryPid()).isEqualTo(primary);
            assertThat(ProcessHandle.of(primary).map(ProcessHandle::isAlive)).contains(true);
            // Still protected: the standby that was in sync before takes over a download.
            Download d = download(pair, out.resolve("big"), BASE + "/big.bin", BIG, new double[] {0.5}, List.of());
            assertThat(d.exit).as("curl's exit status\n%s", pair.output()).isZero();
            assertThat(d.sha).isEqualTo(bigSha);
        }
    }

    // ---------------------------------------------------------------- kill points, with python clients

    @Test
    void keepAliveRequestsAcrossAKill() throws Exception {
        assertThat(client("keepalive", null)).startsWith("OK 300");
    }

    @Test
    void pipelinedRequestsInFlight() throws Exception {
        assertThat(client("pipelined", null)).startsWith("OK 60");
    }

    @Test
    void twoHundredKeepAliveConnectionsOpen() throws Exception {
        assertThat(client("many", null)).startsWith("OK 400");
    }

    @Test
    void connectionsClosingAroundTheKill() throws Exception {
        assertThat(client("closes", null)).startsWith("OK 400");
    }

    @Test
    void duringTheThreeWayHandshake() throws Exception {
        // The client's ACK of the SYN-ACK is dropped: the primary dies in SYN-RECEIVED.
        assertThat(client("handshake", new String[] {"add table inet us_failover",
                "add chain inet us_failover out { type filter hook output priority 0; }",
                "add rule inet us_failover out tcp dport 80 tcp flags & (syn | ack) == ack drop"})).startsWith("OK 1");
    }

    @Test
    void afterTheRequestArrivedBeforeTheResponseReachedTheClient() throws Exception {
        // Everything the server sends is dropped until the kill: the client sees no response from the primary.
        assertThat(client("pending", new String[] {"add table inet us_failover",
                "add chain inet us_failover in { type filter hook input priority 0; }",
                "add rule inet us_failover in tcp sport 80 tcp flags & (syn | ack) != (syn | ack) drop"}))
                .startsWith("OK 1");
    }

    /**
     * Runs failover_client.py in {@code mode}: kills the primary when it says READY (with
     * {@code rules} installed in us-client's nftables from the start until after the kill), then
     * lets it go on. Returns its output.
     */
    private String client(String mode, String[] rules) throws Exception {
        Path dir = Files.createTempDirectory("understudy-failover");
        Path ready = dir.resolve("ready");
        Path go = dir.resolve("go");
        try (PairProcess pair = PairProcess.start(docroot)) {
            Process py = new ProcessBuilder("ip", "netns", "exec", CLIENT, "python3", Peer.script("failover_client.py"),
                    mode, LabFixture.SERVICE_IP, "80", docroot.toString(), ready.toString(), go.toString())
                    .redirectErrorStream(true).start();
            boolean filtered = false;
            try {
                if (rules != null) {
                    nft(rules);
                    filtered = true;
                }
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (!Files.exists(ready) && py.isAlive() && System.nanoTime() < deadline) {
                    Thread.sleep(1);
                }
                if (Files.exists(ready)) {
                    if (rules != null) {
                        Thread.sleep(100); // the handshake's ACK, or the response, has been dropped by now
                    }
                    long pid = pair.killPrimary();
                    PairProcess.awaitExit(pid, Duration.ofSeconds(10));
                    if (filtered) {
                        nft("delete table inet us_failover");
                        filtered = false;
                    }
                    Files.createFile(go);
                }
                assertThat(py.waitFor(120, TimeUnit.SECONDS)).as("%s client finished", mode).isTrue();
                String output = new String(py.getInputStream().readAllBytes());
                assertThat(py.exitValue()).as("%s client: %s\n%s", mode, output, pair.output()).isZero();
                assertThat(pair.nodeLines("takeover: primary lost")).hasSize(1);
                return output;
            } finally {
                if (filtered) {
                    nft("delete table inet us_failover");
                }
                py.destroyForcibly();
            }
        } finally {
            Files.deleteIfExists(ready);
            Files.deleteIfExists(go);
            Files.deleteIfExists(dir);
        }
    }

    private static void nft(String... commands) {
        for (String c : commands) {
            List<String> argv = new ArrayList<>(List.of("nft"));
            argv.addAll(List.of(c.split(" ")));
            Cmd.inNetns(CLIENT, 10, argv.toArray(String[]::new)).requireSuccess();
        }
    }

    // ---------------------------------------------------------------- downloads with kills

    /** What a download ended with. */
    record Download(int exit, String sha, double longestPauseMillis) {}

    /** An action at a kill point: kill number {@code i} (from 0), on the pair. */
    interface KillAction {
        void run(int i, PairProcess pair) throws Exception;
    }

    private Download download(PairProcess pair, Path file, String url, long size, double[] killAt, List<String> curlOptions)
            throws Exception {
        int synced = pair.syncs();
        return download(pair, file, url, size, killAt, curlOptions, (i, p) -> {
            if (i > 0) {
                p.awaitInSync(synced + i, Duration.ofSeconds(60)); // re-protected before the next kill
            }
            p.killPrimary();
        });
    }

    /**
     * curl downloads {@code url} into {@code file} from us-client; when the file reaches each
     * fraction of {@code killAt}, {@code action} runs. Returns curl's exit status, the SHA-256 and
     * the longest time the file did not grow after the first kill.
     */
    private Download download(PairProcess pair, Path file, String url, long size, double[] killAt,
            List<String> curlOptions, KillAction action) throws Exception {
        List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", CLIENT, "curl", "-sS", "--max-time", "300",
                "-o", file.toString()));
        argv.addAll(curlOptions);
        argv.add(url);
        Process curl = new ProcessBuilder(argv).redirectErrorStream(true).start();
        int next = 0;
        long lastSize = -1;
        long lastGrowth = System.nanoTime();
        long longestPause = 0;
        long firstKill = 0;
        while (curl.isAlive()) {
            long now = System.nanoTime();
            long n = Files.exists(file) ? Files.size(file) : 0;
            if (n != lastSize) {
                if (firstKill != 0) {
                    longestPause = Math.max(longestPause, now - Math.max(lastGrowth, firstKill));
                }
                lastSize = n;
                lastGrowth = now;
            }
            if (next < killAt.length && n >= (long) (killAt[next] * size)) {
                if (firstKill == 0) {
                    firstKill = System.nanoTime();
                }
                action.run(next, pair);
                next++;
            }
            Thread.sleep(1);
        }
        assertThat(curl.waitFor(300, TimeUnit.SECONDS)).isTrue();
        String curlOut = new String(curl.getInputStream().readAllBytes());
        assertThat(next).as("kill points reached (curl: %s)", curlOut).isEqualTo(killAt.length);
        String sha = Files.exists(file) ? sha256(file) : "";
        Files.deleteIfExists(file);
        return new Download(curl.exitValue(), sha, longestPause / 1e6);
    }

    // ---------------------------------------------------------------- data

    /** Writes {@code size} pseudo-random bytes from {@code seed}; returns their SHA-256. */
    static String writeRandom(Path file, long size, long seed) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        Random r = new Random(seed);
        byte[] chunk = new byte[1 << 20];
        try (var out = Files.newOutputStream(file)) {
            for (long done = 0; done < size; done += chunk.length) {
                int n = (int) Math.min(chunk.length, size - done);
                r.nextBytes(chunk);
                sha.update(chunk, 0, n);
                out.write(chunk, 0, n);
            }
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    /** SHA-256 of {@code /bytes/size?seed=seed}. */
    static String seededSha(long seed, long size) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        byte[] chunk = new byte[1 << 20];
        for (long done = 0; done < size; done += chunk.length) {
            int n = (int) Math.min(chunk.length, size - done);
            io.understudy.httpd.SeededBytes.fill(seed, done, chunk, 0, n);
            sha.update(chunk, 0, n);
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    static String sha256(Path file) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        byte[] chunk = new byte[1 << 20];
        try (var in = Files.newInputStream(file)) {
            int n;
            while ((n = in.read(chunk)) > 0) {
                sha.update(chunk, 0, n);
            }
        }
        return HexFormat.of().formatHex(sha.digest());
    }
}
