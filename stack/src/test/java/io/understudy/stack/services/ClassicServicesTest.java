package io.understudy.stack.services;

import static org.assertj.core.api.Assertions.assertThat;

import io.understudy.stack.TwoStacks;
import io.understudy.stack.socket.BlockingConnection;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The classic services on stack B, used by a {@link BlockingConnection} from stack A
 * ({@link TwoStacks}). Echo is exercised in {@code BlockingConnectionTest}.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ClassicServicesTest {
    private static final int MIB = 1 << 20;
    private static final long WAIT_MS = 30_000;
    /** RFC 864: 72 characters and CR LF a line. */
    private static final int LINE = 74, WIDTH = 72, PRINTABLE = 95;

    /** Byte {@code p} of RFC 864's stream: line k holds the printable characters from the k-th, wrapping. */
    private static byte chargenByte(long p) {
        long line = p / LINE;
        int column = (int) (p % LINE);
        if (column == WIDTH) {
            return '\r';
        }
        if (column == WIDTH + 1) {
            return '\n';
        }
        return (byte) (' ' + (line + column) % PRINTABLE);
    }

    @Test
    void chargenSendsRfc864LinesEachStartingOneCharacterLater() throws Exception {
        try (var net = TwoStacks.start()) {
            ClassicServices services = net.b().call(s -> ClassicServices.install(s.tcp()));
            var c = BlockingConnection.connect(net.a().executor(), TwoStacks.B_IP, ClassicServices.CHARGEN_PORT, WAIT_MS);

            byte[] got = c.inputStream().readNBytes(MIB);

            assertThat(got).hasSize(MIB);
            byte[] expected = new byte[MIB];
            for (int p = 0; p < MIB; p++) {
                expected[p] = chargenByte(p);
            }
            assertThat(Arrays.mismatch(got, expected)).as("first wrong byte").isEqualTo(-1);
            assertThat(new String(got, 0, 2 * LINE, StandardCharsets.US_ASCII)).isEqualTo(
                    " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefg\r\n"
                    + "!\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefgh\r\n");
            c.close();
            assertThat(c.awaitClosed(WAIT_MS)).as("closed").isTrue();
            assertThat(net.b().<Long>call(s -> services.generated())).isGreaterThanOrEqualTo(MIB);
        }
    }

    @Test
    void discardSwallowsFourMebibytesAndClosesCleanly() throws Exception {
        try (var net = TwoStacks.start()) {
            ClassicServices services = net.b().call(s -> ClassicServices.install(s.tcp()));
            var c = BlockingConnection.connect(net.a().executor(), TwoStacks.B_IP, ClassicServices.DISCARD_PORT, WAIT_MS);
            byte[] chunk = new byte[64 * 1024];
            Arrays.fill(chunk, (byte) 'x');
            OutputStream out = c.outputStream();

            for (int i = 0; i < 4 * MIB / chunk.length; i++) {
                out.write(chunk);
            }
            c.close();

            assertThat(c.awaitClosed(WAIT_MS)).as("closed").isTrue();
            InputStream in = c.inputStream();
            assertThat(in.read()).as("a clean close: the end of the stream, no reset").isEqualTo(-1);
            assertThat(net.b().<Long>call(s -> services.discarded())).isEqualTo(4L * MIB);
            assertThat(net.b().<Long>call(s -> services.echoed() + services.generated())).isZero();
        }
    }
}
