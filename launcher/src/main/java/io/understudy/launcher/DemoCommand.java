package io.understudy.launcher;

import io.understudy.httpd.SeededBytes;
import io.understudy.launcher.lab.Lab;
import io.understudy.launcher.lab.LabConfig;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code understudy demo}: the project's main job on its defaults. Brings the lab up, starts a
 * replicated pair on a generated file, downloads it with curl from the client namespace, kills
 * the primary with SIGKILL halfway, and shows what the client saw: curl's exit status, whether
 * the SHA-256 matches, the longest pause in the download around the kill, and the takeover
 * timeline from the node logs. Then it cleans up.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Bring the lab up, start a primary and a standby, download a large file with curl from the "
                + "client namespace, SIGKILL the primary halfway, show that curl got every byte (exit status, "
                + "SHA-256, the longest pause) and the takeover timeline, then clean up.")
final class DemoCommand implements Callable<Integer> {
    @Option(names = "--size-mib", paramLabel = "N", defaultValue = "256",
            description = "Size of the downloaded file in MiB (default: ${DEFAULT-VALUE}).")
    int sizeMib;

    @Option(names = "--rate", paramLabel = "RATE", defaultValue = "0",
            description = "curl's --limit-rate, e.g. 100M (default: ${DEFAULT-VALUE}, no limit).")
    String rate;

    @Option(names = "--keep-lab", description = "Leave the lab up afterwards (default: remove it).")
    boolean keepLab;

    @Mixin LoggingOptions logging;

    private static final long SEED = 0x5EEDL;

    @Override
    public Integer call() throws Exception {
        logging.apply();
        if (sizeMib < 1 || sizeMib > 4096) {
            throw new IllegalArgumentException("--size-mib " + sizeMib + ": must be 1-4096");
        }
        LabConfig labConfig = LabConfig.defaults();
        Lab lab = new Lab();
        Path runDir = Files.createTempDirectory("understudy-demo");
        Path docroot = Files.createDirectories(runDir.resolve("www"));
        Path download = runDir.resolve("download.bin");
        Process pair = null;
        boolean ok = false;
        try {
            step("1. bringing the lab up: client namespace " + labConfig.clientNs() + ", server namespace "
                    + labConfig.serverNs() + " with " + String.join(" and ", labConfig.taps()) + " on bridge "
                    + labConfig.bridge());
            lab.up(labConfig);

            step("2. generating " + sizeMib + " MiB of data into " + docroot.resolve("big.bin"));
            String expected = generate(docroot.resolve("big.bin"), (long) sizeMib << 20);
            System.out.println("sha256 " + expected);

            step("3. starting a pair: primary on " + labConfig.taps().get(0) + ", standby on " + labConfig.taps().get(1)
                    + ", both serving http://" + labConfig.serviceAddress() + "/");
            List<String> argv = new ArrayList<>(PairCommand.nodeBase());
            argv.addAll(List.of("pair", "--lab", "--docroot", docroot.toString(), "--run-dir", runDir.toString(),
                    "--log-level", logging.level.name()));
            pair = new ProcessBuilder(argv).redirectErrorStream(true).start();
            CountDownLatch inSync = new CountDownLatch(1);
            Process pairProcess = pair;
            Thread pump = new Thread(() -> pump(pairProcess, runDir.resolve("pair.log"), inSync), "demo-pair-log");
            pump.setDaemon(true);
            pump.start();
            if (!inSync.await(60, TimeUnit.SECONDS)) {
                System.out.println("the standby did not get in sync within 60 s; see " + runDir.resolve("pair.log"));
                return 1;
            }

            step("4. curl downloads big.bin from " + labConfig.clientNs() + (rate.equals("0") ? "" : " at up to " + rate + "B/s")
                    + "; the primary gets SIGKILL halfway");
            List<String> curl = new ArrayList<>(List.of("ip", "netns", "exec", labConfig.clientNs(), "curl", "-sS",
                    "-o", download.toString(), "-w", "%{http_code} %{size_download}\\n", "--max-time", "300"));
            if (!rate.equals("0")) {
                curl.addAll(List.of("--limit-rate", rate));
            }
            curl.add("http://" + labConfig.serviceAddress() + "/big.bin");
            System.out.println("$ " + String.join(" ", curl));
            Process client = new ProcessBuilder(curl).redirectErrorStream(true).start();
            long total = (long) sizeMib << 20;
            Progress progress = new Progress(download);
            long killedPid = -1;
            long killAt = 0;
            while (client.isAlive()) {
                progress.sample();
                if (killedPid < 0 && progress.bytes >= total / 2) {
                    killedPid = Long.parseLong(Files.readString(runDir.resolve("primary.pid")).trim());
                    killAt = System.nanoTime();
                    ProcessHandle.of(killedPid).ifPresent(ProcessHandle::destroyForcibly); // SIGKILL, by PID
                    System.out.printf("kill -9 %d (the primary) at %d of %d bytes%n", killedPid, progress.bytes, total);
                }
                Thread.sleep(1);
            }
            progress.sample();
            String curlOut = new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            int status = client.exitValue();
            String got = Files.exists(download) ? sha256(download) : "(no file)";

            step("5. what the client saw");
            System.out.println("curl exit status:   " + status + (status == 0 ? " (success)" : " (FAILED)"));
            System.out.println("curl reported:      HTTP status and bytes: " + curlOut);
            System.out.println("sha256 matches:     " + (got.equals(expected) ? "yes" : "NO (" + got + ")"));
            if (killedPid > 0) {
                System.out.printf("longest pause:      %.1f ms without a new byte, from the kill to the end (the file's "
                        + "size, sampled every ~1 ms)%n", progress.longestGapAfter(killAt) / 1e6);
            } else {
                System.out.println("longest pause:      (the download ended before the kill)");
            }
            step("6. the takeover, from the node logs");
            printTakeover(runDir);
            ok = status == 0 && got.equals(expected) && killedPid > 0;
        } finally {
            step("7. cleaning up: stopping the pair, " + (keepLab ? "leaving the lab up" : "removing the lab"));
            if (pair != null) {
                pair.destroy(); // SIGTERM: the pair stops its nodes by their PIDs
                if (!pair.waitFor(20, TimeUnit.SECONDS)) {
                    pair.destroyForcibly();
                }
            }
            if (!keepLab) {
                lab.down(labConfig);
            }
            deleteTree(runDir);
        }
        System.out.println(ok ? "\ndemo: the primary died mid-download and curl never noticed: every byte arrived, "
                + "no reset, no retry" : "\ndemo: FAILED, see above");
        return ok ? 0 : 1;
    }

