package io.understudy.tap;

import static io.understudy.tap.HostNetwork.bringUp;
import static io.understudy.tap.HostNetwork.ip;
import static io.understudy.tap.HostNetwork.linkExists;
import static io.understudy.tap.TapOptions.TUN_F_CSUM;
import static io.understudy.tap.TapOptions.TUN_F_TSO4;
import static io.understudy.tap.TapOptions.TUN_F_TSO6;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import jnr.constants.platform.Errno;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Tests against real TAP devices: needs root (or CAP_NET_ADMIN), /dev/net/tun and iproute2.
 * Each test uses interfaces with unique names, and everything it creates is deleted after it.
 * The only traffic is between the kernel and the test's own TAP device, on 10.201.99.0/30.
 */
class TapDeviceTest {
    private static final byte[] HOST_IP = {10, (byte) 201, 99, 1};
    private static final byte[] PEER_IP = {10, (byte) 201, 99, 2};
    private static final byte[] PEER_MAC = {0x02, 0, 0, 0, 0, 0x02};
    private static final int ETHERTYPE_OFFSET = 12;
    private static final int ARP_OPCODE_OFFSET = 20;
    private static final int ARP_SENDER_IP_OFFSET = 28;
    private static final int ARP_TARGET_MAC_OFFSET = 32;
    private static final byte SENTINEL = (byte) 0xAA;

    private final List<TapDevice> devices = new ArrayList<>();
    private final List<String> interfaces = new ArrayList<>();
    private final List<String> persistentInterfaces = new ArrayList<>();

    @BeforeEach
    void requireTapDevices() {
        HostNetwork.requireTapDevices();
    }

    @AfterEach
    void deleteEverythingCreated() {
        devices.forEach(TapDevice::close);
        persistentInterfaces.forEach(HostNetwork::deleteIfPresent);
        List<String> leftovers = interfaces.stream().filter(HostNetwork::deleteIfPresent).toList();
        assertThat(interfaces).noneMatch(HostNetwork::linkExists);
        assertThat(persistentInterfaces).noneMatch(HostNetwork::linkExists);
        assertThat(leftovers).as("interfaces still present after their devices were closed").isEmpty();
    }

    @Test
    void createsTheNamedInterfaceAndRemovesItOnClose() throws IOException {
        TapDevice tap = open(TapOptions.of(HostNetwork.uniqueName()));

        assertThat(tap.name()).isEqualTo(tap.options().name());
        assertThat(linkExists(tap.name())).isTrue();

        tap.close();
        assertThat(linkExists(tap.name())).isFalse();
    }

    @Test
    void reportsTheNameTheKernelChoseForPercentD() throws IOException {
        TapDevice tap = open(TapOptions.of("usttk%d"));

        assertThat(tap.name()).matches("usttk\\d+");
        assertThat(linkExists(tap.name())).isTrue();
    }

    @Test
    void readReturnsZeroAndAwaitTimesOutWhenNoFrameIsWaiting() throws IOException {
        TapDevice tap = open(TapOptions.of(HostNetwork.uniqueName()));
        ByteBuffer dst = ByteBuffer.allocateDirect(2048);

        assertThat(tap.awaitReadable(10)).isFalse();
        assertThat(tap.read(dst)).isZero();
        assertThat(dst.position()).isZero();
    }

    @Test
    void writesABroadcastArpRequest() throws IOException {
        TapDevice tap = open(TapOptions.of(HostNetwork.uniqueName()));
        bringUp(tap.name());
        ByteBuffer frame = direct(arpRequest());

        assertThat(tap.write(frame)).isEqualTo(60);
        assertThat(frame.position()).isZero();
        assertThat(frame.limit()).isEqualTo(60);
    }

