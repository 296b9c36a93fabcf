package io.understudy.launcher.lab;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Real iproute2 output of a default lab that is up (captured from a kernel), and a fake runner serving it. */
final class Fixtures {

    static final LabConfig CONFIG = LabConfig.defaults();
    static final String ROOT_LINKS = """
            1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN mode DEFAULT group default qlen 1000\\    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00
            4: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1400 qdisc pfifo_fast state UP mode DEFAULT group default qlen 1000\\    link/ether 02:fc:00:00:00:01 brd ff:ff:ff:ff:ff:ff
            """;

    private Fixtures() {}

    static String read(String name) {
        try (InputStream in = Fixtures.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static LabStatus.Namespace namespace(String ns, String linkOut, String addrOut) {
        return new LabStatus.Namespace(ns, true, false, IpOutput.links(linkOut, addrOut));
    }

    /** The status of the default lab when it is up. */
    static LabStatus upStatus() {
        return new LabStatus(CONFIG, Map.of(
                "us-client", namespace("us-client", read("up-client-link.txt"), read("up-client-addr.txt")),
                "us-server", namespace("us-server", read("up-server-link.txt"), read("up-server-addr.txt"))), List.of());
    }

    static List<String> commands(List<Step> steps) {
        return steps.stream().flatMap(s -> s.commands().stream()).map(Command::toString).toList();
    }

    /**
     * Pretends to be a host: tracks {@code ip netns add/delete}, answers inspections of an existing
     * namespace with the up-lab output, records every command, and fails the one named by {@link #failOn}.
     */
    static final class FakeHost implements CommandRunner {
        final Set<String> namespaces = new LinkedHashSet<>();
        final List<String> ran = new ArrayList<>();
        final Map<String, String> outputs = new LinkedHashMap<>();
        String rootLinks = ROOT_LINKS;
        String failOn = "";

        FakeHost() {
            for (String ns : List.of("us-client", "us-server")) {
                String side = ns.substring(3);
                outputs.put("ip -n " + ns + " -o -d link show", read("up-" + side + "-link.txt"));
                outputs.put("ip -n " + ns + " -o -4 addr show", read("up-" + side + "-addr.txt"));
                outputs.put("ip netns exec " + ns + " sysctl -n -e net.ipv6.conf.all.disable_ipv6 net.ipv6.conf.default.disable_ipv6", "1\n1\n");
                outputs.put("ip netns exec " + ns + " sysctl -n -e net.bridge.bridge-nf-call-iptables"
                        + " net.bridge.bridge-nf-call-ip6tables net.bridge.bridge-nf-call-arptables", "0\n0\n0\n");
            }
        }

        @Override
        public String run(Command command) {
            String line = command.toString();
            ran.add(line);
            if (line.equals(failOn)) {
                throw new CommandFailedException(command, 1, "ioctl(TUNSETIFF): Device or resource busy\n");
            }
            List<String> argv = command.argv();
            if (line.equals("ip netns list")) {
                return String.join("\n", namespaces);
            }
            if (line.equals("ip -o link show")) {
                return rootLinks;
            }
            if (line.startsWith("ip netns add ")) {
                namespaces.add(argv.get(3));
            } else if (line.startsWith("ip netns delete ")) {
                namespaces.remove(argv.get(3));
            }
            return outputs.getOrDefault(line, "");
        }

        List<String> changes() {
            return ran.stream().filter(c -> !c.equals("ip netns list") && !c.contains(" show") && !c.contains("sysctl -n")).toList();
        }
    }
}
