package io.understudy.launcher.lab;

import io.understudy.launcher.lab.LabStatus.Link;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Parsers for the one-line ({@code -o}) output of iproute2. */
final class IpOutput {

    private IpOutput() {}

    /** Names from {@code ip netns list}; lines look like {@code us-client (id: 0)}. */
    static List<String> namespaces(String out) {
        return out.lines().filter(line -> !line.isBlank()).map(line -> line.trim().split("\\s+")[0]).toList();
    }

    /** Interface names from {@code ip -o link show}. */
    static List<String> linkNames(String linkOut) {
        return linkOut.lines().filter(line -> !line.isBlank()).map(line -> interfaceName(line.trim().split("\\s+")[1])).toList();
    }

    /**
     * Links from {@code ip -o -d link show}, each with its IPv4 addresses taken from {@code ip -o -4 addr show}.
     * A detailed line is segments separated by backslashes: the header (flags, mtu, master, state), the
     * link-layer segment, then the kind segment ({@code bridge forward_delay 0 ...}, {@code veth},
     * {@code tun type tap ...}) and possibly a {@code bridge_slave ...} segment.
     */
    static List<Link> links(String linkOut, String addrOut) {
        Map<String, List<String>> addresses = new HashMap<>();
        addrOut.lines().filter(line -> !line.isBlank()).forEach(line -> {
            String[] t = line.trim().split("\\s+");
            addresses.computeIfAbsent(interfaceName(t[1]), k -> new ArrayList<>()).add(t[3]);
        });
        List<Link> links = new ArrayList<>();
        linkOut.lines().filter(line -> !line.isBlank()).forEach(line -> {
            String[] segments = line.split("\\\\");
            String[] head = segments[0].trim().split("\\s+");
            String name = interfaceName(head[1]);
            Set<String> flags = Set.of(head[2].substring(1, head[2].length() - 1).split(","));
            Map<String, String> fields = pairs(Arrays.asList(head).subList(3, head.length));
            String kind = "";
            Map<String, String> kindAttributes = Map.of();
            for (int i = 2; i < segments.length; i++) {
                List<String> tokens = List.of(segments[i].trim().split("\\s+"));
                if (!tokens.get(0).equals("altname")) {
                    kind = tokens.get(0).equals("bridge_slave") ? "" : tokens.get(0);
                    kindAttributes = pairs(tokens.subList(1, tokens.size()));
                    break;
                }
            }
            links.add(new Link(name, kind, kindAttributes, flags.contains("UP"), fields.getOrDefault("state", "UNKNOWN"),
                    Integer.parseInt(fields.get("mtu")), Optional.ofNullable(fields.get("master")),
                    addresses.getOrDefault(name, List.of())));
        });
        return links;
    }

    /** {@code us-veth0-br@if2:} becomes {@code us-veth0-br}. */
    private static String interfaceName(String token) {
        String name = token.endsWith(":") ? token.substring(0, token.length() - 1) : token;
        int at = name.indexOf('@');
        return at < 0 ? name : name.substring(0, at);
    }

    private static Map<String, String> pairs(List<String> tokens) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i + 1 < tokens.size(); i += 2) {
            map.put(tokens.get(i), tokens.get(i + 1));
        }
        return map;
    }
}
