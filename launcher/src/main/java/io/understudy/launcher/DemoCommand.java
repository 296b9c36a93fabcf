package io.understudy.launcher;

import io.understudy.launcher.lab.Lab;
import io.understudy.launcher.lab.LabConfig;
import io.understudy.stack.tcp.TcpConfig;
import io.understudy.stack.tcp.TcpLayer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code understudy demo}: the whole thing on its defaults. Brings the lab up, runs a stack on
 * us-tap0, lets the kernel in us-client ping and arping it, shows the counters and the capture,
 * and cleans up.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Bring the lab up, run a stack instance, ping and arping it from the client namespace, "
                + "talk TCP to its echo service, show its counters and packet capture, then clean up.")
final class DemoCommand implements Callable<Integer> {
    @Option(names = "--keep-lab", description = "Leave the lab up afterwards (default: remove it).")
    boolean keepLab;

    @Option(names = "--pcap", paramLabel = "FILE", description = "Keep the capture in FILE (default: a temporary file, deleted).")
    Path pcap;

    @Mixin LoggingOptions logging;

    @Override
    public Integer call() throws Exception {
        logging.apply();
        LabConfig labConfig = LabConfig.defaults();
        Lab lab = new Lab();
        Path capture = pcap != null ? pcap : Files.createTempFile("understudy-demo", ".pcap");
        String service = labConfig.serviceAddress();
        boolean ok;
        step("1. bringing the lab up: namespaces " + labConfig.clientNs() + " and " + labConfig.serverNs());
        lab.up(labConfig);
        try {
            StackSettings settings = StackSettings.parse(labConfig.taps().get(0), labConfig.serverNs(),
                    labConfig.serviceIp(), StackSettings.DEFAULT_MAC, null, 1500, capture, null)
                    .withTcp(TcpConfig.defaults(1500).withTrace(true), TcpLayer.DEFAULT_MAX_CONNECTIONS);
            step("2. starting the stack: " + settings.describe());
            try (StackInstance stack = StackInstance.start(settings, true, () -> { })) {
                step("3. the kernel in " + labConfig.clientNs() + " pings the stack");
                boolean pinged = show(labConfig.clientNs(), "ping", "-c", "5", "-i", "0.2", "-W", "2", service);
                step("4. arping asks for its MAC address");
                boolean arped = show(labConfig.clientNs(), "arping", "-c", "3", "-w", "5", "-I", labConfig.clientVeth(), service);
                step("5. kernel TCP talks to the stack's echo service (port 7); --trace logs each state change");
                boolean echoed = show(labConfig.clientNs(), "sh", "-c", "echo 'hello, understudy' | nc -q 1 " + service + " 7");
                ok = pinged && arped && echoed;
                step("6. stopping the stack (its counters follow)");
            }
            step("7. what the capture holds (" + capture + ")");
            if (onPath("tshark")) {
                run(List.of("tshark", "-r", capture.toString()), 30);
            } else {
                System.out.println("(install tshark to see it: apt-get install tshark)");
            }
        } finally {
            if (keepLab) {
                step("8. leaving the lab up (bin/understudy lab down removes it)");
            } else {
                step("8. removing the lab");
                lab.down(labConfig);
            }
            if (pcap == null) {
                Files.deleteIfExists(capture);
            }
        }
        System.out.println(ok ? "\ndemo: the stack answered ARP, ping and TCP from the Linux kernel" : "\ndemo: FAILED, see above");
        return ok ? 0 : 1;
    }

    private static void step(String what) {
        System.out.println();
        System.out.println("== " + what);
    }

    private static boolean show(String ns, String... command) throws IOException, InterruptedException {
        List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        argv.addAll(List.of(command));
        if (!onPath(command[0])) {
            System.out.println("(" + command[0] + " is not installed)");
            return false;
        }
        return run(argv, 30) == 0;
    }

    private static int run(List<String> argv, int timeoutSeconds) throws IOException, InterruptedException {
        System.out.println("$ " + argv.stream().map(a -> a.contains(" ") ? "\"" + a + "\"" : a)
                .collect(java.util.stream.Collectors.joining(" ")));
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        try (var out = p.getInputStream()) {
            out.transferTo(System.out);
        }
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return -1;
        }
        return p.exitValue();
    }

    private static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin").split(":")) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }
}
