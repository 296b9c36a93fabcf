package io.understudy.httpd;

import java.nio.ByteBuffer;

/**
 * Receives a request's content as it is decoded, instead of the decoder buffering it into
 * {@link Request#body()}. Installed per request with {@link RequestDecoder#streamBody} when the
 * decoder reports {@link RequestDecoder.Status#HEAD_READY}.
 */
@FunctionalInterface
public interface BodySink {
    /**
     * Takes the next content bytes, in order, already de-chunked. {@code data} is a read-only view
     * into the caller's input buffer: valid only during this call, so copy what must outlive it.
     * Called on the decoding thread, from inside {@link RequestDecoder#decode}.
     */
    void onBody(ByteBuffer data);
}
