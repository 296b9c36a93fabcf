package io.understudy.launcher.lab;

import io.understudy.launcher.lab.LabStatus.Link;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Compares a {@link LabStatus} with its config and derives, without running anything, the steps that
 * bring the lab up or take it down. Up only lists what is missing or wrong, so planning against a lab
 * that is up yields nothing; the order matters (IPv6 is disabled in a namespace before any device
 * appears in it, so no device ever sends router solicitations or DAD probes).
 */
final class LabPlan {

    /** Something wrong with the lab and the step that fixes it, or no step when only {@code lab down} can. */
    record Gap(String problem, Optional<Step> fix) {}

    private LabPlan() {}

    static List<Step> up(LabStatus status) {
        List<Gap> gaps = gaps(status);
        List<String> unfixable = gaps.stream().filter(g -> g.fix().isEmpty()).map(Gap::problem).toList();
        if (!unfixable.isEmpty()) {
            throw new LabException("lab up: cannot repair " + String.join("; ", unfixable)
                    + "; run lab down first");
        }
        return gaps.stream().map(g -> g.fix().orElseThrow()).toList();
    }

    static List<Step> down(LabStatus status) {
        LabConfig c = status.config();
        return List.of(c.serverNs(), c.clientNs()).stream()
                .filter(ns -> status.namespace(ns).isPresent())
                .map(ns -> new Step("deleted namespace " + ns + " and the devices in it", Command.of("ip", "netns", "delete", ns)))
                .toList();
    }

    static List<Gap> gaps(LabStatus s) {
        LabConfig c = s.config();
        String client = c.clientNs();
        String server = c.serverNs();
        List<Gap> gaps = conflicts(s);
        if (!gaps.isEmpty()) {
            return gaps;
        }

        for (String ns : List.of(client, server)) {
            if (s.namespace(ns).isEmpty()) {
                gaps.add(fixable("namespace " + ns + " is missing", "created namespace " + ns, Command.of("ip", "netns", "add", ns)));
            }
        }
        for (String ns : List.of(client, server)) {
            if (!s.namespace(ns).map(LabStatus.Namespace::ipv6Disabled).orElse(false)) {
                gaps.add(fixable("IPv6 is enabled in " + ns, "disabled IPv6 in " + ns, Command.inNamespace(ns, "sysctl", "-q", "-e", "-w",
                        "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1")));
            }
        }
        // With br_netfilter loaded (Docker loads it), the bridge runs frames through iptables, which
        // validates IP headers and drops malformed ones before the stack can count them: switch it off.
        if (s.namespace(server).map(LabStatus.Namespace::bridgeFiltering).orElse(true)) {
            gaps.add(fixable("the bridge in " + server + " filters frames through iptables (br_netfilter)",
                    "stopped br_netfilter filtering bridged frames in " + server,
                    Command.inNamespace(server, "sysctl", "-q", "-e", "-w", Lab.BRIDGE_NF_CALL_IPTABLES + "=0",
                            Lab.BRIDGE_NF_CALL_IP6TABLES + "=0", Lab.BRIDGE_NF_CALL_ARPTABLES + "=0")));
        }
        for (String ns : List.of(client, server)) {
            bringUp(gaps, ns, "lo", s.link(ns, "lo"));
        }

        Optional<Link> bridge = s.link(server, c.bridge());
        if (bridge.isEmpty()) {
            gaps.add(fixable("bridge " + c.bridge() + " is missing in " + server,
                    "created bridge " + c.bridge() + " in " + server + " (stp off, forward_delay 0)",
                    Command.ip(server, "link", "add", c.bridge(), "type", "bridge", "forward_delay", "0", "stp_state", "0")));
        } else {
            String delay = bridge.get().kindAttributes().get("forward_delay");
            String stp = bridge.get().kindAttributes().get("stp_state");
            if (!"0".equals(delay) || !"0".equals(stp)) {
                gaps.add(fixable("bridge " + c.bridge() + " has forward_delay " + delay + " and stp_state " + stp + ", wants 0 and 0",
                        "set forward_delay 0 and stp off on bridge " + c.bridge(),
                        Command.ip(server, "link", "set", c.bridge(), "type", "bridge", "forward_delay", "0", "stp_state", "0")));
            }
        }

        Optional<Link> serverVeth = s.link(server, c.serverVeth());
        Optional<Link> clientVeth = s.link(client, c.clientVeth());
        if (serverVeth.isEmpty() || clientVeth.isEmpty()) {
            // Deleting either end of a veth pair deletes both; the pair is then created whole, the client
            // end directly inside the client namespace, so no lab device ever appears in the root namespace.
            List<Command> commands = new ArrayList<>();
            serverVeth.ifPresent(l -> commands.add(Command.ip(server, "link", "delete", c.serverVeth())));
            clientVeth.ifPresent(l -> commands.add(Command.ip(client, "link", "delete", c.clientVeth())));
            commands.add(Command.ip(server, "link", "add", c.serverVeth(), "type", "veth", "peer", "name", c.clientVeth(), "netns", client));
            String missing = serverVeth.isEmpty() && clientVeth.isEmpty() ? "veth pair " + c.serverVeth() + "/" + c.clientVeth() + " is missing"
                    : serverVeth.isEmpty() ? "veth " + c.serverVeth() + " is missing in " + server
                    : "veth " + c.clientVeth() + " is missing in " + client;
            gaps.add(new Gap(missing, Optional.of(new Step("created veth pair " + c.serverVeth() + " (" + server + ") <-> "
                    + c.clientVeth() + " (" + client + ")", commands))));
            serverVeth = Optional.empty();
            clientVeth = Optional.empty();
        }
        attach(gaps, server, c.serverVeth(), serverVeth, c.bridge());

        List<Optional<Link>> taps = new ArrayList<>();
        for (String tap : c.taps()) {
            Optional<Link> link = s.link(server, tap);
            if (link.isEmpty()) {
                gaps.add(fixable("tap " + tap + " is missing in " + server, "created persistent tap " + tap + " in " + server,
                        Command.ip(server, "tuntap", "add", "dev", tap, "mode", "tap")));
            }
            attach(gaps, server, tap, link, c.bridge());
            taps.add(link);
        }

        bringUp(gaps, server, c.bridge(), bridge);
        bringUp(gaps, server, c.serverVeth(), serverVeth);
        for (int i = 0; i < c.taps().size(); i++) {
            bringUp(gaps, server, c.taps().get(i), taps.get(i));
        }

        if (clientVeth.map(Link::mtu).orElse(-1) != c.clientMtu()) {
            gaps.add(fixable(c.clientVeth() + " in " + client + " does not have mtu " + c.clientMtu(),
                    "set mtu " + c.clientMtu() + " on " + c.clientVeth() + " in " + client,
                    Command.ip(client, "link", "set", c.clientVeth(), "mtu", Integer.toString(c.clientMtu()))));
        }
        if (!clientVeth.map(l -> l.ipv4().contains(c.clientIp())).orElse(false)) {
            gaps.add(fixable(c.clientVeth() + " in " + client + " lacks address " + c.clientIp(),
                    "assigned " + c.clientIp() + " to " + c.clientVeth() + " in " + client,
                    Command.ip(client, "addr", "add", c.clientIp(), "dev", c.clientVeth())));
        }
        bringUp(gaps, client, c.clientVeth(), clientVeth);

        for (LabStatus.Namespace ns : List.of(client, server).stream().flatMap(n -> s.namespace(n).stream()).toList()) {
            for (Link link : ns.links()) {
                for (String address : link.ipv4()) {
                    if (address.substring(0, address.indexOf('/')).equals(c.serviceAddress())) {
                        gaps.add(fixable("service address " + address + " is assigned to " + link.name() + " in " + ns.name()
                                        + "; it must belong to the user-space stack only",
                                "removed service address " + address + " from " + link.name() + " in " + ns.name(),
                                Command.ip(ns.name(), "addr", "del", address, "dev", link.name())));
                    }
                }
            }
        }
        return gaps;
    }

