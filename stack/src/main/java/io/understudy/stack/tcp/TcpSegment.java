package io.understudy.stack.tcp;

import io.understudy.stack.wire.TcpHeader;
import io.understudy.stack.wire.TcpOptions;
import java.nio.ByteBuffer;

/**
 * A received segment as the TCB consumes it: validated header fields, parsed options and where
 * the payload is. One reused instance, valid only during the call.
 */
public final class TcpSegment {
    /** SEG.SEQ. */
    public int seq;
    /** SEG.ACK (meaningful when {@link TcpHeader#ACK} is set). */
    public int ack;
    /** The flag bits, {@link TcpHeader#FIN} … {@link TcpHeader#CWR}. */
    public int flags;
    /** SEG.WND as on the wire, before window scaling. */
    public int window;
    /** SEG.UP. */
    public int urgentPointer;
    /** The options; {@link TcpOptions#problem()} tells whether parsing stopped early. */
    public final TcpOptions options = new TcpOptions();
    /** The buffer holding the payload. */
    public ByteBuffer buf;
    /** Index of the payload in {@link #buf}. */
    public int payloadAt;
    /** SEG.LEN without SYN and FIN: the payload length. */
    public int payloadLength;

    /** True when all of {@code mask}'s flags are set. */
    public boolean has(int mask) {
        return (flags & mask) == mask;
    }

    /** SEG.LEN: payload plus one for SYN and one for FIN (RFC 9293 §3.4). */
    public int length() {
        return payloadLength + (has(TcpHeader.SYN) ? 1 : 0) + (has(TcpHeader.FIN) ? 1 : 0);
    }

    /** Fills this from a validated header view; {@code at}/{@code length} delimit the whole segment. */
    public TcpSegment from(TcpHeader h) {
        seq = h.seq();
        ack = h.ack();
        flags = h.flags();
        window = h.window();
        urgentPointer = h.urgentPointer();
        options.parse(h.buffer(), h.optionsOffset(), h.optionsLength());
        buf = h.buffer();
        payloadAt = h.payloadOffset();
        payloadLength = h.payloadLength();
        return this;
    }
}
