package io.understudy.launcher.lab;

import static io.understudy.launcher.lab.Fixtures.CONFIG;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.understudy.launcher.lab.Fixtures.FakeHost;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LabTest {

    private final FakeHost host = new FakeHost();
    private final Lab lab = new Lab(host);

    @Test
    void statusOfNothingIsAbsent() {
        LabStatus status = lab.status(CONFIG);

        assertThat(status.isAbsent()).isTrue();
        assertThat(status.isUp()).isFalse();
        assertThat(status.report()).isEqualTo("""
                lab us-client <-> us-server: absent
                namespace us-client: missing
                namespace us-server: missing
                """);
        assertThat(host.changes()).isEmpty();
    }

    @Test
    void upRunsThePlanThenVerifies() {
        LabStatus status = lab.up(CONFIG);

        assertThat(status.isUp()).isTrue();
        assertThat(host.changes()).isEqualTo(Fixtures.commands(LabPlan.up(new LabStatus(CONFIG, Map.of(), List.of()))));
        host.ran.clear();
        assertThat(lab.up(CONFIG).isUp()).isTrue();
        assertThat(host.changes()).isEmpty();
        assertThat(lab.status(CONFIG).report()).contains("lab us-client <-> us-server: up",
                "us-br0          bridge up      mtu 1500  state UP ports [us-veth0-br,us-tap0,us-tap1]");
    }

    @Test
    void failedUpFromNothingRemovesWhatItCreated() {
        host.failOn = "ip -n us-server tuntap add dev us-tap0 mode tap";

        assertThatThrownBy(() -> lab.up(CONFIG)).isInstanceOf(CommandFailedException.class)
                .hasMessage("command failed (exit 1): ip -n us-server tuntap add dev us-tap0 mode tap: ioctl(TUNSETIFF): Device or resource busy");
        assertThat(host.changes()).endsWith("ip netns delete us-server", "ip netns delete us-client");
        assertThat(host.namespaces).isEmpty();
    }

    @Test
    void downDeletesNamespacesAndIsIdempotent() {
        lab.up(CONFIG);
        host.ran.clear();

        lab.down(CONFIG);
        lab.down(CONFIG);

        assertThat(host.changes()).containsExactly("ip netns delete us-server", "ip netns delete us-client");
        assertThat(lab.status(CONFIG).isAbsent()).isTrue();
    }

    @Test
    void downReportsLabNamedInterfacesInTheRootNamespace() {
        host.rootLinks = Fixtures.ROOT_LINKS
                + "9: us-tap0: <BROADCAST,MULTICAST> mtu 1500 qdisc noop state DOWN mode DEFAULT group default qlen 1000\\    link/ether 92:15:8a:cf:48:5c brd ff:ff:ff:ff:ff:ff\n";

        assertThat(lab.status(CONFIG).isAbsent()).isFalse();
        assertThatThrownBy(() -> lab.down(CONFIG)).isInstanceOf(LabException.class)
                .hasMessageStartingWith("lab down: the root namespace has interfaces named like lab devices: us-tap0;");
        assertThat(host.changes()).isEmpty();
    }
}
