package io.understudy.launcher.lab;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Names and addresses of the lab: a client namespace whose veth reaches, through a bridge in the
 * server namespace, the TAP devices the user-space stack runs on. The service address belongs to
 * the user-space stack only; the lab never assigns it to a kernel interface.
 */
public record LabConfig(
        String clientNs,
        String serverNs,
        String bridge,
        String clientVeth,
        String serverVeth,
        List<String> taps,
        String clientIp,
        String serviceIp,
        int clientMtu) {

    /** Longest Linux interface name (IFNAMSIZ minus the terminating NUL). */
    public static final int MAX_INTERFACE_NAME = 15;

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]+");
    private static final Pattern CIDR = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})/(\\d{1,2})");

    public LabConfig {
        taps = List.copyOf(taps);
        checkName("client namespace", clientNs);
        checkName("server namespace", serverNs);
        if (clientNs.equals(serverNs)) {
            throw new IllegalArgumentException("client and server namespace must differ, both are '" + clientNs + "'");
        }
        if (taps.isEmpty()) {
            throw new IllegalArgumentException("the lab needs at least one tap device");
        }
        checkInterfaceName("bridge", bridge);
        checkInterfaceName("client veth", clientVeth);
        checkInterfaceName("server veth", serverVeth);
        taps.forEach(tap -> checkInterfaceName("tap", tap));
        Set<String> seen = new HashSet<>();
        for (String name : deviceNames(bridge, serverVeth, taps, clientVeth)) {
            if (!seen.add(name)) {
                throw new IllegalArgumentException("device names must be distinct, '" + name + "' is used twice");
            }
        }
        long client = parseCidr("client address", clientIp);
        long service = parseCidr("service address", serviceIp);
        if (prefix(clientIp) != prefix(serviceIp) || network(client, prefix(clientIp)) != network(service, prefix(serviceIp))) {
            throw new IllegalArgumentException("client address " + clientIp + " and service address " + serviceIp
                    + " must be in the same subnet: the lab has no routes besides the connected one");
        }
        if (client == service) {
            throw new IllegalArgumentException("client and service address must differ, both are " + clientIp);
        }
        if (clientMtu < 68 || clientMtu > 65535) {
            throw new IllegalArgumentException("client MTU " + clientMtu + " is outside 68..65535");
        }
    }

    /** The standard lab: us-client and us-server, bridge us-br0, taps us-tap0 and us-tap1, 10.201.0.0/24. */
    public static LabConfig defaults() {
        return new LabConfig("us-client", "us-server", "us-br0", "us-veth0", "us-veth0-br",
                List.of("us-tap0", "us-tap1"), "10.201.0.1/24", "10.201.0.2/24", 1500);
    }

    public LabConfig withClientNs(String v) { return new LabConfig(v, serverNs, bridge, clientVeth, serverVeth, taps, clientIp, serviceIp, clientMtu); }
    public LabConfig withServerNs(String v) { return new LabConfig(clientNs, v, bridge, clientVeth, serverVeth, taps, clientIp, serviceIp, clientMtu); }
    public LabConfig withBridge(String v) { return new LabConfig(clientNs, serverNs, v, clientVeth, serverVeth, taps, clientIp, serviceIp, clientMtu); }
    public LabConfig withClientVeth(String v) { return new LabConfig(clientNs, serverNs, bridge, v, serverVeth, taps, clientIp, serviceIp, clientMtu); }
    public LabConfig withServerVeth(String v) { return new LabConfig(clientNs, serverNs, bridge, clientVeth, v, taps, clientIp, serviceIp, clientMtu); }
    public LabConfig withTaps(List<String> v) { return new LabConfig(clientNs, serverNs, bridge, clientVeth, serverVeth, v, clientIp, serviceIp, clientMtu); }
    /** Both addresses at once, for moving the lab to another subnet (every copy is validated on its own). */
    public LabConfig withAddresses(String client, String service) { return new LabConfig(clientNs, serverNs, bridge, clientVeth, serverVeth, taps, client, service, clientMtu); }
    public LabConfig withClientIp(String v) { return new LabConfig(clientNs, serverNs, bridge, clientVeth, serverVeth, taps, v, serviceIp, clientMtu); }
    public LabConfig withServiceIp(String v) { return new LabConfig(clientNs, serverNs, bridge, clientVeth, serverVeth, taps, clientIp, v, clientMtu); }
    public LabConfig withClientMtu(int v) { return new LabConfig(clientNs, serverNs, bridge, clientVeth, serverVeth, taps, clientIp, serviceIp, v); }

    /** Every interface the lab creates: bridge, server veth and taps (server side), client veth. */
    public List<String> deviceNames() {
        return deviceNames(bridge, serverVeth, taps, clientVeth);
    }

    /** The service address without its prefix length, e.g. {@code 10.201.0.2}. */
    public String serviceAddress() {
        return serviceIp.substring(0, serviceIp.indexOf('/'));
    }

    private static List<String> deviceNames(String bridge, String serverVeth, List<String> taps, String clientVeth) {
        List<String> names = new ArrayList<>();
        names.add(bridge);
        names.add(serverVeth);
        names.addAll(taps);
        names.add(clientVeth);
        return names;
    }

    private static void checkName(String what, String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(what + " name '" + name + "' must be non-empty and use only letters, digits, '_', '.' and '-'");
        }
    }

    private static void checkInterfaceName(String what, String name) {
        checkName(what, name);
        if (name.length() > MAX_INTERFACE_NAME) {
            throw new IllegalArgumentException(what + " name '" + name + "' is " + name.length()
                    + " characters; Linux interface names are at most " + MAX_INTERFACE_NAME);
        }
    }

    private static long parseCidr(String what, String cidr) {
        Matcher m = cidr == null ? null : CIDR.matcher(cidr);
        if (m == null || !m.matches()) {
            throw new IllegalArgumentException(what + " '" + cidr + "' must look like 10.201.0.1/24");
        }
        long address = 0;
        for (int i = 1; i <= 4; i++) {
            int octet = Integer.parseInt(m.group(i));
            if (octet > 255) {
                throw new IllegalArgumentException(what + " '" + cidr + "' has an octet above 255");
            }
            address = address << 8 | octet;
        }
        int prefix = Integer.parseInt(m.group(5));
        if (prefix < 1 || prefix > 30) {
            throw new IllegalArgumentException(what + " '" + cidr + "' needs a prefix length in 1..30");
        }
        return address;
    }

    private static int prefix(String cidr) {
        return Integer.parseInt(cidr.substring(cidr.indexOf('/') + 1));
    }

    private static long network(long address, int prefix) {
        return address & (0xFFFFFFFFL << (32 - prefix)) & 0xFFFFFFFFL;
    }
}
