package io.understudy.replication.link;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LinkAddressTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "unix:/tmp/x.sock        | unix | /tmp/x.sock |      | -1",
        "unix:rel/y.sock         | unix | rel/y.sock  |      | -1",
        "tcp:127.0.0.1:7000      | tcp  |             | 127.0.0.1 | 7000",
        "tcp:standby.local:0     | tcp  |             | standby.local | 0",
        "tcp:[::1]:65535         | tcp  |             | ::1  | 65535",
    })
    void parsesValidAddresses(String text, String kind, String path, String host, int port) {
        LinkAddress a = LinkAddress.parse(text);
        if (kind.equals("unix")) {
            assertThat(a).isEqualTo(new LinkAddress.Unix(Path.of(path)));
        } else {
            assertThat(a).isEqualTo(new LinkAddress.Tcp(host, port));
        }
        assertThat(a.toString()).isEqualTo(text);
        assertThat(LinkAddress.parse(a.toString())).isEqualTo(a);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "''                   | empty link address",
        "'   '                | empty link address",
        "/tmp/x.sock          | has no scheme",
        "udp:1.2.3.4:5        | unknown scheme 'udp'",
        "unix:                | missing socket path",
        "tcp:localhost        | missing port",
        "tcp:localhost:       | missing port",
        "tcp::7000            | missing host",
        "tcp:host:http        | port 'http' is not a number",
        "tcp:host:65536       | port '65536' is out of range",
        "tcp:host:-1          | port '-1' is out of range",
        "tcp:host:+80         | port '+80' is out of range",
        "tcp:::1:80           | write IPv6 hosts in brackets",
        "tcp:[::1:80          | unterminated '['",
        "tcp:[::1]80          | missing port after host '::1'",
    })
    void rejectsBadAddressesNamingTheBadPart(String text, String message) {
        assertThatThrownBy(() -> LinkAddress.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
    }

    @org.junit.jupiter.api.Test
    void rejectsNullAndOverlongUnixPaths() {
        assertThatThrownBy(() -> LinkAddress.parse(null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("empty link address");
        assertThatThrownBy(() -> LinkAddress.parse("unix:/" + "a".repeat(120)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("the limit is 107");
    }
}
