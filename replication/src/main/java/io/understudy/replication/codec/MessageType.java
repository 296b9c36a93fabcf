package io.understudy.replication.codec;

/** Frame types of the replication link, with their wire codes. */
public enum MessageType {
    HELLO(1), HELLO_REJECT(2), ACK(3), HEARTBEAT(4), RECORD(5), WELCOME(6);

    private static final MessageType[] BY_CODE = new MessageType[256];
    static {
        for (MessageType t : values()) BY_CODE[t.code] = t;
    }

    public final int code;

    MessageType(int code) { this.code = code; }

    /** The type for a wire code, or {@code null} if the code is unknown. Allocation-free. */
    public static MessageType of(int code) {
        return code >= 0 && code < 256 ? BY_CODE[code] : null;
    }
}