    /** Lab-named devices of the wrong kind: gaps only lab down can fix, so they are reported alone. */
    private static List<Gap> conflicts(LabStatus s) {
        LabConfig c = s.config();
        List<Gap> gaps = new ArrayList<>();
        conflict(gaps, s, c.serverNs(), c.bridge(), "a bridge", l -> l.kind().equals("bridge"));
        conflict(gaps, s, c.serverNs(), c.serverVeth(), "a veth", l -> l.kind().equals("veth"));
        conflict(gaps, s, c.clientNs(), c.clientVeth(), "a veth", l -> l.kind().equals("veth"));
        c.taps().forEach(tap -> conflict(gaps, s, c.serverNs(), tap, "a tap", Link::isTap));
        return gaps;
    }

    private static void conflict(List<Gap> gaps, LabStatus s, String ns, String name, String wanted, Predicate<Link> rightKind) {
        s.link(ns, name).filter(rightKind.negate()).ifPresent(link -> {
            String actual = link.describeKind().isEmpty() ? "an interface of no particular kind" : "a " + link.describeKind();
            gaps.add(new Gap(name + " in " + ns + " is " + actual + ", not " + wanted, Optional.empty()));
        });
    }

    private static void attach(List<Gap> gaps, String ns, String device, Optional<Link> link, String bridge) {
        if (!link.flatMap(Link::master).equals(Optional.of(bridge))) {
            gaps.add(fixable(device + " is not attached to bridge " + bridge, "attached " + device + " to bridge " + bridge,
                    Command.ip(ns, "link", "set", device, "master", bridge)));
        }
    }

    private static void bringUp(List<Gap> gaps, String ns, String device, Optional<Link> link) {
        if (!link.map(Link::adminUp).orElse(false)) {
            gaps.add(fixable(device + " is down in " + ns, "brought up " + device + " in " + ns,
                    Command.ip(ns, "link", "set", device, "up")));
        }
    }

    private static Gap fixable(String problem, String done, Command command) {
        return new Gap(problem, Optional.of(new Step(done, command)));
    }
}