    @Test
    void writeWhileTheInterfaceIsDownFailsWithEio() throws IOException {
        TapDevice tap = open(TapOptions.of(HostNetwork.uniqueName()));

        assertThatThrownBy(() -> tap.write(direct(arpRequest())))
                .isInstanceOf(TapException.class)
                .hasMessage("write on TAP '" + tap.name() + "' failed: Input/output error (EIO)")
                .extracting(e -> ((TapException) e).errno()).isEqualTo(Errno.EIO.intValue());
    }

    /**
     * Writes an ARP request for the host's address from a buffer position other than 0 and
     * reads the kernel's reply into another buffer at another position: both calls use the
     * caller's memory in place, at position, and leave position and limit alone.
     */
    @Test
    void framesMoveInPlaceBetweenBuffersAndTheKernel() throws IOException {
        TapDevice tap = open(TapOptions.of(HostNetwork.uniqueName()));
        giveHostAddress(tap.name());
        ByteBuffer src = ByteBuffer.allocateDirect(128);
        fill(src, (byte) 0xEE);
        src.position(7).limit(7 + 60);
        src.put(7, arpRequest());

        assertThat(tap.write(src)).isEqualTo(60);
        assertThat(src.position()).isEqualTo(7);
        assertThat(src.limit()).isEqualTo(67);

        ByteBuffer dst = ByteBuffer.allocateDirect(2048);
        fill(dst, SENTINEL);
        dst.position(5);
        int n = readArpReply(tap, dst, 0);

        assertThat(dst.position()).isEqualTo(5);
        assertThat(dst.limit()).isEqualTo(2048);
        for (int i = 0; i < 5; i++) {
            assertThat(dst.get(i)).as("byte %d before the position", i).isEqualTo(SENTINEL);
        }
        assertThat(dst.get(5 + n)).as("byte after the frame").isEqualTo(SENTINEL);
        assertIsArpReplyToPeer(dst.slice(5, n));
    }

    @Test
    void vnetHeaderPrefixesFramesBothWays() throws IOException {
        TapDevice tap = open(TapOptions.withVnetHeader(HostNetwork.uniqueName(), TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6));
        giveHostAddress(tap.name());
        byte[] request = arpRequest();
        ByteBuffer src = ByteBuffer.allocateDirect(12 + request.length); // all-zero header: no checksum, no GSO
        src.put(12, request);

        assertThat(tap.write(src)).isEqualTo(12 + 60);

        ByteBuffer dst = ByteBuffer.allocateDirect(70_000);
        int n = readArpReply(tap, dst, 12);
        for (int i = 0; i < 10; i++) {
            assertThat(dst.get(i)).as("virtio_net_hdr byte %d (no flags, GSO_NONE)", i).isZero();
        }
        assertIsArpReplyToPeer(dst.slice(12, n - 12));
    }

    /**
     * The vnet header and the frame from two buffers (one writev), each at a position other than 0,
     * twice with the same buffers at other positions: the kernel gets exactly those bytes and answers.
     */
    @Test
    void aHeaderAndAFrameFromTwoBuffersAtAnyPosition() throws IOException {
        TapDevice tap = open(TapOptions.withVnetHeader(HostNetwork.uniqueName(), TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6));
        giveHostAddress(tap.name());
        ByteBuffer header = ByteBuffer.allocateDirect(64);
        ByteBuffer frames = ByteBuffer.allocateDirect(512);
        fill(frames, (byte) 0xEE);
        ByteBuffer dst = ByteBuffer.allocateDirect(70_000);
        for (int at : new int[] {3, 200}) {
            header.clear().position(at / 10).limit(at / 10 + 12); // zeros: no checksum work, no GSO
            frames.clear().put(at, arpRequest()).position(at).limit(at + 60);

            assertThat(tap.write(header, frames)).isEqualTo(12 + 60);
            assertThat(frames.position()).isEqualTo(at);

            int n = readArpReply(tap, dst.clear(), 12);
            assertIsArpReplyToPeer(dst.slice(12, n - 12));
        }
    }

