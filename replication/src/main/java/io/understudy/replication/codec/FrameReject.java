package io.understudy.replication.codec;

/** Why {@link FrameReader} refused the byte stream. Any of these ends the link: framing is lost or untrusted. */
public enum FrameReject {
    /** The length field exceeds the configured maximum. Detected from the first four bytes alone. */
    TOO_LONG,
    /** The length field is smaller than the fixed header plus CRC; no frame can be that short. */
    TOO_SHORT,
    /** The CRC32C over type..body does not match the trailer. */
    BAD_CRC,
    /** The CRC is good but the type code is not one we know. */
    UNKNOWN_TYPE,
    /** The CRC is good but the frame's version is not {@link FrameCodec#VERSION}. */
    UNSUPPORTED_VERSION,
    /** The body is shorter (or longer) than its type requires. */
    BAD_BODY_LENGTH
}
