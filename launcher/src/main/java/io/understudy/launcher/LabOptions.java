package io.understudy.launcher;

import io.understudy.launcher.lab.LabConfig;
import java.util.List;
import picocli.CommandLine.Option;

/** Overrides for the lab's names and addresses; each defaults to the standard lab. */
final class LabOptions {
    private static final LabConfig DEFAULTS = LabConfig.defaults();

    @Option(names = "--client-ns", paramLabel = "NS", description = "Client namespace (default: ${DEFAULT-VALUE}).")
    String clientNs = DEFAULTS.clientNs();

    @Option(names = "--server-ns", paramLabel = "NS", description = "Server namespace (default: ${DEFAULT-VALUE}).")
    String serverNs = DEFAULTS.serverNs();

    @Option(names = "--bridge", paramLabel = "DEV", description = "Bridge in the server namespace (default: ${DEFAULT-VALUE}).")
    String bridge = DEFAULTS.bridge();

    @Option(names = "--client-veth", paramLabel = "DEV", description = "Client's veth (default: ${DEFAULT-VALUE}).")
    String clientVeth = DEFAULTS.clientVeth();

    @Option(names = "--server-veth", paramLabel = "DEV", description = "Its peer on the bridge (default: ${DEFAULT-VALUE}).")
    String serverVeth = DEFAULTS.serverVeth();

    @Option(names = "--taps", paramLabel = "DEV", split = ",",
            description = "TAP devices, one per stack instance (default: us-tap0,us-tap1).")
    List<String> taps = DEFAULTS.taps();

    @Option(names = "--client-ip", paramLabel = "ADDR/LEN", description = "Client address (default: ${DEFAULT-VALUE}).")
    String clientIp = DEFAULTS.clientIp();

    @Option(names = "--service-ip", paramLabel = "ADDR/LEN",
            description = "Service address, owned by the stack, never by the kernel (default: ${DEFAULT-VALUE}).")
    String serviceIp = DEFAULTS.serviceIp();

    @Option(names = "--client-mtu", paramLabel = "BYTES", description = "Client veth MTU (default: ${DEFAULT-VALUE}).")
    int clientMtu = DEFAULTS.clientMtu();

    LabConfig config() {
        return new LabConfig(clientNs, serverNs, bridge, clientVeth, serverVeth, taps, clientIp, serviceIp, clientMtu);
    }
}
