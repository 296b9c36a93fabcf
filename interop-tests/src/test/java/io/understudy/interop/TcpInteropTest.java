package io.understudy.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The stack's TCP against Linux kernel TCP in us-client: bulk transfers both ways with the
 * client's options switched off one by one and other MTUs, the stack as a client, loss from
 * nftables, reordering and duplication from the fault injector, many connections at once, and
 * a capture that Wireshark's TCP analysis finds nothing wrong with.
 */
class TcpInteropTest {
    /** Bytes per bulk transfer; -Dunderstudy.interop.bytes=N to change (1 GiB by default). */
    static final long BULK = Long.getLong("understudy.interop.bytes", 1L << 30);
    /** Bytes per transfer under loss or faults. */
    static final long LOSSY = Long.getLong("understudy.interop.lossy.bytes", 64L << 20);
    private static final LabFixture lab = new LabFixture();
    private static final String CLIENT = LabFixture.LAB.clientNs();
    private static final String SERVICE = LabFixture.SERVICE_IP;

    @BeforeAll
    static void labUp() {
        Prerequisites.requireLab("python3", "nft", "tcpdump", "tshark");
        lab.up();
    }

    @AfterAll
    static void labDown() {
        lab.down();
    }

    @AfterEach
    void restoreClient() {
        for (String sysctl : new String[] {"net.ipv4.tcp_sack=1", "net.ipv4.tcp_timestamps=1", "net.ipv4.tcp_window_scaling=1"}) {
            Cmd.inNetns(CLIENT, 10, "sysctl", "-q", "-w", sysctl).requireSuccess();
        }
        Cmd.run(10, "ip", "-n", CLIENT, "link", "set", LabFixture.LAB.clientVeth(), "mtu", "1500").requireSuccess();
        Cmd.inNetns(CLIENT, 10, "nft", "delete", "table", "inet", "understudy_loss");
    }

    @ParameterizedTest(name = "echo {0} bytes with {1}")
    @CsvSource({
            "defaults,  -",
            "no SACK,   net.ipv4.tcp_sack=0",
            "no timestamps, net.ipv4.tcp_timestamps=0",
            "no window scaling, net.ipv4.tcp_window_scaling=0",
            "MTU 576,   mtu=576",
            "MTU 9000,  mtu=9000"})
    void echoesABulkTransferByteExact(String name, String clientSetting) throws Exception {
        if (clientSetting.startsWith("mtu=")) {
            Cmd.run(10, "ip", "-n", CLIENT, "link", "set", LabFixture.LAB.clientVeth(), "mtu", clientSetting.substring(4))
                    .requireSuccess();
        } else if (!clientSetting.equals("-")) {
            Cmd.inNetns(CLIENT, 10, "sysctl", "-q", "-w", clientSetting).requireSuccess();
        }
        try (StackProcess stack = StackProcess.serve("--lab")) {
            Map<String, String> r = client(7, BULK);
            assertThat(r.get("received")).isEqualTo(String.valueOf(BULK));
            assertThat(r.get("received_sha256")).isEqualTo(r.get("sent_sha256"));
            report("echo " + name, BULK * 2, r);
            assertNoTrouble(stack.stop());
        }
    }

    @Test
    void chargenDownloadMatchesThePatternAndDiscardTakesAnUpload() throws Exception {
        try (StackProcess stack = StackProcess.serve("--lab")) {
            Map<String, String> down = Peer.report(Cmd.inNetns(CLIENT, 900, "python3", Peer.script("tcp_peer.py"),
                    "client", SERVICE, "19", "--receive-limit", String.valueOf(BULK), "--expect", "chargen").output());
            assertThat(down.get("received")).isEqualTo(String.valueOf(BULK));
            assertThat(down.get("pattern_ok")).as("first mismatch at " + down.get("mismatch_at")).isEqualTo("true");
            report("chargen download", BULK, down);

            Map<String, String> up = client(9, BULK);
            assertThat(up.get("sent")).isEqualTo(String.valueOf(BULK));
            assertThat(up.get("received")).isEqualTo("0");
            report("discard upload", BULK, up);
            assertNoTrouble(stack.stop());
        }
    }

