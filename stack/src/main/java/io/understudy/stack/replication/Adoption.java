package io.understudy.stack.replication;

import io.understudy.stack.tcp.FileRegion;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * One connection a standby adopts at takeover: its last replicated scalar state, the received
 * bytes it holds and its send queue. Built by the standby's applier from its shadow TCB and handed
 * to {@link io.understudy.stack.NetStack#takeover}.
 *
 * @param image the scalar state
 * @param received the received in-order bytes from the application's resume mark
 *                 ({@link TcbImage#markReceiveOffset}) up to the end of the data (the FIN, if any,
 *                 is not a byte): the first {@code receiveOffset - markReceiveOffset} bytes were
 *                 consumed already and are replayed to the application; the rest is the receive
 *                 queue. Position to limit; may be a view of a larger buffer.
 * @param sendStartSeq the sequence number of the first byte of {@code sendQueue}:
 *                     {@code max(sndUna, iss + 1)}
 * @param sendQueue the unacknowledged send queue from {@code sendStartSeq} to
 *                  {@link TcbImage#sndEnd}, in order
 */
public record Adoption(TcbImage image, ByteBuffer received, int sendStartSeq, List<SendItem> sendQueue) {
    /** A piece of a send queue: literal bytes or a file region. */
    public sealed interface SendItem permits Bytes, File {
        /** Its length in sequence space. */
        long length();
    }

    /** Literal bytes, position to limit. */
    public record Bytes(ByteBuffer bytes) implements SendItem {
        @Override
        public long length() {
            return bytes.remaining();
        }
    }

    /** A file region, read from the same file on this host. */
    public record File(FileRegion region) implements SendItem {
        @Override
        public long length() {
            return region.length();
        }
    }
}
