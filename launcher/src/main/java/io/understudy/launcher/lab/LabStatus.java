package io.understudy.launcher.lab;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * What exists of a lab: its namespaces that are present, with their links, and any interface
 * bearing a lab device name in the root namespace (which the lab never creates).
 */
public record LabStatus(LabConfig config, Map<String, Namespace> namespaces, List<String> rootLeftovers) {

    /**
     * A lab namespace that exists. {@code ipv6Disabled} is also true when the kernel has no IPv6;
     * {@code bridgeFiltering} is true when br_netfilter sends bridged frames through iptables there.
     */
    public record Namespace(String name, boolean ipv6Disabled, boolean bridgeFiltering, List<Link> links) {
        public Namespace {
            links = List.copyOf(links);
        }

        public Optional<Link> link(String device) {
            return links.stream().filter(l -> l.name().equals(device)).findFirst();
        }
    }

    /**
     * One interface. {@code kind} is the rtnetlink kind ({@code bridge}, {@code veth}, {@code tun}, or empty
     * for e.g. {@code lo}); {@code kindAttributes} its details, e.g. {@code forward_delay} for a bridge or
     * {@code type} ({@code tap}/{@code tun}) for a tun device. {@code adminUp} is the UP flag, {@code operState}
     * the kernel's operational state (a TAP nobody has opened is DOWN: no carrier).
     */
    public record Link(String name, String kind, Map<String, String> kindAttributes, boolean adminUp, String operState,
                       int mtu, Optional<String> master, List<String> ipv4) {
        public Link {
            kindAttributes = Map.copyOf(kindAttributes);
            ipv4 = List.copyOf(ipv4);
        }

        public boolean isTap() {
            return kind.equals("tun") && "tap".equals(kindAttributes.get("type"));
        }

        /** {@code tap} for a TAP device, otherwise the kind. */
        public String describeKind() {
            return isTap() ? "tap" : kind;
        }
    }

    public LabStatus {
        namespaces = Map.copyOf(namespaces);
        rootLeftovers = List.copyOf(rootLeftovers);
    }

    public Optional<Namespace> namespace(String name) {
        return Optional.ofNullable(namespaces.get(name));
    }

    public Optional<Link> link(String ns, String device) {
        return namespace(ns).flatMap(n -> n.link(device));
    }

    /** Everything that keeps the lab from being up, in the order {@code lab up} would fix it; empty when up. */
    public List<String> problems() {
        return LabPlan.gaps(this).stream().map(LabPlan.Gap::problem).toList();
    }

    /** Both namespaces and every device exist and are configured as the config says. */
    public boolean isUp() {
        return problems().isEmpty();
    }

    /** Neither lab namespace exists and no lab-named interface is in the root namespace. */
    public boolean isAbsent() {
        return namespaces.isEmpty() && rootLeftovers.isEmpty();
    }

    /** A human-readable account of the lab, for {@code lab status}. */
    public String report() {
        StringBuilder out = new StringBuilder();
        out.append("lab ").append(config.clientNs()).append(" <-> ").append(config.serverNs()).append(": ")
                .append(isUp() ? "up" : namespaces.isEmpty() ? "absent" : "incomplete").append('\n');
        for (String name : List.of(config.clientNs(), config.serverNs())) {
            Namespace ns = namespaces.get(name);
            if (ns == null) {
                out.append("namespace ").append(name).append(": missing\n");
                continue;
            }
            out.append("namespace ").append(name).append(": IPv6 ").append(ns.ipv6Disabled() ? "disabled" : "enabled").append('\n');
            for (Link link : ns.links()) {
                out.append(String.format("  %-15s %-6s %-7s mtu %-5d", link.name(), link.describeKind().isEmpty() ? "-" : link.describeKind(),
                        link.adminUp() ? "up" : "down", link.mtu()));
                out.append(" state ").append(link.operState());
                link.master().ifPresent(m -> out.append(" master ").append(m));
                if (link.kind().equals("bridge")) {
                    out.append(" ports ").append(ns.links().stream().filter(l -> l.master().equals(Optional.of(link.name())))
                            .map(Link::name).collect(Collectors.joining(",", "[", "]")));
                }
                link.ipv4().forEach(a -> out.append(' ').append(a));
                out.append('\n');
            }
        }
        if (!rootLeftovers.isEmpty()) {
            out.append("root namespace has interfaces with lab names: ").append(String.join(", ", rootLeftovers)).append('\n');
        }
        if (!namespaces.isEmpty()) {
            problems().forEach(p -> out.append("problem: ").append(p).append('\n'));
        }
        return out.toString();
    }
}
