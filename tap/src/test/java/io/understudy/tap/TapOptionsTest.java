package io.understudy.tap;

import static io.understudy.tap.TapOptions.TUN_F_CSUM;
import static io.understudy.tap.TapOptions.TUN_F_TSO4;
import static io.understudy.tap.TapOptions.TUN_F_TSO6;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TapOptionsTest {
    @Test
    void plainOptionsHaveNoVnetHeaderAndNoOffloads() {
        TapOptions options = TapOptions.of("us-tap0");
        assertThat(options.name()).isEqualTo("us-tap0");
        assertThat(options.vnetHeader()).isFalse();
        assertThat(options.offloads()).isZero();
    }

    @Test
    void vnetHeaderOptionsDefaultToTheV1HeaderSize() {
        TapOptions options = TapOptions.withVnetHeader("us-tap0", TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6);
        assertThat(options.vnetHeader()).isTrue();
        assertThat(options.offloads()).isEqualTo(0x07);
        assertThat(options.vnetHeaderSize()).isEqualTo(12);
    }

    @Test
    void acceptsFifteenByteNames() {
        assertThat(TapOptions.of("a".repeat(15)).name()).hasSize(15);
    }

    @Test
    void rejectsNamesLongerThanFifteenBytes() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> TapOptions.of("understudy-tap-01"))
                .withMessage("TAP name 'understudy-tap-01' is 17 bytes; Linux allows at most 15");
    }

    @Test
    void countsNameLengthInUtf8Bytes() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> TapOptions.of("tap-ééééééé"))
                .withMessage("TAP name 'tap-ééééééé' is 18 bytes; Linux allows at most 15");
    }

    @Test
    void rejectsEmptyAndNullNames() {
        assertThatIllegalArgumentException().isThrownBy(() -> TapOptions.of("")).withMessage("TAP name must not be empty");
        assertThatNullPointerException().isThrownBy(() -> TapOptions.of(null));
    }

    @ParameterizedTest
    @ValueSource(strings = {".", "..", "tap/0", "tap:0", "tap 0", "tap\t0", "tap\u00000"})
    void rejectsNamesLinuxCannotUse(String name) {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> TapOptions.of(name))
                .withMessageStartingWith("TAP name '" + name + "' is invalid; Linux interface names cannot be");
    }

    @Test
    void rejectsOffloadsWithoutVnetHeader() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new TapOptions("tap0", false, TUN_F_CSUM, 12))
                .withMessageContaining("offloads need the vnet header");
    }

    @Test
    void rejectsTsoWithoutChecksumOffload() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> TapOptions.withVnetHeader("tap0", TUN_F_TSO4))
                .withMessage("TSO offloads need TUN_F_CSUM as well");
    }

    @Test
    void rejectsUnsupportedOffloadFlags() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> TapOptions.withVnetHeader("tap0", TUN_F_CSUM | 0x10))
                .withMessageStartingWith("unsupported offload flags 0x11;");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 8, 11, 16})
    void rejectsVnetHeaderSizesOtherThanTenOrTwelve(int size) {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new TapOptions("tap0", true, 0, size))
                .withMessage("vnet header size must be 10 or 12, not " + size);
    }

    @Test
    void acceptsTheTenByteVnetHeader() {
        assertThat(new TapOptions("tap0", true, TUN_F_CSUM, 10).vnetHeaderSize()).isEqualTo(10);
    }
}
