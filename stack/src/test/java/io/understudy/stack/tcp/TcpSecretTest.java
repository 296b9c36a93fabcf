package io.understudy.stack.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.SecureRandom;
import org.junit.jupiter.api.Test;

class TcpSecretTest {
    @Test void readsKeyBytesLittleEndianAsSipHashDoes() {
        assertThat(TcpSecret.fromBytes(SipHashTest.counting(16)))
                .isEqualTo(new TcpSecret(0x0706050403020100L, 0x0F0E0D0C0B0A0908L));
    }

    @Test void bytesRoundTrip() {
        var secret = TcpSecret.generate(new SecureRandom());
        assertThat(TcpSecret.fromBytes(secret.toBytes())).isEqualTo(secret);
    }

    @Test void rejectsKeysOfTheWrongLength() {
        assertThatThrownBy(() -> TcpSecret.fromBytes(new byte[15])).isInstanceOf(IllegalArgumentException.class);
    }

    @Test void neverPrintsTheKey() {
        var secret = new TcpSecret(0x1234_5678_9ABC_DEF0L, 42);
        assertThat(secret.toString()).doesNotContain("1234").doesNotContain("42").contains("redacted");
    }
}
