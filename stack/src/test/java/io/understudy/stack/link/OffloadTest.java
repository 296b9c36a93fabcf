package io.understudy.stack.link;

import static org.assertj.core.api.Assertions.assertThat;

import io.understudy.stack.Counter;
import io.understudy.stack.EchoClient;
import io.understudy.stack.Frames;
import io.understudy.stack.NetStack;
import io.understudy.stack.StackConfig;
import io.understudy.stack.services.ClassicServices;
import io.understudy.stack.tcp.CloseReason;
import io.understudy.stack.tcp.TcpConfig;
import io.understudy.stack.tcp.TcpSecret;
import io.understudy.stack.wire.Checksum;
import io.understudy.stack.wire.Ipv4Address;
import io.understudy.stack.wire.MacAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The offload path, without a TAP: a server stack whose link takes partial checksums and large
 * segments (as a TAP with {@code IFF_VNET_HDR} and TSO does) talks to a plain client stack
 * through a wire that does what the kernel would — completes checksums, cuts large segments
 * into MSS-sized ones — and prefixes what the server receives with a virtio-net header (checksum
 * verified, or partial). The echo must be byte-exact, every frame on the wire well formed, and
 * large segments must actually have been used.
 */
class OffloadTest {
    static final int CLIENT_IP = Ipv4Address.parse("10.8.0.1"), SERVER_IP = Ipv4Address.parse("10.8.0.2");
    static final StackConfig CLIENT = new StackConfig(MacAddress.parse("02:00:00:00:08:01"), CLIENT_IP, 24, 0, 1500);
    static final StackConfig SERVER = new StackConfig(MacAddress.parse("02:00:00:00:08:02"), SERVER_IP, 24, 0, 1500);

    /** The server's link: offloads on; what it sends is segmented and completed in software. */
    static final class OffloadingLink implements Link {
        final List<byte[]> toClient = new ArrayList<>();
        int largeFrames, partialFrames;
        int largestFrame;

        @Override
        public int offloads() {
            return OFFLOAD_CSUM | OFFLOAD_TSO;
        }

        @Override
        public int receiveHeaderLength() {
            return VnetHeader.LENGTH;
        }

        @Override
        public void transmit(ByteBuffer frame) {
            toClient.add(bytes(frame));
        }

        @Override
        public void transmit(ByteBuffer frame, int csumStart, int csumOffset, int gsoSize, int headerLength) {
            byte[] f = bytes(frame);
            partialFrames++;
            largestFrame = Math.max(largestFrame, f.length);
            assertThat(csumStart).isEqualTo(34);
            assertThat(csumOffset).isEqualTo(16);
            if (gsoSize == 0) {
                toClient.add(SoftwareOffload.complete(f));
                return;
            }
            largeFrames++;
            toClient.addAll(SoftwareOffload.segment(f, gsoSize, headerLength));
        }

    }

    /** The client's link: plain frames. */
    static final class PlainLink implements Link {
        final List<byte[]> toServer = new ArrayList<>();

        @Override
        public void transmit(ByteBuffer frame) {
            toServer.add(bytes(frame));
        }
    }

    static byte[] bytes(ByteBuffer frame) {
        byte[] b = new byte[frame.remaining()];
        frame.duplicate().get(b);
        return b;
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "replicated: {0}")
    @org.junit.jupiter.params.provider.ValueSource(booleans = {false, true})
    void anEchoThroughALinkWithChecksumAndSegmentationOffloadIsByteExact(boolean replicated) {
        OffloadingLink serverLink = new OffloadingLink();
        PlainLink clientLink = new PlainLink();
        long now = 1_000_000_000L;
        TcpSecret secret = new TcpSecret(1, 2);
        NetStack server = new NetStack(SERVER, TcpConfig.defaults(1500), secret, 64, serverLink, now);
        NetStack client = new NetStack(CLIENT, TcpConfig.defaults(1500), secret, 64, clientLink, now);
        ClassicServices.install(server.tcp());
        io.understudy.stack.replication.ShadowLog shadows = new io.understudy.stack.replication.ShadowLog();
        if (replicated) {
            // Output commit holds frames until their record is acknowledged: they must keep their offload details.
            server.attachReplication(now, shadows);
        }
        byte[] data = new byte[3_000_000];
        new Random(5).nextBytes(data);
        EchoClient echo = new EchoClient(data);
        client.tcp().connect(now, SERVER_IP, ClassicServices.ECHO_PORT, echo);
        client.onBatchEnd(now);
        Random flags = new Random(9);
        for (int step = 0; step < 200_000 && echo.reason == null; step++) {
            now += 100_000;
            for (byte[] f : clientLink.toServer) {
                // Received through a TAP with a vnet header: some frames checksum-verified, some partial.
                byte[] framed = new byte[VnetHeader.LENGTH + f.length];
                System.arraycopy(f, 0, framed, VnetHeader.LENGTH, f.length);
                ByteBuffer b = ByteBuffer.wrap(framed);
                if (flags.nextBoolean() && f.length > 54 && (f[23] & 0xFF) == 6) {
                    VnetHeader.write(b, 0, 34, 16, 0, 0); // NEEDS_CSUM: only the pseudo-header sum is there
                    ByteBuffer tcp = ByteBuffer.wrap(framed, VnetHeader.LENGTH, f.length);
                    int len = f.length - 34;
                    int pseudo = Checksum.pseudoHeader(tcp.getInt(VnetHeader.LENGTH + 26), tcp.getInt(VnetHeader.LENGTH + 30), 6, len);
                    b.putShort(VnetHeader.LENGTH + 34 + 16, (short) ~Checksum.finish(pseudo));
                } else {
                    framed[0] = (byte) VnetHeader.F_DATA_VALID;
                }
                server.onFrame(now, b);
            }
            clientLink.toServer.clear();
            for (byte[] f : serverLink.toClient) {
                assertThat(Frames.problemWith(f, SERVER)).as("frame to the client %s", Frames.hex(f)).isNull();
                client.onFrame(now, ByteBuffer.wrap(f));
            }
            serverLink.toClient.clear();
            server.onBatchEnd(now);
            if (replicated) {
                server.replicationAcked(shadows.committed());
            }
            client.onBatchEnd(now);
        }
        assertThat(echo.reason).isEqualTo(CloseReason.NORMAL);
        assertThat(echo.got.toByteArray()).isEqualTo(data);
        assertThat(serverLink.largeFrames).as("large segments sent").isGreaterThan(10);
        assertThat(serverLink.largestFrame).isGreaterThan(20_000);
        assertThat(server.counters().get(Counter.TX_GSO_FRAMES)).isEqualTo(serverLink.largeFrames);
        assertThat(server.counters().get(Counter.DROP_TCP_BAD_CHECKSUM)).isZero();
        assertThat(client.counters().get(Counter.DROP_TCP_BAD_CHECKSUM)).isZero();
        assertThat(client.counters().get(Counter.TCP_RETRANSMITS)).isZero();
        assertThat(server.counters().get(Counter.TCP_RETRANSMITS)).isZero();
        if (replicated) {
            assertThat(server.counters().get(Counter.REPLICATION_FRAMES_HELD)).isPositive();
        }
    }
}
