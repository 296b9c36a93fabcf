package io.understudy.stack.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class Ipv4AddressTest {
    @Test
    void parsesAndFormatsDottedQuads() {
        assertThat(Ipv4Address.parse("10.201.0.2")).isEqualTo(0x0AC90002);
        assertThat(Ipv4Address.parse("200.168.0.1")).isEqualTo(0xC8A80001);
        assertThat(Ipv4Address.parse("0.0.0.0")).isZero();
        assertThat(Ipv4Address.parse("255.255.255.255")).isEqualTo(-1);
        assertThat(Ipv4Address.toString(0x0AC900C7)).isEqualTo("10.201.0.199");
        assertThat(Ipv4Address.toString(0xC8A800C7)).isEqualTo("200.168.0.199");
        assertThat(Ipv4Address.toString(-1)).isEqualTo("255.255.255.255");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "''               | octet 1 is not a decimal number",
        "1.2.3            | expected four octets",
        "1.2.3.4.5        | unexpected text after the fourth octet",
        "'1.2.3.4 '       | unexpected text after the fourth octet",
        "1..3.4           | octet 2 is not a decimal number",
        "a.b.c.d          | octet 1 is not a decimal number",
        "-1.2.3.4         | octet 1 is not a decimal number",
        "1.2.3.256        | octet 4 is out of range 0..255",
        "1.2.3.99999999999| octet 4 is out of range 0..255",
        "01.2.3.4         | octet 1 has a leading zero",
        "1.2.3.00         | octet 4 has a leading zero"})
    void rejectsMalformedTextSayingWhy(String text, String why) {
        assertThatThrownBy(() -> Ipv4Address.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(why)
                .hasMessageContaining('"' + text + '"');
    }

    @Test
    void prefixMasks() {
        assertThat(Ipv4Address.prefixMask(0)).isZero();
        assertThat(Ipv4Address.prefixMask(8)).isEqualTo(0xFF00_0000);
        assertThat(Ipv4Address.prefixMask(24)).isEqualTo(0xFFFF_FF00);
        assertThat(Ipv4Address.prefixMask(32)).isEqualTo(-1);
        assertThatThrownBy(() -> Ipv4Address.prefixMask(33)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Ipv4Address.prefixMask(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void comparesSubnets() {
        int a = Ipv4Address.parse("10.0.0.2");
        assertThat(Ipv4Address.sameSubnet(a, Ipv4Address.parse("10.0.0.254"), 24)).isTrue();
        assertThat(Ipv4Address.sameSubnet(a, Ipv4Address.parse("10.0.1.2"), 24)).isFalse();
        assertThat(Ipv4Address.sameSubnet(a, Ipv4Address.parse("10.0.1.2"), 16)).isTrue();
        assertThat(Ipv4Address.sameSubnet(a, Ipv4Address.parse("200.1.1.1"), 0)).isTrue();
        assertThat(Ipv4Address.sameSubnet(a, Ipv4Address.parse("10.0.0.3"), 32)).isFalse();
    }
}
