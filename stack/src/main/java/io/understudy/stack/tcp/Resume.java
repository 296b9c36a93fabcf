package io.understudy.stack.tcp;

import java.nio.ByteBuffer;

/**
 * What an application needs to resume a connection a standby adopted at takeover (see
 * {@link TcpHandler#onAdopted}): the state lives in the byte streams, plus the resume mark the
 * application set on the primary with {@link TcpConnection#resumeMark}.
 *
 * <p>{@link TcpHandler#onAdopted} is followed by the callbacks the primary's application would
 * have heard next: readable (data waiting), peer closed (the peer's FIN arrived), writable.
 *
 * @param replay received bytes the application had already consumed on the primary after its
 *               mark ({@code markReceiveOffset} to the consumed point), to be decoded again before
 *               the receive queue; empty when none. Position to limit; the application's to keep.
 * @param sendSkip how many bytes of output the application produced on the primary after its
 *                 send mark: they are in the send queue already, so the application skips that
 *                 many bytes of what it produces again; -1 when there was no send mark (nothing
 *                 was being produced)
 * @param word the mark's opaque word
 */
public record Resume(ByteBuffer replay, long sendSkip, long word) {
    /** No mark was set: nothing to replay, nothing being produced. */
    public static Resume none() {
        return new Resume(ByteBuffer.allocate(0), -1, 0);
    }
}
