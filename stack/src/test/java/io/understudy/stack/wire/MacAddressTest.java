package io.understudy.stack.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class MacAddressTest {
    @Test
    void parsesAndFormatsColonHex() {
        assertThat(MacAddress.parse("02:00:00:00:00:01")).isEqualTo(0x0200_0000_0001L);
        assertThat(MacAddress.parse("DE:AD:be:ef:00:FF")).isEqualTo(0xDEAD_BEEF_00FFL);
        assertThat(MacAddress.toString(0xDEAD_BEEF_00FFL)).isEqualTo("de:ad:be:ef:00:ff");
        assertThat(MacAddress.toString(MacAddress.parse("02:42:ac:11:00:02"))).isEqualTo("02:42:ac:11:00:02");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "02:00:00:00:00", "02:00:00:00:00:01:", "02-00-00-00-00-01", "02:00:00:00:00:0g",
                            "2:00:00:00:00:001", " 2:00:00:00:00:01", "02:00:00:00:00:+1"})
    void rejectsMalformedText(String text) {
        assertThatThrownBy(() -> MacAddress.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a MAC address");
    }

    @Test
    void classifiesBroadcastAndMulticast() {
        assertThat(MacAddress.isBroadcast(MacAddress.BROADCAST)).isTrue();
        assertThat(MacAddress.isMulticast(MacAddress.BROADCAST)).isTrue();
        assertThat(MacAddress.isMulticast(MacAddress.parse("01:00:5e:00:00:fb"))).isTrue();
        assertThat(MacAddress.isMulticast(MacAddress.parse("02:00:00:00:00:01"))).isFalse();
        assertThat(MacAddress.isBroadcast(MacAddress.parse("ff:ff:ff:ff:ff:fe"))).isFalse();
    }

    @Test
    void readsAndWritesSixBytesWithoutTouchingNeighbours() {
        ByteBuffer buf = Bytes.junk(10);
        MacAddress.write(buf, 2, 0x0242_AC11_0002L);
        assertThat(Bytes.hexOf(buf, 0, 10)).isEqualTo("a5a50242ac110002a5a5");
        assertThat(MacAddress.read(buf, 2)).isEqualTo(0x0242_AC11_0002L);
        assertThat(MacAddress.read(Bytes.at("ff ff ff ff ff ff"), Bytes.AT)).isEqualTo(MacAddress.BROADCAST);
    }
}
