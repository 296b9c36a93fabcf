package io.understudy.stack.pcap;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PcapWriterTest {
    @Test
    void writesGlobalHeaderAndOneRecordPerFrameWithWallClockTimestamps(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("x.pcap");
        long wallOffset = 1_700_000_000_000_000_000L; // stack clock 0 = 2023-11-14T22:13:20Z
        byte[] frame = new byte[60];
        for (int i = 0; i < frame.length; i++) {
            frame[i] = (byte) i;
        }
        try (var pcap = new PcapWriter(file, wallOffset)) {
            pcap.frame(1_500_000_123L, ByteBuffer.wrap(frame));
            pcap.frame(2_000_000_000L, ByteBuffer.wrap(frame, 10, 20));
            assertThat(pcap.frames()).isEqualTo(2);
        }
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(b.getInt(0)).isEqualTo(0xa1b2c3d4);
        assertThat(b.getShort(4)).isEqualTo((short) 2);
        assertThat(b.getShort(6)).isEqualTo((short) 4);
        assertThat(b.getInt(16)).isEqualTo(262_144);
        assertThat(b.getInt(20)).isEqualTo(1);
        int r = 24;
        assertThat(b.getInt(r)).isEqualTo(1_700_000_001);
        assertThat(b.getInt(r + 4)).isEqualTo(500_000);
        assertThat(b.getInt(r + 8)).isEqualTo(60);
        assertThat(b.getInt(r + 12)).isEqualTo(60);
        assertThat(b.get(r + 16 + 59)).isEqualTo((byte) 59);
        r += 16 + 60;
        assertThat(b.getInt(r)).isEqualTo(1_700_000_002);
        assertThat(b.getInt(r + 4)).isZero();
        assertThat(b.getInt(r + 8)).isEqualTo(20);
        assertThat(b.get(r + 16)).isEqualTo((byte) 10);
        assertThat(b.limit()).isEqualTo(r + 16 + 20);
    }

    @Test
    void flushesWhenTheBufferFillsAndKeepsEveryFrame(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("big.pcap");
        byte[] frame = new byte[9_000];
        try (var pcap = new PcapWriter(file, 0)) {
            for (int i = 0; i < 500; i++) {
                pcap.frame(i, ByteBuffer.wrap(frame));
            }
        }
        assertThat(Files.size(file)).isEqualTo(24 + 500L * (16 + 9_000));
    }
}
