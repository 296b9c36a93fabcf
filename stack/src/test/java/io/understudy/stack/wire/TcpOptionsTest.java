package io.understudy.stack.wire;

import static io.understudy.stack.wire.Bytes.AT;
import static org.assertj.core.api.Assertions.assertThat;

import io.understudy.stack.wire.TcpOptions.Problem;
import java.nio.ByteBuffer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class TcpOptionsTest {
    private final TcpOptions options = new TcpOptions();

    private boolean parse(String hex) {
        byte[] bytes = Bytes.hex(hex);
        return options.parse(Bytes.at(bytes), AT, bytes.length);
    }

    @Test
    void parsesLinuxSynOptions() {
        assertThat(parse("02 04 05 b4 04 02 08 0a 0a 1b 2c 3d 00 00 00 00 01 03 03 07")).isTrue();
        assertThat(options.problem()).isEqualTo(Problem.NONE);
        assertThat(options.hasMss()).isTrue();
        assertThat(options.mss()).isEqualTo(1460);
        assertThat(options.sackPermitted()).isTrue();
        assertThat(options.hasTimestamps()).isTrue();
        assertThat(options.tsVal()).isEqualTo(0x0A1B2C3D);
        assertThat(options.tsEcr()).isZero();
        assertThat(options.hasWindowScale()).isTrue();
        assertThat(options.windowScale()).isEqualTo(7);
        assertThat(options.windowScaleClamped()).isFalse();
        assertThat(options.sackBlockCount()).isZero();
    }

    @Test
    void parsesTimestampsAndSackBlocksOfADataSegment() {
        assertThat(parse("01 01 08 0a 00 00 00 01 00 00 00 02 01 01 05 12"
                + "00 00 10 00 00 00 20 00 ff ff ff 00 00 00 00 10")).isTrue();
        assertThat(options.hasMss()).isFalse();
        assertThat(options.hasWindowScale()).isFalse();
        assertThat(options.sackPermitted()).isFalse();
        assertThat(options.tsVal()).isEqualTo(1);
        assertThat(options.tsEcr()).isEqualTo(2);
        assertThat(options.sackBlockCount()).isEqualTo(2);
        assertThat(options.sackLeft(0)).isEqualTo(0x1000);
        assertThat(options.sackRight(0)).isEqualTo(0x2000);
        assertThat(options.sackLeft(1)).isEqualTo(0xFFFFFF00);
        assertThat(options.sackRight(1)).as("block wrapping past 2^32").isEqualTo(0x10);
    }

    @Test
    void parsesFourSackBlocks() {
        assertThat(parse("01 01 05 22 00000001 00000002 00000003 00000004"
                + "00000005 00000006 00000007 00000008")).isTrue();
        assertThat(options.sackBlockCount()).isEqualTo(4);
        assertThat(options.sackRight(3)).isEqualTo(8);
    }

    @Test
    void clampsWindowScaleAbove14() {
        assertThat(parse("01 03 03 0f")).isTrue();
        assertThat(options.windowScale()).isEqualTo(14);
        assertThat(options.windowScaleClamped()).isTrue();
        assertThat(parse("01 03 03 0e")).isTrue();
        assertThat(options.windowScale()).isEqualTo(14);
        assertThat(options.windowScaleClamped()).isFalse();
    }

    @Test
    void skipsUnknownKindsByTheirLength() {
        assertThat(parse("22 06 aa bb cc dd 1e 04 00 00 02 04 02 18")).isTrue();
        assertThat(options.mss()).isEqualTo(536);
    }

    @Test
    void stopsAtEolIgnoringGarbageAfterIt() {
        assertThat(parse("02 04 05 b4 00 00 ff 00 05 03")).isTrue();
        assertThat(options.mss()).isEqualTo(1460);
        assertThat(options.sackBlockCount()).isZero();
    }

    @Test
    void emptyRegionHasNoOptions() {
        assertThat(parse("")).isTrue();
        assertThat(options.hasMss()).isFalse();
    }

    @Test
    void reuseForgetsThePreviousSegment() {
        parse("02 04 05 b4 04 02 08 0a 0a 1b 2c 3d 00 00 00 00 01 03 03 17");
        assertThat(options.windowScaleClamped()).isTrue();
        assertThat(parse("01 01 05 0a 00 00 00 01 00 00 00 02")).isTrue();
        assertThat(options.hasMss()).isFalse();
        assertThat(options.mss()).isZero();
        assertThat(options.sackPermitted()).isFalse();
        assertThat(options.hasTimestamps()).isFalse();
        assertThat(options.hasWindowScale()).isFalse();
        assertThat(options.windowScaleClamped()).isFalse();
        assertThat(options.sackBlockCount()).isEqualTo(1);
        options.clear();
        assertThat(options.sackBlockCount()).isZero();
    }

    static Stream<Arguments> malformed() {
        return Stream.of(
                Arguments.of("zero length", "02 04 05 b4 08 00 01 01", Problem.BAD_OPTION_LENGTH, true, false),
                Arguments.of("length 1", "02 04 05 b4 03 01 07 01", Problem.BAD_OPTION_LENGTH, true, false),
                Arguments.of("length past the region", "02 04 05 b4 08 0a 00 00 00 01",
                        Problem.OPTION_PAST_END, true, false),
                Arguments.of("kind in the last byte", "02 04 05 b4 01 01 01 03", Problem.OPTION_PAST_END, true, false),
                Arguments.of("truncated SACK", "02 04 05 b4 05 0a 00 00 00 01 00 00", Problem.OPTION_PAST_END, true, false),
                Arguments.of("SACK length 11", "05 0b 00 00 00 01 00 00 00 02 00 02 04 05 b4",
                        Problem.BAD_SACK_LENGTH, true, false),
                Arguments.of("SACK with no blocks", "05 02 02 04 05 b4", Problem.BAD_SACK_LENGTH, true, false),
                Arguments.of("SACK with 5 blocks", "05 2a" + "00".repeat(40) + "02 04 05 b4",
                        Problem.BAD_SACK_LENGTH, true, false),
                Arguments.of("MSS length 3", "02 03 05 02 04 05 b4", Problem.BAD_FIXED_LENGTH, true, false),
                Arguments.of("window scale length 4", "03 04 07 00 02 04 05 b4", Problem.BAD_FIXED_LENGTH, true, false),
                Arguments.of("SACK_PERM length 3", "04 03 00 02 04 05 b4", Problem.BAD_FIXED_LENGTH, true, false),
                Arguments.of("timestamps length 8", "08 08 00 00 00 01 00 00 02 04 05 b4",
                        Problem.BAD_FIXED_LENGTH, true, false),
                Arguments.of("zero length first", "08 00 02 04 05 b4", Problem.BAD_OPTION_LENGTH, false, false),
                Arguments.of("bad SACK then zero length keeps the first problem", "05 03 00 02 04 05 b4 08 00",
                        Problem.BAD_SACK_LENGTH, true, false),
                Arguments.of("bad SACK, later SACK_PERM still seen", "05 03 00 04 02",
                        Problem.BAD_SACK_LENGTH, false, true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void reportsMalformedOptionsKeepingWhatLinuxKeeps(String what, String hex, Problem expected, boolean mssKept,
                                                      boolean sackPermittedSeen) {
        assertThat(parse(hex)).isFalse();
        assertThat(options.problem()).isEqualTo(expected);
        assertThat(options.hasMss()).isEqualTo(mssKept);
        if (mssKept) {
            assertThat(options.mss()).isEqualTo(1460);
        }
        assertThat(options.sackPermitted()).isEqualTo(sackPermittedSeen);
        assertThat(options.sackBlockCount()).isZero();
        assertThat(options.hasTimestamps()).isFalse();
    }

    @Test
    void readsOnlyInsideTheRegion() {
        ByteBuffer buf = Bytes.at("02 04 05 b4");
        assertThat(options.parse(buf, AT, 3)).isFalse();
        assertThat(options.problem()).isEqualTo(Problem.OPTION_PAST_END);
        assertThat(options.hasMss()).isFalse();
    }
}