    @Test
    void offloadsAreAlwaysSetSoNoneLingerOnAPersistentDevice() throws IOException {
        String name = HostNetwork.uniqueName();
        persistentInterfaces.add(name);
        ip("tuntap", "add", "dev", name, "mode", "tap", "vnet_hdr");

        try (TapDevice tap = TapDevice.open(TapOptions.withVnetHeader(name, TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6))) {
            assertThat(EthtoolProbe.txChecksumming(tap.name())).isTrue();
            assertThat(EthtoolProbe.tcpSegmentation(tap.name())).isTrue();
        }
        assertThat(EthtoolProbe.tcpSegmentation(name)).as("offloads outlive the fd on a persistent device").isTrue();

        try (TapDevice tap = TapDevice.open(TapOptions.of(name))) {
            assertThat(EthtoolProbe.txChecksumming(tap.name())).isFalse();
            assertThat(EthtoolProbe.tcpSegmentation(tap.name())).isFalse();
        }
        try (TapDevice tap = TapDevice.open(new TapOptions(name, true, TUN_F_CSUM, TapOptions.VNET_HDR_SIZE))) {
            assertThat(EthtoolProbe.txChecksumming(tap.name())).isTrue();
            assertThat(EthtoolProbe.tcpSegmentation(tap.name())).isFalse();
        }
    }

    @Test
    void secondOpenOfAnOpenDeviceIsBusy() throws IOException {
        TapDevice tap = open(TapOptions.of(HostNetwork.uniqueName()));

        assertThatThrownBy(() -> TapDevice.open(TapOptions.of(tap.name())))
                .isInstanceOf(TapException.class)
                .hasMessage("TAP device '" + tap.name() + "' is busy — another process has it open"
                        + " (is another Understudy instance running?)")
                .extracting(e -> ((TapException) e).errno()).isEqualTo(Errno.EBUSY.intValue());
        assertThat(linkExists(tap.name())).as("the failed open leaves the first device alone").isTrue();
    }

    @Test
    void nameOfAnInterfaceThatIsNotATapIsInvalid() {
        assertThatThrownBy(() -> TapDevice.open(TapOptions.of("lo")))
                .isInstanceOf(TapException.class)
                .hasMessageStartingWith("TUNSETIFF on TAP 'lo' failed: an interface named 'lo' exists but is not a single-queue TAP device")
                .extracting(e -> ((TapException) e).errno()).isEqualTo(Errno.EINVAL.intValue());
    }

    @Test
    void closeIsIdempotentAndLaterCallsFail() throws IOException {
        TapDevice tap = open(TapOptions.of(HostNetwork.uniqueName()));
        ByteBuffer buffer = direct(arpRequest());

        tap.close();
        tap.close();

        String closed = "TAP device '" + tap.name() + "' is closed";
        assertThatThrownBy(() -> tap.read(buffer)).isInstanceOf(TapException.class).hasMessage(closed);
        assertThatThrownBy(() -> tap.write(buffer)).isInstanceOf(TapException.class).hasMessage(closed);
        assertThatThrownBy(() -> tap.awaitReadable(0)).isInstanceOf(TapException.class).hasMessage(closed);
    }

    @Test
    void deletingTheInterfaceUnderAnOpenDeviceIsReported() throws IOException {
        TapDevice tap = open(TapOptions.of(HostNetwork.uniqueName()));
        ip("link", "delete", "dev", tap.name());

        assertThat(tap.awaitReadable(0)).as("poll reports the failure as readable").isTrue();
        assertThatThrownBy(() -> tap.read(ByteBuffer.allocateDirect(2048)))
                .hasMessage("read on TAP '" + tap.name() + "' failed: the interface was deleted while open — open the device again");
    }

