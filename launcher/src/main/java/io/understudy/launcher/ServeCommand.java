package io.understudy.launcher;

import io.understudy.launcher.lab.LabConfig;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code understudy serve}: one stack instance on a TAP device, until Ctrl-C or SIGTERM. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Run one stack instance on a TAP device until Ctrl-C (or SIGTERM). "
                + "It answers ARP and ping for its address; on shutdown it prints its counters.")
final class ServeCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--lab", description = "Run in the lab: TAP us-tap0 in namespace us-server, address 10.201.0.2/24.")
    boolean lab;

    @Option(names = "--tap", paramLabel = "DEV", description = "TAP device to run on (with --lab: us-tap0).")
    String tap;

    @Option(names = "--netns", paramLabel = "NS", description = "Network namespace the TAP lives in (with --lab: us-server).")
    String netns;

    @Option(names = "--ip", paramLabel = "ADDR/LEN", description = "The stack's address and prefix length (with --lab: 10.201.0.2/24).")
    String ip;

    @Option(names = "--mac", paramLabel = "MAC", defaultValue = StackSettings.DEFAULT_MAC,
            description = "The stack's MAC address, unicast (default: ${DEFAULT-VALUE}, locally administered).")
    String mac;

    @Option(names = "--gateway", paramLabel = "ADDR", description = "Next hop for addresses off the subnet (default: none).")
    String gateway;

    @Option(names = "--mtu", paramLabel = "BYTES", defaultValue = "1500", description = "Link MTU (default: ${DEFAULT-VALUE}).")
    int mtu;

    @Option(names = "--pcap", paramLabel = "FILE", description = "Write every frame received and sent to FILE (pcap, for tshark/Wireshark).")
    Path pcap;

    @Option(names = "--faults", paramLabel = "SPEC",
            description = "Inject faults into the frames crossing the TAP, both ways (to test TCP without netem), "
                    + "e.g. --faults drop=1%%,dup=0.5%%,reorder=2%%,corrupt=0.1%%,delay=5ms,seed=42. Every part is "
                    + "optional: the rates drop, dup, reorder, corrupt (up to 3 decimals); a reordered frame waits for "
                    + "depth=N later frames (default 3) or delay=5ms|500us|100ns (default 2ms); direction=in|out|both "
                    + "(default both); seed=N (default 0). Default: no faults.")
    String faults;

    @Mixin LoggingOptions logging;

    @Override
    public Integer call() throws Exception {
        logging.apply();
        StackSettings settings = settings();
        CountDownLatch stopped = new CountDownLatch(1);
        try (StackInstance instance = StackInstance.start(settings, stopped::countDown)) {
            Thread hook = new Thread(instance::close, "understudy-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            stopped.await();
            return instance.failed() ? 1 : 0;
        }
    }

    private StackSettings settings() {
        LabConfig labConfig = LabConfig.defaults();
        String tapName = tap != null ? tap : lab ? labConfig.taps().get(0) : null;
        String ns = netns != null ? netns : lab ? labConfig.serverNs() : null;
        String address = ip != null ? ip : lab ? labConfig.serviceIp() : null;
        if (tapName == null || address == null) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "say which TAP and address to use: --lab, or --tap DEV --ip ADDR/LEN");
        }
        try {
            return StackSettings.parse(tapName, ns, address, mac, gateway, mtu, pcap, faults);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
        }
    }
}
