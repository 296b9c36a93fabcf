package io.understudy.launcher;

import io.understudy.launcher.lab.LabConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code understudy pair --lab}: a primary on us-tap0 and a standby on us-tap1, two processes
 * sharing the service address, replicating over a Unix socket in the run directory, supervised
 * so that the pair is protected again after each failure (see {@link Supervisor}).
 */
@Command(name = "pair", mixinStandardHelpOptions = true,
        description = "Run a primary and a standby (two processes) serving HTTP on the lab's service address, "
                + "replicating every TCP connection so the standby takes over when the primary dies. Writes "
                + "primary.pid and standby.pid into the run directory and restarts a standby after each failure. "
                + "Runs until Ctrl-C (or SIGTERM).")
final class PairCommand implements Callable<Integer> {
    /** Where run directories go by default. */
    static final Path RUN_ROOT = Path.of("/run/understudy");

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--lab", required = true,
            description = "Run in the lab: the primary on us-tap0, the standby on us-tap1, in namespace us-server, "
                    + "serving 10.201.0.2 (for two hosts, run 'serve --role primary|standby --peer ADDR' on each).")
    boolean lab;

    @Option(names = "--docroot", paramLabel = "DIR",
            description = "Serve the files of DIR (both nodes read the same files). Default: the bundled sample site, "
                    + "copied into the run directory.")
    Path docroot;

    @Option(names = "--run-dir", paramLabel = "DIR",
            description = "Where the PID files, the replication socket and the node logs go (default: "
                    + "/run/understudy/pair).")
    Path runDir;

    @Option(names = "--port", paramLabel = "N", defaultValue = "80", description = "HTTP port (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--policy", paramLabel = "POLICY", defaultValue = "continue",
            description = "What a primary does when its standby is lost: continue (go on alone, the default) or halt "
                    + "(stop sending).")
    String policy;

    @Option(names = "--node-option", paramLabel = "OPT",
            description = "An extra option for both nodes' 'serve' command line (repeatable), e.g. --node-option=--no-sack.")
    List<String> nodeOptions = new ArrayList<>();

    @Mixin LoggingOptions logging;

    @Override
    public Integer call() throws Exception {
        logging.apply();
        ReplicationOptions.policy(spec.commandLine(), policy); // checked here, passed on to the nodes as given
        if (docroot != null && !Files.isDirectory(docroot)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--docroot '" + docroot + "': "
                    + (Files.exists(docroot) ? "not a directory" : "no such directory"));
        }
        LabConfig labConfig = LabConfig.defaults();
        if (labConfig.taps().size() < 2) {
            throw new IllegalStateException("the lab has " + labConfig.taps().size() + " TAP device(s); a pair needs two");
        }
        Path dir = (runDir != null ? runDir : RUN_ROOT.resolve("pair")).toAbsolutePath();
        Files.createDirectories(dir);
        Path root = docroot != null ? docroot.toAbsolutePath() : SampleSite.copyTo(dir.resolve("site"));
        Path socket = dir.resolve("replication.sock");
        System.out.println("pair: run directory " + dir + " (primary.pid, standby.pid, node-*.log); docroot " + root
                + "; replication over unix:" + socket);
        List<String> base = nodeBase();
        Supervisor supervisor = new Supervisor(dir, spec -> {
            List<String> argv = new ArrayList<>(base);
            argv.addAll(List.of("serve", "--lab", "--tap", spec.tap(), "--role", spec.role(), "--peer", "unix:" + socket,
                    "--policy", policy, "--port", Integer.toString(port), "--docroot", root.toString(),
                    "--log-level", logging.level.name()));
            argv.addAll(nodeOptions);
            return argv;
        }, System.out);
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            supervisor.close();
            stop.countDown();
        }, "pair-shutdown"));
        supervisor.start(labConfig.taps().get(0), labConfig.taps().get(1));
        System.out.println("pair: serving http://" + labConfig.serviceAddress() + ":" + port + "/ — primary pid "
                + supervisor.primary().pid() + " on " + supervisor.primary().tap + ", standby pid "
                + supervisor.standby().pid() + " on " + supervisor.standby().tap);
        stop.await();
        return 0;
    }

    /** {@code java … -jar understudy.jar}: this JVM's binary and our jar. */
    static List<String> nodeBase() throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        Path jar = Path.of(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("pair runs from the understudy jar (bin/understudy pair), not from " + jar);
        }
        return List.of(java, "-XX:+UseParallelGC", "-Xms512m", "-Xmx4g", "-jar", jar.toString());
    }
}
