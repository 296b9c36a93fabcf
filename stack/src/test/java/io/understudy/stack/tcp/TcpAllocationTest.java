package io.understudy.stack.tcp;

import static io.understudy.stack.tcp.TcpHarness.LOCAL;
import static io.understudy.stack.tcp.TcpHarness.MS;
import static io.understudy.stack.tcp.TcpHarness.PEER_TS_OFFSET;
import static io.understudy.stack.tcp.TcpHarness.REMOTE;
import static io.understudy.stack.tcp.TcpHarness.TS_OFFSET;
import static io.understudy.stack.tcp.TcpHarness.seg;
import static io.understudy.stack.wire.TcpHeader.ACK;
import static io.understudy.stack.wire.TcpHeader.PSH;
import static org.assertj.core.api.Assertions.assertThat;

import io.understudy.stack.wire.TcpHeader;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** The steady state allocates nothing: an in-order data segment in, a response out, its ACK in. */
class TcpAllocationTest {
    private static final int REQUEST = 100;
    private static final int RESPONSE = 300;
    /** Offset of TSval in a segment built with timestamps only: 20 + NOP NOP kind len. */
    private static final int TSVAL_AT = 24;

    private final byte[] readBuffer = new byte[4096];
    private final byte[] response = new byte[RESPONSE];
    private final TcpSegment segment = new TcpSegment();
    private final TcpHeader header = new TcpHeader();
    private final ByteBuffer outBuffer = ByteBuffer.allocate(2048);
    private final SegmentSink sink = new SegmentSink() {
        @Override
        public ByteBuffer segmentBuffer() {
            return outBuffer;
        }

        @Override
        public int segmentOffset() {
            return 0;
        }

        @Override
        public int maxSegmentLength() {
            return 1480;
        }

        @Override
        public void send(long now, TcpTuple tuple, int length) {
            sent++;
        }
    };
    private long sent;
    private long now;
    private int peerSeq = REMOTE + 1;
    private int ourSeq = LOCAL + 1;

    @Test
    void dataSegmentResponseAndAckRoundAllocatesNothing() {
        TcpHarness h = TcpHarness.established();
        TcpConnection c = h.c;
        c.handler(new TcpHandler() {
            @Override
            public void onReadable(TcpConnection conn) {
                while (conn.read(readBuffer, 0, readBuffer.length) > 0) {
                    // the request
                }
                conn.write(response, 0, response.length);
            }
        });
        ByteBuffer data = h.build(seg().flags(ACK | PSH).seq(0).ack(0).len(REQUEST).ts(0, 0)).buf;
        ByteBuffer ack = h.build(seg().flags(ACK).seq(0).ack(0).ts(0, 0)).buf;
        Runnable rounds = () -> {
            for (int i = 0; i < 2000; i++) {
                now += MS;
                deliver(c, data, peerSeq, ourSeq);
                peerSeq += REQUEST;
                c.output(now, sink);
                ourSeq += RESPONSE;
                now += MS;
                deliver(c, ack, peerSeq, ourSeq);
                c.output(now, sink);
                if (c.nextDeadline() - now <= 0) {
                    c.onTimer(now);
                }
            }
        };
        long allocated = Allocations.steadyState(rounds);
        assertThat(c.state()).isEqualTo(TcpState.ESTABLISHED);
        assertThat(c.info().bytesInFlight()).isZero();
        assertThat(sent).isGreaterThan(10_000);
        assertThat(allocated).isZero();
    }

    private void deliver(TcpConnection c, ByteBuffer buf, int seq, int ackNumber) {
        header.wrap(buf, 0, buf.limit()).seq(seq).ack(ackNumber);
        buf.putInt(TSVAL_AT, (int) (now / MS) + PEER_TS_OFFSET);
        buf.putInt(TSVAL_AT + 4, (int) (now / MS) - 1 + TS_OFFSET);
        c.onSegment(now, segment.from(header));
    }
}
