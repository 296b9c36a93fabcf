package io.understudy.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code serve --pcap} writes a capture that tshark reads: the ARP exchange and the echoes. */
class PcapInteropTest {
    private static final LabFixture lab = new LabFixture();

    @BeforeAll
    static void labUp() {
        Prerequisites.requireLab("ping", "tshark");
        lab.up();
    }

    @AfterAll
    static void labDown() {
        lab.down();
    }

    @Test
    void tsharkSeesArpAndEchoRequestsAndReplies(@TempDir Path dir) throws Exception {
        Path pcap = dir.resolve("x.pcap");
        try (StackProcess stack = StackProcess.serve("--lab", "--pcap", pcap.toString())) {
            Cmd.inNetns(LabFixture.LAB.clientNs(), 30, "ping", "-c", "3", "-i", "0.2", LabFixture.SERVICE_IP)
                    .requireSuccess();
            stack.stop();
        }
        assertThat(Files.size(pcap)).isGreaterThan(24);
        String arp = tshark(pcap, "arp");
        assertThat(arp).contains("Who has " + LabFixture.SERVICE_IP + "?")
                .contains(LabFixture.SERVICE_IP + " is at " + LabFixture.SERVICE_MAC)
                .contains("ARP Announcement for " + LabFixture.SERVICE_IP);
        String icmp = tshark(pcap, "icmp");
        assertThat(icmp.lines().filter(l -> l.contains("Echo (ping) request"))).hasSize(3);
        assertThat(icmp.lines().filter(l -> l.contains("Echo (ping) reply"))).hasSize(3);
        assertThat(tshark(pcap, "_ws.malformed || _ws.expert.severity >= warning").strip()).isEmpty();
    }

    private static String tshark(Path pcap, String filter) {
        return Cmd.run(30, "tshark", "-r", pcap.toString(), "-Y", filter).requireSuccess().output().lines()
                .filter(l -> !l.startsWith("Running as user"))
                .reduce("", (a, b) -> a + b + "\n");
    }
}
