package io.understudy.launcher.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Builds a real lab with iproute2. Needs root and {@code ip netns}; skipped without them, except when
 * {@code CI=true}, where a missing prerequisite fails the test. Uses its own names, never the default
 * lab's, so it cannot disturb a lab someone is using.
 */
class LabRealTest {

    private static final LabConfig CONFIG = LabConfig.defaults()
            .withClientNs("ust-client").withServerNs("ust-server")
            .withBridge("ust-br0").withClientVeth("ust-veth0").withServerVeth("ust-veth0-br")
            .withTaps(List.of("ust-tap0", "ust-tap1"));

    private static final CommandRunner SHELL = new ProcessCommandRunner();

    private final List<Command> ran = new ArrayList<>();
    private final Lab lab = new Lab(command -> {
        ran.add(command);
        return SHELL.run(command);
    });

    @BeforeAll
    static void prerequisites() throws IOException {
        require(Files.getAttribute(Path.of("/proc/self"), "unix:uid").equals(0), "running as root");
        require(Files.exists(Path.of("/dev/net/tun")), "/dev/net/tun");
        boolean netns;
        try {
            SHELL.run(Command.of("ip", "netns", "list"));
            netns = true;
        } catch (CommandFailedException e) {
            netns = false;
        }
        require(netns, "a working 'ip netns'");
    }

    @BeforeEach
    @AfterEach
    void removeLab() {
        lab.down(CONFIG);
    }

    @Test
    void upBuildsTheLabIdempotentlyAndDownRemovesIt() {
        LabStatus status = lab.up(CONFIG);

        assertThat(status.isUp()).as(status.report()).isTrue();
        assertThat(status.link("ust-server", "ust-br0").orElseThrow().kind()).isEqualTo("bridge");
        for (String port : List.of("ust-veth0-br", "ust-tap0", "ust-tap1")) {
            LabStatus.Link link = status.link("ust-server", port).orElseThrow();
            assertThat(link.master()).contains("ust-br0");
            assertThat(link.adminUp()).isTrue();
        }
        assertThat(status.link("ust-server", "ust-tap0").orElseThrow().isTap()).isTrue();
        LabStatus.Link clientVeth = status.link("ust-client", "ust-veth0").orElseThrow();
        assertThat(clientVeth.ipv4()).containsExactly("10.201.0.1/24");
        assertThat(clientVeth.mtu()).isEqualTo(1500);
        assertThat(SHELL.run(Command.ip("ust-server", "-d", "link", "show", "ust-veth0-br"))).contains("bridge_slave state forwarding");

        ran.clear();
        LabStatus again = lab.up(CONFIG);
        assertThat(again.isUp()).isTrue();
        assertThat(ran).as("second up must only inspect").allSatisfy(c ->
                assertThat(c.argv()).doesNotContain("add", "set", "del", "delete", "-w"));
        assertThat(lab.planUp(CONFIG)).isEmpty();

        String report = lab.status(CONFIG).report();
        assertThat(report).contains("ust-client <-> ust-server: up", "ust-veth0", "10.201.0.1/24",
                "ports [ust-veth0-br,ust-tap0,ust-tap1]");

        assertThat(SHELL.run(Command.ip("ust-client", "route")).strip().lines().toList())
                .singleElement().asString().startsWith("10.201.0.0/24 dev ust-veth0 proto kernel scope link src 10.201.0.1");
        assertThat(SHELL.run(Command.ip("ust-server", "route"))).isBlank();
        for (String ns : List.of("ust-client", "ust-server")) {
            assertThat(SHELL.run(Command.ip(ns, "-6", "addr", "show"))).as("IPv6 in " + ns).isBlank();
            assertThat(SHELL.run(Command.ip(ns, "-6", "route", "show"))).as("IPv6 routes in " + ns).isBlank();
        }
        for (String addresses : List.of(SHELL.run(Command.ip("ust-client", "-o", "-4", "addr", "show")),
                SHELL.run(Command.ip("ust-server", "-o", "-4", "addr", "show")),
                SHELL.run(Command.of("ip", "-o", "-4", "addr", "show")))) {
            assertThat(addresses).doesNotContain("10.201.0.2/");
        }

        lab.down(CONFIG);
        assertThat(lab.status(CONFIG).isAbsent()).isTrue();
        assertThat(SHELL.run(Command.of("ip", "netns", "list"))).doesNotContain("ust-");
        assertThat(SHELL.run(Command.of("ip", "-o", "link", "show"))).doesNotContain("ust-");
        lab.down(CONFIG);
        assertThat(lab.status(CONFIG).report()).contains(": absent");
    }

    @Test
    void upRepairsAHalfBuiltLab() {
        lab.up(CONFIG);
        SHELL.run(Command.of("ip", "netns", "delete", "ust-client"));
        SHELL.run(Command.ip("ust-server", "link", "delete", "ust-tap1"));
        SHELL.run(Command.ip("ust-server", "link", "set", "ust-br0", "down"));
        SHELL.run(Command.ip("ust-server", "link", "set", "ust-br0", "type", "bridge", "forward_delay", "1500"));
        assertThat(lab.status(CONFIG).problems()).contains("namespace ust-client is missing", "tap ust-tap1 is missing in ust-server",
                "ust-br0 is down in ust-server", "bridge ust-br0 has forward_delay 1500 and stp_state 0, wants 0 and 0");

        assertThat(lab.up(CONFIG).isUp()).isTrue();
        assertThat(lab.planUp(CONFIG)).isEmpty();
    }

    private static void require(boolean met, String prerequisite) {
        if ("true".equals(System.getenv("CI"))) {
            assertTrue(met, "CI=true and the lab test's prerequisite is missing: " + prerequisite);
        } else {
            assumeTrue(met, "lab test skipped, missing: " + prerequisite);
        }
    }
}
