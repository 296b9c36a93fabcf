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
}
