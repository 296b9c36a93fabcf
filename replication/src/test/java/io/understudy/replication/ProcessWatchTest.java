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
    void aPendingSigkillCountsAsDyingOtherPendingSignalsDoNot() {
        String head = "Name:\tjava\nState:\tS (sleeping)\nTgid:\t4242\n";
        String none = head + "SigPnd:\t0000000000000000\nShdPnd:\t0000000000000000\nSigBlk:\t0000000000000000\n";
        String killShared = head + "SigPnd:\t0000000000000000\nShdPnd:\t0000000000000100\n";
        String killThread = head + "SigPnd:\t0000000000000100\nShdPnd:\t0000000000000000\n";
        String term = head + "SigPnd:\t0000000000000000\nShdPnd:\t0000000000004000\n"; // SIGTERM: the JVM shuts down in order
        assertThat(ProcessWatch.killPending(none)).isFalse();
        assertThat(ProcessWatch.killPending(killShared)).isTrue();
        assertThat(ProcessWatch.killPending(killThread)).isTrue();
        assertThat(ProcessWatch.killPending(term)).isFalse();
        assertThat(ProcessWatch.killPending("garbage")).isFalse();
        assertThat(ProcessWatch.killPending(head + "ShdPnd:\tzz\n")).isFalse();
    }

    @Test
    void thisProcessRunsAndAReapedOneIsGone() throws Exception {
        assertThat(ProcessWatch.exiting(ProcessHandle.current().pid())).isFalse();
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        assertThat(ProcessWatch.exiting(p.pid())).isTrue();
    }

    @Test
    void aWatchSeesALiveProcessRunAndAKilledOneDie() throws Exception {
        try (ProcessWatch self = ProcessWatch.open(ProcessHandle.current().pid())) {
            assertThat(self).isNotNull();
            for (int i = 0; i < 3; i++) {
                assertThat(self.dying()).isFalse(); // rereads the same open files
            }
        }
        Process p = new ProcessBuilder("sleep", "30").start();
        ProcessWatch w = ProcessWatch.open(p.pid());
        try {
            assertThat(w.dying()).isFalse();
            p.destroyForcibly(); // SIGKILL
            p.waitFor();
            assertThat(w.dying()).as("killed and reaped").isTrue();
        } finally {
            p.destroyForcibly();
            w.close();
        }
    }
}
