package io.understudy.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class WarmupTest {
    @Test
    void aWarmUpServesRequestsAndAdoptsConnections() {
        Warmup.Done done = Warmup.run(Duration.ofMillis(400));
        assertThat(done.requests()).isPositive();
        assertThat(done.takeovers()).isPositive();
        assertThat(done.adopted()).isPositive();
    }
}
