package io.understudy.stack.wire;

import static io.understudy.stack.wire.Bytes.AT;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class EthernetFrameTest {
    /** Header of a broadcast ARP request from a Linux host. */
    static final String ARP_REQUEST_HEADER = "ff ff ff ff ff ff 02 42 ac 11 00 02 08 06";

    private final EthernetFrame frame = new EthernetFrame();

    @Test
    void readsGoldenHeader() {
        ByteBuffer buf = Bytes.at(ARP_REQUEST_HEADER + " 00 01 08 00");
        frame.wrap(buf, AT, 18);
        assertThat(frame.isValid()).isTrue();
        assertThat(frame.dst()).isEqualTo(MacAddress.BROADCAST);
        assertThat(frame.src()).isEqualTo(0x0242_AC11_0002L);
        assertThat(frame.etherType()).isEqualTo(EthernetFrame.TYPE_ARP);
        assertThat(frame.payloadOffset()).isEqualTo(AT + EthernetFrame.HEADER_LENGTH);
        assertThat(frame.payloadLength()).isEqualTo(4);
    }

    @Test
    void writesEveryHeaderByte() {
        ByteBuffer buf = Bytes.junk(AT + EthernetFrame.HEADER_LENGTH + 1);
        frame.wrap(buf, AT, EthernetFrame.HEADER_LENGTH)
                .dst(0x0200_0000_0001L).src(0x0200_0000_0002L).etherType(EthernetFrame.TYPE_VLAN);
        assertThat(Bytes.hexOf(buf, 0, buf.capacity())).isEqualTo("a5a5a5"
                + "020000000001" + "020000000002" + "8100" + "a5");
        assertThat(frame.dst()).isEqualTo(0x0200_0000_0001L);
        assertThat(frame.src()).isEqualTo(0x0200_0000_0002L);
        assertThat(frame.etherType()).isEqualTo(EthernetFrame.TYPE_VLAN);
    }

    @Test
    void isInvalidWhenShorterThanHeader() {
        ByteBuffer buf = Bytes.at(ARP_REQUEST_HEADER);
        for (int len = 0; len < EthernetFrame.HEADER_LENGTH; len++) {
            assertThat(frame.wrap(buf, AT, len).isValid()).as("length %d", len).isFalse();
        }
        assertThat(frame.wrap(buf, AT, EthernetFrame.HEADER_LENGTH).isValid()).isTrue();
        assertThat(frame.payloadLength()).isZero();
    }
}
