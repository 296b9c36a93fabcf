package io.understudy.interop;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code understudy lab up|status|down} as a user runs them: idempotent, and nothing left behind. */
class LabCliInteropTest {
    private final LabFixture lab = new LabFixture();

    @BeforeEach
    void clean() {
        Prerequisites.requireLab();
        lab.down();
    }

    @AfterEach
    void down() {
        lab.down();
    }

    @Test
    void upIsIdempotentStatusReportsItAndDownLeavesNothing() {
        cli("lab", "up").requireSuccess();
        Cmd.Result again = cli("lab", "up").requireSuccess();
        assertThat(again.output()).contains("already up");
        Cmd.Result status = cli("lab", "status").requireSuccess();
        assertThat(status.output()).contains("us-tap0", "us-tap1", "us-br0", "10.201.0.1/24").doesNotContain("10.201.0.2");
        cli("lab", "down").requireSuccess();
        cli("lab", "down").requireSuccess();
        Cmd.Result gone = cli("lab", "status");
        assertThat(gone.exitCode()).isEqualTo(3);
        assertThat(gone.output()).contains("absent");
        assertThat(Cmd.run(10, "ip", "netns", "list").output()).doesNotContain("us-client", "us-server");
        assertThat(Cmd.run(10, "ip", "-o", "link").output()).doesNotContain("us-");
    }

    @Test
    void serveWithoutTheLabSaysWhatIsMissing() {
        Cmd.Result serve = cli("serve", "--lab");
        assertThat(serve.exitCode()).isEqualTo(1);
        assertThat(serve.output()).contains("network namespace 'us-server' does not exist", "lab up");
    }

    private static Cmd.Result cli(String... args) {
        String[] argv = new String[args.length + 3];
        argv[0] = "java";
        argv[1] = "-jar";
        argv[2] = System.getProperty("understudy.jar");
        System.arraycopy(args, 0, argv, 3, args.length);
        return Cmd.run(60, argv);
    }
}
