package io.understudy.launcher.lab;

import static org.assertj.core.api.Assertions.assertThat;

import io.understudy.launcher.lab.LabStatus.Link;
import java.util.List;
import org.junit.jupiter.api.Test;

class IpOutputTest {

    @Test
    void parsesNamespaceListWithAndWithoutIds() {
        assertThat(IpOutput.namespaces("us-server (id: 1)\nus-client (id: 0)\n\n")).containsExactly("us-server", "us-client");
        assertThat(IpOutput.namespaces("")).isEmpty();
    }

    @Test
    void parsesLinkNames() {
        assertThat(IpOutput.linkNames(Fixtures.ROOT_LINKS)).containsExactly("lo", "eth0");
    }

    @Test
    void parsesDetailedLinksOfTheServerNamespace() {
        List<Link> links = IpOutput.links(Fixtures.read("up-server-link.txt"), Fixtures.read("up-server-addr.txt"));

        assertThat(links).extracting(Link::name).containsExactly("lo", "us-br0", "us-veth0-br", "us-tap0", "us-tap1");
        Link lo = links.get(0);
        assertThat(lo.kind()).isEmpty();
        assertThat(lo.ipv4()).containsExactly("127.0.0.1/8");
        Link bridge = links.get(1);
        assertThat(bridge.kind()).isEqualTo("bridge");
        assertThat(bridge.kindAttributes()).containsEntry("forward_delay", "0").containsEntry("stp_state", "0");
        assertThat(bridge.master()).isEmpty();
        Link veth = links.get(2);
        assertThat(veth.kind()).isEqualTo("veth");
        assertThat(veth.master()).contains("us-br0");
        assertThat(veth.operState()).isEqualTo("UP");
        Link tap = links.get(3);
        assertThat(tap.isTap()).isTrue();
        assertThat(tap.describeKind()).isEqualTo("tap");
        assertThat(tap.adminUp()).isTrue();
        assertThat(tap.operState()).as("nobody has the tap open: no carrier").isEqualTo("DOWN");
        assertThat(tap.mtu()).isEqualTo(1500);
    }

    @Test
    void parsesTheClientVethWithItsAddress() {
        Link veth = IpOutput.links(Fixtures.read("up-client-link.txt"), Fixtures.read("up-client-addr.txt")).get(1);

        assertThat(veth.name()).isEqualTo("us-veth0");
        assertThat(veth.kind()).isEqualTo("veth");
        assertThat(veth.ipv4()).containsExactly("10.201.0.1/24");
    }
}
