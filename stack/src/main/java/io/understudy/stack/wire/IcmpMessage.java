package io.understudy.stack.wire;

import java.nio.ByteBuffer;

/**
 * View over an ICMPv4 message (RFC 792): the 8-byte header and what follows it. Once
 * {@link #validate()} returns {@link Problem#NONE}, no accessor throws. Wrap exactly the IPv4
 * payload ({@link Ipv4Header#payloadLength()} bytes): the checksum covers the whole message.
 */
public final class IcmpMessage {
    /** Field offsets from the start of the message. */
    public static final int TYPE = 0, CODE = 1, CHECKSUM = 2, IDENTIFIER = 4, SEQUENCE = 6, REST_OF_HEADER = 4,
                            NEXT_HOP_MTU = 6;
    /** Bytes in the header; the body (echo data, or the quoted datagram of an error) starts here. */
    public static final int HEADER_LENGTH = 8;
    /** Type: echo reply. */
    public static final int ECHO_REPLY = 0;
    /** Type: destination unreachable. */
    public static final int DEST_UNREACHABLE = 3;
    /** Destination-unreachable code: protocol unreachable. */
    public static final int CODE_PROTOCOL_UNREACHABLE = 2;
    /** Destination-unreachable code: port unreachable. */
    public static final int CODE_PORT_UNREACHABLE = 3;
    /** Destination-unreachable code: fragmentation needed and DF set (RFC 1191). */
    public static final int CODE_FRAG_NEEDED = 4;
    /** Type: echo request. */
    public static final int ECHO_REQUEST = 8;
    /** Type: time exceeded. */
    public static final int TIME_EXCEEDED = 11;

    /** Why a message was rejected, in the order the checks run. */
    public enum Problem {
        /** Valid. */
        NONE,
        /** Shorter than {@link #HEADER_LENGTH}. */
        TRUNCATED,
        /** Checksum over the whole message does not verify. */
        BAD_CHECKSUM
    }

    private ByteBuffer buf;
    private int at;
    private int length;

    /** Points this view at {@code length} bytes of {@code buf} starting at absolute index {@code at}. */
    public IcmpMessage wrap(ByteBuffer buf, int at, int length) {
        this.buf = buf;
        this.at = at;
        this.length = length;
        return this;
    }

    /** Checks length, then the checksum over all wrapped bytes. */
    public Problem validate() {
        if (length < HEADER_LENGTH) {
            return Problem.TRUNCATED;
        }
        return Checksum.finish(Checksum.sum(buf, at, length, 0)) == 0 ? Problem.NONE : Problem.BAD_CHECKSUM;
    }

    /** Type. */
    public int type() {
        return buf.get(at + TYPE) & 0xFF;
    }

    /** Code. */
    public int code() {
        return buf.get(at + CODE) & 0xFF;
    }

    /** Checksum field as stored, 0..0xFFFF. */
    public int checksum() {
        return buf.getShort(at + CHECKSUM) & 0xFFFF;
    }

    /** Echo identifier. */
    public int identifier() {
        return buf.getShort(at + IDENTIFIER) & 0xFFFF;
    }

    /** Echo sequence number. */
    public int sequence() {
        return buf.getShort(at + SEQUENCE) & 0xFFFF;
    }

    /** Next-hop MTU of a fragmentation-needed message (RFC 1191), 0 from old routers. */
    public int nextHopMtu() {
        return buf.getShort(at + NEXT_HOP_MTU) & 0xFFFF;
    }

    /** Absolute index of the body. */
    public int bodyOffset() {
        return at + HEADER_LENGTH;
    }

    /** Bytes of body. */
    public int bodyLength() {
        return length - HEADER_LENGTH;
    }

    /** Sets the type. */
    public IcmpMessage type(int type) {
        buf.put(at + TYPE, (byte) type);
        return this;
    }

    /** Sets the code. */
    public IcmpMessage code(int code) {
        buf.put(at + CODE, (byte) code);
        return this;
    }

    /** Sets the echo identifier. */
    public IcmpMessage identifier(int id) {
        buf.putShort(at + IDENTIFIER, (short) id);
        return this;
    }

    /** Sets the echo sequence number. */
    public IcmpMessage sequence(int seq) {
        buf.putShort(at + SEQUENCE, (short) seq);
        return this;
    }

    /** Sets the 32-bit field after the checksum (zero for "unused" in error messages). */
    public IcmpMessage restOfHeader(int value) {
        buf.putInt(at + REST_OF_HEADER, value);
        return this;
    }

    /** Computes the checksum over {@code length} bytes from the start of the message and stores it; call last. */
    public IcmpMessage writeChecksum(int length) {
        buf.putShort(at + CHECKSUM, (short) 0);
        buf.putShort(at + CHECKSUM, Checksum.finish(Checksum.sum(buf, at, length, 0)));
        return this;
    }
}
