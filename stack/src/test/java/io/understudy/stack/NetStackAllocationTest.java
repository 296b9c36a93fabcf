package io.understudy.stack;

import static io.understudy.stack.Frames.arpFrame;
import static io.understudy.stack.Frames.echoRequest;
import static io.understudy.stack.Frames.ipv4;
import static io.understudy.stack.Frames.pattern;
import static io.understudy.stack.StackHarness.CONFIG;
import static io.understudy.stack.StackHarness.OUR_IP;
import static io.understudy.stack.StackHarness.PEER_IP;
import static io.understudy.stack.StackHarness.PEER_MAC;
import static io.understudy.stack.StackHarness.toUs;
import static io.understudy.stack.wire.ArpPacket.REQUEST;
import static io.understudy.stack.wire.Ipv4Header.PROTO_ICMP;
import static org.assertj.core.api.Assertions.assertThat;

import io.understudy.stack.link.Link;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** The steady state allocates nothing: no garbage per frame on the stack thread. */
class NetStackAllocationTest {
    private static final int ROUNDS = 10_000;

    /** A link that only counts, so the test itself allocates nothing per frame. */
    private static final class CountingLink implements Link {
        long frames;

        @Override public void transmit(ByteBuffer frame) {
            frames++;
        }
    }

    @Test void answeringArpAndEchoRequestsAllocatesNothing() {
        var bean = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        var link = new CountingLink();
        var stack = new NetStack(CONFIG, link, 0);
        ByteBuffer arp = direct(arpFrame(REQUEST, PEER_MAC, PEER_IP, 0, OUR_IP));
        ByteBuffer echo = direct(toUs(PEER_MAC, ipv4(PEER_IP, OUR_IP, PROTO_ICMP, 0x4242, echoRequest(1, 1, pattern(56, 0)))));

        long now = answer(stack, arp, echo, 3 * ROUNDS, 0); // warm up, so the JIT has done its work
        long before = bean.getCurrentThreadAllocatedBytes();
        answer(stack, arp, echo, ROUNDS, now);
        long allocated = bean.getCurrentThreadAllocatedBytes() - before;

        assertThat(link.frames).isEqualTo(2 * 4 * ROUNDS);
        assertThat(stack.counters().get(Counter.ICMP_ECHO_REPLIES_SENT)).isEqualTo(4 * ROUNDS);
        assertThat(allocated).as("bytes allocated answering %d ARP and %d echo requests", ROUNDS, ROUNDS)
                .isLessThan(4096);
    }

    /** Feeds {@code rounds} ARP and echo requests, one batch each, 1 µs apart; returns the time reached. */
    private static long answer(NetStack stack, ByteBuffer arp, ByteBuffer echo, int rounds, long now) {
        for (int i = 0; i < rounds; i++) {
            now += 1_000;
            stack.onFrame(now, arp.clear());
            stack.onFrame(now, echo.clear());
            stack.onBatchEnd(now);
        }
        return now;
    }

    private static ByteBuffer direct(byte[] frame) {
        return ByteBuffer.allocateDirect(frame.length).put(0, frame);
    }
}
