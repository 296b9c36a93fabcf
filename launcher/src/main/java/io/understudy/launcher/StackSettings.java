package io.understudy.launcher;

import io.understudy.stack.StackConfig;
import io.understudy.stack.tcp.TcpConfig;
import io.understudy.stack.tcp.TcpLayer;
import io.understudy.stack.link.FaultSpec;
import io.understudy.stack.wire.Ipv4Address;
import io.understudy.stack.wire.MacAddress;
import java.nio.file.Path;

/**
 * Everything needed to run one stack instance, parsed and checked.
 *
 * @param tap the TAP device
 * @param netns the network namespace holding it, or null for the current one
 * @param stack addresses and MTU
 * @param tcp TCP settings
 * @param maxConnections cap on TCP connections
 * @param pcap capture file, or null
 * @param faults faults to inject into the frames crossing the TAP ({@link FaultSpec#NONE} for none)
 * @param waitStrategy how the stack thread waits for events
 * @param offload open the TAP with a virtio-net header and let it complete TCP checksums and cut
 *                large TCP segments (TSO); false for plain 1500-byte frames
 */
record StackSettings(String tap, String netns, StackConfig stack, TcpConfig tcp, int maxConnections, Path pcap,
        FaultSpec faults, boolean offload, io.understudy.stack.engine.Engine.Wait waitStrategy) {
    /** The lab's service MAC: locally administered (02:…), "US" in ASCII, then 00:00:02. */
    static final String DEFAULT_MAC = "02:55:53:00:00:02";

    /** Parses command-line values ({@code faults} null for none); throws IllegalArgumentException naming the bad one. */
    static StackSettings parse(String tap, String netns, String ipWithPrefix, String mac, String gateway, int mtu,
            Path pcap, String faults) {
        int slash = ipWithPrefix.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("--ip '" + ipWithPrefix + "' needs a prefix length, e.g. 10.201.0.2/24");
        }
        int ip = parseAddress("--ip", ipWithPrefix.substring(0, slash));
        int prefix;
        try {
            prefix = Integer.parseInt(ipWithPrefix.substring(slash + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--ip '" + ipWithPrefix + "': the prefix length must be a number 0-32");
        }
        long macValue;
        try {
            macValue = MacAddress.parse(mac);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--mac '" + mac + "': " + e.getMessage());
        }
        int gw = gateway == null ? 0 : parseAddress("--gateway", gateway);
        FaultSpec faultSpec;
        try {
            faultSpec = faults == null ? FaultSpec.NONE : FaultSpec.parse(faults);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--faults: " + e.getMessage());
        }
        try {
            StackConfig config = new StackConfig(macValue, ip, prefix, gw, mtu);
            if (gw != 0 && !config.onLink(gw)) {
                throw new IllegalArgumentException("--gateway " + gateway + " is not on the subnet " + ipWithPrefix);
            }
            return new StackSettings(tap, netns, config, TcpConfig.defaults(mtu), TcpLayer.DEFAULT_MAX_CONNECTIONS, pcap,
                    faultSpec, true, io.understudy.stack.engine.Engine.Wait.BLOCKING);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage().startsWith("--") ? e.getMessage() : "bad setting: " + e.getMessage());
        }
    }

    private static int parseAddress(String flag, String text) {
        try {
            return Ipv4Address.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(flag + " '" + text + "': " + e.getMessage());
        }
    }

    /** These settings with other TCP settings. */
    StackSettings withTcp(TcpConfig tcpConfig, int connections) {
        return new StackSettings(tap, netns, stack, tcpConfig, connections, pcap, faults, offload, waitStrategy);
    }

    /** These settings with offloads on or off. */
    StackSettings withOffload(boolean on) {
        return new StackSettings(tap, netns, stack, tcp, maxConnections, pcap, faults, on, waitStrategy);
    }

    /** These settings with another way for the stack thread to wait. */
    StackSettings withWait(io.understudy.stack.engine.Engine.Wait wait) {
        return new StackSettings(tap, netns, stack, tcp, maxConnections, pcap, faults, offload, wait);
    }

    /** The TAP's options: with offloads a virtio-net header and checksum, TSO4 and TSO6 offloads (not with faults to inject, which see plain frames). */
    io.understudy.tap.TapOptions tapOptions() {
        if (!offload || !faults.isNone()) {
            return io.understudy.tap.TapOptions.of(tap);
        }
        return io.understudy.tap.TapOptions.withVnetHeader(tap, io.understudy.tap.TapOptions.TUN_F_CSUM
                | io.understudy.tap.TapOptions.TUN_F_TSO4 | io.understudy.tap.TapOptions.TUN_F_TSO6);
    }

    /** One line for the log. */
    String describe() {
        return Ipv4Address.toString(stack.ip()) + "/" + stack.prefixLength() + " mac " + MacAddress.toString(stack.mac())
                + " mtu " + stack.mtu() + " on " + tap + (netns == null ? "" : " in namespace " + netns)
                + (offload && faults.isNone() ? ", offloads (checksum, TSO)" : ", plain frames");
    }
}
