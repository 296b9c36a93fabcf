package io.understudy.launcher.lab;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds, inspects and removes the lab with iproute2. Everything lives in the two lab namespaces:
 * the root namespace is only read (to spot interfaces carrying lab names), never changed, and no
 * route beyond the client's connected subnet is ever added.
 */
public final class Lab {

    private static final Logger log = LoggerFactory.getLogger(Lab.class);
    static final String BRIDGE_NF_CALL_IPTABLES = "net.bridge.bridge-nf-call-iptables",
            BRIDGE_NF_CALL_IP6TABLES = "net.bridge.bridge-nf-call-ip6tables",
            BRIDGE_NF_CALL_ARPTABLES = "net.bridge.bridge-nf-call-arptables";

    private final CommandRunner runner;

    public Lab() {
        this(new ProcessCommandRunner());
    }

    public Lab(CommandRunner runner) {
        this.runner = runner;
    }

    /** Inspects the lab; changes nothing. */
    public LabStatus status(LabConfig config) {
        List<String> present = IpOutput.namespaces(runner.run(Command.of("ip", "netns", "list")));
        Map<String, LabStatus.Namespace> namespaces = new LinkedHashMap<>();
        for (String ns : List.of(config.clientNs(), config.serverNs())) {
            if (present.contains(ns)) {
                namespaces.put(ns, inspect(ns));
            }
        }
        List<String> rootLeftovers = IpOutput.linkNames(runner.run(Command.of("ip", "-o", "link", "show"))).stream()
                .filter(config.deviceNames()::contains)
                .toList();
        return new LabStatus(config, namespaces, rootLeftovers);
    }

    /** The steps {@link #up} would take now; empty when the lab is up. */
    public List<Step> planUp(LabConfig config) {
        return LabPlan.up(status(config));
    }

    /** The steps {@link #down} would take now; empty when no lab namespace exists. */
    public List<Step> planDown(LabConfig config) {
        return LabPlan.down(status(config));
    }

    /**
     * Creates whatever is missing and corrects whatever is misconfigured, then verifies the lab is up.
     * Idempotent: on a lab that is up it runs no changing command. If it fails while building a lab from
     * nothing, it removes what it created; a lab that existed before is left for inspection.
     *
     * @return the verified status
     */
    public LabStatus up(LabConfig config) {
        LabStatus before = status(config);
        List<Step> steps = LabPlan.up(before);
        if (steps.isEmpty()) {
            log.info("lab up: {} <-> {} is already up", config.clientNs(), config.serverNs());
            return before;
        }
        try {
            apply("lab up", steps);
            LabStatus after = status(config);
            if (!after.isUp()) {
                throw new LabException("lab up: still not up after applying " + steps.size() + " steps: "
                        + String.join("; ", after.problems()));
            }
            log.info("lab up: {} <-> {} is up", config.clientNs(), config.serverNs());
            return after;
        } catch (LabException e) {
            if (before.namespaces().isEmpty()) {
                log.info("lab up: failed, removing the partly built lab");
                try {
                    down(config);
                } catch (LabException cleanup) {
                    e.addSuppressed(cleanup);
                }
            }
            throw e;
        }
    }

    /**
     * Deletes both lab namespaces, which deletes every device in them, then verifies nothing carrying a lab
     * name is left, in the root namespace included. Idempotent.
     */
    public void down(LabConfig config) {
        List<Step> steps = LabPlan.down(status(config));
        if (steps.isEmpty()) {
            log.info("lab down: {} <-> {} is already absent", config.clientNs(), config.serverNs());
        }
        apply("lab down", steps);
        LabStatus after = status(config);
        if (!after.namespaces().isEmpty()) {
            throw new LabException("lab down: namespaces still present after deletion: " + String.join(", ", after.namespaces().keySet()));
        }
        if (!after.rootLeftovers().isEmpty()) {
            throw new LabException("lab down: the root namespace has interfaces named like lab devices: "
                    + String.join(", ", after.rootLeftovers())
                    + "; the lab never creates devices there, so remove them yourself (ip link delete NAME) if they are leftovers");
        }
    }

    private LabStatus.Namespace inspect(String ns) {
        String linkOut = runner.run(Command.ip(ns, "-o", "-d", "link", "show"));
        String addrOut = runner.run(Command.ip(ns, "-o", "-4", "addr", "show"));
        // -e: a kernel without IPv6 has no such keys, prints nothing, and has nothing to disable.
        List<String> ipv6 = runner.run(Command.inNamespace(ns, "sysctl", "-n", "-e",
                "net.ipv6.conf.all.disable_ipv6", "net.ipv6.conf.default.disable_ipv6")).lines().map(String::trim).toList();
        List<String> bridgeNf = runner.run(Command.inNamespace(ns, "sysctl", "-n", "-e", BRIDGE_NF_CALL_IPTABLES,
                BRIDGE_NF_CALL_IP6TABLES, BRIDGE_NF_CALL_ARPTABLES)).lines().map(String::trim).toList();
        return new LabStatus.Namespace(ns, ipv6.stream().allMatch("1"::equals), bridgeNf.contains("1"),
                IpOutput.links(linkOut, addrOut));
    }

    private void apply(String phase, List<Step> steps) {
        for (Step step : steps) {
            step.commands().forEach(runner::run);
            log.info("{}: {}", phase, step.done());
        }
    }
}
