package io.understudy.stack.tcp;

import java.nio.ByteBuffer;

/**
 * Where a TCB writes the segments it sends. The TCB writes a whole TCP segment — header,
 * options, payload — into {@link #segmentBuffer()} at {@link #segmentOffset()} and calls
 * {@link #send}; the sink fills in the checksum and hands it to IP. The TCP layer implements
 * it over the IP layer; tests implement it by parsing what they are given.
 */
public interface SegmentSink {
    /** The buffer to write the next segment into; valid until {@link #send} returns. */
    ByteBuffer segmentBuffer();

    /** Where in {@link #segmentBuffer()} the TCP header starts. */
    int segmentOffset();

    /** Largest segment (header + options + payload) the buffer takes. */
    int maxSegmentLength();

    /** Sends the {@code length}-byte segment at {@link #segmentOffset()} for connection {@code tuple}. */
    void send(long now, TcpTuple tuple, int length);

    /**
     * The largest segment (header + options + payload) that may be sent now to {@code tuple} as
     * one large segment the link cuts into MSS-sized ones (TSO); 0 when the link cannot.
     */
    default int largeSegmentLength(TcpTuple tuple, long now) {
        return 0;
    }

    /**
     * Sends the {@code length}-byte segment at {@link #segmentOffset()} as a large segment the
     * link cuts into segments of {@code payloadPerSegment} bytes after the {@code headerLength}
     * bytes of TCP header (only after {@link #largeSegmentLength} allowed it).
     */
    default void sendLarge(long now, TcpTuple tuple, int length, int headerLength, int payloadPerSegment) {
        throw new UnsupportedOperationException("this sink sends no large segments");
    }
}
