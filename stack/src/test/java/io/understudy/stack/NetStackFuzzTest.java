package io.understudy.stack;

import static io.understudy.stack.Frames.L3;
import static io.understudy.stack.Frames.echoRequest;
import static io.understudy.stack.Frames.ipv4;
import static io.understudy.stack.StackHarness.MS;
import static io.understudy.stack.StackHarness.OUR_IP;
import static io.understudy.stack.StackHarness.OUR_MAC;
import static io.understudy.stack.StackHarness.PEER_IP;
import static io.understudy.stack.StackHarness.PEER_MAC;
import static io.understudy.stack.StackHarness.SECOND;
import static io.understudy.stack.StackHarness.toUs;
import static org.assertj.core.api.Assertions.assertThat;

import io.understudy.stack.wire.ArpPacket;
import io.understudy.stack.wire.EthernetFrame;
import io.understudy.stack.wire.IcmpMessage;
import io.understudy.stack.wire.Ipv4Header;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Random frames, and valid frames to us with random damage (checksums fixed up half the time so
 * the damage reaches the deeper checks), through one stack on a moving clock. Nothing may throw,
 * and every frame the stack sends must be well formed ({@link StackHarness#sent()} checks).
 */
class NetStackFuzzTest {
    private static final int CASES = 20_000;

    private final Random random = new Random(0x5EED_0826L);
    private final StackHarness h = new StackHarness();

    @Test void randomAndDamagedFramesNeverThrowAndEverythingSentIsWellFormed() {
        h.knows(PEER_MAC, PEER_IP);
        for (int n = 0; n < CASES; n++) {
            byte[] frame = random.nextInt(4) == 0 ? randomFrame() : damage(validFrame());
            try {
                h.receive(frame);
                if (random.nextInt(8) == 0) {
                    h.at(h.now() + random.nextInt(200) * MS).tick();
                }
                h.sent();
            } catch (RuntimeException | AssertionError e) {
                throw new AssertionError("case " + n + ": " + Frames.hex(frame), e);
            }
        }
        h.at(h.now() + 60 * SECOND).tick();
        h.sent();
        for (Counter c : new Counter[] {Counter.ARP_REPLIES_SENT, Counter.ARP_REQUESTS_SENT, Counter.ICMP_ECHO_REPLIES_SENT,
                Counter.ICMP_UNREACHABLES_SENT, Counter.IP_REASSEMBLED, Counter.DROP_IP_BAD_CHECKSUM,
                Counter.DROP_ICMP_BAD_CHECKSUM, Counter.DROP_ARP_BAD_FORMAT, Counter.DROP_ARP_UNRESOLVED}) {
            assertThat(h.count(c)).as("%s: the fuzz reached it", c.metricName()).isGreaterThan(10);
        }
    }

    /** Random bytes; half the time with our MAC and an interesting EtherType so they get past Ethernet. */
    private byte[] randomFrame() {
        byte[] f = new byte[random.nextInt(120)];
        random.nextBytes(f);
        if (f.length >= L3 && random.nextBoolean()) {
            ByteBuffer b = ByteBuffer.wrap(f);
            new EthernetFrame().wrap(b, 0, f.length).dst(OUR_MAC)
                    .etherType(random.nextBoolean() ? EthernetFrame.TYPE_IPV4 : EthernetFrame.TYPE_ARP);
        }
        return f;
    }

    /** A valid frame to us: ARP, echo (whole or a fragment), UDP or an unknown protocol, from a random neighbour. */
    private byte[] validFrame() {
        boolean peer = random.nextBoolean();
        long mac = peer ? PEER_MAC : 0x0200_0000_0000L | random.nextInt(1 << 16);
        int ip = peer ? PEER_IP : (OUR_IP & 0xFFFFFF00) | (2 + random.nextInt(200));
        byte[] data = Frames.pattern(random.nextInt(3000), random.nextInt());
        return switch (random.nextInt(6)) {
            case 0 -> Frames.arpFrame(ArpPacket.REQUEST, mac, ip, 0, OUR_IP);
            case 1 -> Frames.arpFrame(ArpPacket.REPLY, mac, ip, OUR_MAC, OUR_IP);
            case 2 -> toUs(mac, ipv4(ip, OUR_IP, Ipv4Header.PROTO_ICMP, random.nextInt(4), echoRequest(1, 2, data)));
            case 3 -> lastFragment(mac, ipv4(ip, OUR_IP, Ipv4Header.PROTO_ICMP, random.nextInt(1 << 16), echoRequest(1, 2, data)));
            case 4 -> toUs(mac, ipv4(ip, OUR_IP, Ipv4Header.PROTO_UDP, 1, Frames.udp(ip, OUR_IP, 1, 2, data)));
            default -> toUs(mac, ipv4(ip, OUR_IP, random.nextInt(256), 1, Arrays.copyOf(data, 20)));
        };
    }

    /**
     * Cuts {@code datagram} into fragments of 8..1480 bytes, feeds all but one of them (in random
     * order) and returns the one left, whose damage decides whether the datagram completes.
     */
    private byte[] lastFragment(long mac, byte[] datagram) {
        int payload = datagram.length - Ipv4Header.MIN_LENGTH;
        int size = 8 * (1 + random.nextInt(185));
        List<byte[]> fragments = new ArrayList<>();
        for (int offset = 0; offset < payload; offset += size) {
            fragments.add(toUs(mac, Frames.fragment(datagram, offset, Math.min(size, payload - offset))));
        }
        Collections.shuffle(fragments, random);
        for (byte[] f : fragments.subList(1, fragments.size())) {
            h.receive(f);
        }
        return fragments.get(0);
    }

    /** A few random bytes changed, maybe truncated or padded, and half the time checksums fixed up. */
    private byte[] damage(byte[] frame) {
        byte[] f = frame;
        int changes = random.nextInt(4);
        for (int i = 0; i < changes; i++) {
            int headers = Math.min(f.length, L3 + 60 + 8);
            f[random.nextInt(random.nextBoolean() ? headers : f.length)] = (byte) random.nextInt(256);
        }
        if (random.nextInt(6) == 0) {
            f = Arrays.copyOf(f, random.nextInt(f.length + 1));
        } else if (random.nextInt(6) == 0) {
            f = Arrays.copyOf(f, f.length + random.nextInt(20));
        }
        if (random.nextBoolean()) {
            fixChecksums(f);
        }
        return f;
    }

    private static void fixChecksums(byte[] f) {
        if (f.length < L3 + Ipv4Header.MIN_LENGTH) {
            return;
        }
        ByteBuffer b = ByteBuffer.wrap(f);
        Ipv4Header ip = new Ipv4Header().wrap(b, L3, f.length - L3);
        if (ip.headerLength() < Ipv4Header.MIN_LENGTH || ip.headerLength() > f.length - L3) {
            return;
        }
        ip.writeChecksum();
        int length = ip.totalLength() - ip.headerLength();
        if (ip.protocol() == Ipv4Header.PROTO_ICMP && !ip.isFragment() && length >= IcmpMessage.HEADER_LENGTH
                && ip.payloadOffset() + length <= f.length) {
            new IcmpMessage().wrap(b, ip.payloadOffset(), length).writeChecksum(length);
        }
    }
}
