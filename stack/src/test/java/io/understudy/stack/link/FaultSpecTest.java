package io.understudy.stack.link;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.understudy.stack.link.FaultSpec.Direction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class FaultSpecTest {
    @Test
    void parsesEveryPartInAnyOrder() {
        assertThat(FaultSpec.parse("seed=42,delay=5ms,corrupt=0.1%,reorder=2%,dup=0.5%,drop=1%,depth=7,direction=in"))
                .isEqualTo(new FaultSpec(1_000, 500, 2_000, 100, 7, 5_000_000L, Direction.IN, 42));
    }

    @Test
    void leavesWhatIsNotGivenAtItsDefault() {
        FaultSpec spec = FaultSpec.parse("drop=1%");
        assertThat(spec).isEqualTo(new FaultSpec(1_000, 0, 0, 0, 3, 2_000_000L, Direction.BOTH, 0));
        assertThat(spec.isNone()).isFalse();
        assertThat(FaultSpec.parse("seed=9,direction=out").isNone()).isTrue();
    }

    @Test
    void readsRatesToAThousandthOfAPercent() {
        assertThat(FaultSpec.parse("drop=0.001%").drop()).isEqualTo(1);
        assertThat(FaultSpec.parse("drop=12.34%").drop()).isEqualTo(12_340);
        assertThat(FaultSpec.parse("drop=100%").drop()).isEqualTo(FaultSpec.ALWAYS);
        assertThat(FaultSpec.parse("drop=100.000%").drop()).isEqualTo(FaultSpec.ALWAYS);
        assertThat(FaultSpec.parse("drop=0%").drop()).isZero();
    }

    @Test
    void readsDelaysInMillisMicrosAndNanos() {
        assertThat(FaultSpec.parse("delay=5ms").delayNanos()).isEqualTo(5_000_000L);
        assertThat(FaultSpec.parse("delay=250us").delayNanos()).isEqualTo(250_000L);
        assertThat(FaultSpec.parse("delay=7ns").delayNanos()).isEqualTo(7L);
        assertThat(FaultSpec.parse("delay=0ms").delayNanos()).isZero();
    }

    @Test
    void toleratesSpacesAroundParts() {
        assertThat(FaultSpec.parse(" drop=1% , dup=2%")).isEqualTo(FaultSpec.parse("drop=1%,dup=2%"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"drop=1%,dup=0.5%,reorder=2%,corrupt=0.1%,delay=5ms,seed=42", "drop=33.333%",
            "delay=1500us,depth=1", "delay=1001ns,direction=out", "seed=-7,direction=in", "reorder=100%,corrupt=0.001%"})
    void toStringRoundTrips(String text) {
        FaultSpec spec = FaultSpec.parse(text);
        assertThat(FaultSpec.parse(spec.toString())).isEqualTo(spec);
    }

    @Test
    void toStringSpellsOutEverySetting() {
        assertThat(FaultSpec.parse("dup=0.5%,delay=1500us").toString())
                .isEqualTo("drop=0%,dup=0.5%,reorder=0%,corrupt=0%,depth=3,delay=1500us,direction=both,seed=0");
        assertThat(FaultSpec.parse(FaultSpec.NONE.toString())).isEqualTo(FaultSpec.NONE);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "dup=abc                | fault spec: 'dup=abc': not a percentage",
        "drop=1                 | fault spec: 'drop=1': not a percentage",
        "drop=-1%               | fault spec: 'drop=-1%': not a percentage",
        "drop=.5%               | fault spec: 'drop=.5%': not a percentage",
        "drop=0.0001%           | fault spec: 'drop=0.0001%': more than 3 decimals",
        "corrupt=100.001%       | fault spec: 'corrupt=100.001%': more than 100%",
        "reorder=1e3%           | fault spec: 'reorder=1e3%': not a percentage",
        "drop=1%,,dup=1%        | fault spec: '': expected key=value",
        "drop                   | fault spec: 'drop': expected key=value",
        "loss=1%                | fault spec: 'loss=1%': unknown fault (drop, dup, reorder, corrupt, depth, delay, direction, seed)",
        "drop=1%,drop=2%        | fault spec: 'drop=2%': drop given twice",
        "depth=0                | fault spec: 'depth=0': not a positive whole number",
        "depth=x                | fault spec: 'depth=x': not a positive whole number",
        "depth=9999999999       | fault spec: 'depth=9999999999': not a positive whole number",
        "delay=5                | fault spec: 'delay=5': not a duration (e.g. 5ms, 500us, 100ns)",
        "delay=5s               | fault spec: 'delay=5s': not a duration (e.g. 5ms, 500us, 100ns)",
        "direction=sideways     | fault spec: 'direction=sideways': not in, out or both",
        "seed=0x2a              | fault spec: 'seed=0x2a': not a whole number",
    })
    void refusesMalformedPartsNamingThem(String text, String message) {
        assertThatThrownBy(() -> FaultSpec.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(message);
    }

    @Test
    void anEmptySpecIsMalformed() {
        assertThatThrownBy(() -> FaultSpec.parse("")).hasMessage("fault spec: '': expected key=value");
    }

    @Test
    void theConstructorRefusesImpossibleValues() {
        assertThatThrownBy(() -> new FaultSpec(FaultSpec.ALWAYS + 1, 0, 0, 0, 3, 0, Direction.BOTH, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("rate");
        assertThatThrownBy(() -> new FaultSpec(0, 0, 0, 0, 0, 0, Direction.BOTH, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("depth");
        assertThatThrownBy(() -> new FaultSpec(0, 0, 0, 0, 3, -1, Direction.BOTH, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("delay");
    }
}