    @Test
    void theStackAsAClientMovesDataBothWays() throws Exception {
        long size = Long.getLong("understudy.interop.client.bytes", 256L << 20);
        Process server = new ProcessBuilder("ip", "netns", "exec", CLIENT, "python3", Peer.script("tcp_peer.py"),
                "server", "5001", "--send", String.valueOf(size)).redirectErrorStream(true).start();
        try {
            var serverOut = new java.io.BufferedReader(new java.io.InputStreamReader(server.getInputStream()));
            assertThat(serverOut.readLine()).contains("listening");
            java.util.List<String> argv = new java.util.ArrayList<>(java.util.List.of("java", "-jar",
                    System.getProperty("understudy.jar"), "tcp-client", "--lab", "--connect",
                    LabFixture.LAB.clientIp().replaceAll("/.*", "") + ":5001", "--send", String.valueOf(size)));
            argv.addAll(StackOptions.extra());
            Cmd.Result client = Cmd.run(900, argv.toArray(String[]::new)).requireSuccess();
            assertThat(server.waitFor(60, TimeUnit.SECONDS)).isTrue();
            Map<String, String> s = Peer.report(serverOut.lines().reduce("", (a, b) -> a + b + "\n"));
            Matcher m = Pattern.compile("sent (\\d+) bytes sha256=(\\w+); received (\\d+) bytes sha256=(\\w+)")
                    .matcher(client.output());
            assertThat(m.find()).as(client.output()).isTrue();
            String both = "client:\n" + client.output() + "\nserver: " + s;
            assertThat(m.group(1)).as(both).isEqualTo(s.get("received"));
            assertThat(m.group(2)).as(both).isEqualTo(s.get("received_sha256"));
            assertThat(m.group(3)).as(both).isEqualTo(s.get("sent"));
            assertThat(m.group(4)).as(both).isEqualTo(s.get("sent_sha256"));
            System.out.println("stack as client: " + client.output().lines().filter(l -> l.startsWith("tcp-client:"))
                    .findFirst().orElse(""));
        } finally {
            server.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    @ParameterizedTest(name = "{0}% loss each way")
    @CsvSource({"1", "5"})
    void survivesLossFromNftables(int percent) throws Exception {
        String rules = "table inet understudy_loss {\n"
                + "  chain in { type filter hook input priority 0; ip saddr " + SERVICE + " numgen random mod 100 < " + percent + " drop; }\n"
                + "  chain out { type filter hook output priority 0; ip daddr " + SERVICE + " numgen random mod 100 < " + percent + " drop; }\n"
                + "}\n";
        Path file = Files.createTempFile("understudy-loss", ".nft");
        try {
            Files.writeString(file, rules);
            Cmd.inNetns(CLIENT, 10, "nft", "-f", file.toString()).requireSuccess();
            try (StackProcess stack = StackProcess.serve("--lab")) {
                Map<String, String> r = client(7, LOSSY);
                assertThat(r.get("received_sha256")).isEqualTo(r.get("sent_sha256"));
                report("echo with " + percent + "% loss", LOSSY * 2, r);
                Map<String, Long> counters = stack.stop();
                assertThat(counters.getOrDefault("tcp_retransmits", 0L)).isPositive();
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @Test
    void survivesReorderingDuplicationAndCorruptionFromTheFaultInjector() throws Exception {
        try (StackProcess stack = StackProcess.serve("--lab", "--faults", "drop=0.5%,dup=1%,reorder=2%,corrupt=0.1%,seed=7")) {
            Map<String, String> r = client(7, LOSSY);
            assertThat(r.get("received_sha256")).isEqualTo(r.get("sent_sha256"));
            report("echo with injected faults", LOSSY * 2, r);
            stack.stop();
            assertThat(stack.output()).contains("faults:").containsPattern("reordered=[1-9]").containsPattern("duplicated=[1-9]");
        }
    }

    @Test
    void twoThousandConcurrentConnectionsLeaveNoConnectionBehind() throws Exception {
        try (StackProcess stack = StackProcess.serve("--lab", "--msl", "500ms")) {
            Map<String, String> r = Peer.report(Cmd.inNetns(CLIENT, 300, "python3", Peer.script("tcp_many.py"),
                    SERVICE, "7", "2000").requireSuccess().output());
            assertThat(r.get("bad_echoes")).isEqualTo("0");
            System.out.println("2000 connections: " + r);
            Thread.sleep(3_000); // TIME-WAIT is 2 x 500 ms
            Map<String, Long> counters = stack.stop();
            assertThat(counters.get("tcp_connections")).isZero();
            assertThat(counters.get("tcp_passive_opens")).isGreaterThanOrEqualTo(2000);
        }
    }

    @Test
    void wiresharksTcpAnalysisFindsNothingWrongInACapture(@TempDir Path dir) throws Exception {
        Path pcap = dir.resolve("client.pcap");
        Path tcpdumpLog = dir.resolve("tcpdump.log");
        // A 128 MiB capture buffer: a segment the capture drops would look like one the stack ACKed unseen.
        Process capture = new ProcessBuilder("ip", "netns", "exec", CLIENT, "tcpdump", "-i", LabFixture.LAB.clientVeth(),
                "-B", "131072", "-w", pcap.toString(), "tcp port 7").redirectErrorStream(true)
                .redirectOutput(tcpdumpLog.toFile()).start();
        try (StackProcess stack = StackProcess.serve("--lab")) {
            Thread.sleep(1_000); // tcpdump needs a moment to attach
            Map<String, String> r = client(7, 4L << 20);
            assertThat(r.get("received_sha256")).isEqualTo(r.get("sent_sha256"));
            stack.stop();
            Thread.sleep(1_000); // let tcpdump write out what it has before it is stopped
        } finally {
            capture.destroy();
            capture.waitFor(10, TimeUnit.SECONDS);
        }
        assertThat(Files.readString(tcpdumpLog)).containsPattern("(?m)^0 packets dropped by kernel");
        String problems = Cmd.run(120, "tshark", "-r", pcap.toString(), "-Y",
                "_ws.malformed || (tcp.analysis.ack_lost_segment && ip.src == " + SERVICE + ")").requireSuccess().output();
        assertThat(problems.lines().filter(l -> !l.startsWith("Running as user"))).isEmpty();
        // The capture holds the whole echo (with offloads, in fewer and larger segments than the MSS).
        String lengths = Cmd.run(120, "tshark", "-r", pcap.toString(), "-Y", "ip.src == " + SERVICE, "-T", "fields",
                "-e", "tcp.len").output();
        long payload = lengths.lines().filter(l -> l.matches("\\d+")).mapToLong(Long::parseLong).sum();
        assertThat(payload).isGreaterThanOrEqualTo(4L << 20);
    }

    private static Map<String, String> client(int port, long bytes) {
        return Peer.report(Cmd.inNetns(CLIENT, 900, "python3", Peer.script("tcp_peer.py"), "client", SERVICE,
                String.valueOf(port), "--send", String.valueOf(bytes)).requireSuccess().output());
    }

    private static void report(String what, long bytesMoved, Map<String, String> r) {
        double seconds = Double.parseDouble(r.get("seconds"));
        System.out.printf("%s: %d bytes in %.2f s, %.1f MB/s%n", what, bytesMoved, seconds, bytesMoved / seconds / 1e6);
    }

    private static void assertNoTrouble(Map<String, Long> counters) {
        assertThat(counters).doesNotContainKeys("handler_exceptions", "tx_errors");
    }
}
