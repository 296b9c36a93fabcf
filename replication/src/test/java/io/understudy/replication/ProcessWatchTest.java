package io.understudy.replication;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ProcessWatchTest {
    private static final String RUNNING = "4242 (java x) S 1 4242 4242 0 -1 4194560 1 2 3 4 5 6";
    private static final String EXITING = "4242 (java x) R 1 4242 4242 0 -1 4194564 1 2 3 4 5 6";
    private static final String ZOMBIE = "4242 (java) Z 1 4242 4242 0 -1 4194316 1 2 3 4 5 6";

    @Test
    void theExitingFlagAndZombiesCountAsDyingAndACommandWithSpacesDoesNotConfuseTheParser() {
        assertThat(ProcessWatch.exiting(RUNNING)).isFalse();
        assertThat(ProcessWatch.exiting(EXITING)).isTrue();
        assertThat(ProcessWatch.exiting(ZOMBIE)).isTrue();
        assertThat(ProcessWatch.exiting("garbage")).isFalse();
    }

    @Test
    void thisProcessRunsAndAReapedOneIsGone() throws Exception {
        assertThat(ProcessWatch.exiting(ProcessHandle.current().pid())).isFalse();
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        assertThat(ProcessWatch.exiting(p.pid())).isTrue();
    }
}