    /** Size samples of the growing download, to find the longest time it did not grow. */
    private static final class Progress {
        final Path file;
        final List<long[]> samples = new ArrayList<>(); // {nanos, bytes} at each change
        long bytes;

        Progress(Path file) {
            this.file = file;
        }

        void sample() throws IOException {
            long size = Files.exists(file) ? Files.size(file) : 0;
            if (size != bytes || samples.isEmpty()) {
                bytes = size;
                samples.add(new long[] {System.nanoTime(), size});
            }
        }

        long longestGapAfter(long from) {
            long longest = 0;
            for (int i = 1; i < samples.size(); i++) {
                if (samples.get(i)[0] >= from) {
                    longest = Math.max(longest, samples.get(i)[0] - Math.max(from, samples.get(i - 1)[0]));
                }
            }
            return longest;
        }
    }

    /** Writes {@code size} bytes of {@link SeededBytes} into {@code file}; returns their SHA-256. */
    private static String generate(Path file, long size) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        byte[] chunk = new byte[1 << 20];
        try (OutputStream out = Files.newOutputStream(file)) {
            for (long at = 0; at < size; at += chunk.length) {
                int n = (int) Math.min(chunk.length, size - at);
                SeededBytes.fill(SEED, at, chunk, 0, n);
                sha.update(chunk, 0, n);
                out.write(chunk, 0, n);
            }
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    private static String sha256(Path file) throws Exception {
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

    /** Shows the pair's own lines and the nodes' replication lines; counts down once the standby is in sync. */
    private static void pump(Process pair, Path log, CountDownLatch inSync) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(pair.getInputStream(), StandardCharsets.UTF_8));
             var out = Files.newBufferedWriter(log, StandardCharsets.UTF_8)) {
            String line;
            while ((line = in.readLine()) != null) {
                out.write(line);
                out.write('\n');
                out.flush();
                if (line.startsWith("pair:") || line.contains("replication:") || line.contains("takeover:")) {
                    System.out.println(line);
                }
                if (line.contains(StackInstance.IN_SYNC)) {
                    inSync.countDown();
                }
            }
        } catch (IOException e) {
            // the pair is gone
        }
    }

    private static void printTakeover(Path runDir) throws IOException {
        try (Stream<Path> logs = Files.list(runDir)) {
            for (Path p : logs.filter(f -> f.getFileName().toString().startsWith("node-")).sorted().toList()) {
                for (String line : Files.readAllLines(p)) {
                    if (line.contains("takeover:")) {
                        System.out.println(p.getFileName() + ": " + line);
                    }
                }
            }
        }
    }

    private static void step(String what) {
        System.out.println();
        System.out.println("== " + what);
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
