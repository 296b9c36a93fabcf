package io.understudy.tap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class IfReqTest {
    @Test
    void encodesNulTerminatedNameAndNativeOrderFlagsInFortyBytes() {
        byte[] ifreq = IfReq.encode("us-tap0", (short) 0x5002);

        assertThat(ifreq).hasSize(40);
        assertThat(Arrays.copyOf(ifreq, 8)).containsExactly('u', 's', '-', 't', 'a', 'p', '0', 0);
        assertThat(ByteBuffer.wrap(ifreq).order(ByteOrder.nativeOrder()).getShort(16)).isEqualTo((short) 0x5002);
        assertThat(Arrays.copyOfRange(ifreq, 7, 16)).containsOnly(0);
        assertThat(Arrays.copyOfRange(ifreq, 18, 40)).containsOnly(0);
    }

    @Test
    void fifteenByteNameLeavesRoomForTheNul() {
        byte[] ifreq = IfReq.encode("a".repeat(15), (short) 0);
        assertThat(ifreq[14]).isEqualTo((byte) 'a');
        assertThat(ifreq[15]).isZero();
    }

    @Test
    void refusesNamesThatWouldOverflowTheNameField() {
        assertThatIllegalArgumentException().isThrownBy(() -> IfReq.encode("a".repeat(16), (short) 0));
    }

    @Test
    void decodesTheNameTheKernelWroteBack() {
        byte[] ifreq = IfReq.encode("ustt%d", (short) 0x1002);
        byte[] kernelName = "ustt12".getBytes();
        System.arraycopy(kernelName, 0, ifreq, 0, kernelName.length);

        assertThat(IfReq.decodeName(ifreq)).isEqualTo("ustt12");
    }

    @Test
    void decodesANameFillingAllSixteenBytesWithoutReadingTheFlags() {
        byte[] ifreq = new byte[40];
        Arrays.fill(ifreq, 0, 18, (byte) 'x');
        assertThat(IfReq.decodeName(ifreq)).isEqualTo("x".repeat(16));
    }
}
