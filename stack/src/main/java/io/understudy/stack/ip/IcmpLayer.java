package io.understudy.stack.ip;

import io.understudy.stack.Counter;
import io.understudy.stack.Counters;
import io.understudy.stack.wire.IcmpMessage;
import io.understudy.stack.wire.Ipv4Header;
import java.nio.ByteBuffer;

/**
 * ICMPv4 (RFC 792, RFC 1122 §3.2.2): answers echo requests and reports undeliverable datagrams
 * with rate-limited destination-unreachable messages. Stack thread only.
 */
public final class IcmpLayer implements IpProtocolHandler {
    static final int PROTOCOL_UNREACHABLE = IcmpMessage.CODE_PROTOCOL_UNREACHABLE;
    static final int PORT_UNREACHABLE = IcmpMessage.CODE_PORT_UNREACHABLE;
    /** How much of the offending datagram an error quotes: its header and 8 bytes (RFC 792). */
    private static final int QUOTED_PAYLOAD = 8;
    /** Error rate limit, as Linux's icmp_msgs_per_sec and icmp_msgs_burst. */
    private static final long ERRORS_PER_SECOND = 1000, ERROR_BURST = 50;
    private static final long NANOS_PER_TOKEN = 1_000_000_000L / ERRORS_PER_SECOND;

    private final Ipv4Layer ip;
    private final Counters counters;
    private final IcmpMessage in = new IcmpMessage();
    private final IcmpMessage out = new IcmpMessage();
    private long errorTokens = ERROR_BURST;
    private long lastRefill;
    private boolean refilled;

    public IcmpLayer(Ipv4Layer ip, Counters counters) {
        this.ip = ip;
        this.counters = counters;
        ip.icmp(this);
    }

    @Override
    public void onDatagram(long now, Ipv4Datagram d) {
        switch (in.wrap(d.buf, d.payloadAt, d.payloadLength).validate()) {
            case TRUNCATED -> { counters.increment(Counter.DROP_ICMP_TRUNCATED); return; }
            case BAD_CHECKSUM -> { counters.increment(Counter.DROP_ICMP_BAD_CHECKSUM); return; }
            case NONE -> { }
        }
        counters.increment(Counter.ICMP_RECEIVED);
        if (in.type() != IcmpMessage.ECHO_REQUEST) {
            counters.increment(Counter.ICMP_OTHER_RECEIVED);
            return;
        }
        if (d.broadcast) {
            // As Linux's icmp_echo_ignore_broadcasts=1: no smurf amplifier here.
            counters.increment(Counter.ICMP_ECHO_BROADCAST_IGNORED);
            return;
        }
        // RFC 792 echo reply: the same message with type 0, data, identifier and sequence unchanged.
        ByteBuffer tx = ip.txBuffer();
        tx.put(Ipv4Layer.PAYLOAD_AT, d.buf, d.payloadAt, d.payloadLength);
        out.wrap(tx, Ipv4Layer.PAYLOAD_AT, d.payloadLength).type(IcmpMessage.ECHO_REPLY).code(0)
                .writeChecksum(d.payloadLength);
        if (ip.send(now, d.src, Ipv4Header.PROTO_ICMP, d.payloadLength, false)) {
            counters.increment(Counter.ICMP_ECHO_REPLIES_SENT);
        }
    }

    /**
     * Reports {@code d} as undeliverable with destination-unreachable {@code code}, unless
     * RFC 1122 §3.2.2 forbids it: never about a broadcast or a reassembled datagram (only the
     * first fragment may be answered, and we no longer hold it alone). ICMP itself is always
     * delivered, so no ICMP error is ever answered with one.
     */
    void unreachable(long now, Ipv4Datagram d, int code) {
        if (d.broadcast || d.headerAt < 0 || !takeErrorToken(now)) {
            return;
        }
        int headerLength = d.payloadAt - d.headerAt;
        int quotedLength = headerLength + Math.min(QUOTED_PAYLOAD, d.payloadLength);
        int length = IcmpMessage.HEADER_LENGTH + quotedLength;
        ByteBuffer tx = ip.txBuffer();
        tx.put(Ipv4Layer.PAYLOAD_AT + IcmpMessage.HEADER_LENGTH, d.buf, d.headerAt, quotedLength);
        out.wrap(tx, Ipv4Layer.PAYLOAD_AT, length).type(IcmpMessage.DEST_UNREACHABLE).code(code).restOfHeader(0)
                .writeChecksum(length);
        if (ip.send(now, d.src, Ipv4Header.PROTO_ICMP, length, false)) {
            counters.increment(Counter.ICMP_UNREACHABLES_SENT);
        }
    }

    /** A token bucket: {@link #ERROR_BURST} at once, {@link #ERRORS_PER_SECOND} sustained. */
    private boolean takeErrorToken(long now) {
        if (!refilled) {
            refilled = true;
            lastRefill = now;
        }
        long tokens = (now - lastRefill) / NANOS_PER_TOKEN;
        if (tokens > 0) {
            errorTokens = Math.min(ERROR_BURST, errorTokens + tokens);
            lastRefill += tokens * NANOS_PER_TOKEN;
        }
        if (errorTokens == 0) {
            counters.increment(Counter.ICMP_ERRORS_RATE_LIMITED);
            return false;
        }
        errorTokens--;
        return true;
    }
}
