package io.understudy.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line refuses bad input with one line naming what was wrong; no root needed. */
class MainTest {
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private PrintStream savedErr, savedOut;

    @BeforeEach
    void capture() {
        savedErr = System.err;
        savedOut = System.out;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restore() {
        System.setErr(savedErr);
        System.setOut(savedOut);
    }

    private String errors() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void anUnknownFlagIsOneLineNamingIt() {
        assertThat(Main.run("serve", "--bogus")).isEqualTo(2);
        assertThat(errors().lines()).singleElement().asString()
                .contains("understudy serve", "--bogus", "understudy serve --help");
    }

    @Test
    void aBadValueNamesTheFlagAndTheValue() {
        assertThat(Main.run("serve", "--tap", "t0", "--ip", "10.0.0.300/24")).isEqualTo(2);
        assertThat(errors().lines()).singleElement().asString().contains("--ip", "10.0.0.300");
        err.reset();
        assertThat(Main.run("serve", "--tap", "t0", "--ip", "10.0.0.1")).isEqualTo(2);
        assertThat(errors()).contains("--ip", "prefix length");
        err.reset();
        assertThat(Main.run("serve", "--lab", "--mac", "01:00:5e:00:00:01")).isEqualTo(2);
        assertThat(errors()).contains("unicast");
        err.reset();
        assertThat(Main.run("serve", "--lab", "--mtu", "40")).isEqualTo(2);
        assertThat(errors()).contains("MTU");
        err.reset();
        assertThat(Main.run("serve", "--lab", "--gateway", "10.9.9.9")).isEqualTo(2);
        assertThat(errors()).contains("--gateway", "not on the subnet");
    }

    @Test
    void aBadFaultSpecIsOneLineNamingThePart() {
        assertThat(Main.run("serve", "--lab", "--faults", "drop=1%,dup=abc")).isEqualTo(2);
        assertThat(errors().lines()).singleElement().asString()
                .contains("understudy serve", "--faults", "'dup=abc'", "not a percentage");
        err.reset();
        assertThat(Main.run("serve", "--lab", "--faults", "drop=101%")).isEqualTo(2);
        assertThat(errors()).contains("'drop=101%'", "more than 100%");
    }

    @Test
    void serveHelpShowsTheFaultsOptionWithAnExample() {
        assertThat(Main.run("serve", "--help")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("--faults=SPEC", "drop=1%,dup=0.5%");
    }

    @Test
    void aMissingDocrootIsOneLineNamingIt() {
        assertThat(Main.run("serve", "--lab", "--docroot", "/nonexistent/understudy-docroot")).isEqualTo(2);
        assertThat(errors().lines()).singleElement().asString()
                .contains("understudy serve", "--docroot", "/nonexistent/understudy-docroot", "no such directory");
    }

    @Test
    void aDocrootThatIsAFileIsOneLineNamingIt(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("plain.txt"), "x");
        assertThat(Main.run("serve", "--lab", "--docroot", file.toString())).isEqualTo(2);
        assertThat(errors().lines()).singleElement().asString().contains("--docroot", "not a directory");
    }

    @Test
    void badHttpPortsAreOneLineNamingThePort() {
        assertThat(Main.run("serve", "--lab", "--port", "70000")).isEqualTo(2);
        assertThat(errors().lines()).singleElement().asString().contains("--port", "70000");
        err.reset();
        assertThat(Main.run("serve", "--lab", "--port", "7")).isEqualTo(2);
        assertThat(errors().lines()).singleElement().asString().contains("--port 7", "--no-classic-services");
    }

    @Test
    void serveHelpShowsTheHttpOptions() {
        assertThat(Main.run("serve", "--help")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("--port=N", "--no-http", "--docroot=DIR", "/echo");
    }

    @Test
    void theSampleSiteIsExtractedAndDeleted() throws Exception {
        Path dir;
        try (SampleSite site = SampleSite.extract()) {
            dir = site.dir();
            for (String name : SampleSite.FILES) {
                assertThat(dir.resolve(name)).isRegularFile();
            }
            assertThat(Files.readString(dir.resolve("index.html"))).contains("Understudy", "/bytes/", "/echo");
        }
        assertThat(dir).doesNotExist();
    }

    @Test
    void badTcpFlagsAreOneLineNamingTheFlag() {
        String[][] cases = {{"--cc", "vegas"}, {"--msl", "soon"}, {"--min-rto", "-5ms"}, {"--keepalive", "1s,2s"},
                {"--keepalive", "1s,2s,x"}, {"--buffer", "1000"}, {"--max-connections", "0"}};
        for (String[] flag : cases) {
            err.reset();
            assertThat(Main.run("serve", "--lab", flag[0], flag[1])).as(String.join(" ", flag)).isEqualTo(2);
            assertThat(errors().lines()).as(errors()).singleElement().asString().contains("understudy serve");
            assertThat(errors()).containsAnyOf(flag[0], "buffer");
        }
    }

    @Test
    void tcpClientNeedsAnAddressAndPort() {
        assertThat(Main.run("tcp-client", "--lab")).isEqualTo(2);
        assertThat(errors()).contains("--connect");
        err.reset();
        assertThat(Main.run("tcp-client", "--lab", "--connect", "10.201.0.1")).isEqualTo(2);
        assertThat(errors().lines()).singleElement().asString().contains("ADDR:PORT");
    }

    @Test
    void serveNeedsATapAndAnAddress() {
        assertThat(Main.run("serve")).isEqualTo(2);
        assertThat(errors()).contains("--lab", "--tap");
    }

    @Test
    void aMissingOrUnknownCommandIsABadUsage() {
        assertThat(Main.run(new String[0])).isEqualTo(2);
        assertThat(errors()).contains("missing command");
        err.reset();
        assertThat(Main.run("frobnicate")).isEqualTo(2);
        assertThat(errors().lines()).singleElement().asString().contains("frobnicate");
    }

    @Test
    void everyCommandHasHelp() {
        for (String[] args : new String[][] {{"--help"}, {"serve", "--help"}, {"lab", "--help"}, {"lab", "up", "--help"},
                {"lab", "down", "--help"}, {"lab", "status", "--help"}, {"demo", "--help"}, {"tcp-client", "--help"}, {"pair", "--help"}}) {
            out.reset();
            assertThat(Main.run(args)).as(String.join(" ", args)).isZero();
            assertThat(out.toString(StandardCharsets.UTF_8)).contains("Usage:");
        }
    }

    @Test
    void badReplicationFlagsAreOneLineNamingTheFlag() {
        String[][] cases = {
            {"serve", "--lab", "--role", "standby"},
            {"serve", "--lab", "--role", "primary", "--peer", "bogus:x"},
            {"serve", "--lab", "--peer", "unix:/tmp/understudy-test.sock"},
            {"serve", "--lab", "--role", "primary", "--peer", "unix:/tmp/understudy-test.sock", "--policy", "maybe"},
            {"serve", "--lab", "--role", "leader"},
            {"serve", "--lab", "--role", "standby", "--peer", "tcp:10.0.0.1:7400", "--heartbeat-ms", "20",
                "--heartbeat-timeout-ms", "30"},
            {"pair"},
            {"pair", "--lab", "--policy", "maybe"},
            {"serve", "--lab", "--wait-strategy", "spin"},
        };
        String[] named = {"--peer", "--peer", "--role", "--policy", "--role", "--heartbeat", "--lab", "--policy",
            "--wait-strategy"};
        for (int i = 0; i < cases.length; i++) {
            err.reset();
            assertThat(Main.run(cases[i])).as(String.join(" ", cases[i])).isEqualTo(2);
            assertThat(errors().lines()).as(String.join(" ", cases[i])).singleElement().asString().contains(named[i]);
        }
    }
}