    @Test
    void steadyStateIoAllocatesNothing() throws IOException {
        TapDevice tap = open(TapOptions.of(HostNetwork.uniqueName()));
        bringUp(tap.name());
        ByteBuffer frame = direct(experimentalFrame());
        ByteBuffer dst = ByteBuffer.allocateDirect(2048);
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

        exercise(tap, frame, dst, 20_000);
        long before = threads.getCurrentThreadAllocatedBytes();
        exercise(tap, frame, dst, 10_000);
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;

        assertThat(allocated).as("bytes allocated by 10,000 rounds of write, read and awaitReadable").isLessThan(1024);
    }

    private static void exercise(TapDevice tap, ByteBuffer frame, ByteBuffer dst, int rounds) throws IOException {
        for (int i = 0; i < rounds; i++) {
            tap.write(frame);
            tap.awaitReadable(0);
            tap.read(dst);
        }
    }

    private TapDevice open(TapOptions options) throws TapException {
        TapDevice tap = TapDevice.open(options);
        devices.add(tap);
        interfaces.add(tap.name());
        return tap;
    }

    private static void giveHostAddress(String name) throws IOException {
        ip("addr", "add", "10.201.99.1/30", "dev", name);
        bringUp(name);
    }

    /** Reads frames until the kernel's ARP reply, which must come within two seconds; returns its length. */
    private static int readArpReply(TapDevice tap, ByteBuffer dst, int headerSize) throws IOException {
        long deadline = System.nanoTime() + 2_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (!tap.awaitReadable(100)) {
                continue;
            }
            int n = tap.read(dst);
            int frame = dst.position() + headerSize;
            if (n > 0 && dst.getShort(frame + ETHERTYPE_OFFSET) == 0x0806 && dst.getShort(frame + ARP_OPCODE_OFFSET) == 2) {
                return n;
            }
        }
        throw new AssertionError("no ARP reply from the kernel within 2 s");
    }

    private static void assertIsArpReplyToPeer(ByteBuffer frame) {
        assertThat(bytes(frame, 0, 6)).as("destination MAC").isEqualTo(PEER_MAC);
        assertThat(frame.getShort(ETHERTYPE_OFFSET)).isEqualTo((short) 0x0806);
        assertThat(frame.getShort(ARP_OPCODE_OFFSET)).as("ARP opcode").isEqualTo((short) 2);
        assertThat(bytes(frame, ARP_SENDER_IP_OFFSET, 4)).as("sender IP").isEqualTo(HOST_IP);
        assertThat(bytes(frame, ARP_TARGET_MAC_OFFSET, 6)).as("target MAC").isEqualTo(PEER_MAC);
    }

    /** Broadcast "who has 10.201.99.1? tell 10.201.99.2", padded to the 60-byte minimum. */
    private static byte[] arpRequest() {
        ByteBuffer frame = ByteBuffer.allocate(60);
        frame.put(new byte[] {-1, -1, -1, -1, -1, -1}).put(PEER_MAC).putShort((short) 0x0806);
        frame.putShort((short) 1).putShort((short) 0x0800).put((byte) 6).put((byte) 4).putShort((short) 1);
        frame.put(PEER_MAC).put(PEER_IP).put(new byte[6]).put(HOST_IP);
        return frame.array();
    }

    /** A broadcast frame of the IEEE local experimental ethertype, which the kernel drops. */
    private static byte[] experimentalFrame() {
        ByteBuffer frame = ByteBuffer.allocate(60);
        frame.put(new byte[] {-1, -1, -1, -1, -1, -1}).put(PEER_MAC).putShort((short) 0x88B5);
        return frame.array();
    }

    private static ByteBuffer direct(byte[] bytes) {
        return ByteBuffer.allocateDirect(bytes.length).put(0, bytes);
    }

    private static void fill(ByteBuffer buffer, byte value) {
        for (int i = 0; i < buffer.capacity(); i++) {
            buffer.put(i, value);
        }
    }

    private static byte[] bytes(ByteBuffer buffer, int offset, int length) {
        byte[] bytes = new byte[length];
        buffer.get(offset, bytes);
        return bytes;
    }
}
