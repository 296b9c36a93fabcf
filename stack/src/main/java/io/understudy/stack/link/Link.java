package io.understudy.stack.link;

import java.nio.ByteBuffer;

/**
 * Where the stack sends Ethernet frames. The stack never imports the TAP module: the
 * launcher adapts a TAP device to this interface, and unit tests use an in-memory link.
 * Called only from the stack thread.
 */
public interface Link {
    /**
     * Transmits one Ethernet frame: the bytes between {@code frame.position()} and
     * {@code frame.limit()}. The link is done with the buffer when this returns (it copies
     * or writes it out); it must not change the buffer's position or limit.
     */
    void transmit(ByteBuffer frame);

    /** End of a ring batch: push out anything the link buffered. */
    default void flush() {}

    /** {@link #offloads()}: the link completes partial TCP checksums. */
    int OFFLOAD_CSUM = 1;
    /** {@link #offloads()}: the link cuts a large TCP segment into MSS-sized ones (TSO/GSO). Needs {@link #OFFLOAD_CSUM}. */
    int OFFLOAD_TSO = 2;

    /** What the link does for the stack, a combination of {@code OFFLOAD_*} (0: plain frames, the default). */
    default int offloads() {
        return 0;
    }

    /**
     * Bytes before each received frame that are the link's own (a virtio-net header,
     * {@link VnetHeader}), 0 for plain frames. The stack reads them and skips them.
     */
    default int receiveHeaderLength() {
        return 0;
    }

    /**
     * Transmits one Ethernet frame with work left to the link (only called when
     * {@link #offloads()} allows it): the TCP checksum at {@code csumStart + csumOffset} holds only
     * the pseudo-header sum, and, when {@code gsoSize > 0}, the TCP payload after the
     * {@code headerLength} bytes of headers is to be cut into segments of {@code gsoSize} bytes.
     */
    default void transmit(ByteBuffer frame, int csumStart, int csumOffset, int gsoSize, int headerLength) {
        throw new UnsupportedOperationException("this link takes no offloads");
    }
}
