package io.understudy.replication.codec;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** HELLO_REJECT body: {@code reasonCode u16 | textLength u16 | text UTF-8 × textLength}. */
public final class HelloReject {
    static final int REASON = 0, TEXT_LENGTH = 2, TEXT = 4, MIN_LENGTH = TEXT;
    public static final int MAX_TEXT = 1024;

    /** Reason codes; the wire carries the number so unknown future codes still decode. */
    public static final int VERSION_MISMATCH = 1, CONFIG_MISMATCH = 2, ROLE_CONFLICT = 3, SERVICE_MISMATCH = 4, BUSY = 5,
            /** The peer sent something the protocol does not allow at that point (or a malformed frame). */
            PROTOCOL_ERROR = 6,
            /** The primary drops a standby it had accepted (it fell behind or stopped answering); reconnect. */
            DISMISSED = 7;

    private ByteBuffer buf; private int at;

    public HelloReject wrap(ByteBuffer buf, int at) { this.buf = buf; this.at = at; return this; }
    public HelloReject wrap(Frame frame) { return wrap(frame.buffer(), frame.bodyOffset()); }
    public int reasonCode() { return buf.getShort(at + REASON) & 0xFFFF; }
    public int textLength() { return buf.getShort(at + TEXT_LENGTH) & 0xFFFF; }
    public int textOffset() { return at + TEXT; }
    /** Decodes the text (allocates; rejection is not the steady state). Malformed UTF-8 becomes U+FFFD. */
    public String text() {
        byte[] bytes = new byte[textLength()];
        buf.get(at + TEXT, bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    static boolean validLength(ByteBuffer buf, int at, int length) {
        if (length < MIN_LENGTH) return false;
        int text = buf.getShort(at + TEXT_LENGTH) & 0xFFFF;
        return text <= MAX_TEXT && length == MIN_LENGTH + text;
    }

    static int write(ByteBuffer buf, int at, int reasonCode, byte[] textUtf8) {
        if (textUtf8.length > MAX_TEXT) throw new IllegalArgumentException("reject text over " + MAX_TEXT + " bytes");
        buf.putShort(at + REASON, (short) reasonCode);
        buf.putShort(at + TEXT_LENGTH, (short) textUtf8.length);
        buf.put(at + TEXT, textUtf8);
        return TEXT + textUtf8.length;
    }
}
