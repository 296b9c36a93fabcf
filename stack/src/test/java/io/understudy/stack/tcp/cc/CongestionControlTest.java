package io.understudy.stack.tcp.cc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class CongestionControlTest {
    @Test
    void createsAlgorithmsByNameIgnoringCase() {
        assertThat(CongestionControl.create("newreno")).isInstanceOf(NewReno.class);
        assertThat(CongestionControl.create("NewReno")).isInstanceOf(NewReno.class);
        assertThat(CongestionControl.create("CUBIC")).isInstanceOf(Cubic.class);
        assertThat(CongestionControl.create(" cubic ")).isInstanceOf(Cubic.class);
        for (String name : CongestionControl.NAMES) {
            assertThat(CongestionControl.create(name).name()).isEqualTo(name);
        }
    }

    @Test
    void rejectsUnknownNamesListingTheValidOnes() {
        assertThatThrownBy(() -> CongestionControl.create("bbr"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("\"bbr\"")
                .hasMessageContaining("newreno, cubic");
        assertThatThrownBy(() -> CongestionControl.create(null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("newreno, cubic");
    }

    @Test
    void rejectsImpossibleMss() {
        var cc = CongestionControl.create("newreno");
        assertThatThrownBy(() -> cc.init(0, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> cc.init(0, 70_000)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void eachInstanceStartsAtTheInitialWindow() {
        for (String name : CongestionControl.NAMES) {
            var cc = CongestionControl.create(name);
            cc.init(0, 1460);
            assertThat(cc.cwnd()).as(name).isEqualTo(14_600);
            assertThat(cc.ssthresh()).as(name).isEqualTo(CongestionControl.INFINITE_SSTHRESH);
            assertThat(cc.inRecovery()).as(name).isFalse();
            assertThat(cc.toString()).as(name).startsWith(name);
        }
    }
}
