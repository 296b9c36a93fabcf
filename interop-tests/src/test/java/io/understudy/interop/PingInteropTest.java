package io.understudy.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The stack on us-tap0 against the Linux kernel in us-client: ARP, ping, malformed frames. */
class PingInteropTest {
    private static final Pattern RTT = Pattern.compile("time=([0-9.]+) ms");
    private static final LabFixture lab = new LabFixture();

    @BeforeAll
    static void labUp() {
        Prerequisites.requireLab("ping", "arping", "python3");
        lab.up();
    }

    @AfterAll
    static void labDown() {
        lab.down();
    }

    @Test
    void answersTwoHundredPingsWithoutLossAndArping() throws Exception {
        long pid;
        try (StackProcess stack = StackProcess.serve("--lab")) {
            pid = stack.pid();
            Cmd.Result ping = Cmd.inNetns(LabFixture.LAB.clientNs(), 60,
                    "ping", "-c", "200", "-i", "0.01", "-W", "1", LabFixture.SERVICE_IP).requireSuccess();
            assertThat(ping.output()).contains("200 packets transmitted, 200 received, 0% packet loss");
            double median = median(ping.output());
            String report = String.format("ping through the stack: 200/200 replies, median RTT %.3f ms%n", median);
            System.out.print(report);
            Files.writeString(Path.of("target", "ping-rtt.txt"), report);

            Cmd.Result arping = Cmd.inNetns(LabFixture.LAB.clientNs(), 30, "arping", "-c", "3", "-w", "5",
                    "-I", LabFixture.LAB.clientVeth(), LabFixture.SERVICE_IP).requireSuccess();
            assertThat(arping.output().toLowerCase()).contains(LabFixture.SERVICE_MAC);

            Map<String, Long> counters = stack.stop();
            assertThat(counters.get("icmp_echo_replies_sent")).isGreaterThanOrEqualTo(200);
            assertThat(counters.get("arp_replies_sent")).isGreaterThanOrEqualTo(3);
            assertThat(counters).doesNotContainKeys("handler_exceptions", "tx_errors");
        }
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).as("stack process gone").isFalse();
    }

    @Test
    void countsAndDropsMalformedFramesWhilePingKeepsWorking() throws Exception {
        Path script = Path.of(getClass().getResource("/malformed_frames.py").toURI());
        try (StackProcess stack = StackProcess.serve("--lab")) {
            var ping = new ProcessBuilder("ip", "netns", "exec", LabFixture.LAB.clientNs(),
                    "ping", "-c", "100", "-i", "0.02", "-W", "1", LabFixture.SERVICE_IP).redirectErrorStream(true).start();
            try {
                Cmd.Result sent = Cmd.inNetns(LabFixture.LAB.clientNs(), 60, "python3", script.toString(),
                        LabFixture.LAB.clientVeth(), LabFixture.SERVICE_MAC, LabFixture.SERVICE_IP,
                        LabFixture.LAB.clientIp().replaceAll("/.*", ""), "5").requireSuccess();
                String pingOutput = new String(ping.getInputStream().readAllBytes());
                assertThat(ping.waitFor()).as(pingOutput).isZero();
                assertThat(pingOutput).contains("100 received, 0% packet loss");

                Map<String, Long> counters = stack.stop();
                List<String> kinds = sent.output().lines().filter(l -> l.startsWith("drop_")).toList();
                assertThat(kinds).hasSize(9);
                for (String line : kinds) {
                    String name = line.substring(0, line.indexOf('='));
                    long count = Long.parseLong(line.substring(line.indexOf('=') + 1));
                    assertThat(counters.getOrDefault(name, 0L)).as(name + " in " + counters).isEqualTo(count);
                }
                assertThat(counters.get("icmp_echo_replies_sent")).isEqualTo(100);
            } finally {
                ping.destroyForcibly().waitFor();
            }
        }
    }

    @Test
    void theClientHasNoRouteOutOfTheLab() {
        String routes = Cmd.inNetns(LabFixture.LAB.clientNs(), 10, "ip", "-4", "route", "show", "table", "all")
                .requireSuccess().output();
        assertThat(routes.lines().filter(l -> !l.startsWith("local ") && !l.startsWith("broadcast ")))
                .allMatch(l -> l.startsWith("10.201.0.0/24 "), "only the connected lab subnet: " + routes);
    }

    private static double median(String pingOutput) {
        Matcher m = RTT.matcher(pingOutput);
        List<Double> rtts = new java.util.ArrayList<>();
        while (m.find()) {
            rtts.add(Double.parseDouble(m.group(1)));
        }
        rtts.sort(null);
        return rtts.get(rtts.size() / 2);
    }
}
