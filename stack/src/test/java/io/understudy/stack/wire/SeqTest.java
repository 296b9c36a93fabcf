package io.understudy.stack.wire;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SeqTest {
    private static final int TOP = 0xFFFF_FFF0;

    @Test
    void ordersAcrossTheWrapAt2To32() {
        assertThat(Seq.lt(TOP, 0x10)).isTrue();
        assertThat(Seq.gt(0x10, TOP)).isTrue();
        assertThat(Seq.lt(0x10, TOP)).isFalse();
        assertThat(Seq.lt(-1, 0)).isTrue();
        assertThat(Seq.gt(0, -1)).isTrue();
        assertThat(Seq.lt(Integer.MAX_VALUE, Integer.MIN_VALUE)).isTrue();
    }

    @Test
    void comparesEqualValues() {
        assertThat(Seq.leq(5, 5)).isTrue();
        assertThat(Seq.geq(5, 5)).isTrue();
        assertThat(Seq.lt(5, 5)).isFalse();
        assertThat(Seq.gt(5, 5)).isFalse();
        assertThat(Seq.leq(TOP, 1)).isTrue();
        assertThat(Seq.geq(TOP, 1)).isFalse();
    }

    @Test
    void windowsSpanTheWrap() {
        assertThat(Seq.inWindow(TOP, TOP, 0x20)).as("start is inside").isTrue();
        assertThat(Seq.inWindow(0x0F, TOP, 0x20)).isTrue();
        assertThat(Seq.inWindow(0x10, TOP, 0x20)).as("end is outside").isFalse();
        assertThat(Seq.inWindow(TOP - 1, TOP, 0x20)).isFalse();
        assertThat(Seq.inWindow(TOP, TOP, 0)).as("empty window").isFalse();
        assertThat(Seq.inWindow(0x7FFF_FFFF, 0, 0x8000_0000)).as("size taken unsigned").isTrue();
    }

    @Test
    void picksMaxAndMinAcrossTheWrap() {
        assertThat(Seq.max(TOP, 3)).isEqualTo(3);
        assertThat(Seq.min(TOP, 3)).isEqualTo(TOP);
        assertThat(Seq.max(1, 2)).isEqualTo(2);
        assertThat(Seq.min(1, 2)).isEqualTo(1);
    }
}
