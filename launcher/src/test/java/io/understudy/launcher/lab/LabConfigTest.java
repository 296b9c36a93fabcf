package io.understudy.launcher.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.util.List;
import org.junit.jupiter.api.Test;

class LabConfigTest {

    private final LabConfig defaults = LabConfig.defaults();

    @Test
    void defaultsDescribeTheStandardLab() {
        assertThat(defaults.deviceNames()).containsExactly("us-br0", "us-veth0-br", "us-tap0", "us-tap1", "us-veth0");
        assertThat(defaults.serviceAddress()).isEqualTo("10.201.0.2");
        assertThat(defaults.withClientMtu(1400).clientMtu()).isEqualTo(1400);
        assertThat(defaults.withTaps(List.of("t0")).taps()).containsExactly("t0");
        assertThat(defaults.withAddresses("10.202.7.1/28", "10.202.7.2/28").serviceAddress()).isEqualTo("10.202.7.2");
    }

    @Test
    void rejectsAnInterfaceNameLongerThan15CharactersNamingIt() {
        assertThatIllegalArgumentException().isThrownBy(() -> defaults.withServerVeth("us-veth0-bridged"))
                .withMessage("server veth name 'us-veth0-bridged' is 16 characters; Linux interface names are at most 15");
        assertThatIllegalArgumentException().isThrownBy(() -> defaults.withTaps(List.of("us-tap0", "understudy-tap01")))
                .withMessageContaining("tap name 'understudy-tap01' is 16 characters");
        assertThat(defaults.withBridge("fifteen-chars-x").bridge()).hasSize(15);
    }

    @Test
    void namespaceNamesMayBeLongerThanInterfaceNames() {
        assertThat(defaults.withClientNs("understudy-client-namespace").clientNs()).isEqualTo("understudy-client-namespace");
    }

    @Test
    void rejectsUnusableNames() {
        assertThatIllegalArgumentException().isThrownBy(() -> defaults.withBridge("br/0"))
                .withMessageContaining("bridge name 'br/0'");
        assertThatIllegalArgumentException().isThrownBy(() -> defaults.withClientNs(""))
                .withMessageContaining("client namespace name ''");
        assertThatIllegalArgumentException().isThrownBy(() -> defaults.withBridge("us-tap1"))
                .withMessage("device names must be distinct, 'us-tap1' is used twice");
        assertThatIllegalArgumentException().isThrownBy(() -> defaults.withServerNs("us-client"))
                .withMessageContaining("must differ");
        assertThatIllegalArgumentException().isThrownBy(() -> defaults.withTaps(List.of()))
                .withMessageContaining("at least one tap");
    }

    @Test
    void rejectsAddressesTheLabCannotConnect() {
        assertThatIllegalArgumentException().isThrownBy(() -> defaults.withServiceIp("10.202.0.2/24"))
                .withMessageContaining("same subnet");
        assertThatIllegalArgumentException().isThrownBy(() -> defaults.withServiceIp("10.201.0.1/24"))
                .withMessageContaining("must differ");
        assertThatIllegalArgumentException().isThrownBy(() -> defaults.withClientIp("10.201.0.1"))
                .withMessage("client address '10.201.0.1' must look like 10.201.0.1/24");
        assertThatIllegalArgumentException().isThrownBy(() -> defaults.withClientIp("10.201.0.256/24"))
                .withMessageContaining("octet above 255");
        assertThatIllegalArgumentException().isThrownBy(() -> defaults.withClientMtu(40))
                .withMessageContaining("client MTU 40");
    }
}
