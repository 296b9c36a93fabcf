package io.understudy.launcher;

import io.understudy.launcher.lab.LabConfig;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** Where a stack instance runs and how: the options {@code serve} and {@code tcp-client} share. */
final class StackOptions {
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

    @Option(names = "--wait-strategy", paramLabel = "HOW", defaultValue = "blocking",
            description = "How the stack thread waits for frames: blocking (the default, measured best on 2 cores), "
                    + "lite-blocking, or spin-then-block (spins 20 us, yields 100 us; lowest latency with a spare core).")
    String waitStrategy;

    private io.understudy.stack.engine.Engine.Wait waitStrategy() {
        return switch (waitStrategy) {
            case "blocking" -> io.understudy.stack.engine.Engine.Wait.BLOCKING;
            case "lite-blocking" -> io.understudy.stack.engine.Engine.Wait.LITE_BLOCKING;
            case "spin-then-block" -> io.understudy.stack.engine.Engine.Wait.SPIN_THEN_BLOCK;
            default -> throw new IllegalArgumentException("--wait-strategy '" + waitStrategy
                    + "': must be blocking, lite-blocking or spin-then-block");
        };
    }

    @Option(names = "--no-offload",
            description = "Plain frames on the TAP, one MTU-sized segment per write, checksums computed here. Default: "
                    + "a virtio-net header, with the kernel completing TCP checksums and cutting large segments (TSO).")
    boolean noOffload;

    @CommandLine.Mixin
    TcpFlags tcp;

    /** The parsed settings; a bad value becomes a one-line usage error naming it. */
    StackSettings settings(CommandLine commandLine) {
        LabConfig labConfig = LabConfig.defaults();
        String tapName = tap != null ? tap : lab ? labConfig.taps().get(0) : null;
        String ns = netns != null ? netns : lab ? labConfig.serverNs() : null;
        String address = ip != null ? ip : lab ? labConfig.serviceIp() : null;
        if (tapName == null || address == null) {
            throw new CommandLine.ParameterException(commandLine, "say which TAP and address to use: --lab, or --tap DEV --ip ADDR/LEN");
        }
        try {
            StackSettings link = StackSettings.parse(tapName, ns, address, mac, gateway, mtu, pcap, faults);
            return link.withTcp(tcp.config(mtu), tcp.maxConnections).withOffload(!noOffload).withWait(waitStrategy());
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(commandLine, e.getMessage(), e);
        }
    }
}
