package io.understudy.stack.wire;

import static io.understudy.stack.wire.Bytes.AT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class TcpOptionsWriterTest {
    private static final int ROOM = 44;

    private final ByteBuffer buf = Bytes.junk(AT + ROOM);
    private final TcpOptions parsed = new TcpOptions();

    /** Refills the output buffer with junk before a write. */
    private ByteBuffer fresh() {
        for (int i = 0; i < buf.capacity(); i++) {
            buf.put(i, Bytes.JUNK);
        }
        return buf;
    }

    private String written(int n) {
        assertThat(n % 4).as("a whole number of words").isZero();
        assertThat(Bytes.hexOf(buf, 0, AT)).as("nothing before").isEqualTo("a5a5a5");
        assertThat(Bytes.hexOf(buf, AT + n, ROOM - n)).as("nothing after").isEqualTo("a5".repeat(ROOM - n));
        assertThat(parsed.parse(buf, AT, n)).isTrue();
        return Bytes.hexOf(buf, AT, n);
    }

    @Test
    void writesTheLinuxSynLayout() {
        int n = TcpOptionsWriter.writeSyn(fresh(), AT, 1460, true, 7, true, 0x0A1B2C3D, 0);
        assertThat(n).isEqualTo(TcpOptionsWriter.MAX_SYN_LENGTH);
        assertThat(written(n)).isEqualTo("020405b4" + "0402080a" + "0a1b2c3d" + "00000000" + "01030307");
        assertThat(parsed.mss()).isEqualTo(1460);
        assertThat(parsed.sackPermitted()).isTrue();
        assertThat(parsed.windowScale()).isEqualTo(7);
        assertThat(parsed.tsVal()).isEqualTo(0x0A1B2C3D);
    }

    @Test
    void writesSynVariants() {
        assertThat(written(TcpOptionsWriter.writeSyn(fresh(), AT, 1460, false, 7, true, 1, 2)))
                .isEqualTo("020405b4" + "0101080a" + "00000001" + "00000002" + "01030307");
        assertThat(written(TcpOptionsWriter.writeSyn(fresh(), AT, 1460, true, 0, false, 0, 0)))
                .isEqualTo("020405b4" + "01010402" + "01030300");
        assertThat(written(TcpOptionsWriter.writeSyn(fresh(), AT, 536, false,
                TcpOptionsWriter.NO_WINDOW_SCALE, false, 0, 0)))
                .isEqualTo("02040218");
        assertThat(parsed.hasWindowScale()).isFalse();
    }

    @Test
    void writesTimestampsForADataSegment() {
        int n = TcpOptionsWriter.writeTimestamps(buf, AT, 0xFFFFFFFF, 0x80000000);
        assertThat(n).isEqualTo(TcpOptionsWriter.TIMESTAMPS_LENGTH);
        assertThat(written(n)).isEqualTo("0101080a" + "ffffffff" + "80000000");
        assertThat(parsed.tsVal()).isEqualTo(-1);
        assertThat(parsed.tsEcr()).isEqualTo(Integer.MIN_VALUE);
    }

    @Test
    void writesTimestampsThenSackBlocks() {
        int[] left = {0x100, 0x300, 0x500, 0x700};
        int[] right = {0x200, 0x400, 0x600, 0x800};
        int n = TcpOptionsWriter.writeTimestamps(buf, AT, 7, 8);
        n += TcpOptionsWriter.writeSackBlocks(buf, AT + n, left, right, 3);
        assertThat(n).isEqualTo(40);
        assertThat(written(n)).isEqualTo("0101080a" + "00000007" + "00000008" + "0101051a"
                + "00000100" + "00000200" + "00000300" + "00000400" + "00000500" + "00000600");
        assertThat(parsed.sackBlockCount()).isEqualTo(3);
        assertThat(parsed.sackLeft(2)).isEqualTo(0x500);
        assertThat(parsed.sackRight(2)).isEqualTo(0x600);
    }

    @Test
    void writesFourSackBlocksAlone() {
        int[] edges = {1, 2, 3, 4};
        assertThat(TcpOptionsWriter.writeSackBlocks(buf, AT, edges, edges, 4)).isEqualTo(36);
        assertThat(written(36)).startsWith("01010522");
        assertThat(parsed.sackBlockCount()).isEqualTo(4);
    }

    @Test
    void refusesImpossibleSackBlockCounts() {
        int[] edges = new int[5];
        assertThatThrownBy(() -> TcpOptionsWriter.writeSackBlocks(buf, AT, edges, edges, 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TcpOptionsWriter.writeSackBlocks(buf, AT, edges, edges, 5))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
