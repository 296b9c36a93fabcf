package io.understudy.benchmarks;

import io.understudy.stack.link.Link;
import io.understudy.stack.link.VnetHeader;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The link of a stack under measurement. While {@link #capture} is on (during {@code @Setup}) it
 * keeps a copy of every frame so a lab can deliver it to the other stack; once the benchmark
 * runs it copies nothing and drops every frame after reading the few fields a peer would act
 * on: the TSval of the last TCP segment (echoed in the next ACK), the last acknowledgment
 * number, and whether an ARP request went out (answered by the benchmark). Allocation-free
 * while not capturing.
 */
final class BenchLink implements Link {
    private static final int ETH = 14;
    private static final int ETHER_TYPE = 12;
    private static final int TYPE_IPV4 = 0x0800, TYPE_ARP = 0x0806;

    private final int receiveHeaderLength;
    /** {@link Link#offloads()}; may change between batches (the stack asks on every send). */
    int offloads;
    boolean capture = true;
    final List<byte[]> captured = new ArrayList<>();

    long frames, bytes, offloadedFrames, gsoFrames, arpRequests;
    boolean arpRequested;
    int lastTsVal, lastAck;

    BenchLink(int receiveHeaderLength) {
        this.receiveHeaderLength = receiveHeaderLength;
    }

    @Override
    public int offloads() {
        return offloads;
    }

    @Override
    public int receiveHeaderLength() {
        return receiveHeaderLength;
    }

    @Override
    public void transmit(ByteBuffer frame) {
        seen(frame);
    }

    @Override
    public void transmit(ByteBuffer frame, int csumStart, int csumOffset, int gsoSize, int headerLength) {
        offloadedFrames++;
        if (gsoSize > 0) {
            gsoFrames++;
        }
        if (capture) {
            throw new IllegalStateException("turn offloads on after setup: the lab's other stack takes plain frames");
        }
        seen(frame);
    }

    private void seen(ByteBuffer frame) {
        frames++;
        int at = frame.position();
        bytes += frame.remaining();
        if (capture) {
            captured.add(copy(frame));
            return;
        }
        int type = frame.getShort(at + ETHER_TYPE) & 0xFFFF;
        if (type == TYPE_ARP) {
            if (frame.getShort(at + ETH + 6) == 1) { // oper REQUEST
                arpRequested = true;
                arpRequests++;
            }
        } else if (type == TYPE_IPV4 && frame.get(at + ETH + 9) == 6) {
            int tcpAt = at + ETH + ((frame.get(at + ETH) & 0x0F) << 2);
            lastAck = frame.getInt(tcpAt + 8);
            int ts = Frames.tsValOffset(frame, tcpAt);
            if (ts >= 0) {
                lastTsVal = frame.getInt(ts);
            }
        }
    }

    /** Takes the frames captured since the last call. */
    List<byte[]> take() {
        List<byte[]> out = new ArrayList<>(captured);
        captured.clear();
        return out;
    }

    static byte[] copy(ByteBuffer frame) {
        byte[] b = new byte[frame.remaining()];
        frame.get(frame.position(), b);
        return b;
    }

    /** {@code frame} as received through a link with a virtio-net header: checksum verified by the host. */
    static byte[] withVnetHeader(byte[] frame) {
        byte[] b = new byte[VnetHeader.LENGTH + frame.length];
        System.arraycopy(frame, 0, b, VnetHeader.LENGTH, frame.length);
        b[0] = (byte) VnetHeader.F_DATA_VALID;
        return b;
    }
}
