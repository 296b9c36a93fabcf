package io.understudy.launcher.lab;

import static io.understudy.launcher.lab.Fixtures.CONFIG;
import static io.understudy.launcher.lab.Fixtures.commands;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.understudy.launcher.lab.LabStatus.Link;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class LabPlanTest {

    private static final LabStatus ABSENT = new LabStatus(CONFIG, Map.of(), List.of());

    @Test
    void upFromNothingBuildsTheWholeLabInOrder() {
        assertThat(commands(LabPlan.up(ABSENT))).containsExactly(
                "ip netns add us-client",
                "ip netns add us-server",
                "ip netns exec us-client sysctl -q -e -w net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1",
                "ip netns exec us-server sysctl -q -e -w net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1",
                "ip netns exec us-server sysctl -q -e -w net.bridge.bridge-nf-call-iptables=0"
                        + " net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0",
                "ip -n us-client link set lo up",
                "ip -n us-server link set lo up",
                "ip -n us-server link add us-br0 type bridge forward_delay 0 stp_state 0",
                "ip -n us-server link add us-veth0-br type veth peer name us-veth0 netns us-client",
                "ip -n us-server link set us-veth0-br master us-br0",
                "ip -n us-server tuntap add dev us-tap0 mode tap",
                "ip -n us-server link set us-tap0 master us-br0",
                "ip -n us-server tuntap add dev us-tap1 mode tap",
                "ip -n us-server link set us-tap1 master us-br0",
                "ip -n us-server link set us-br0 up",
                "ip -n us-server link set us-veth0-br up",
                "ip -n us-server link set us-tap0 up",
                "ip -n us-server link set us-tap1 up",
                "ip -n us-client link set us-veth0 mtu 1500",
                "ip -n us-client addr add 10.201.0.1/24 dev us-veth0",
                "ip -n us-client link set us-veth0 up");
        assertThat(LabPlan.up(ABSENT)).extracting(Step::done)
                .startsWith("created namespace us-client")
                .contains("created persistent tap us-tap1 in us-server", "assigned 10.201.0.1/24 to us-veth0 in us-client");
    }

    @Test
    void upOfALabThatIsUpDoesNothing() {
        LabStatus up = Fixtures.upStatus();
        assertThat(up.isUp()).isTrue();
        assertThat(up.problems()).isEmpty();
        assertThat(LabPlan.up(up)).isEmpty();
    }

    @Test
    void upRebuildsAVethPairThatLostItsClientEnd() {
        LabStatus.Namespace server = Fixtures.upStatus().namespace("us-server").orElseThrow();
        LabStatus.Namespace emptyClient = new LabStatus.Namespace("us-client", true, false,
                List.of(Fixtures.upStatus().link("us-client", "lo").orElseThrow()));
        LabStatus half = new LabStatus(CONFIG, Map.of("us-client", emptyClient, "us-server", server), List.of());

        assertThat(half.problems()).first().isEqualTo("veth us-veth0 is missing in us-client");
        assertThat(commands(LabPlan.up(half))).containsExactly(
                "ip -n us-server link delete us-veth0-br",
                "ip -n us-server link add us-veth0-br type veth peer name us-veth0 netns us-client",
                "ip -n us-server link set us-veth0-br master us-br0",
                "ip -n us-server link set us-veth0-br up",
                "ip -n us-client link set us-veth0 mtu 1500",
                "ip -n us-client addr add 10.201.0.1/24 dev us-veth0",
                "ip -n us-client link set us-veth0 up");
    }

    @Test
    void upRepairsMissingAndMisconfiguredDevices() {
        LabStatus up = Fixtures.upStatus();
        LabStatus.Namespace server = up.namespace("us-server").orElseThrow();
        List<Link> links = server.links().stream()
                .filter(l -> !l.name().equals("us-tap1"))
                .map(l -> l.name().equals("us-br0")
                        ? new Link(l.name(), l.kind(), Map.of("forward_delay", "1500", "stp_state", "1"), false, "DOWN", l.mtu(), l.master(), l.ipv4())
                        : l)
                .toList();
        LabStatus broken = new LabStatus(CONFIG, Map.of("us-client", up.namespace("us-client").orElseThrow(),
                "us-server", new LabStatus.Namespace("us-server", false, false, links)), List.of());

        assertThat(broken.isUp()).isFalse();
        assertThat(commands(LabPlan.up(broken))).containsExactly(
                "ip netns exec us-server sysctl -q -e -w net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1",
                "ip -n us-server link set us-br0 type bridge forward_delay 0 stp_state 0",
                "ip -n us-server tuntap add dev us-tap1 mode tap",
                "ip -n us-server link set us-tap1 master us-br0",
                "ip -n us-server link set us-br0 up",
                "ip -n us-server link set us-tap1 up");
    }

    @Test
    void upRemovesTheServiceAddressFromKernelInterfaces() {
        LabStatus up = Fixtures.upStatus();
        Link veth = up.link("us-client", "us-veth0").orElseThrow();
        Link withService = new Link(veth.name(), veth.kind(), veth.kindAttributes(), true, "UP", 1500, Optional.empty(),
                List.of("10.201.0.1/24", "10.201.0.2/24"));
        LabStatus status = new LabStatus(CONFIG, Map.of("us-client", new LabStatus.Namespace("us-client", true, false,
                List.of(up.link("us-client", "lo").orElseThrow(), withService)), "us-server", up.namespace("us-server").orElseThrow()), List.of());

        assertThat(status.problems()).containsExactly(
                "service address 10.201.0.2/24 is assigned to us-veth0 in us-client; it must belong to the user-space stack only");
        assertThat(commands(LabPlan.up(status))).containsExactly("ip -n us-client addr del 10.201.0.2/24 dev us-veth0");
    }

    @Test
    void upRefusesToRepairADeviceOfTheWrongKind() {
        LabStatus up = Fixtures.upStatus();
        List<Link> links = up.namespace("us-server").orElseThrow().links().stream()
                .map(l -> l.name().equals("us-tap0") ? new Link("us-tap0", "veth", Map.of(), true, "UP", 1500, Optional.empty(), List.of()) : l)
                .toList();
        LabStatus status = new LabStatus(CONFIG, Map.of("us-client", up.namespace("us-client").orElseThrow(),
                "us-server", new LabStatus.Namespace("us-server", true, false, links)), List.of());

        assertThat(status.problems()).containsExactly("us-tap0 in us-server is a veth, not a tap");
        assertThatThrownBy(() -> LabPlan.up(status)).isInstanceOf(LabException.class)
                .hasMessage("lab up: cannot repair us-tap0 in us-server is a veth, not a tap; run lab down first");
    }

    @Test
    void downDeletesTheNamespacesThatExist() {
        assertThat(commands(LabPlan.down(Fixtures.upStatus()))).containsExactly("ip netns delete us-server", "ip netns delete us-client");
        LabStatus onlyClient = new LabStatus(CONFIG, Map.of("us-client", Fixtures.upStatus().namespace("us-client").orElseThrow()), List.of());
        assertThat(commands(LabPlan.down(onlyClient))).containsExactly("ip netns delete us-client");
        assertThat(LabPlan.down(ABSENT)).isEmpty();
    }

    @Test
    void commandsFollowTheConfiguredNames() {
        LabConfig other = CONFIG.withClientNs("c").withServerNs("s").withBridge("b").withTaps(List.of("t"))
                .withClientVeth("cv").withServerVeth("sv").withAddresses("10.202.7.1/28", "10.202.7.2/28").withClientMtu(1400);
        assertThat(commands(LabPlan.up(new LabStatus(other, Map.of(), List.of()))))
                .contains("ip -n s link add sv type veth peer name cv netns c", "ip -n s tuntap add dev t mode tap",
                        "ip -n c link set cv mtu 1400", "ip -n c addr add 10.202.7.1/28 dev cv")
                .noneMatch(c -> c.contains("us-") || c.contains("10.202.7.2"));
    }
}
